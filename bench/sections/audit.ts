// The audit example over a whole cloud (10 folders of 100 service accounts, each account with an API key, an authorized
// key and a static key) against the fake in a process of its own on loopback, latency added to every call
// (bench/audit-fake.ts): the wall time with the default concurrency against one read at a time, the requests made
// (counted by method and URL in the client's fetch: one per page, none twice) and the memory the audit holds. The setup
// (an RSA key pair per account among it) is timed apart, in that process, and is in no figure.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { root } from "../../scripts/root.ts";
import { fmt, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { collectGarbage, median } from "../timing.ts";

/** The goal: the default concurrency this many times faster than one read at a time. */
export const AUDIT_SPEEDUP_GOAL = 6;
const CLOUD_ID = "b1gbench0audit0cloud";
const FOLDERS = 10;
const ACCOUNTS_PER_FOLDER = 100;
const LATENCY_MS = 20;
const ROUNDS = 3;
/** How often the memory is sampled while an audit runs. */
const SAMPLE_MS = 10;
// Note: megabytes of 1,000,000 bytes, as scripts/size.ts writes them.
const MB = 1_000_000;

/** The memory of the bench's process around one audit, in bytes: before it (after a GC), its peaks, and what a GC leaves after it while its result is held. */
export interface AuditMemory {
  heapBefore: number;
  peakHeap: number;
  peakRss: number;
  retainedHeap: number;
}

export interface AuditResult {
  folders: number;
  accounts: number;
  credentials: number;
  roles: number;
  /** The kinds of credential (each account holds one of each): the lists the audit makes per account. */
  kinds: number;
  latencyMs: number;
  rounds: number;
  setupMs: number;
  concurrency: number;
  defaultMs: number;
  oneAtATimeMs: number;
  speedup: number;
  /** The requests of each audit, as the distinct counts seen. */
  requests: number[];
  /** One per page: the folders, the roles on the cloud, the roles and the accounts of each folder, a list per account and kind. */
  goalRequests: number;
  /** Requests sent more than once by one audit (same method and URL), across every audit: the bench stops on one. */
  repeated: number;
  /** The default concurrency's audits: the largest of each figure. */
  memory: AuditMemory;
}

/** Samples the process's heap and resident memory every SAMPLE_MS until `stop`, which gives their peaks. */
function peaks() {
  let heap = 0;
  let rss = 0;
  const take = () => {
    const { heapUsed, rss: resident } = process.memoryUsage();
    heap = Math.max(heap, heapUsed);
    rss = Math.max(rss, resident);
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { heap, rss };
    },
  };
}

