// npm run docs: the offline reference page, dist/docs/index.html, with nothing loaded from or sent to the network.
import { execFile } from "node:child_process";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { root } from "./root.ts";

export const DOCS_HTML = join(root, "dist/docs/index.html");

// Note: --inlineBundle embeds Redoc, but its sidebar logo still comes from a CDN; an inline SVG keeps the page offline.
const LOGO = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg/g;
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"/>')}`;

/** Builds the page with telemetry off, then inlines the logo. */
export async function buildDocs(): Promise<string> {
  // Note: made beside the page and renamed over it, so a reader, or another build at the same time (two test files in
  // parallel on a fresh clone), never sees half a page.
  const building = `${DOCS_HTML}.${process.pid}-${Date.now()}.html`;
  await promisify(execFile)(
    join(root, "node_modules/.bin/redocly"),
    ["build-docs", "openapi/openapi.yaml", "--inlineBundle", "-o", building],
    { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: "off" } },
  );
  const html = (await readFile(building, "utf8")).replace(LOGO, INLINE_LOGO);
  await writeFile(building, html);
  await rename(building, DOCS_HTML);
  return DOCS_HTML;
}

if (process.argv[1]?.endsWith("docs.ts")) console.log(`wrote ${await buildDocs()}`);
