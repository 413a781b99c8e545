// Every kind of call through bare openapi-fetch and this client, over loopback (with plain fetch too) and over a fetch
// in this process that answers at once: the client's cost over openapi-fetch, and its own work without a network.
import createClient from "openapi-fetch";
import type { paths } from "../../generated/schema.ts";
import type { createIamClient } from "../../src/index.ts";
import { fmt, fmtSpread, list, range, table } from "../format.ts";
import { answeringAtOnce, BY_KEY, body, change, headers, json, OPERATION_ID } from "../loopback.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { interleave, type Paired, paired, SAMPLES, type Sample, type Times, times, WARMUP } from "../timing.ts";

/** The goal: this client's on-CPU time over bare openapi-fetch's, median over loopback, on every row. */
export const OVERHEAD_GOAL = 1.05;
/** The goal: the client's own work per read (c − b on CPU, no network), in µs. */
export const OWN_WORK_GOAL_US = 20;
/** The rows that read (the own-work goal's rows). */
const READS = ["get", "list"];

const CALLS_PER_SAMPLE = { loopback: 150, loopbackWithPoll: 75, inProcess: 500 };
/**
 * Samples of each row over loopback: twice the bench's default, as a sample's c/b there spreads a few hundredths either
 * side of its median on Node 24 (a tenth or more on Node 20), and the goal sits five hundredths from 1.
 */
const LOOPBACK_SAMPLES = 2 * SAMPLES;

type Bare = ReturnType<typeof createClient<paths>>;
type Iam = ReturnType<typeof createIamClient>;

const byKey = (apiKeyId: string) => ({ params: { path: { apiKeyId } } });
const operation = { params: { path: { operationId: OPERATION_ID } } };

/** Each kind of call, bare openapi-fetch (b) and this client (c); update "answers done" gets a done Operation at once. */
const CALLS: Record<string, [(bare: Bare) => Promise<unknown>, (iam: Iam) => Promise<unknown>]> = {
  get: [(bare) => bare.GET(BY_KEY, byKey("k")), (iam) => iam.apiKeys.get("k")],
  list: [(bare) => bare.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 100 } } }), (iam) => iam.apiKeys.list({ pageSize: 100 })],
  create: [(bare) => bare.POST("/iam/v1/apiKeys", { body }), (iam) => iam.apiKeys.create(body)],
  "update (answers done)": [
    (bare) => bare.PATCH(BY_KEY, { ...byKey("d"), body: change }),
    (iam) => iam.apiKeys.update("d", { description: "bench" }),
  ],
  "update (PATCH + one poll)": [
    (bare) => bare.PATCH(BY_KEY, { ...byKey("k"), body: change }).then(() => bare.GET("/operations/{operationId}", operation)),
    (iam) => iam.apiKeys.update("k", { description: "bench" }),
  ],
  delete: [(bare) => bare.DELETE(BY_KEY, byKey("k")), (iam) => iam.apiKeys.delete("k")],
};

/**
 * The same calls as plain fetch + JSON.parse, no checks (a), over the network only; with `timeoutMs`, each request with
 * the signal of a timer of its own (s), as the client's every attempt has one: what undici's handling of it costs.
 */
function plainCalls(url: string, timeoutMs?: number): Record<string, () => Promise<unknown>> {
  const send = (method: string, path: string, payload?: unknown) => {
    const timeout = timeoutMs === undefined ? undefined : new AbortController();
    const timer = timeout && setTimeout(() => timeout.abort(), timeoutMs);
    // Note: not holding the process open, as no attempt's own timer does in the client (src/core/retry.ts, attemptTimer).
    timer?.unref();
    const init = {
      method,
      headers,
      ...(payload !== undefined && { body: JSON.stringify(payload) }),
      ...(timeout && { signal: timeout.signal }),
    };
    return fetch(`${url}${path}`, init)
      .then(json)
      .finally(() => clearTimeout(timer));
  };
  return {
    get: () => send("GET", "/iam/v1/apiKeys/k"),
    list: () => send("GET", "/iam/v1/apiKeys?pageSize=100"),
    create: () => send("POST", "/iam/v1/apiKeys", body),
    "update (answers done)": () => send("PATCH", "/iam/v1/apiKeys/d", change),
    "update (PATCH + one poll)": () => send("PATCH", "/iam/v1/apiKeys/k", change).then(() => send("GET", `/operations/${OPERATION_ID}`)),
    delete: () => send("DELETE", "/iam/v1/apiKeys/k"),
  };
}

