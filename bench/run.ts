// npm run bench: call overhead, the costs inside a request, pagination at scale, size and cold import, codegen time.
// Wall-clock numbers are noisy: compare within one run, read the on-CPU times and the ratios. Writes bench/results.json.
// `npm run bench -- overhead request --floor` runs the sections named, then the same again on the machine's Node (20).
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import createClient from "openapi-fetch";
import type { paths } from "../generated/schema.ts";
import { root } from "../scripts/root.ts";
import { measureSize } from "../scripts/size.ts";

const run = promisify(execFile);

// Note: V8 runs its GC and compilers on helper threads, whose CPU time the kernel hands to process.cpuUsage() a tick at a
// time (up to milliseconds into a window of microseconds); --single-threaded keeps that work on the main thread, where
// the kernel counts it exactly and it lands on the call that caused it. Without the flag, the bench runs itself with it.
if (!process.execArgv.includes("--single-threaded")) {
  const again = spawnSync(process.execPath, ["--single-threaded", ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(again.status ?? 1);
}
const flags = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
// `npm run bench -- tokens fake` runs only the sections named (overhead, request, pagination, size, tokens, fake, codegen, audit).
const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const want = (section: string) => !only.length || only.includes(section);

// Note: measure the built package (what users run), not src/ through tsx, whose keepNames helpers cost µs per call.
// `--at=<commit>` builds that commit's src/ in a directory of its own (a tree others are editing may not compile) for
// every section but the bundle sizes, which scripts/size.ts takes from the working tree;
// the run on the machine's Node passes --no-build, so both Nodes measure the same build.
const at = flags.find((flag) => flag.startsWith("--at="))?.slice("--at=".length);
const commit = at && (await run("git", ["rev-parse", "--short", at], { cwd: root })).stdout.trim();
const built = commit ? join(tmpdir(), `yc-iam-bench-${commit}`) : root;
if (commit && !flags.includes("--no-build")) {
  await rm(built, { recursive: true, force: true });
  await mkdir(built, { recursive: true });
  const files = ["src", "generated", "package.json", "tsconfig.json", "tsconfig.build.json"];
  const archive = spawnSync("git", ["archive", "--format=tar", commit, ...files], { cwd: root, maxBuffer: 2 ** 28 });
  if (archive.status !== 0) throw new Error(`git archive ${commit}: ${archive.stderr}`);
  spawnSync("tar", ["-x", "-C", built], { input: archive.stdout });
  await symlink(join(root, "node_modules"), join(built, "node_modules"));
}
if (!flags.includes("--no-build"))
  await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: built });
/** What the call sections measure: a commit, or the working tree as it was built. */
const measured = commit
  ? `commit ${commit}`
  : `working tree at ${(await run("git", ["rev-parse", "--short", "HEAD"], { cwd: root })).stdout.trim()}`;
const { createIamClient } = (await import(join(built, "dist/src/index.js"))) as typeof import("../src/index.ts");
const gc = (globalThis as { gc?: () => void }).gc as () => void;
if (!gc) throw new Error("run with node --expose-gc (npm run bench does)");
const doc = JSON.parse(await readFile(join(root, "generated/openapi.json"), "utf8"));
const example = (path: string, method: string, name: string) =>
  JSON.stringify(doc.paths[path][method].responses["200"].content["application/json"].examples[name].value);
const BY_KEY = "/iam/v1/apiKeys/{apiKeyId}";
/** The loopback server's answers: the document's own examples, by method and path (key d's update answers done at once). */
const ANSWERS: Record<string, string> = {
  "GET /iam/v1/apiKeys": example("/iam/v1/apiKeys", "get", "firstPage"),
  "POST /iam/v1/apiKeys": example("/iam/v1/apiKeys", "post", "withScopesAndExpiry"),
  "GET /iam/v1/apiKeys/k": example(BY_KEY, "get", "withScopesAndExpiry"),
  "PATCH /iam/v1/apiKeys/k": example(BY_KEY, "patch", "pending"),
  "PATCH /iam/v1/apiKeys/d": example(BY_KEY, "patch", "done"),
  "GET /operations/ajeo7b1c4m3nq2k8v5rd": example(BY_KEY, "patch", "done"),
  "DELETE /iam/v1/apiKeys/k": example(BY_KEY, "delete", "done"),
};

