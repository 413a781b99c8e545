// The audit example over a folder at the quota (100 accounts, the default one counted, each with an API key, an
// authorized key and a static key) against the fake in a process of its own on loopback, latency added to every call
// (bench/audit-fake.ts): the wall time with the default concurrency against one account at a time, and the requests
// made, counted by the client's fetch. The setup (an RSA key pair per account) is timed apart, in that process.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { root } from "../../scripts/root.ts";
import { fmt, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { median } from "../timing.ts";

/** The goal: the default concurrency this many times faster than one account at a time. */
export const AUDIT_SPEEDUP_GOAL = 6;
const FOLDER_ID = "b1gbench0audit0fold1";
const LATENCY_MS = 20;
const ROUNDS = 3;

export interface AuditResult {
  accounts: number;
  credentials: number;
  /** The kinds of credential (each account holds one of each): the lists the audit makes per account. */
  kinds: number;
  latencyMs: number;
  rounds: number;
  setupMs: number;
  concurrency: number;
  defaultMs: number;
  oneAtATimeMs: number;
  speedup: number;
  requests: number[];
  /** One page of accounts and one list per account and kind. */
  goalRequests: number;
}

export default defineSection<AuditResult>({
  name: "audit",
  title: "The audit example",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { audit, DEFAULT_CONCURRENCY } = await import("../../examples/audit.ts");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "bench/audit-fake.ts"), bench.dir, FOLDER_ID, String(LATENCY_MS)],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const ready = await new Promise<{ url: string; setupMs: number; accounts: number; credentials: number }>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk) => {
          text += chunk;
          if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0] as string));
        });
        child.once("exit", (code) => reject(new Error(`bench/audit-fake.ts exited with ${code}`)));
      });
      let requests = 0;
      const counting = ((input: RequestInfo | URL, init?: RequestInit) => {
        requests++;
        return fetch(input, init);
      }) as typeof fetch;
      const iam = createIamClient({ token: "t", baseUrl: ready.url, fetch: counting });
      const once = async (concurrency: number) => {
        const before = requests;
        const start = performance.now();
        const { credentials } = await audit(iam, { folderId: FOLDER_ID, concurrency });
        const ms = performance.now() - start;
        if (credentials.length !== ready.credentials)
          throw new Error(`audit found ${credentials.length} of ${ready.credentials} credentials`);
        return { ms, requests: requests - before };
      };
      await once(DEFAULT_CONCURRENCY); // warms the connections and the code
      const samples = { parallel: [] as number[], serial: [] as number[], requests: new Set<number>() };
      for (let round = 0; round < ROUNDS; round++) {
        for (const [concurrency, into] of [
          [DEFAULT_CONCURRENCY, samples.parallel],
          [1, samples.serial],
        ] as const) {
          const { ms, requests } = await once(concurrency);
          into.push(ms);
          samples.requests.add(requests);
        }
      }
      const kinds = ready.credentials / ready.accounts;
      return {
        accounts: ready.accounts,
        credentials: ready.credentials,
        kinds,
        latencyMs: LATENCY_MS,
        rounds: ROUNDS,
        setupMs: ready.setupMs,
        concurrency: DEFAULT_CONCURRENCY,
        defaultMs: median(samples.parallel),
        oneAtATimeMs: median(samples.serial),
        speedup: median(samples.serial) / median(samples.parallel),
        requests: [...samples.requests],
        goalRequests: 1 + kinds * ready.accounts,
      };
    } finally {
      child.kill("SIGTERM");
    }
  },

  method(runs) {
    const r = (runs[0] as Run<AuditResult>).result;
    return `\`examples/audit.ts\` reads a folder at the quota: ${fmt(r.accounts)} service accounts (the default one counted), each with one credential of each kind (an API key, an authorized key, a static key; ${fmt(r.credentials)} in all). The fake runs in a process of its own (\`bench/audit-fake.ts\`, the build measured), served on 127.0.0.1 with ${r.latencyMs} ms added to **every call** (each request waits on its own timer before the fake answers, so concurrent ones overlap); a server has its own CPU, and in the bench's own process the fake's and the client's work would queue on one thread (the bench runs with \`--single-threaded\`). The setup (${fmt(r.accounts - 1)} accounts and ${fmt(r.credentials)} credentials through the client in that process, an RSA key pair per account) is timed apart and not in the figures. The audit runs once to warm up, then ${r.rounds} rounds of the default concurrency (${r.concurrency} accounts at a time) and one account at a time, alternating; the median of each. Requests are counted by the client's \`fetch\`.`;
  },

  tables(runs) {
    const r = (runs[0] as Run<AuditResult>).result;
    return table(
      [
        "Node",
        `concurrency ${r.concurrency} (default)`,
        "one at a time",
        "speed-up",
        "requests per audit",
        "one list per account and kind + 1",
        "setup, untimed",
      ],
      runs.map(({ stamp, result }) => [
        stamp.node,
        `${fmt(result.defaultMs)} ms`,
        `${fmt(result.oneAtATimeMs)} ms`,
        `${fmt(result.speedup, 1)}×`,
        result.requests.map((n) => fmt(n)).join(", "),
        fmt(result.goalRequests),
        `${fmt(result.setupMs)} ms`,
      ]),
    );
  },

  reading(runs) {
    return runs.flatMap(({ stamp, result: r }) => {
      // Note: with `concurrency` accounts at once, at best one page of accounts, then a round of the three lists per batch.
      const floorMs = r.latencyMs * (1 + Math.ceil(r.accounts / r.concurrency) * r.kinds);
      const exact = r.requests.length === 1 && r.requests[0] === r.goalRequests;
      return [
        `**Speed-up ≥ ${AUDIT_SPEEDUP_GOAL}×, ${stamp.node}: ${r.speedup >= AUDIT_SPEEDUP_GOAL ? "met" : "not met"}** (${fmt(r.speedup, 1)}×). One at a time is ${fmt(r.goalRequests)} calls of about ${fmt(r.oneAtATimeMs / r.goalRequests, 1)} ms (the ${r.latencyMs} ms of latency, the client, loopback and the fake); with ${r.concurrency} accounts at once the latency alone would take ${fmt(floorMs)} ms (one page of accounts, then ${fmt(Math.ceil(r.accounts / r.concurrency))} rounds of ${r.kinds} lists), and the audit takes ${fmt(r.defaultMs)} ms.`,
        `**Requests: one page of accounts and one list per account and kind, ${stamp.node}: ${exact ? "met exactly" : "not met"}** (${r.requests.map((n) => fmt(n)).join(", ")} per audit, against ${fmt(r.goalRequests)}).`,
      ];
    });
  },
});
