// Single costs inside a request, each isolated against the same thing without it: what a fresh AbortSignal adds to
// building undici's Request, what the copy `fetch` makes of a built Request costs, and what a per-request timer costs as
// it holds the process or not; beside them, the old method.
import { fmt, fmtSpread, range, table } from "../format.ts";
import { body, headers, json } from "../loopback.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { collectGarbage, interleave, type Paired, paired, SAMPLES, type Times, times, yieldToLoop } from "../timing.ts";

const CALLS_PER_SAMPLE = { inProcess: 2000, loopback: 150 };
const OLD_METHOD_REQUESTS = 30_000;

/** Each cost by a key of its own (the reading names them), with its words in the table. */
const COSTS = {
  controller: "an AbortController alone (against nothing)",
  signalGet: "a fresh AbortSignal in a GET Request",
  signalPost: "a fresh AbortSignal in a POST Request",
  copyGet: "the copy of a built GET Request with a signal",
  copyPost: "the copy of a built POST Request with a signal",
  fetchCopyGet: "fetch(new Request(url, init)) against fetch(url, init), GET with a signal, loopback",
  fetchCopyPost: "fetch(new Request(url, init)) against fetch(url, init), POST with a signal, loopback",
  timerHolding: "a timer per request that holds the process, set and cleared, against none, GET with a signal, loopback",
  timerNotHolding: "a timer per request that does not hold the process (unref), set and cleared, against none, GET with a signal, loopback",
} as const;
type Cost = keyof typeof COSTS;

interface CostRow extends Paired {
  without: Times;
  with: Times;
}

/** One timing of the old method: per Request, and how far the heap grew over all of them. */
interface OldTiming {
  wallUs: number;
  cpuUs: number;
  heapGrowthMiB: number;
}

export interface RequestResult {
  samples: number;
  callsPerSample: typeof CALLS_PER_SAMPLE;
  oldMethodRequests: number;
  costs: Record<Cost, CostRow>;
  oldMethod: { without: OldTiming; with: OldTiming };
}

/** The method behind an old figure: Requests with a fresh signal in a loop of awaits that never yields, timed as one. */
async function oldMethod(target: string) {
  const run = async (make: () => unknown): Promise<OldTiming> => {
    collectGarbage();
    const heap = process.memoryUsage().heapUsed;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < OLD_METHOD_REQUESTS; i++) await make();
    const wallUs = ((performance.now() - start) * 1000) / OLD_METHOD_REQUESTS;
    const used = process.cpuUsage(cpu);
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heap) / 2 ** 20;
    await yieldToLoop();
    return { wallUs, cpuUs: (used.user + used.system) / OLD_METHOD_REQUESTS, heapGrowthMiB };
  };
  return {
    without: await run(() => new Request(target, { headers })),
    with: await run(() => new Request(target, { headers, signal: new AbortController().signal })),
  };
}

/** What a cost adds, on CPU, median over the runs' Nodes: "2.6 µs on v24.21.0, 10.2 µs on v20.20.2". */
const adds = (runs: Run<RequestResult>[], cost: Cost) =>
  measuring(runs, cost)
    .map((run) => `${fmt(run.result.costs[cost].cpuDiffUs.median, 1)} µs on ${run.stamp.node}`)
    .join(", ");

/** The runs that measured `cost` (a run saved before the cost was added to the section has none). */
const measuring = (runs: Run<RequestResult>[], cost: Cost) => runs.filter((run) => run.result.costs[cost]);

