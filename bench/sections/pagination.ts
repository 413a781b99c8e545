// Pagination at scale: listAll over the stateful fake served on loopback, against a hand-written fetch loop, with the
// heap's peak growth while it streams.
import { fmt, range, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { collectGarbage } from "../timing.ts";

const KEYS = [10_000, 100_000];
const PAGE_SIZE = 1000;

interface Pass {
  keys: number;
  listAllKeysPerSec: number;
  handLoopKeysPerSec: number;
  /** listAll's speed over the hand loop's. */
  ratio: number;
  peakHeapGrowthMiB: number;
}

export interface PaginationResult {
  pageSize: number;
  passes: Pass[];
}

export default defineSection<PaginationResult>({
  name: "pagination",
  title: "Pagination at scale",
  async run(bench) {
    const { createIamClient } = await bench.client();
    const { createFakeIam } = await bench.testing();
    const { serveFake } = await bench.testingNode();
    const passes: Pass[] = [];
    for (const total of KEYS) {
      const inMemory = createFakeIam();
      inMemory.seed(Array.from({ length: total }, (_, i) => ({ description: `key ${i}` })));
      const fake = await serveFake(inMemory);
      const iam = createIamClient({ baseUrl: fake.url, token: "t" });
      // Hand-written loop: fetch + JSON.parse, no checks.
      const handStart = performance.now();
      let handCount = 0;
      let token = "";
      do {
        const res = await fetch(`${fake.url}/iam/v1/apiKeys?pageSize=${PAGE_SIZE}${token ? `&pageToken=${token}` : ""}`, {
          headers: { authorization: "Bearer t" },
        });
        const page = (await res.json()) as { apiKeys?: unknown[]; nextPageToken?: string };
        handCount += page.apiKeys?.length ?? 0;
        token = page.nextPageToken ?? "";
      } while (token);
      const handMs = performance.now() - handStart;

      collectGarbage();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      let count = 0;
      const start = performance.now();
      for await (const _ of iam.apiKeys.listAll({ pageSize: PAGE_SIZE })) {
        if (++count % PAGE_SIZE === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      const ms = performance.now() - start;
      await fake.close();
      if (count !== total || handCount !== total) throw new Error(`expected ${total} keys, got ${count} and ${handCount}`);
      passes.push({
        keys: total,
        listAllKeysPerSec: Math.round((total / ms) * 1000),
        handLoopKeysPerSec: Math.round((total / handMs) * 1000),
        ratio: handMs / ms,
        peakHeapGrowthMiB: Math.round(((peak - base) / 2 ** 20) * 10) / 10,
      });
    }
    return { pageSize: PAGE_SIZE, passes };
  },

  method(runs) {
    const { pageSize, passes } = (runs[0] as Run<PaginationResult>).result;
    return `The stateful fake (\`yc-iam-api-keys/testing\`, served on loopback) holds ${passes.map((p) => fmt(p.keys)).join(" or ")} keys and serves pages of ${fmt(pageSize)}. \`listAll\` is timed against a hand-written \`fetch\` loop (\`JSON.parse\`, no checks), once each, the loop first and neither warmed up, so one run's ratio is noisy; the heap is sampled every ${fmt(pageSize)} keys during \`listAll\` (after a forced GC before it) and the peak growth is shown.`;
  },

  tables(runs) {
    const rows = runs.flatMap(({ stamp, result }) =>
      result.passes.map((p) => [
        fmt(p.keys),
        stamp.node,
        fmt(p.listAllKeysPerSec),
        fmt(p.handLoopKeysPerSec),
        fmt(p.ratio, 2),
        `${fmt(p.peakHeapGrowthMiB, 1)} MiB`,
      ]),
    );
    return table(["keys", "Node", "listAll keys/s", "hand-written loop keys/s", "listAll / loop", "peak heap growth in listAll"], rows);
  },

  reading(runs) {
    const ratios = runs.flatMap((run) => run.result.passes.map((p) => p.ratio));
    const growth = runs.map(({ stamp, result: { passes } }) => {
      const [fewest, most] = [passes[0] as Pass, passes.at(-1) as Pass];
      const growthRatio = most.peakHeapGrowthMiB / fewest.peakHeapGrowthMiB;
      const keysRatio = most.keys / fewest.keys;
      return {
        // Note: a stream holds one page whatever the total; growth at half the keys' ratio or more looks like keys kept.
        streams: growthRatio < keysRatio / 2,
        words: `${stamp.node}: ${fmt(fewest.peakHeapGrowthMiB, 1)} MiB at ${fmt(fewest.keys)} keys, ${fmt(most.peakHeapGrowthMiB, 1)} MiB at ${fmt(most.keys)} (${fmt(growthRatio, 1)}× for ${fmt(keysRatio)}× the keys)`,
      };
    });
    const streams = growth.every((g) => g.streams);
    return [
      `\`listAll\` runs at ${range(ratios, 2)}× the speed of the hand loop${ratios.every((ratio) => ratio < 1) ? ", the price of checking every key against the contract" : ""}.`,
      `The heap's peak growth in \`listAll\`: ${growth.map((g) => g.words).join("; ")}. ${
        streams
          ? "It grows far less than the keys do, as it should: `listAll` holds one page at a time, and the growth is garbage not yet collected."
          : "**It grows with the keys**: `listAll` should hold one page at a time."
      }`,
    ];
  },
});
