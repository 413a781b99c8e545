// npm run bench: call overhead, pagination at scale, size and cold import, codegen time.
// Numbers are noisy: compare within one run and read the ratios. Writes bench/results.json.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import createClient from "openapi-fetch";
import type { paths } from "../generated/schema.ts";
import { root } from "../scripts/generate.ts";
import { measureSize } from "../scripts/size.ts";

const run = promisify(execFile);

// Note: measure the built package (what users run), not src/ through tsx, whose keepNames helpers cost µs per call.
await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root });
const { createIamClient } = (await import(join(root, "dist/src/index.js"))) as typeof import("../src/index.ts");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const doc = JSON.parse(await readFile(join(root, "generated/openapi.json"), "utf8"));
const example = (path: string, method: string, name: string) =>
  JSON.stringify(doc.paths[path][method].responses["200"].content["application/json"].examples[name].value);
const BY_KEY = "/iam/v1/apiKeys/{apiKeyId}";
/** The loopback server's answers: the document's own examples, by method and path. */
const ANSWERS: Record<string, string> = {
  "GET /iam/v1/apiKeys": example("/iam/v1/apiKeys", "get", "firstPage"),
  "POST /iam/v1/apiKeys": example("/iam/v1/apiKeys", "post", "withScopesAndExpiry"),
  "GET /iam/v1/apiKeys/k": example(BY_KEY, "get", "withScopesAndExpiry"),
  "PATCH /iam/v1/apiKeys/k": example(BY_KEY, "patch", "pending"),
  "GET /operations/ajeo7b1c4m3nq2k8v5rd": example(BY_KEY, "patch", "done"),
  "DELETE /iam/v1/apiKeys/k": example(BY_KEY, "delete", "done"),
};

/** Median microseconds per call over `rounds` rounds of `n` sequential calls, after a warm-up. */
async function timeCalls(call: () => Promise<unknown>, n = 400, rounds = 7): Promise<number> {
  for (let i = 0; i < 200; i++) await call();
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await call();
    perCall.push(((performance.now() - start) * 1000) / n);
  }
  return median(perCall);
}

async function callOverhead() {
  const server = createServer((req, res) => {
    const body = ANSWERS[`${req.method} ${req.url?.split("?")[0]}`] ?? "{}";
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json", "x-request-id": "r" }).end(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const headers = { authorization: "Bearer t", "content-type": "application/json" };
  const bare = createClient<paths>({ baseUrl: url, headers });
  // Note: no wait between polls, so update measures the client's own work for a PATCH and one poll.
  const iam = createIamClient({ baseUrl: url, token: "t", polling: { initialDelayMs: 0, maxDelayMs: 0 } });
  const body = { description: "bench", scopes: ["yc.postbox.send"] };
  const change = { updateMask: "description", description: "bench" };
  const json = (r: Response) => r.json();
  const path = { params: { path: { apiKeyId: "k" } } };
  const operation = { params: { path: { operationId: "ajeo7b1c4m3nq2k8v5rd" } } };
  /** Each call three ways: plain fetch + JSON.parse (a), bare openapi-fetch (b), this client (c). */
  const contenders: Record<string, [() => Promise<unknown>, () => Promise<unknown>, () => Promise<unknown>]> = {
    list: [
      () => fetch(`${url}/iam/v1/apiKeys?pageSize=100`, { headers }).then(json),
      () => bare.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 100 } } }),
      () => iam.apiKeys.list({ pageSize: 100 }),
    ],
    create: [
      () => fetch(`${url}/iam/v1/apiKeys`, { method: "POST", headers, body: JSON.stringify(body) }).then(json),
      () => bare.POST("/iam/v1/apiKeys", { body }),
      () => iam.apiKeys.create(body),
    ],
    get: [() => fetch(`${url}/iam/v1/apiKeys/k`, { headers }).then(json), () => bare.GET(BY_KEY, path), () => iam.apiKeys.get("k")],
    "update (PATCH + one poll)": [
      () =>
        fetch(`${url}/iam/v1/apiKeys/k`, { method: "PATCH", headers, body: JSON.stringify(change) })
          .then(json)
          .then(() => fetch(`${url}/operations/ajeo7b1c4m3nq2k8v5rd`, { headers }).then(json)),
      () => bare.PATCH(BY_KEY, { ...path, body: change }).then(() => bare.GET("/operations/{operationId}", operation)),
      () => iam.apiKeys.update("k", { description: "bench" }),
    ],
    delete: [
      () => fetch(`${url}/iam/v1/apiKeys/k`, { method: "DELETE", headers }).then(json),
      () => bare.DELETE(BY_KEY, path),
      () => iam.apiKeys.delete("k"),
    ],
  };
  const results: Record<string, Record<string, number>> = {};
  for (const [op, [plain, openapi, client]] of Object.entries(contenders)) {
    // Note: interleave the three so drift in the machine hits all alike, and rotate who goes first:
    // the first after a switch pays for garbage the previous one left (measured: about 30 µs per call).
    const samples = { fetch: [] as number[], openapiFetch: [] as number[], client: [] as number[] };
    const order = [
      ["fetch", plain],
      ["openapiFetch", openapi],
      ["client", client],
    ] as const;
    for (let rep = 0; rep < 6; rep++)
      for (let i = 0; i < order.length; i++) {
        const [name, call] = order[(rep + i) % order.length]!;
        samples[name].push(await timeCalls(call));
      }
    const a = median(samples.fetch);
    const b = median(samples.openapiFetch);
    const c = median(samples.client);
    results[op] = { fetchUs: a, openapiFetchUs: b, clientUs: c, clientOverFetch: c / a, clientOverOpenapiFetch: c / b };
  }
  server.close();
  return results;
}