/** One row: each variant's times, and the client over bare openapi-fetch (and over plain fetch when measured). */
interface Row {
  fetch?: Times;
  openapiFetch: Times;
  client: Times;
  cOverB: Paired;
  cOverA?: Paired;
  /** Plain fetch with a per-request timeout signal (s), and what the signal adds to plain fetch (s − a). */
  fetchWithSignal?: Times;
  sOverA?: Paired;
}

function row(samples: { fetch?: Sample[]; fetchWithSignal?: Sample[]; openapiFetch: Sample[]; client: Sample[] }): Row {
  return {
    ...(samples.fetch && { fetch: times(samples.fetch) }),
    openapiFetch: times(samples.openapiFetch),
    client: times(samples.client),
    cOverB: paired(samples.client, samples.openapiFetch),
    ...(samples.fetch && { cOverA: paired(samples.client, samples.fetch) }),
    ...(samples.fetch &&
      samples.fetchWithSignal && {
        fetchWithSignal: times(samples.fetchWithSignal),
        sOverA: paired(samples.fetchWithSignal, samples.fetch),
      }),
  };
}

export interface OverheadResult {
  /** Samples of each row, over loopback and in this process. */
  samples: { loopback: number; inProcess: number };
  warmup: number;
  callsPerSample: typeof CALLS_PER_SAMPLE;
  loopback: Record<string, Row>;
  inProcess: Record<string, Row>;
}

const TABLES = [
  ["over loopback", "loopback"],
  ["no network", "inProcess"],
] as const;

/** The rows of one kind, op by op, a row per Node. */
function rowsOf(runs: Run<OverheadResult>[], kind: "loopback" | "inProcess") {
  const ops = Object.keys(runs[0]?.result[kind] ?? {});
  return ops.flatMap((op) => runs.map((run) => ({ op, node: run.stamp.node, row: run.result[kind][op] as Row })));
}

/** The medians of c/b CPU, by op, of one run and kind. */
const ratios = (run: Run<OverheadResult>, kind: "loopback" | "inProcess") =>
  Object.entries(run.result[kind]).map(([op, row]) => ({ op, ratio: row.cOverB.cpuRatio.median }));

