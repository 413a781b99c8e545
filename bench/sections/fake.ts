// The stateful fake in process against Prism's mock over loopback, for the same call; and a flow of keys through the fake.
import { fmt, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { median, timeCalls } from "../timing.ts";

/** The goal: the in-process fake answers a call through the client this many times faster than Prism over loopback. */
export const FAKE_GOAL = 20;
const SEEDED = 20;
const LISTED = 10;
const ROUNDS = 4;
const FLOW_KEYS = 1000;
/** The fake's quota of keys: room for the flow's. */
const QUOTA = 2000;

export interface FakeResult {
  listed: number;
  rounds: number;
  fakeUs: number;
  prismUs: number;
  fakeAloneUs: number;
  prismAloneUs: number;
  flowKeys: number;
  flowMs: number;
}

export default defineSection<FakeResult>({
  name: "fake",
  title: "The stateful fake",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { createFakeIam } = await bench.testing();
    const { startPrism } = await import("../../scripts/prism.ts");
    const fake = createFakeIam({ quota: QUOTA });
    fake.seed(Array.from({ length: SEEDED }, (_, i) => ({ description: `key ${i}` })));
    const inProcess = createIamClient({ token: "t", baseUrl: fake.baseUrl, fetch: fake.fetch });
    // Note: Prism on the Node measured, as the fake is, so a floor run (--floor) compares the two on the floor.
    const prism = await startPrism({ node: process.execPath });
    try {
      const overPrism = createIamClient({ token: "t", baseUrl: prism.url });
      const samples = { fake: [] as number[], prism: [] as number[], fakeAlone: [] as number[], prismAlone: [] as number[] };
      const request = (base: string) =>
        new Request(`${base}/iam/v1/apiKeys?pageSize=${LISTED}`, { headers: { authorization: "Bearer t" } });
      for (let rep = 0; rep < ROUNDS; rep++) {
        samples.fake.push(await timeCalls(() => inProcess.apiKeys.list({ pageSize: LISTED }), 200, 3));
        samples.prism.push(await timeCalls(() => overPrism.apiKeys.list({ pageSize: LISTED }), 100, 3));
        // The servers alone: the fake's handler against a bare fetch to Prism, no client on either side.
        samples.fakeAlone.push(await timeCalls(() => fake.handle(request(fake.baseUrl)).then((r) => r.json()), 200, 3));
        samples.prismAlone.push(await timeCalls(() => fetch(request(prism.url)).then((r) => r.json()), 100, 3));
      }
      fake.reset();
      const start = performance.now();
      const ids: string[] = [];
      for (let i = 0; i < FLOW_KEYS; i++) ids.push((await inProcess.apiKeys.create({ description: `flow ${i}` })).apiKey.id);
      let listed = 0;
      for await (const _ of inProcess.apiKeys.listAll({ pageSize: FLOW_KEYS })) listed++;
      for (const id of ids) await inProcess.apiKeys.delete(id);
      const flowMs = performance.now() - start;
      if (listed !== FLOW_KEYS || fake.state.apiKeys.length !== 0)
        throw new Error(`flow: listed ${listed}, left ${fake.state.apiKeys.length}`);
      return {
        listed: LISTED,
        rounds: ROUNDS,
        fakeUs: median(samples.fake),
        prismUs: median(samples.prism),
        fakeAloneUs: median(samples.fakeAlone),
        prismAloneUs: median(samples.prismAlone),
        flowKeys: FLOW_KEYS,
        flowMs,
      };
    } finally {
      await prism.stop();
    }
  },

  method(runs) {
    const r = (runs[0] as Run<FakeResult>).result;
    return `A list of ${r.listed} keys through the client, once over the in-process fake (\`fetch: fake.fetch\`) and once over Prism's mock on loopback; then the servers alone (\`fake.handle(request)\` against \`fetch\` to Prism, no client); wall time, the median of ${r.rounds} alternating rounds. Then ${fmt(r.flowKeys)} keys created, listed and deleted (with one poll per delete) through the in-process fake.`;
  },

  tables(runs) {
    const r = (runs[0] as Run<FakeResult>).result;
    return table(
      [
        `a list of ${r.listed} keys`,
        "Node",
        "in-process fake",
        "Prism over loopback",
        "Prism / fake",
        `create → listAll → delete of ${fmt(r.flowKeys)} keys`,
      ],
      runs.flatMap(({ stamp, result }) => [
        [
          "through the client",
          stamp.node,
          `${fmt(result.fakeUs, 1)} µs`,
          `${fmt(result.prismUs, 1)} µs`,
          fmt(result.prismUs / result.fakeUs, 1),
          `${fmt(result.flowMs)} ms`,
        ],
        [
          "the servers alone",
          stamp.node,
          `${fmt(result.fakeAloneUs, 1)} µs`,
          `${fmt(result.prismAloneUs, 1)} µs`,
          fmt(result.prismAloneUs / result.fakeAloneUs, 1),
          "",
        ],
      ]),
    );
  },

  reading(runs) {
    return runs.map(({ stamp, result: r }) => {
      const through = r.prismUs / r.fakeUs;
      return `**${FAKE_GOAL}× faster than Prism through the client, ${stamp.node}: ${through >= FAKE_GOAL ? "met" : "not met"}** (${fmt(through, 1)}×; the servers alone ${fmt(r.prismAloneUs / r.fakeAloneUs, 1)}×). A call through the client takes ${fmt(r.fakeUs - r.fakeAloneUs, 1)} µs more than the fake's handler alone (the client's own work, the \`Request\` and the \`Response\`), which Prism's calls pay as well. The flow of ${fmt(r.flowKeys)} keys takes ${fmt(r.flowMs / r.flowKeys, 1)} ms per key.`;
    });
  },
});