async function pagination(total: number) {
  const { createFakeIam } = (await import(join(root, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
  const inMemory = createFakeIam();
  inMemory.seed(Array.from({ length: total }, (_, i) => ({ description: `key ${i}` })));
  const fake = await inMemory.serve();
  const iam = createIamClient({ baseUrl: fake.url, token: "t" });
  // Hand-written loop: fetch + JSON.parse, no checks.
  const handStart = performance.now();
  let handCount = 0;
  let token = "";
  do {
    const res = await fetch(`${fake.url}/iam/v1/apiKeys?pageSize=1000${token ? `&pageToken=${token}` : ""}`, {
      headers: { authorization: "Bearer t" },
    });
    const page = (await res.json()) as { apiKeys?: unknown[]; nextPageToken?: string };
    handCount += page.apiKeys?.length ?? 0;
    token = page.nextPageToken ?? "";
  } while (token);
  const handMs = performance.now() - handStart;

  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let count = 0;
  const start = performance.now();
  for await (const _ of iam.apiKeys.listAll({ pageSize: 1000 })) {
    if (++count % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const ms = performance.now() - start;
  await fake.close();
  if (count !== total || handCount !== total) throw new Error(`expected ${total} keys, got ${count} and ${handCount}`);
  return {
    keys: total,
    listAllKeysPerSec: Math.round((total / ms) * 1000),
    handLoopKeysPerSec: Math.round((total / handMs) * 1000),
    ratio: handMs / ms,
    peakHeapGrowthMiB: Math.round(((peak - base) / 2 ** 20) * 10) / 10,
  };
}

async function coldImport() {
  const entry = join(root, "dist/src/index.js");
  const script = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    times.push(Number(stdout));
  }
  return median(times);
}

async function codegen() {
  const time = async (args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await run(process.execPath, ["--import", "tsx", join(root, "scripts/generate.ts"), ...args], { cwd: root });
      times.push(performance.now() - start);
    }
    return median(times);
  };
  return { generateMs: await time([]), checkMs: await time(["--check"]) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})\n`);
const overhead = await callOverhead();
console.log("1. Call overhead (µs per call, median; loopback server)");
console.log("| op | fetch + JSON.parse (a) | openapi-fetch (b) | this client (c) | c/a | c/b |\n|---|---|---|---|---|---|");
for (const [op, r] of Object.entries(overhead))
  console.log(
    `| ${op} | ${fmt(r.fetchUs!, 1)} | ${fmt(r.openapiFetchUs!, 1)} | ${fmt(r.clientUs!, 1)} | ${fmt(r.clientOverFetch!, 2)} | ${fmt(r.clientOverOpenapiFetch!, 2)} |`,
  );

const pages = [await pagination(10_000), await pagination(100_000)];
console.log("\n2. Pagination (pages of 1,000)");
console.log(
  "| keys | listAll keys/s | hand-written loop keys/s | listAll/loop speed | peak heap growth in listAll |\n|---|---|---|---|---|",
);
for (const p of pages)
  console.log(
    `| ${fmt(p.keys)} | ${fmt(p.listAllKeysPerSec)} | ${fmt(p.handLoopKeysPerSec)} | ${fmt(p.ratio, 2)} | ${p.peakHeapGrowthMiB} MiB |`,
  );

const size = await measureSize();
const importMs = await coldImport();
console.log("\n3. Size and cold import");
console.log(`| browser bundle, minified | gzip | openapi-fetch alone (gzip) | cold import in Node |\n|---|---|---|---|`);
console.log(`| ${fmt(size.raw)} B | ${fmt(size.gzip)} B | ${fmt(size.openapiFetchGzip)} B | ${fmt(importMs, 1)} ms |`);

const gen = await codegen();
console.log("\n4. Codegen (wall time of the whole command, median of 3)");
console.log(`| npm run generate | drift check |\n|---|---|\n| ${fmt(gen.generateMs)} ms | ${fmt(gen.checkMs)} ms |`);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  overhead,
  pagination: pages,
  size: { ...size, coldImportMs: importMs },
  codegen: gen,
};
await writeFile(join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("\nwrote bench/results.json");
