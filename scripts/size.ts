// The browser bundle of the client entry, minified with esbuild: raw and gzip bytes, and openapi-fetch's own share.

import { execFile } from "node:child_process";
import { lstat, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { operations } from "../generated/contract.ts";
import * as auth from "../src/auth/index.ts";
import { commandBuild } from "./build.ts";
import { root } from "./root.ts";

// Note: openapi-fetch alone is ~2,600 of it; the rest is the core (call loop, checks, waits, pages, errors) and each
// service's calls with their rows and schemas (`serviceShares`, BENCHMARKS.md). The budget grows with the contract:
// a base for the core and 300 B for each operation of the document, so a service brings its own room and never buys
// bytes with readability (CONTRIBUTING.md).
export const GZIP_BUDGET_BASE = 4_000;
export const GZIP_BUDGET_PER_OPERATION = 300;
/** The operations of the document, as the generated table holds them. */
export const OPERATION_COUNT = Object.keys(operations).length;
/** The budget of the whole client entry, minified and gzipped, for a document of `operations` operations: the base and 300 B each. */
export const budgetFor = (operations: number) => GZIP_BUDGET_BASE + GZIP_BUDGET_PER_OPERATION * operations;
/** The whole client entry's budget, for the document's operations. */
export const GZIP_BUDGET = budgetFor(OPERATION_COUNT);
// Note: an app bundles the sources it imports, so the budget that matters to it is one source's. workloadIdentity is the
// largest (about 2,500 B: an exchange outside the IAM API, so a fetch loop of its own whose every attempt is raced against
// its time, a reader of refusals that Yandex documents no body for and of answers that are no token, the last
// exchange's tokens kept out of later errors, and the exchange read from the generated table, its row and schemas, about
// 300 B, rather than written out again); the budgets grew with it, as readability wins every trade against a byte.
/** What one token source of the auth entry, as an app imports it, may add to a bundle that already holds the client. */
export const AUTH_GZIP_BUDGET = 2700;
/** What the whole auth entry (`export *`, every source) may add: 600 B for each of its token sources, and the chain's own. */
export const AUTH_ENTRY_GZIP_BUDGET_PER_SOURCE = 600;
/** The credential chain: no source of its own but the order of the others, so it holds them all and is measured apart. */
export const CHAIN = "defaultCredentials";
/** The chain's own test of an environment (whether it holds a platform's token): part of the chain, no source. */
export const CHAIN_PREDICATE = "platformTokenIn";
// Note: the chain's own share (its order, its variables, a reason for every source it passes over, a variable set to
// nothing told from one unset, the refusal of two sources at once, a key file's JSON told from its path, a token with a
// space refused and never quoted) is about 1,600 B.
/** What the credential chain itself adds to the auth entry, beside the sources it chooses from. */
export const CHAIN_GZIP_BUDGET = 1_800;
/** The token sources: the functions the auth entry exports (its classes, such as IamTokenError, are not sources), but the chain. */
export const TOKEN_SOURCES = Object.entries(auth)
  .filter(([, value]) => typeof value === "function" && !/^class\b/.test(Function.prototype.toString.call(value)))
  .map(([name]) => name)
  .filter((name) => name !== CHAIN && name !== CHAIN_PREDICATE);
/** What the whole auth entry may add, for its token sources and the chain; the chain, which holds every source, may add as much. */
export const AUTH_ENTRY_GZIP_BUDGET = AUTH_ENTRY_GZIP_BUDGET_PER_SOURCE * TOKEN_SOURCES.length + CHAIN_GZIP_BUDGET;

/**
 * `contents` bundled and minified for the browser: what an app loads up front. Note: a module imported only on demand
 * (the credential chain, which createIamClient loads when no token is given) is left out: an app's bundler makes it a
 * chunk of its own, loaded on its first use.
 */
export async function bundle(contents: string): Promise<string> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    legalComments: "none",
    plugins: [onDemandLeftOut],
  });
  return out.outputFiles[0]?.text ?? "";
}

/** Leaves every `import()` out of a bundle, as the chunk an app's bundler would make of it. */
const onDemandLeftOut: Plugin = {
  name: "on-demand-left-out",
  setup(build) {
    build.onResolve({ filter: /.*/ }, ({ kind, path }) => (kind === "dynamic-import" ? { path, external: true } : undefined));
  },
};

