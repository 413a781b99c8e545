// The browser bundle of the client entry, minified with esbuild: raw and gzip bytes, and openapi-fetch's own share.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { root } from "./root.ts";

// Note: openapi-fetch alone is ~2,600 of it; the rest is the core (call loop, checks, waits, pages, errors) and each
// service's calls with their rows and schemas (`serviceShares`, BENCHMARKS.md). The budget is the whole client with its
// four services (ApiKey, Key, AccessKey, ServiceAccount) and Operations.
export const GZIP_BUDGET = 12_000;
/** What one token source of the auth entry, as an app imports it, may add to a bundle that already holds the client. */
export const AUTH_GZIP_BUDGET = 1500;
// Note: all five sources at once come to about 1,800 B; the goal of 1,500 B for the whole entry is not met (BENCHMARKS.md).
/** What the whole auth entry (`export *`, all five sources) may add. */
export const AUTH_ENTRY_GZIP_BUDGET = 1850;
export const TOKEN_SOURCES = ["serviceAccountKey", "metadataToken", "functionToken", "oauthToken", "cachedToken"] as const;

async function bundle(contents: string): Promise<string> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    legalComments: "none",
  });
  return out.outputFiles[0]?.text ?? "";
}

const gzip = (text: string) => gzipSync(text, { level: 9 }).length;

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
  return {
    raw: client.length,
    gzip: gzip(client),
    authGzip: gzip(withAuth) - gzip(client),
    /** What each token source alone adds to the client. */
    authGzipPerSource: perSource,
    openapiFetchRaw: openapiFetch.length,
    openapiFetchGzip: gzip(openapiFetch),
    /** The bundles themselves, to see what they hold. */
    bundles: { client, withAuth },
  };
}

/**
 * What each service adds: its resource module (with the rows and schemas it names) bundled on top of the core (the call
 * loop and the waits), less the core alone. Every module of src/ that makes a resource (`…Resource`) is one.
 */
export async function serviceShares(): Promise<Record<string, number>> {
  const core = `export { createCall } from ${entry("src/core/call.ts")}; export { waiter } from ${entry("src/core/poll.ts")};`;
  const base = gzip(await bundle(core));
  const shares: Record<string, number> = { core: base };
  for (const file of (await readdir(join(root, "src"))).filter((f) => f.endsWith(".ts")).sort()) {
    if (!/export function \w+Resource\(/.test(await readFile(join(root, "src", file), "utf8"))) continue;
    shares[file.replace(/\.ts$/, "")] = gzip(await bundle(`${core} export * from ${entry(`src/${file}`)};`)) - base;
  }
  return shares;
}

if (process.argv[1]?.endsWith("size.ts")) {
  const s = await measureSize();
  console.log(`each service on top of the core (gzip): ${JSON.stringify(await serviceShares())}`);
  console.log(
    `client entry: ${s.raw} B minified, ${s.gzip} B gzip (budget ${GZIP_BUDGET}); the auth entry adds ${s.authGzip} B gzip (budget ${AUTH_ENTRY_GZIP_BUDGET}), one source at most ${Math.max(...Object.values(s.authGzipPerSource))} B (budget ${AUTH_GZIP_BUDGET}: ${JSON.stringify(s.authGzipPerSource)}); openapi-fetch alone: ${s.openapiFetchRaw} B, ${s.openapiFetchGzip} B gzip`,
  );
}
