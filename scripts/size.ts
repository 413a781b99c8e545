// The browser bundle of the client entry, minified with esbuild: raw and gzip bytes, and openapi-fetch's own share.

import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { root } from "./generate.ts";

// Note: openapi-fetch alone is ~2,600 of it; the rest is the seven calls, their checks and the operations table (BENCHMARKS.md).
export const GZIP_BUDGET = 8000;

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

/** Bytes of the client entry and of openapi-fetch alone, both bundled and minified for the browser. */
export async function measureSize() {
  const client = await bundle(`export * from ${JSON.stringify(join(root, "src/index.ts"))};`);
  const openapiFetch = await bundle(`export { default } from "openapi-fetch";`);
  return { raw: client.length, gzip: gzip(client), openapiFetchRaw: openapiFetch.length, openapiFetchGzip: gzip(openapiFetch) };
}

if (process.argv[1]?.endsWith("size.ts")) {
  const s = await measureSize();
  console.log(
    `client entry: ${s.raw} B minified, ${s.gzip} B gzip (budget ${GZIP_BUDGET}); openapi-fetch alone: ${s.openapiFetchRaw} B, ${s.openapiFetchGzip} B gzip`,
  );
}