export const gzip = (text: string) => gzipSync(text, { level: 9 }).length;

const entry = (path: string) => JSON.stringify(join(root, path));

/** Bytes of the client entry, of the client with the auth entry, and of openapi-fetch alone, bundled and minified for the browser. */
export async function measureSize() {
  const client = await bundle(`export * from ${entry("src/index.ts")};`);
  const withAuth = await bundle(`export * from ${entry("src/index.ts")}; export * from ${entry("src/auth/index.ts")};`);
  const openapiFetch = await bundle(`export { default } from "openapi-fetch";`);
  const perSource: Record<string, number> = {};
  for (const source of TOKEN_SOURCES)
    perSource[source] =
      gzip(await bundle(`export * from ${entry("src/index.ts")}; export { ${source} } from ${entry("src/auth/index.ts")};`)) - gzip(client);
  const chain = gzip(await bundle(`export * from ${entry("src/index.ts")}; export { ${CHAIN} } from ${entry("src/auth/index.ts")};`));
  const sources = gzip(
    await bundle(`export * from ${entry("src/index.ts")}; export { ${TOKEN_SOURCES.join(", ")} } from ${entry("src/auth/index.ts")};`),
  );
  const testing = await bundle(`export * from ${entry("src/testing/index.ts")};`);
  const command = (await build({ ...commandBuild(), write: false })).outputFiles[0]?.text ?? "";
  return {
    raw: client.length,
    gzip: gzip(client),
    authGzip: gzip(withAuth) - gzip(client),
    /** What the credential chain, with every source it chooses from, adds to the client. */
    chainGzip: chain - gzip(client),
    /** What the chain adds beside every source it chooses from: its order, its variables and its reasons. */
    chainOwnGzip: chain - sources,
    /** What each token source alone adds to the client. */
    authGzipPerSource: perSource,
    /** The testing entry alone (the fake holds the client's checks and table), as a test bundles it. */
    testingGzip: gzip(testing),
    /** The yc-iam command's one file as it ships (for Node, not minified), and gzipped. */
    command: { raw: Buffer.byteLength(command), gzip: gzip(command) },
    openapiFetchRaw: openapiFetch.length,
    openapiFetchGzip: gzip(openapiFetch),
    /** The bundles themselves, to see what they hold. */
    bundles: { client, withAuth },
  };
}

/**
 * What each service adds: its resource module (with the rows and schemas it names) bundled on top of the core (the call
 * loop and the waits), less the core alone: one per resource module of src/services/.
 */
export async function serviceShares(): Promise<Record<string, number>> {
  const core = `export { createCall } from ${entry("src/core/call.ts")}; export { waiter } from ${entry("src/core/poll.ts")};`;
  const base = gzip(await bundle(core));
  const shares: Record<string, number> = { core: base };
  // Note: index.ts wires every service into the client, so it is no service of its own.
  for (const file of (await readdir(join(root, "src/services"))).filter((f) => f.endsWith(".ts") && f !== "index.ts").sort()) {
    const module = entry(`src/services/${file}`);
    // Note: its factory is its default export, which `export *` leaves out.
    shares[file.replace(/\.ts$/, "")] = gzip(await bundle(`${core} export * from ${module}; export { default } from ${module};`)) - base;
  }
  return shares;
}

/** What an install put in a `node_modules`: its packages, the bytes of their files, and the bytes they take on disk. */
export interface Installed {
  /** Each package (`openapi-fetch`, `@scope/name`) and the bytes of its files. */
  packages: Record<string, number>;
  /** The bytes of every file (their lengths, as `du --apparent-size` sums them without the directories). */
  bytes: number;
  /** What the files and directories take on this file system, in its blocks (as `du` counts). */
  diskBytes: number;
}

/** Measures a `node_modules` an install made (npm's own `.package-lock.json` and `.bin` left out). */
export async function installedSize(nodeModules: string): Promise<Installed> {
  const packages: Record<string, number> = {};
  let bytes = 0;
  let diskBytes = 0;
  const walk = async (dir: string, owner: string): Promise<number> => {
    let total = 0;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const stat = await lstat(path);
      diskBytes += stat.blocks * 512;
      if (entry.isDirectory()) total += await walk(path, owner);
      else total += stat.size;
    }
    return total;
  };
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@") ? (await readdir(join(nodeModules, entry))).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      packages[name] = await walk(join(nodeModules, name), name);
      bytes += packages[name];
    }
  }
  return { packages, bytes, diskBytes };
}

