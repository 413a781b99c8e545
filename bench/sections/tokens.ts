// Tokens: exchanges under the shared cache against the policy of Yandex's Node SDK, on a simulated clock; and what a
// cached token costs a call (the client over an in-process fetch).
import { fmt, table } from "../format.ts";
import { example } from "../loopback.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { median, timeCalls } from "../timing.ts";

const HOUR = 3_600_000;
const CALLS = 10_000;
const HOURS = 12;
const TOKEN_LIFETIME_HOURS = 12;
/** Yandex's Node SDK asks for a new token every 2 minutes. */
const POLICY_MINUTES = 2;
const CONCURRENT_CALLS = 100;
const COST_REPS = 6;

export interface TokensResult {
  calls: number;
  hours: number;
  tokenLifetimeHours: number;
  exchangesOverHours: number;
  policyMinutes: number;
  policyExchanges: number;
  concurrentCalls: number;
  concurrentExchanges: number;
  stringTokenUs: number;
  cachedSourceUs: number;
}

export default defineSection<TokensResult>({
  name: "tokens",
  title: "Tokens",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { cachedToken } = await bench.auth();
    let now = Date.parse("2026-11-26T00:00:00Z");
    let exchanges = 0;
    const exchange = async () => ({ token: `t1.${++exchanges}`, expiresAt: now + TOKEN_LIFETIME_HOURS * HOUR });
    const source = cachedToken(exchange, { now: () => now });
    for (let i = 0; i < CALLS; i++) {
      await source();
      now += (HOURS * HOUR) / CALLS;
    }
    const exchangesOverHours = exchanges;
    // Note: one exchange per window of the policy that has a call.
    const policyExchanges = new Set(Array.from({ length: CALLS }, (_, i) => Math.floor((i * (HOURS * 60)) / CALLS / POLICY_MINUTES))).size;
    exchanges = 0;
    const concurrent = cachedToken(exchange, { now: () => now });
    await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => concurrent()));
    const concurrentExchanges = exchanges;

    // What a cached token adds to a call: the same call with a string token and with a fresh cached source.
    const body = example("/iam/v1/apiKeys", "get", "firstPage");
    const stub = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    const withString = createIamClient({ baseUrl: "http://x", token: "t1.x", fetch: stub });
    const cached = cachedToken(async () => ({ token: "t1.x", expiresAt: Date.now() + TOKEN_LIFETIME_HOURS * HOUR }));
    const withSource = createIamClient({ baseUrl: "http://x", token: cached, fetch: stub });
    const samples = { string: [] as number[], source: [] as number[] };
    for (let rep = 0; rep < COST_REPS; rep++) {
      samples.string.push(await timeCalls(() => withString.apiKeys.list(), 2000, 3));
      samples.source.push(await timeCalls(() => withSource.apiKeys.list(), 2000, 3));
    }
    return {
      calls: CALLS,
      hours: HOURS,
      tokenLifetimeHours: TOKEN_LIFETIME_HOURS,
      exchangesOverHours,
      policyMinutes: POLICY_MINUTES,
      policyExchanges,
      concurrentCalls: CONCURRENT_CALLS,
      concurrentExchanges,
      stringTokenUs: median(samples.string),
      cachedSourceUs: median(samples.source),
    };
  },

  method(runs) {
    const r = (runs[0] as Run<TokensResult>).result;
    return `On a simulated clock: ${fmt(r.calls)} calls spread evenly over ${r.hours} hours through \`cachedToken\` with tokens that live ${r.tokenLifetimeHours} hours, counting exchanges, against the ${r.policyMinutes}-minute policy of Yandex's Node SDK (one exchange per ${r.policyMinutes}-minute window with a call); ${r.concurrentCalls} concurrent first calls; and a list call with a string token against the same call with a fresh cached token source, over an in-process fetch (wall time, median of alternating rounds).`;
  },

  tables(runs) {
    const r = (runs[0] as Run<TokensResult>).result;
    return table(
      [
        "Node",
        `exchanges for ${fmt(r.calls)} calls over ${r.hours} h`,
        `with a new token every ${r.policyMinutes} min`,
        `exchanges for ${r.concurrentCalls} concurrent first calls`,
        "a call with a string token",
        "with a cached token source",
      ],
      runs.map(({ stamp, result }) => [
        stamp.node,
        fmt(result.exchangesOverHours),
        fmt(result.policyExchanges),
        fmt(result.concurrentExchanges),
        `${fmt(result.stringTokenUs, 1)} µs`,
        `${fmt(result.cachedSourceUs, 1)} µs`,
      ]),
    );
  },

  reading(runs) {
    return runs.map(({ stamp, result: r }) => {
      const adds = r.cachedSourceUs - r.stringTokenUs;
      return `${stamp.node}: ${fmt(r.exchangesOverHours)} exchanges for ${fmt(r.calls)} calls over ${r.hours} hours against ${fmt(r.policyExchanges)} for the ${r.policyMinutes}-minute policy (${fmt(r.policyExchanges / r.exchangesOverHours)}× fewer); ${fmt(r.concurrentExchanges)} exchange${r.concurrentExchanges === 1 ? "" : "s"} for ${r.concurrentCalls} concurrent first calls. A cached token source ${adds >= 0 ? "adds" : "saves"} ${fmt(Math.abs(adds), 1)} µs a call (${fmt((Math.abs(adds) / r.stringTokenUs) * 100, 1)} %) against a string token.`;
    });
  },
});
