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
import { root } from "../scripts/root.ts";
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

/** The client's own share, without a network: openapi-fetch and the client over the same in-process fetch that answers at once. */
async function ownShare() {
  const answer = (body: string) => async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  const results: Record<string, { openapiFetchUs: number; clientUs: number }> = {};
  for (const [op, body, bareCall, clientCall] of [
    [
      "list",
      ANSWERS["GET /iam/v1/apiKeys"] as string,
      (bare: ReturnType<typeof createClient<paths>>) => () => bare.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 100 } } }),
      (iam: ReturnType<typeof createIamClient>) => () => iam.apiKeys.list({ pageSize: 100 }),
    ],
    [
      "get",
      ANSWERS["GET /iam/v1/apiKeys/k"] as string,
      (bare: ReturnType<typeof createClient<paths>>) => () =>
        bare.GET("/iam/v1/apiKeys/{apiKeyId}", { params: { path: { apiKeyId: "k" } } }),
      (iam: ReturnType<typeof createIamClient>) => () => iam.apiKeys.get("k"),
    ],
  ] as const) {
    const fetch = answer(body);
    const bare = createClient<paths>({ baseUrl: "http://x", fetch, headers: { authorization: "Bearer t" } });
    const iam = createIamClient({ baseUrl: "http://x", token: "t", fetch });
    const samples = { bare: [] as number[], client: [] as number[] };
    for (let rep = 0; rep < 6; rep++) {
      samples.bare.push(await timeCalls(bareCall(bare), 2000, 3));
      samples.client.push(await timeCalls(clientCall(iam), 2000, 3));
    }
    results[op] = { openapiFetchUs: median(samples.bare), clientUs: median(samples.client) };
  }
  return results;
}

/** Token exchanges under the shared cache against the policies of Yandex's SDKs, on a simulated clock; and what a cached token costs a call. */
async function tokens() {
  const { cachedToken } = (await import(join(root, "dist/src/auth/index.js"))) as typeof import("../src/auth/index.ts");
  const HOUR = 3_600_000;
  let now = Date.parse("2026-11-26T00:00:00Z");
  let exchanges = 0;
  const exchange = async () => ({ token: `t1.${++exchanges}`, expiresAt: now + 12 * HOUR });
  const source = cachedToken(exchange, { now: () => now });
  const calls = 10_000;
  for (let i = 0; i < calls; i++) {
    await source();
    now += (12 * HOUR) / calls;
  }
  const over12h = exchanges;
  // Note: Yandex's Node SDK asks for a new token every 2 minutes: one exchange per 2-minute window that has a call.
  const twoMinutePolicy = new Set(Array.from({ length: calls }, (_, i) => Math.floor((i * (12 * 60)) / calls / 2))).size;
  exchanges = 0;
  const concurrent = cachedToken(exchange, { now: () => now });
  await Promise.all(Array.from({ length: 100 }, () => concurrent()));
  const concurrentExchanges = exchanges;

  // What a cached token adds to a call: the same call with a string token and with a fresh cached source.
  const body = example("/iam/v1/apiKeys", "get", "firstPage");
  const stub = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  const withString = createIamClient({ baseUrl: "http://x", token: "t1.x", fetch: stub });
  const cached = cachedToken(async () => ({ token: "t1.x", expiresAt: Date.now() + 12 * HOUR }));
  const withSource = createIamClient({ baseUrl: "http://x", token: cached, fetch: stub });
  const samples = { string: [] as number[], source: [] as number[] };
  for (let rep = 0; rep < 6; rep++) {
    samples.string.push(await timeCalls(() => withString.apiKeys.list(), 2000, 3));
    samples.source.push(await timeCalls(() => withSource.apiKeys.list(), 2000, 3));
  }
  return {
    calls,
    exchangesOver12h: over12h,
    twoMinutePolicy,
    concurrentExchanges,
    stringTokenUs: median(samples.string),
    cachedSourceUs: median(samples.source),
  };
}