export default defineSection<AuditResult>({
  name: "audit",
  title: "The audit example over a cloud",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { audit, CREDENTIAL_KINDS, DEFAULT_CONCURRENCY } = await import("../../examples/audit.ts");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "bench/audit-fake.ts"),
        bench.dir,
        CLOUD_ID,
        String(FOLDERS),
        String(ACCOUNTS_PER_FOLDER),
        String(LATENCY_MS),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      console.error(`audit: making the cloud (${FOLDERS} folders of ${ACCOUNTS_PER_FOLDER} accounts, three credentials each), untimed`);
      const ready = await new Promise<{
        url: string;
        setupMs: number;
        folders: number;
        accounts: number;
        credentials: number;
        roles: number;
      }>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk) => {
          text += chunk;
          if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0] as string));
        });
        child.once("exit", (code) => reject(new Error(`bench/audit-fake.ts exited with ${code}`)));
      });
      console.error(`audit: the cloud is made (${fmt(ready.setupMs)} ms); measuring`);
      /** The requests of the audit running, by method and URL. */
      const sent = new Map<string, number>();
      let repeated = 0;
      const counting = ((input: RequestInfo | URL, init?: RequestInit) => {
        const request = input instanceof Request && !init ? input : new Request(input, init);
        const key = `${request.method} ${request.url}`;
        sent.set(key, (sent.get(key) ?? 0) + 1);
        return fetch(request);
      }) as typeof fetch;
      const iam = createIamClient({ token: "t", baseUrl: ready.url, fetch: counting });
      const once = async (concurrency: number) => {
        sent.clear();
        collectGarbage();
        const heapBefore = process.memoryUsage().heapUsed;
        const sampling = peaks();
        const start = performance.now();
        const audited = await audit(iam, { cloudId: CLOUD_ID, concurrency });
        const ms = performance.now() - start;
        const { heap, rss } = sampling.stop();
        collectGarbage();
        const retainedHeap = process.memoryUsage().heapUsed - heapBefore;
        // Note: the result is read after the GC, so it was held through it.
        const found = [audited.folders.length, audited.accounts.length, audited.credentials.length, audited.roles.length];
        const expected = [ready.folders, ready.accounts, ready.credentials, ready.roles];
        if (found.join() !== expected.join())
          throw new Error(`audit found ${found.join(", ")} folders, accounts, credentials and roles, not ${expected.join(", ")}`);
        const twice = [...sent].filter(([, n]) => n > 1);
        repeated += twice.length;
        if (twice.length) throw new Error(`the audit sent ${twice[0]?.[0]} ${twice[0]?.[1]} times`);
        return {
          ms,
          requests: [...sent.values()].reduce((sum, n) => sum + n, 0),
          memory: { heapBefore, peakHeap: heap, peakRss: rss, retainedHeap },
        };
      };
      await once(DEFAULT_CONCURRENCY); // warms the connections and the code
      const samples = { parallel: [] as number[], serial: [] as number[], requests: new Set<number>(), memory: [] as AuditMemory[] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const concurrency of [DEFAULT_CONCURRENCY, 1]) {
          const { ms, requests, memory } = await once(concurrency);
          if (concurrency === DEFAULT_CONCURRENCY) {
            samples.parallel.push(ms);
            samples.memory.push(memory);
          } else samples.serial.push(ms);
          samples.requests.add(requests);
          console.error(`audit: round ${round + 1} of ${ROUNDS}, concurrency ${concurrency}: ${fmt(ms)} ms, ${fmt(requests)} requests`);
        }
      }
      const largest = (field: keyof AuditMemory) => Math.max(...samples.memory.map((m) => m[field]));
      const kinds = CREDENTIAL_KINDS.length;
      return {
        folders: ready.folders,
        accounts: ready.accounts,
        credentials: ready.credentials,
        roles: ready.roles,
        kinds,
        latencyMs: LATENCY_MS,
        rounds: ROUNDS,
        setupMs: ready.setupMs,
        concurrency: DEFAULT_CONCURRENCY,
        defaultMs: median(samples.parallel),
        oneAtATimeMs: median(samples.serial),
        speedup: median(samples.serial) / median(samples.parallel),
        requests: [...samples.requests],
        goalRequests: 1 + 1 + 2 * ready.folders + kinds * ready.accounts,
        repeated,
        memory: {
          heapBefore: largest("heapBefore"),
          peakHeap: largest("peakHeap"),
          peakRss: largest("peakRss"),
          retainedHeap: largest("retainedHeap"),
        },
      };
    } finally {
      child.kill("SIGTERM");
    }
  },

  method(runs) {
    const r = (runs[0] as Run<AuditResult>).result;
    return `\`examples/audit.ts --cloud\` reads a cloud of ${fmt(r.folders)} folders of ${fmt(r.accounts / r.folders)} service accounts each (${fmt(r.accounts)}, the fake's default one counted), each account with one credential of each kind (an API key, an authorized key, a static key; ${fmt(r.credentials)} in all), and ${fmt(r.roles)} roles held on the cloud and the folders. The fake runs in a process of its own (\`bench/audit-fake.ts\`, the build measured, its service-account quota raised to hold them), served on 127.0.0.1 with ${r.latencyMs} ms added to **every call** (each request waits on its own timer before the fake answers, so concurrent ones overlap); a server has its own CPU, and in the bench's own process the fake's and the client's work would queue on one thread (the bench runs with \`--single-threaded\`). The setup (the accounts and credentials through the client in that process, an RSA key pair per authorized key) is timed apart and in no figure. The audit runs once to warm up, then ${r.rounds} rounds of the default concurrency (${r.concurrency} reads in flight at once, one limit for the whole run) and one read at a time, alternating; the median of each. Requests are counted by method and URL in the client's \`fetch\`; a request sent twice in one audit stops the bench. Memory is the bench's process (the client and the audit, not the fake): the heap after a GC before each audit, the peaks of the heap and the resident set sampled every ${SAMPLE_MS} ms while it runs, and the heap a GC leaves after it while its result is held; the largest of each over the default concurrency's rounds.`;
  },

  tables(runs) {
    const speed = table(
      ["Node", "concurrency (default)", "one at a time", "speed-up", "requests per audit", "one per page", "sent twice", "setup, untimed"],
      runs.map(({ stamp, result: r }) => [
        stamp.node,
        `${fmt(r.defaultMs)} ms (${r.concurrency})`,
        `${fmt(r.oneAtATimeMs)} ms`,
        `${fmt(r.speedup, 1)}×`,
        r.requests.map((n) => fmt(n)).join(", "),
        fmt(r.goalRequests),
        fmt(r.repeated),
        `${fmt(r.setupMs / 1000, 1)} s`,
      ]),
    );
    const memory = table(
      ["Node", "heap before", "peak heap", "peak heap above before", "heap held after (the result)", "peak resident set"],
      runs.map(({ stamp, result: { memory: m } }) => [
        stamp.node,
        `${fmt(m.heapBefore / MB, 1)} MB`,
        `${fmt(m.peakHeap / MB, 1)} MB`,
        `${fmt((m.peakHeap - m.heapBefore) / MB, 1)} MB`,
        `${fmt(m.retainedHeap / MB, 1)} MB`,
        `${fmt(m.peakRss / MB, 1)} MB`,
      ]),
    );
    return `${speed}\n\n${memory}`;
  },

  reading(runs) {
    return runs.flatMap(({ stamp, result: r }) => {
      // Note: at best, every round of `concurrency` reads waits one latency, so the latency alone takes this long.
      const floorMs = r.latencyMs * Math.ceil(r.goalRequests / r.concurrency);
      const exact = r.requests.length === 1 && r.requests[0] === r.goalRequests && r.repeated === 0;
      return [
        `**Speed-up ≥ ${AUDIT_SPEEDUP_GOAL}×, ${stamp.node}: ${r.speedup >= AUDIT_SPEEDUP_GOAL ? "met" : "not met"}** (${fmt(r.speedup, 1)}×). One at a time is ${fmt(r.goalRequests)} calls of about ${fmt(r.oneAtATimeMs / r.goalRequests, 1)} ms (the ${r.latencyMs} ms of latency, the client, loopback and the fake); with ${r.concurrency} reads in flight the latency alone would take at least ${fmt(floorMs)} ms, and the audit takes ${fmt(r.defaultMs)} ms.`,
        `**Requests: one per page and none twice, ${stamp.node}: ${exact ? "met exactly" : "not met"}** (${r.requests.map((n) => fmt(n)).join(", ")} per audit, against ${fmt(r.goalRequests)}: the folders, the roles on the cloud, the roles and the accounts of each of ${fmt(r.folders)} folders, and ${fmt(r.kinds)} lists for each of ${fmt(r.accounts)} accounts; ${fmt(r.repeated)} sent twice).`,
        `**Memory, ${stamp.node}:** the heap peaks ${fmt((r.memory.peakHeap - r.memory.heapBefore) / MB, 1)} MB above where it starts and holds ${fmt(r.memory.retainedHeap / MB, 1)} MB after, the result of ${fmt(r.credentials)} credentials, ${fmt(r.accounts)} accounts and ${fmt(r.roles)} roles (about ${fmt(r.memory.retainedHeap / (r.credentials + r.accounts + r.roles))} bytes each); the process peaks at ${fmt(r.memory.peakRss / MB)} MB resident.`,
      ];
    });
  },
});