export default defineSection<RequestResult>({
  name: "request",
  title: "Costs inside a request",
  async run(bench) {
    const { url } = await bench.server();
    const target = `${url}/iam/v1/apiKeys/k`;
    const post = { method: "POST", headers, body: JSON.stringify(body) };
    const signal = () => new AbortController().signal;
    const costs = {} as Record<Cost, CostRow>;
    const measure = async (cost: Cost, without: () => unknown, withIt: () => unknown, n: number) => {
      const samples = await interleave({ without, with: withIt }, { n });
      costs[cost] = { without: times(samples.without), with: times(samples.with), ...paired(samples.with, samples.without) };
      console.error(`  ${COSTS[cost]}: adds ${fmt(costs[cost].cpuDiffUs.median, 1)} µs CPU`);
    };
    const { inProcess, loopback } = CALLS_PER_SAMPLE;
    await measure(
      "controller",
      () => undefined,
      () => new AbortController().signal,
      inProcess,
    );
    await measure(
      "signalGet",
      () => new Request(target, { headers }),
      () => new Request(target, { headers, signal: signal() }),
      inProcess,
    );
    await measure(
      "signalPost",
      () => new Request(target, post),
      () => new Request(target, { ...post, signal: signal() }),
      inProcess,
    );
    // Note: undici's fetch(input, init) starts with new Request(input, init), so this is the copy fetch(request) makes.
    await measure(
      "copyGet",
      () => new Request(target, { headers, signal: signal() }),
      () => new Request(new Request(target, { headers, signal: signal() })),
      inProcess,
    );
    await measure(
      "copyPost",
      () => new Request(target, { ...post, signal: signal() }),
      () => new Request(new Request(target, { ...post, signal: signal() })),
      inProcess,
    );
    await measure(
      "fetchCopyGet",
      () => fetch(target, { headers, signal: signal() }).then(json),
      () => fetch(new Request(target, { headers, signal: signal() })).then(json),
      loopback,
    );
    await measure(
      "fetchCopyPost",
      () => fetch(`${url}/iam/v1/apiKeys`, { ...post, signal: signal() }).then(json),
      () => fetch(new Request(`${url}/iam/v1/apiKeys`, { ...post, signal: signal() })).then(json),
      loopback,
    );
    // Note: each timer against no timer, not the two against each other: clearing a timer that holds the process deletes
    // Node's list of timers of its length, which the next timer of that length makes again, whichever kind it is.
    const timed = (hold: boolean) => () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      if (!hold) timer.unref();
      return fetch(target, { headers, signal: controller.signal })
        .then(json)
        .finally(() => clearTimeout(timer));
    };
    const untimed = () => fetch(target, { headers, signal: signal() }).then(json);
    await measure("timerHolding", untimed, timed(true), loopback);
    await measure("timerNotHolding", untimed, timed(false), loopback);
    return {
      samples: SAMPLES,
      callsPerSample: CALLS_PER_SAMPLE,
      oldMethodRequests: OLD_METHOD_REQUESTS,
      costs,
      oldMethod: await oldMethod(target),
    };
  },

  method(runs) {
    const { samples, callsPerSample, oldMethodRequests } = (runs[0] as Run<RequestResult>).result;
    return `Single costs inside a request, each against the same thing without it, timed as the call overhead is (interleaved, yielding between calls, ${samples} samples of ${fmt(callsPerSample.inProcess)} calls, ${fmt(callsPerSample.loopback)} over loopback), and shown as what it adds, paired per sample: an \`AbortController\` against nothing; \`new Request(url, init)\` with and without a fresh controller's signal; the copy that \`fetch(request)\` makes (undici's \`fetch\` starts with \`new Request(input, init)\`), as \`new Request(new Request(url, init))\` against \`new Request(url, init)\`; and over loopback, \`fetch(new Request(url, init))\` against \`fetch(url, init)\`, the body read; over loopback too, a timer per request (set before the fetch, cleared after the body) that holds the process and one that does not, each against none. Beside them, **the old method**: ${fmt(oldMethodRequests)} GET Requests in a loop of awaits that never yields, timed as one, with the heap's growth over them; an earlier version of this page took a fresh signal's cost from it, and it timed garbage.`;
  },

  tables(runs) {
    const rows = (Object.keys(COSTS) as Cost[]).flatMap((cost) =>
      measuring(runs, cost).map(({ stamp, result }) => {
        const row = result.costs[cost];
        return [
          COSTS[cost],
          stamp.node,
          fmtSpread(row.without.cpuUs),
          fmtSpread(row.with.cpuUs),
          fmtSpread(row.cpuDiffUs),
          fmtSpread(row.wallDiffUs),
        ];
      }),
    );
    const old = table(
      ["the old method", "Node", "CPU without a signal", "heap growth without", "CPU with a fresh signal", "heap growth with"],
      runs.map(({ stamp, result: { oldMethod, oldMethodRequests } }) => [
        `${fmt(oldMethodRequests)} GET Requests, never yielding`,
        stamp.node,
        `${fmt(oldMethod.without.cpuUs, 1)} µs`,
        `${fmt(oldMethod.without.heapGrowthMiB, 1)} MiB`,
        `${fmt(oldMethod.with.cpuUs, 1)} µs`,
        `${fmt(oldMethod.with.heapGrowthMiB, 1)} MiB`,
      ]),
    );
    return `µs, median (interquartile range).\n\n${table(["isolated cost", "Node", "CPU without", "CPU with", "adds, CPU", "adds, wall"], rows)}\n\n${old}`;
  },

  reading(runs) {
    const controllerAlone = adds(runs, "controller");
    return [
      `**A fresh AbortSignal** adds to building a GET \`Request\` ${adds(runs, "signalGet")}, and to a POST ${adds(runs, "signalPost")} (CPU, median); the \`AbortController\` alone ${controllerAlone}.`,
      `**A timer per request** (the client's per-attempt timeout), set and cleared, against none, over loopback: one that holds the process adds ${adds(runs, "timerHolding")}; one that does not (\`unref()\`, as each attempt's own timer in the client, where one shared timer holds the process while any attempt is in flight) ${adds(runs, "timerNotHolding")}. Clearing a timer that holds the process makes Node delete its list of timers of that length, which the next request's timer then makes again.`,
      `**The copy of every request**: openapi-fetch builds a \`Request\` and \`fetch(request)\` copies it. Alone, the copy of a GET with a signal costs ${adds(runs, "copyGet")}; of a POST ${adds(runs, "copyPost")}, whose body goes through a \`TransformStream\`. Over loopback, with the body sent and read: GET ${adds(runs, "fetchCopyGet")}; POST ${adds(runs, "fetchCopyPost")}. An interquartile range that spans zero (in the table) means the cost is not separable from the noise here.`,
      ...runs.map(({ stamp, result: { oldMethod } }) => {
        const growth = [oldMethod.without.heapGrowthMiB, oldMethod.with.heapGrowthMiB];
        return `**The old method**, ${stamp.node}: a Request takes ${fmt(oldMethod.without.cpuUs, 1)} µs without a signal and ${fmt(oldMethod.with.cpuUs, 1)} µs with one (CPU), and the heap grows ${range(growth, 1)} MiB over the loop (${fmt(oldMethod.with.heapGrowthMiB / oldMethod.without.heapGrowthMiB, 1)}× with a signal).`;
      }),
    ];
  },
});