/** The stateful fake in process against Prism over loopback, for the same call; and a flow of 1,000 keys through the fake. */
async function fakeVersusPrism() {
  const { createFakeIam } = (await import(join(root, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
  const { startPrism } = await import("../scripts/prism.ts");
  const fake = createFakeIam({ quota: 2000 });
  fake.seed(Array.from({ length: 20 }, (_, i) => ({ description: `key ${i}` })));
  const inProcess = createIamClient({ token: "t", baseUrl: fake.baseUrl, fetch: fake.fetch });
  const prism = await startPrism();
  try {
    const overPrism = createIamClient({ token: "t", baseUrl: prism.url });
    const samples = { fake: [] as number[], prism: [] as number[], fakeAlone: [] as number[], prismAlone: [] as number[] };
    const request = (base: string) => new Request(`${base}/iam/v1/apiKeys?pageSize=10`, { headers: { authorization: "Bearer t" } });
    for (let rep = 0; rep < 4; rep++) {
      samples.fake.push(await timeCalls(() => inProcess.apiKeys.list({ pageSize: 10 }), 200, 3));
      samples.prism.push(await timeCalls(() => overPrism.apiKeys.list({ pageSize: 10 }), 100, 3));
      // The servers alone: the fake's handler against a bare fetch to Prism, no client on either side.
      samples.fakeAlone.push(await timeCalls(() => fake.handle(request(fake.baseUrl)).then((r) => r.json()), 200, 3));
      samples.prismAlone.push(await timeCalls(() => fetch(request(prism.url)).then((r) => r.json()), 100, 3));
    }
    fake.reset();
    const start = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push((await inProcess.apiKeys.create({ description: `flow ${i}` })).apiKey.id);
    let listed = 0;
    for await (const _ of inProcess.apiKeys.listAll({ pageSize: 1000 })) listed++;
    for (const id of ids) await inProcess.apiKeys.delete(id);
    const flowMs = performance.now() - start;
    if (listed !== 1000 || fake.state.apiKeys.length !== 0) throw new Error(`flow: listed ${listed}, left ${fake.state.apiKeys.length}`);
    return {
      fakeUs: median(samples.fake),
      prismUs: median(samples.prism),
      fakeAloneUs: median(samples.fakeAlone),
      prismAloneUs: median(samples.prismAlone),
      flowMs,
    };
  } finally {
    await prism.stop();
  }
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
// `npm run bench -- tokens fake` runs only the sections named (overhead, pagination, size, tokens, fake, codegen).
const only = process.argv.slice(2);
const want = (section: string) => !only.length || only.includes(section);

const overhead = want("overhead") ? await callOverhead() : {};
if (want("overhead")) console.log("1. Call overhead (µs per call, median; loopback server)");
if (want("overhead"))
  console.log("| op | fetch + JSON.parse (a) | openapi-fetch (b) | this client (c) | c/a | c/b |\n|---|---|---|---|---|---|");
for (const [op, r] of Object.entries(overhead))
  console.log(
    `| ${op} | ${fmt(r.fetchUs!, 1)} | ${fmt(r.openapiFetchUs!, 1)} | ${fmt(r.clientUs!, 1)} | ${fmt(r.clientOverFetch!, 2)} | ${fmt(r.clientOverOpenapiFetch!, 2)} |`,
  );

const own = want("overhead") ? await ownShare() : {};
if (want("overhead")) {
  console.log("\n1b. The client's own share (µs per call, median; an in-process fetch that answers at once, no network)");
  console.log("| op | openapi-fetch | this client | the client's own µs |\n|---|---|---|---|");
  for (const [op, r] of Object.entries(own))
    console.log(`| ${op} | ${fmt(r.openapiFetchUs, 1)} | ${fmt(r.clientUs, 1)} | ${fmt(r.clientUs - r.openapiFetchUs, 1)} |`);
}

const pages = want("pagination") ? [await pagination(10_000), await pagination(100_000)] : [];
if (want("pagination")) console.log("\n2. Pagination (pages of 1,000)");
if (want("pagination"))
  console.log(
    "| keys | listAll keys/s | hand-written loop keys/s | listAll/loop speed | peak heap growth in listAll |\n|---|---|---|---|---|",
  );
for (const p of pages)
  console.log(
    `| ${fmt(p.keys)} | ${fmt(p.listAllKeysPerSec)} | ${fmt(p.handLoopKeysPerSec)} | ${fmt(p.ratio, 2)} | ${p.peakHeapGrowthMiB} MiB |`,
  );

const size = want("size") ? { ...(await measureSize()), coldImportMs: await coldImport() } : undefined;
if (size) {
  console.log("\n3. Size and cold import");
  console.log(
    `| browser bundle, minified | gzip | auth entry adds (gzip) | openapi-fetch alone (gzip) | cold import in Node |\n|---|---|---|---|---|`,
  );
  console.log(
    `| ${fmt(size.raw)} B | ${fmt(size.gzip)} B | ${fmt(size.authGzip)} B | ${fmt(size.openapiFetchGzip)} B | ${fmt(size.coldImportMs, 1)} ms |`,
  );
}

const gen = want("codegen") ? await codegen() : undefined;
if (gen) {
  console.log("\n4. Codegen (wall time of the whole command, median of 3)");
  console.log(`| npm run generate | drift check |\n|---|---|\n| ${fmt(gen.generateMs)} ms | ${fmt(gen.checkMs)} ms |`);
}

const token = want("tokens") ? await tokens() : undefined;
if (token) {
  console.log("\n5. Tokens (simulated clock; the client over an in-process fetch for the call cost)");
  console.log(
    "| exchanges for 10,000 calls over 12 h | with a new token every 2 min | exchanges for 100 concurrent first calls | call with a string token | with a cached token source |\n|---|---|---|---|---|",
  );
  console.log(
    `| ${token.exchangesOver12h} | ${token.twoMinutePolicy} | ${token.concurrentExchanges} | ${fmt(token.stringTokenUs, 1)} µs | ${fmt(token.cachedSourceUs, 1)} µs |`,
  );
}

const fakeBench = want("fake") ? await fakeVersusPrism() : undefined;
if (fakeBench) {
  console.log("\n6. The stateful fake (list of 10 keys; µs per call, median)");
  console.log("| through the client | in-process fake | Prism over loopback | Prism / fake |\n|---|---|---|---|");
  console.log(
    `| yes | ${fmt(fakeBench.fakeUs, 1)} µs | ${fmt(fakeBench.prismUs, 1)} µs | ${fmt(fakeBench.prismUs / fakeBench.fakeUs, 1)} |`,
  );
  console.log(
    `| no (the servers alone) | ${fmt(fakeBench.fakeAloneUs, 1)} µs | ${fmt(fakeBench.prismAloneUs, 1)} µs | ${fmt(fakeBench.prismAloneUs / fakeBench.fakeAloneUs, 1)} |`,
  );
  console.log(`\ncreate → listAll → delete of 1,000 keys through the fake: ${fmt(fakeBench.flowMs)} ms`);
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  overhead,
  ownShare: own,
  pagination: pages,
  size: size && { ...size, bundles: undefined },
  codegen: gen,
  tokens: token,
  fake: fakeBench,
};
// Note: a run of some sections keeps the others' last results.
const previous = only.length ? JSON.parse(await readFile(join(root, "bench/results.json"), "utf8").catch(() => "{}")) : {};
const kept = Object.fromEntries(
  Object.entries(results).filter(([, value]) => value !== undefined && !(typeof value === "object" && !Object.keys(value).length)),
);
await writeFile(join(root, "bench/results.json"), `${JSON.stringify({ ...previous, ...kept }, null, 2)}\n`);
console.log("\nwrote bench/results.json");