/** Resolves after the event loop has turned once: V8 then drops the WeakRef targets a job kept alive and may run finalizers. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One sample: the mean wall and on-CPU (user + system, whole process) microseconds per call over a batch. */
interface Sample {
  wallUs: number;
  cpuUs: number;
}

/** Times one call after a turn of the event loop that is not timed; adds its wall and CPU microseconds to `into`. */
async function timeOne(call: () => unknown, into: Sample): Promise<void> {
  // Note: a loop of awaits that never yields keeps every WeakRef target alive (undici's Request holds its signal
  // through one) and runs no FinalizationRegistry cleanup, so it times garbage; a real app yields between calls.
  await yieldToLoop();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await call();
  into.wallUs += (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  into.cpuUs += used.user + used.system;
}

/**
 * Samples the variants `reps` times in this process: in a sample they take turns call by call, the order rotating,
 * so load from other processes hits all alike; one sample is each variant's mean over `n` calls. A GC, untimed, before each.
 */
async function interleave<K extends string>(
  variants: Record<K, () => unknown>,
  { n, reps = 20, warmup = 200 }: { n: number; reps?: number; warmup?: number },
): Promise<Record<K, Sample[]>> {
  const names = Object.keys(variants) as K[];
  const scratch = { wallUs: 0, cpuUs: 0 };
  for (let i = 0; i < warmup; i++) for (const name of names) await timeOne(variants[name], scratch);
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<K, Sample[]>;
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const sums = names.map(() => ({ wallUs: 0, cpuUs: 0 }));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < names.length; j++) {
        const at = (rep + i + j) % names.length;
        await timeOne(variants[names[at] as K], sums[at] as Sample);
      }
    names.forEach((name, at) => {
      const sum = sums[at] as Sample;
      samples[name].push({ wallUs: sum.wallUs / n, cpuUs: sum.cpuUs / n });
    });
  }
  return samples;
}

/** A median with its interquartile range. */
interface Spread {
  median: number;
  p25: number;
  p75: number;
}

/** The q-quantile by linear interpolation. */
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] as number;
  return low + ((sorted[Math.ceil(at)] as number) - low) * (at - Math.floor(at));
}

const spread = (xs: number[]): Spread => ({ median: quantile(xs, 0.5), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75) });
const median = (xs: number[]) => quantile(xs, 0.5);

/** Wall and CPU spread of one variant's samples. */
const times = (samples: Sample[]) => ({ wallUs: spread(samples.map((s) => s.wallUs)), cpuUs: spread(samples.map((s) => s.cpuUs)) });

/** `of` against `base`, paired rep by rep (the two ran next to each other): ratios and differences, CPU and wall. */
function paired(of: Sample[], base: Sample[]) {
  const pairs = of.map((s, i) => [s, base[i] as Sample] as const);
  return {
    cpuRatio: spread(pairs.map(([s, b]) => s.cpuUs / b.cpuUs)),
    wallRatio: spread(pairs.map(([s, b]) => s.wallUs / b.wallUs)),
    cpuDiffUs: spread(pairs.map(([s, b]) => s.cpuUs - b.cpuUs)),
    wallDiffUs: spread(pairs.map(([s, b]) => s.wallUs - b.wallUs)),
  };
}

/** Median wall microseconds per call over `rounds` samples of `n` calls (for the sections that compare one thing at a time). */
async function timeCalls(call: () => Promise<unknown>, n = 400, rounds = 7): Promise<number> {
  return median((await interleave({ call }, { n, reps: rounds })).call.map((s) => s.wallUs));
}