export default defineSection<OverheadResult>({
  name: "overhead",
  title: "Call overhead",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { url } = await bench.server();
    // Note: no wait between polls, so update measures the client's own work for a PATCH and one poll.
    const polling = { initialDelayMs: 0, maxDelayMs: 0 };
    const loopback = { bare: createClient<paths>({ baseUrl: url, headers }), iam: createIamClient({ baseUrl: url, token: "t", polling }) };
    const answerAtOnce = answeringAtOnce();
    const inProcess = {
      bare: createClient<paths>({ baseUrl: "http://x", headers, fetch: answerAtOnce }),
      iam: createIamClient({ baseUrl: "http://x", token: "t", polling, fetch: answerAtOnce }),
    };
    const plain = plainCalls(url);
    // Note: the client's default per-attempt time; never reached here, as in the client's calls.
    const signalled = plainCalls(url, 30_000);
    const network: Record<string, Row> = {};
    const local: Record<string, Row> = {};
    const variantsOf = (op: string, [bare, client]: (typeof CALLS)[string]) => ({
      fetch: plain[op] as () => Promise<unknown>,
      fetchWithSignal: signalled[op] as () => Promise<unknown>,
      openapiFetch: () => bare(loopback.bare),
      client: () => client(loopback.iam),
    });
    // Note: every row's calls are made before the first sample of any, so the server's process and this one's compiler are
    // warm for the first row as for the last, and each row is measured with every kind of call already seen, as in an app.
    for (const [op, calls] of Object.entries(CALLS)) await interleave(variantsOf(op, calls), { n: 1, reps: 0 });
    for (const [op, calls] of Object.entries(CALLS)) {
      const samples = await interleave(variantsOf(op, calls), {
        n: op.includes("poll") ? CALLS_PER_SAMPLE.loopbackWithPoll : CALLS_PER_SAMPLE.loopback,
        reps: LOOPBACK_SAMPLES,
      });
      network[op] = row(samples);
      console.error(`  loopback ${op}: c/b CPU ${fmt(network[op].cOverB.cpuRatio.median, 2)}`);
    }
    for (const [op, [bare, client]] of Object.entries(CALLS)) {
      const samples = await interleave(
        { openapiFetch: () => bare(inProcess.bare), client: () => client(inProcess.iam) },
        { n: CALLS_PER_SAMPLE.inProcess },
      );
      local[op] = row(samples);
      console.error(`  in process ${op}: c/b CPU ${fmt(local[op].cOverB.cpuRatio.median, 2)}`);
    }
    return {
      samples: { loopback: LOOPBACK_SAMPLES, inProcess: SAMPLES },
      warmup: WARMUP,
      callsPerSample: CALLS_PER_SAMPLE,
      loopback: network,
      inProcess: local,
    };
  },

  method(runs) {
    const { samples, warmup, callsPerSample } = (runs[0] as Run<OverheadResult>).result;
    return `A \`node:http\` server on 127.0.0.1, **in a child process** (so this process's CPU time is the client side's alone), answers each call with the document's own example (list: \`firstPage\`; create: \`withScopesAndExpiry\`; get: the key; update: the \`pending\` Operation, then the \`done\` one from \`GET /operations/…\`; "update (answers done)": the \`done\` Operation at once; delete: the \`done\` Operation). Four variants of each call over loopback: (a) \`fetch\` + \`JSON.parse\`, no checks; (s) the same with a timeout signal on each request (an \`AbortController\` and its timer, which does not hold the process open, as each attempt of the client has), so **s − a** is what undici's handling of a signal costs; (b) bare \`openapi-fetch\`; (c) this client with its defaults: auth and id middleware, input checks, response checks against the contract, per-attempt timeout, retry policy; for update, the client's own polling (with \`initialDelayMs: 0\`, so the row measures work, not waiting) against a PATCH and one GET by hand.

**How a call is timed.** Each call is timed alone, after a turn of the event loop (\`setImmediate\`) that is not timed: a loop of awaits that never yields keeps every WeakRef target alive (undici's \`Request\` holds its signal through one) and runs no FinalizationRegistry cleanup, so it times garbage (the request section's old method shows it). Wall time is \`performance.now()\`; on-CPU time is \`process.cpuUsage()\` (user + system) around the same call. The bench runs V8 with \`--single-threaded\` (it re-runs itself with the flag): otherwise GC and compiler threads bill their CPU time to the process a kernel tick at a time, milliseconds landing in windows of microseconds; with the flag that work runs on the main thread, where the kernel counts it exactly and it lands on the call that caused it.

**Interleaving.** The variants of a row run in one process and take turns call by call, so load from other processes hits all alike. A call's cost depends on the calls before it, which leave the CPU's caches and V8's to their own code, so the turns go in rounds of one call each, every round in an order of its own (a shuffle, seeded so that every run makes the same ones: \`interleave\` in bench/timing.ts): no variant has a fixed place or fixed neighbours. (In a fixed order some variants come back to their own code sooner than others, and are measured cheaper for it.) One sample is each variant's mean over ${fmt(callsPerSample.loopback)} calls (${fmt(callsPerSample.loopbackWithPoll)} for update with a poll), with an untimed GC before each sample, after ${fmt(warmup)} warm-up calls each; and before the first sample of any row, every row's calls make their warm-up calls once, so the server's process and this one's compiler are as warm for the first row as for the last, and each row is measured with every kind of call already seen, as in an app that makes them all. A row shows the median of ${samples.loopback} samples over loopback (${samples.inProcess} without a network) with its interquartile range in brackets; **c/b** and **c − b** are taken per sample (b and c of the same sample ran side by side) and their medians shown, so drift in the machine's load cancels.

**No network.** The same client and bare openapi-fetch over an in-process \`fetch\` that answers at once (${fmt(callsPerSample.inProcess)} calls a sample): the difference c − b is the client's own work per call. Such a fetch makes no copy of the \`Request\`, so this table does not show that cost (the request section does).`;
  },

  tables(runs) {
    return TABLES.map(([title, kind]) => {
      const withFetch = kind === "loopback";
      const header = [
        title,
        "Node",
        "CPU: openapi-fetch (b)",
        "CPU: this client (c)",
        "c/b CPU",
        "c − b CPU",
        "wall: b",
        "wall: c",
        "c/b wall",
        ...(withFetch ? ["CPU: fetch (a)", "c/a CPU", "s − a CPU: a timeout signal"] : []),
      ];
      const rows = rowsOf(runs, kind).map(({ op, node, row }) => [
        op,
        node,
        fmtSpread(row.openapiFetch.cpuUs),
        fmtSpread(row.client.cpuUs),
        fmtSpread(row.cOverB.cpuRatio, 2),
        fmtSpread(row.cOverB.cpuDiffUs),
        fmtSpread(row.openapiFetch.wallUs),
        fmtSpread(row.client.wallUs),
        fmtSpread(row.cOverB.wallRatio, 2),
        ...(withFetch
          ? [
              row.fetch ? fmtSpread(row.fetch.cpuUs) : "–",
              row.cOverA ? fmtSpread(row.cOverA.cpuRatio, 2) : "–",
              row.sOverA ? fmtSpread(row.sOverA.cpuDiffUs) : "–",
            ]
          : []),
      ]);
      return `µs per call, median (interquartile range).\n\n${table(header, rows)}`;
    }).join("\n\n");
  },

  reading(runs) {
    const lines: string[] = [];
    for (const run of runs) {
      const node = run.stamp.node;
      const loopback = ratios(run, "loopback");
      const met = loopback.filter(({ ratio }) => ratio <= OVERHEAD_GOAL);
      const missed = loopback.filter(({ ratio }) => ratio > OVERHEAD_GOAL);
      const named = (rows: typeof loopback) => list(rows.map(({ op, ratio }) => `${op} ${fmt(ratio, 2)}`));
      lines.push(
        `**The goal c/b ≤ ${fmt(OVERHEAD_GOAL, 2)} (CPU, median, over loopback) on every row, ${node}: ${missed.length ? "not met" : "met"}**` +
          (missed.length
            ? ` (${met.length} of ${loopback.length} rows within it${met.length ? `: ${named(met)}` : ""}; above it: ${named(missed)}).`
            : `: ${named(met)}.`),
      );
      // Note: a median's standard error, from the interquartile range of normal-looking samples: 1.2533 σ / √n with σ = IQR / 1.349.
      const error = (op: string) => {
        const { p25, p75 } = (run.result.loopback[op] as Row).cOverB.cpuRatio;
        return (1.2533 * ((p75 - p25) / 1.349)) / Math.sqrt(run.result.samples.loopback);
      };
      const near = loopback
        .map(({ op, ratio }) => ({ op, ratio, within: 2 * error(op) }))
        .filter(({ ratio, within }) => Math.abs(ratio - OVERHEAD_GOAL) <= within);
      if (near.length)
        lines.push(
          `Within two standard errors of the goal (a median's, from its interquartile range and ${run.result.samples.loopback} samples), so a run may put them on either side of it, ${node}: ${list(near.map(({ op, ratio, within }) => `${op} ${fmt(ratio, 3)} ± ${fmt(within, 3)}`))}.`,
        );
      const own = READS.map((op) => ({ op, us: (run.result.inProcess[op] as Row).cOverB.cpuDiffUs.median }));
      const over = own.filter(({ us }) => us > OWN_WORK_GOAL_US);
      lines.push(
        `**The client's own work per read without a network (c − b, CPU) ≤ ${OWN_WORK_GOAL_US} µs, ${node}: ${over.length ? "not met" : "met"}**: ` +
          `${list(own.map(({ op, us }) => `${op} ${fmt(us, 1)} µs`))}; every row: ${range(
            Object.values(run.result.inProcess).map((row) => row.cOverB.cpuDiffUs.median),
            1,
          )} µs, c/b ${range(
            ratios(run, "inProcess").map(({ ratio }) => ratio),
            2,
          )}.`,
      );
      const cOverA = Object.values(run.result.loopback).flatMap((row) => (row.cOverA ? [row.cOverA.cpuRatio.median] : []));
      // Note: below 1 as the table shows it (to two places), so a row the table shows as 1.00 is not named cheaper.
      const cheaper = loopback.filter(({ ratio }) => Math.round(ratio * 100) < 100);
      lines.push(
        `Against plain \`fetch\` with \`JSON.parse\` and no checks (c/a, CPU, over loopback), ${node}: ${range(cOverA, 2)}.` +
          (cheaper.length ? ` The client costs less CPU than bare openapi-fetch on ${named(cheaper)}.` : ""),
      );
    }
    const [newer, older] = runs;
    if (newer && older) {
      const slower = (variant: "client" | "openapiFetch") =>
        Object.entries(older.result.loopback).map(
          ([op, row]) => row[variant].cpuUs.median / (newer.result.loopback[op] as Row)[variant].cpuUs.median,
        );
      lines.push(
        `**${older.stamp.node} against ${newer.stamp.node}**, CPU per call over loopback, row by row: this client takes ${range(slower("client"), 2)}× the time on ${older.stamp.node}, bare openapi-fetch ${range(slower("openapiFetch"), 2)}×.` +
          (older.stamp.measured === newer.stamp.measured
            ? ""
            : ` (The two runs measured different builds: ${newer.stamp.measured} and ${older.stamp.measured}.)`),
      );
    }
    return lines;
  },
});