/** Installs `spec` (a tarball's path or a registry package) in an empty project as a user would, and measures it. */
export async function measureInstallOf(spec: string, work: string): Promise<Installed> {
  const project = await mkdtemp(join(work, "project-"));
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "project", private: true }));
  await promisify(execFile)("npm", ["install", spec, "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: project });
  return installedSize(join(project, "node_modules"));
}

/**
 * Packs the package in `dir` (the repository's by default) as `npm publish` would (its `prepack` builds it; with
 * `build: false`, the build already there is packed), installs the tarball in an empty project and measures that
 * project's `node_modules`; the tarball's own figures from `npm pack --json` beside it.
 */
export async function measureInstall(
  dir = root,
  { build = true } = {},
): Promise<Installed & { tarball: { size: number; unpackedSize: number; files: number } }> {
  const work = await mkdtemp(join(tmpdir(), "iam-installed-"));
  try {
    const scripts = build ? [] : ["--ignore-scripts"];
    const { stdout } = await promisify(execFile)("npm", ["pack", "--json", ...scripts, "--pack-destination", work], { cwd: dir });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
    const installed = await measureInstallOf(join(work, packed.filename), work);
    return { ...installed, tarball: { size: packed.size, unpackedSize: packed.unpackedSize, files: packed.entryCount } };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Bytes in megabytes, two decimals: `1.19 MB`. */
export const megabytes = (n: number) => `${(n / 1_000_000).toFixed(2)} MB`;

/** An install's figures in one line, as the README quotes them. */
export function describeInstall({ packages, bytes, diskBytes }: Installed, { each: listEach = true } = {}): string {
  const each = Object.entries(packages)
    .map(([name, size]) => `${name} ${size.toLocaleString("en-US")} B`)
    .join(", ");
  return `installed: ${Object.keys(packages).length} packages, ${megabytes(bytes)} of files (${bytes.toLocaleString("en-US")} B${listEach ? `: ${each}` : ""}), ${megabytes(diskBytes)} on this disk`;
}

if (process.argv[1]?.endsWith("size.ts")) {
  // Note: `npm run size -- --installed` also packs and installs the package (a build and an npm install: slower).
  if (process.argv.includes("--installed")) {
    const installed = await measureInstall();
    const { size, unpackedSize, files } = installed.tarball;
    console.log(`tarball: ${size.toLocaleString("en-US")} B packed, ${unpackedSize.toLocaleString("en-US")} B unpacked, ${files} files`);
    console.log(describeInstall(installed));
    // Note: any other package named after the flag is installed and measured the same way, to compare (from the registry).
    const others = process.argv.slice(process.argv.indexOf("--installed") + 1).filter((arg) => !arg.startsWith("--"));
    for (const spec of others) {
      const work = await mkdtemp(join(tmpdir(), "iam-installed-"));
      try {
        console.log(`${spec}, for comparison: ${describeInstall(await measureInstallOf(spec, work), { each: false })}`);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  }
  const s = await measureSize();
  console.log(`each service on top of the core (gzip): ${JSON.stringify(await serviceShares())}`);
  console.log(
    `client entry: ${s.raw} B minified, ${s.gzip} B gzip (budget ${GZIP_BUDGET}: ${GZIP_BUDGET_BASE} B + ${GZIP_BUDGET_PER_OPERATION} B × ${OPERATION_COUNT} operations); the auth entry adds ${s.authGzip} B gzip (budget ${AUTH_ENTRY_GZIP_BUDGET}), one source at most ${Math.max(...Object.values(s.authGzipPerSource))} B (budget ${AUTH_GZIP_BUDGET}: ${JSON.stringify(s.authGzipPerSource)}), the credential chain with every source ${s.chainGzip} B; openapi-fetch alone: ${s.openapiFetchRaw} B, ${s.openapiFetchGzip} B gzip`,
  );
}