/** A loopback HTTP server in a child process that answers every call with ANSWERS, so this process's CPU time is the client side's alone. */
async function startServer(): Promise<{ url: string; stop(): void }> {
  const script = `const answers = JSON.parse(process.env.BENCH_ANSWERS);
const server = require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "x-request-id": "r" }).end(answers[req.method + " " + req.url.split("?")[0]] ?? "{}"));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, BENCH_ANSWERS: JSON.stringify(ANSWERS) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (data: Buffer) => resolve(data.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const headers = { authorization: "Bearer t", "content-type": "application/json" };
const body = { description: "bench", scopes: ["yc.postbox.send"] };
const change = { updateMask: "description", description: "bench" };
const byKey = (apiKeyId: string) => ({ params: { path: { apiKeyId } } });
const operation = { params: { path: { operationId: "ajeo7b1c4m3nq2k8v5rd" } } };
const json = (r: Response) => r.json();
type Bare = ReturnType<typeof createClient<paths>>;
type Iam = ReturnType<typeof createIamClient>;

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

/** The same calls as plain fetch + JSON.parse, no checks (a), over the network only. */
function plainCalls(url: string): Record<string, () => Promise<unknown>> {
  const send = (method: string, path: string, payload?: unknown) =>
    fetch(`${url}${path}`, { method, headers, ...(payload !== undefined && { body: JSON.stringify(payload) }) }).then(json);
  return {
    get: () => send("GET", "/iam/v1/apiKeys/k"),
    list: () => send("GET", "/iam/v1/apiKeys?pageSize=100"),
    create: () => send("POST", "/iam/v1/apiKeys", body),
    "update (answers done)": () => send("PATCH", "/iam/v1/apiKeys/d", change),
    "update (PATCH + one poll)": () =>
      send("PATCH", "/iam/v1/apiKeys/k", change).then(() => send("GET", "/operations/ajeo7b1c4m3nq2k8v5rd")),
    delete: () => send("DELETE", "/iam/v1/apiKeys/k"),
  };
}

/** A fetch that answers at once from ANSWERS, for a Request or a URL and init alike. */
const answerAtOnce: typeof fetch = async (input, init) => {
  const request = input instanceof Request ? input : undefined;
  const url = request?.url ?? String(input);
  const path = url.slice(url.indexOf("/", 8)).split("?")[0];
  const answer = ANSWERS[`${request?.method ?? init?.method ?? "GET"} ${path}`] ?? "{}";
  return new Response(answer, { status: 200, headers: { "content-type": "application/json", "x-request-id": "r" } });
};

/** Every kind of call through bare openapi-fetch and this client, over loopback (with plain fetch too) and over a fetch in this process that answers at once. */
async function callOverhead(url: string) {
  // Note: no wait between polls, so update measures the client's own work for a PATCH and one poll.
  const polling = { initialDelayMs: 0, maxDelayMs: 0 };
  const loopback = { bare: createClient<paths>({ baseUrl: url, headers }), iam: createIamClient({ baseUrl: url, token: "t", polling }) };
  const inProcess = {
    bare: createClient<paths>({ baseUrl: "http://x", headers, fetch: answerAtOnce }),
    iam: createIamClient({ baseUrl: "http://x", token: "t", polling, fetch: answerAtOnce }),
  };
  const plain = plainCalls(url);
  const network: Record<string, ReturnType<typeof overheadRow>> = {};
  const local: Record<string, ReturnType<typeof overheadRow>> = {};
  for (const [op, [bare, client]] of Object.entries(CALLS)) {
    const samples = await interleave(
      { fetch: plain[op] as () => Promise<unknown>, openapiFetch: () => bare(loopback.bare), client: () => client(loopback.iam) },
      { n: op.includes("poll") ? 75 : 150 },
    );
    network[op] = overheadRow(samples);
    console.error(`  loopback ${op}: c/b CPU ${fmt(network[op].cOverB.cpuRatio.median, 2)}`);
  }
  for (const [op, [bare, client]] of Object.entries(CALLS)) {
    const samples = await interleave({ openapiFetch: () => bare(inProcess.bare), client: () => client(inProcess.iam) }, { n: 500 });
    local[op] = overheadRow(samples);
    console.error(`  in process ${op}: c/b CPU ${fmt(local[op].cOverB.cpuRatio.median, 2)}`);
  }
  return { loopback: network, inProcess: local };
}

/** One row: each variant's times, and the client over bare openapi-fetch (and over plain fetch when measured). */
function overheadRow(samples: { fetch?: Sample[]; openapiFetch: Sample[]; client: Sample[] }) {
  return {
    node: process.version,
    ...(samples.fetch && { fetch: times(samples.fetch) }),
    openapiFetch: times(samples.openapiFetch),
    client: times(samples.client),
    cOverB: paired(samples.client, samples.openapiFetch),
    ...(samples.fetch && { cOverA: paired(samples.client, samples.fetch) }),
  };
}

/** What a fresh AbortSignal adds to building undici's Request, and what the copy `fetch` makes of a built Request costs, each isolated. */
async function requestCosts(url: string) {
  const target = `${url}/iam/v1/apiKeys/k`;
  const post = { method: "POST", headers, body: JSON.stringify(body) };
  const signal = () => new AbortController().signal;
  const costs: Record<
    string,
    ReturnType<typeof paired> & { node: string; without: ReturnType<typeof times>; with: ReturnType<typeof times> }
  > = {};
  const measure = async (name: string, without: () => unknown, withIt: () => unknown, n: number) => {
    const samples = await interleave({ without, with: withIt }, { n });
    costs[name] = {
      node: process.version,
      without: times(samples.without),
      with: times(samples.with),
      ...paired(samples.with, samples.without),
    };
    console.error(`  ${name}: adds ${fmt(costs[name].cpuDiffUs.median, 1)} µs CPU`);
  };
  await measure(
    "an AbortController alone (against nothing)",
    () => undefined,
    () => new AbortController().signal,
    2000,
  );
  await measure(
    "a fresh AbortSignal in a GET Request",
    () => new Request(target, { headers }),
    () => new Request(target, { headers, signal: signal() }),
    2000,
  );
  await measure(
    "a fresh AbortSignal in a POST Request",
    () => new Request(target, post),
    () => new Request(target, { ...post, signal: signal() }),
    2000,
  );
  // Note: undici's fetch(input, init) starts with new Request(input, init), so this is the copy fetch(request) makes.
  await measure(
    "the copy of a built GET Request with a signal",
    () => new Request(target, { headers, signal: signal() }),
    () => new Request(new Request(target, { headers, signal: signal() })),
    2000,
  );
  await measure(
    "the copy of a built POST Request with a signal",
    () => new Request(target, { ...post, signal: signal() }),
    () => new Request(new Request(target, { ...post, signal: signal() })),
    2000,
  );
  await measure(
    "fetch(new Request(url, init)) against fetch(url, init), GET with a signal, loopback",
    () => fetch(target, { headers, signal: signal() }).then(json),
    () => fetch(new Request(target, { headers, signal: signal() })).then(json),
    150,
  );
  await measure(
    "fetch(new Request(url, init)) against fetch(url, init), POST with a signal, loopback",
    () => fetch(`${url}/iam/v1/apiKeys`, { ...post, signal: signal() }).then(json),
    () => fetch(new Request(`${url}/iam/v1/apiKeys`, { ...post, signal: signal() })).then(json),
    150,
  );
  return { costs, oldMethod: await oldMethod(target) };
}

/** The method behind the old figure of 57–84 µs: 30,000 Requests with a fresh signal in a loop of awaits that never yields, timed as one. */
async function oldMethod(target: string) {
  const run = async (make: () => unknown) => {
    gc();
    const heap = process.memoryUsage().heapUsed;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < 30_000; i++) await make();
    const wallUs = ((performance.now() - start) * 1000) / 30_000;
    const used = process.cpuUsage(cpu);
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heap) / 2 ** 20;
    await yieldToLoop();
    return { wallUs, cpuUs: (used.user + used.system) / 30_000, heapGrowthMiB };
  };
  return {
    node: process.version,
    without: await run(() => new Request(target, { headers })),
    with: await run(() => new Request(target, { headers, signal: new AbortController().signal })),
  };
}

async function pagination(total: number) {
  const { createFakeIam } = (await import(join(built, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
  const { serveFake } = (await import(join(built, "dist/src/testing/node.js"))) as typeof import("../src/testing/node.ts");
  const inMemory = createFakeIam();
  inMemory.seed(Array.from({ length: total }, (_, i) => ({ description: `key ${i}` })));
  const fake = await serveFake(inMemory);
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

/** Token exchanges under the shared cache against the policies of Yandex's SDKs, on a simulated clock; and what a cached token costs a call. */
async function tokens() {
  const { cachedToken } = (await import(join(built, "dist/src/auth/index.js"))) as typeof import("../src/auth/index.ts");
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
  const { createFakeIam } = (await import(join(built, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
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

/**
 * The audit example over a folder at the quota (100 accounts, the default one counted, each with an API key, an
 * authorized key and a static key) against the fake in a process of its own on loopback, 20 ms of latency added to every
 * call (bench/audit-fake.ts): the wall time with the default concurrency against one account at a time, and the requests
 * made, counted by the client's fetch. The setup (100 RSA key pairs) is timed apart, in that process.
 */
async function auditBench() {
  const { audit, DEFAULT_CONCURRENCY } = await import("../examples/audit.ts");
  const folderId = "b1gbench0audit0fold1";
  const latencyMs = 20;
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "bench/audit-fake.ts"), built, folderId, String(latencyMs)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
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
      const { credentials } = await audit(iam, { folderId, concurrency });
      const ms = performance.now() - start;
      if (credentials.length !== ready.credentials)
        throw new Error(`audit found ${credentials.length} of ${ready.credentials} credentials`);
      return { ms, requests: requests - before };
    };
    await once(DEFAULT_CONCURRENCY); // warms the connections and the code
    const samples = { parallel: [] as number[], serial: [] as number[], requests: new Set<number>() };
    for (let round = 0; round < 3; round++) {
      for (const [concurrency, into] of [
        [DEFAULT_CONCURRENCY, samples.parallel],
        [1, samples.serial],
      ] as const) {
        const { ms, requests } = await once(concurrency);
        into.push(ms);
        samples.requests.add(requests);
      }
    }
    return {
      accounts: ready.accounts,
      credentials: ready.credentials,
      latencyMs,
      setupMs: ready.setupMs,
      concurrency: DEFAULT_CONCURRENCY,
      defaultMs: median(samples.parallel),
      oneAtATimeMs: median(samples.serial),
      speedup: median(samples.serial) / median(samples.parallel),
      requests: [...samples.requests],
      goalRequests: 1 + 3 * ready.accounts,
    };
  } finally {
    child.kill("SIGTERM");
  }
}

/** The packed tarball as `npm pack --dry-run --json --ignore-scripts` reports it (of the build measured, built above). */
async function tarball() {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: built });
  const [pack] = JSON.parse(stdout) as { size: number; unpackedSize: number; entryCount: number }[];
  return { tarballBytes: pack?.size, unpackedBytes: pack?.unpackedSize, files: pack?.entryCount };
}

async function coldImport() {
  const entry = join(built, "dist/src/index.js");
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
/** A median with its interquartile range, as "12.3 (11.9–12.8)". */
const fmtSpread = (s: Spread, digits = 1) => `${fmt(s.median, digits)} (${fmt(s.p25, digits)}–${fmt(s.p75, digits)})`;

const loadAtStart = loadavg();
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); the client: ${measured}; load average ${loadavg()
    .map((n) => fmt(n, 2))
    .join(" ")}\n`,
);

const server = want("overhead") || want("request") ? await startServer() : undefined;
const overhead = server && want("overhead") ? await callOverhead(server.url) : undefined;
if (overhead) {
  const kinds = [
    ["1. Call overhead over loopback (server in a child process)", overhead.loopback],
    ["1b. The client's own share: a fetch in this process that answers at once, no network", overhead.inProcess],
  ] as const;
  for (const [title, rows] of kinds) {
    console.log(`${title}; µs per call, median (interquartile range) of 20 interleaved samples; c/b paired per sample`);
    console.log(
      "| op | Node | CPU: openapi-fetch (b) | CPU: this client (c) | c/b CPU | wall: b | wall: c | c/b wall | CPU: fetch (a) | c/a CPU |\n|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const [op, r] of Object.entries(rows))
      console.log(
        `| ${op} | ${r.node} | ${fmtSpread(r.openapiFetch.cpuUs)} | ${fmtSpread(r.client.cpuUs)} | ${fmtSpread(r.cOverB.cpuRatio, 2)} | ${fmtSpread(r.openapiFetch.wallUs)} | ${fmtSpread(r.client.wallUs)} | ${fmtSpread(r.cOverB.wallRatio, 2)} | ${r.fetch ? fmtSpread(r.fetch.cpuUs) : "–"} | ${r.cOverA ? fmtSpread(r.cOverA.cpuRatio, 2) : "–"} |`,
      );
    console.log();
  }
}

const request = server && want("request") ? await requestCosts(server.url) : undefined;
server?.stop();
if (request) {
  console.log(
    "1c. Costs inside a request, each isolated; µs, median (interquartile range) of 20 interleaved samples, yielding between calls",
  );
  console.log("| cost | Node | CPU without | CPU with | adds, CPU | adds, wall |\n|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(request.costs))
    console.log(
      `| ${name} | ${r.node} | ${fmtSpread(r.without.cpuUs)} | ${fmtSpread(r.with.cpuUs)} | ${fmtSpread(r.cpuDiffUs)} | ${fmtSpread(r.wallDiffUs)} |`,
    );
  const { without, with: withSignal } = request.oldMethod;
  console.log(
    `\nThe old method (30,000 GET Requests in a loop of awaits that never yields), ${request.oldMethod.node}: ` +
      `without a signal ${fmt(without.cpuUs, 1)} µs CPU (${fmt(without.wallUs, 1)} wall, heap +${fmt(without.heapGrowthMiB, 1)} MiB), ` +
      `with a fresh signal ${fmt(withSignal.cpuUs, 1)} µs CPU (${fmt(withSignal.wallUs, 1)} wall, heap +${fmt(withSignal.heapGrowthMiB, 1)} MiB)\n`,
  );
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

const size = want("size") ? { ...(await measureSize()), coldImportMs: await coldImport(), ...(await tarball()) } : undefined;
if (size) {
  console.log("\n3. Size and cold import");
  console.log(
    `| browser bundle, minified | gzip | auth entry adds (gzip) | openapi-fetch alone (gzip) | cold import in Node | packed tarball (npm pack) |\n|---|---|---|---|---|---|`,
  );
  console.log(
    `| ${fmt(size.raw)} B | ${fmt(size.gzip)} B | ${fmt(size.authGzip)} B | ${fmt(size.openapiFetchGzip)} B | ${fmt(size.coldImportMs, 1)} ms | ${fmt(size.tarballBytes ?? 0)} B (${size.files} files, ${fmt(size.unpackedBytes ?? 0)} B unpacked) |`,
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

const auditResult = want("audit") ? await auditBench() : undefined;
if (auditResult) {
  const a = auditResult;
  console.log(
    `\n7. Audit of a folder at the quota (${a.accounts} accounts, ${fmt(a.credentials)} credentials; ${a.latencyMs} ms per call over loopback; median of 3)`,
  );
  console.log(
    `| concurrency ${a.concurrency} (default) | one at a time | speed-up | requests per audit | one list per account and kind + 1 |\n|---|---|---|---|---|`,
  );
  console.log(
    `| ${fmt(a.defaultMs)} ms | ${fmt(a.oneAtATimeMs)} ms | ${fmt(a.speedup, 1)}× | ${a.requests.join(", ")} | ${a.goalRequests} |`,
  );
  console.log(`\nsetup (untimed above: 99 accounts and 300 credentials, 100 RSA 2048 pairs, in the fake's process): ${fmt(a.setupMs)} ms`);
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  pagination: pages,
  size: size && { ...size, bundles: undefined },
  codegen: gen,
  tokens: token,
  fake: fakeBench,
  audit: auditResult,
};
// Note: a run of some sections keeps the others' last results, and the call figures are kept per Node version.
const previous = JSON.parse(await readFile(join(root, "bench/results.json"), "utf8").catch(() => "{}"));
const { overhead: _oldOverhead, ownShare: _oldOwnShare, ...kept } = only.length ? previous : { calls: previous.calls };
/** When and what each call section measured, and how busy the machine was (other processes share its cores). */
const stamp = { date: results.date, measured, loadAverage: { start: loadAtStart, end: loadavg() } };
const calls = {
  ...previous.calls,
  [process.version]: {
    ...previous.calls?.[process.version],
    ...(overhead && { overhead: { ...stamp, ...overhead } }),
    ...(request && { request: { ...stamp, ...request } }),
  },
};
const fresh = Object.fromEntries(
  Object.entries(results).filter(([, value]) => value !== undefined && !(typeof value === "object" && !Object.keys(value).length)),
);
await writeFile(join(root, "bench/results.json"), `${JSON.stringify({ ...kept, ...fresh, calls }, null, 2)}\n`);
console.log(
  `wrote bench/results.json; load average now ${loadavg()
    .map((n) => fmt(n, 2))
    .join(" ")}`,
);

// Note: the same sections on the machine's Node, one after the other (never both at once on 2 cores), on the same dist/.
if (flags.includes("--floor")) {
  const node = process.env.FLOOR_NODE ?? machineNode();
  console.log(`\nthe same on the machine's Node (${node})\n`);
  const floor = spawnSync(
    node,
    ["--expose-gc", "--import", "tsx", join(root, "bench/run.ts"), ...only, ...(at ? [`--at=${at}`] : []), "--no-build"],
    {
      stdio: "inherit",
      cwd: root,
    },
  );
  process.exit(floor.status ?? 1);
}

/** The first `node` on the PATH that is not inside node_modules (as scripts/test-floor.ts finds it). */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!dir.includes("node_modules") && existsSync(candidate)) return candidate;
  }
  throw new Error("no machine Node found on the PATH outside node_modules");
}
