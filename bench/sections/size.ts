// Size and cold import: the browser bundles as scripts/size.ts measures them (of the working tree), what each service
// and token source adds, jose for comparison, the cold import of the build in Node, and the packed tarball.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fmt, list, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { median } from "../timing.ts";

const run = promisify(execFile);

/** The goal for the cold import of the main entry, in ms. */
export const COLD_IMPORT_GOAL_MS = 20;
const COLD_IMPORT_RUNS = 7;

export interface SizeResult {
  /** The client entry, minified, raw and gzip; the rest gzip unless named raw. */
  raw: number;
  gzip: number;
  authGzip: number;
  authGzipPerSource: Record<string, number>;
  openapiFetchRaw: number;
  openapiFetchGzip: number;
  /** What each module of src/services/ adds to the core, and the core alone (`core`). */
  serviceShares: Record<string, number>;
  /** jose's SignJWT and importPKCS8 alone, bundled the same way. */
  joseGzip: number;
  /** The budgets scripts/size.ts held the figures to when they were measured. */
  budget: { gzip: number; base: number; perOperation: number; operations: number; authSource: number; authEntry: number };
  coldImportMs: number;
  coldImportRuns: number;
  tarball: { bytes: number; unpackedBytes: number; files: number };
  /** The tarball installed in an empty project as a user would: its packages, their bytes of files and on this disk (the README states it). */
  install?: { packages: number; bytes: number; diskBytes: number };
}

export default defineSection<SizeResult>({
  name: "size",
  title: "Size and cold import",
  async run(bench) {
    const size = await import("../../scripts/size.ts");
    const { bundles: _bundles, ...measured } = await size.measureSize();
    const joseGzip = size.gzip(await size.bundle(`export { SignJWT, importPKCS8 } from "jose";`));
    const entry = join(bench.dir, "dist/src/index.js");
    const script = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
    const imports: number[] = [];
    for (let i = 0; i < COLD_IMPORT_RUNS; i++) {
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
      imports.push(Number(stdout));
    }
    // The packed tarball as `npm pack --dry-run --json --ignore-scripts` reports it (of the build measured).
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: bench.dir });
    const [pack] = JSON.parse(stdout) as { size: number; unpackedSize: number; entryCount: number }[];
    if (!pack) throw new Error("npm pack --dry-run reported no package");
    // The install: that build packed and installed in an empty project, as scripts/size.ts's --installed does.
    const installed = await size.measureInstall(bench.dir, { build: false });
    return {
      ...measured,
      serviceShares: await size.serviceShares(),
      joseGzip,
      budget: {
        gzip: size.GZIP_BUDGET,
        base: size.GZIP_BUDGET_BASE,
        perOperation: size.GZIP_BUDGET_PER_OPERATION,
        operations: size.OPERATION_COUNT,
        authSource: size.AUTH_GZIP_BUDGET,
        authEntry: size.AUTH_ENTRY_GZIP_BUDGET,
      },
      coldImportMs: median(imports),
      coldImportRuns: COLD_IMPORT_RUNS,
      tarball: { bytes: pack.size, unpackedBytes: pack.unpackedSize, files: pack.entryCount },
      install: { packages: Object.keys(installed.packages).length, bytes: installed.bytes, diskBytes: installed.diskBytes },
    };
  },

  method(runs) {
    const { coldImportRuns } = (runs[0] as Run<SizeResult>).result;
    return `\`scripts/size.ts\` (what \`npm run size\` prints, of the working tree even with \`--at\`): the client entry bundled and minified by esbuild for the browser, raw and gzip (level 9); what the auth entry adds to it, in all and one token source at a time; what each module of \`src/services/\` adds to the core (the call loop and the waits), each bundled alone with it (shared helpers count in each); openapi-fetch alone, and jose's \`SignJWT\` and \`importPKCS8\` alone, bundled the same way. The budgets are the ones \`scripts/size.ts\` held when the run was made; \`test/package/package.test.ts\` enforces them. Cold import: \`node -e "await import('dist/src/index.js')"\` of the build measured, median of ${coldImportRuns} fresh processes. The tarball: \`npm pack --dry-run\` of the build measured; the install: that tarball installed in an empty project (\`npm install\`, as \`npm run size -- --installed\` does), its \`node_modules\` measured (the README states it, and the package test checks its own install against it).`;
  },

  tables(runs) {
    const sizes = table(
      [
        "Node",
        "client, minified",
        "gzip",
        "budget",
        "auth entry adds",
        "one token source at most",
        "openapi-fetch alone",
        "cold import",
        "packed tarball",
        "install",
      ],
      runs.map(({ stamp, result: r }) => [
        stamp.node,
        `${fmt(r.raw)} B`,
        `${fmt(r.gzip)} B`,
        `${fmt(r.budget.gzip)} B`,
        `${fmt(r.authGzip)} B`,
        `${fmt(Math.max(...Object.values(r.authGzipPerSource)))} B`,
        `${fmt(r.openapiFetchGzip)} B`,
        `${fmt(r.coldImportMs, 1)} ms`,
        `${fmt(r.tarball.bytes)} B (${fmt(r.tarball.files)} files, ${fmt(r.tarball.unpackedBytes)} B unpacked)`,
        r.install ? `${r.install.packages} packages, ${fmt(r.install.bytes)} B of files` : "not measured",
      ]),
    );
    const services = Object.keys((runs[0] as Run<SizeResult>).result.serviceShares);
    const shares = table(
      ["gzip B, on top of the core", "Node", ...services],
      runs.map(({ stamp, result: r }) => ["each service", stamp.node, ...services.map((name) => fmt(r.serviceShares[name] ?? Number.NaN))]),
    );
    const sources = Object.keys((runs[0] as Run<SizeResult>).result.authGzipPerSource);
    const auth = table(
      ["gzip B, on top of the client", "Node", ...sources, "jose's SignJWT + importPKCS8 alone"],
      runs.map(({ stamp, result: r }) => [
        "each token source",
        stamp.node,
        ...sources.map((name) => fmt(r.authGzipPerSource[name] ?? Number.NaN)),
        fmt(r.joseGzip),
      ]),
    );
    return `${sizes}\n\n${shares}\n\n${auth}`;
  },

  reading(runs) {
    const { result: r } = runs[0] as Run<SizeResult>;
    const spare = r.budget.gzip - r.gzip;
    const largest = Object.entries(r.authGzipPerSource).sort(([, a], [, b]) => b - a)[0] as [string, number];
    const services = Object.entries(r.serviceShares).filter(([name]) => name !== "core");
    return [
      `**The client: ${fmt(r.gzip)} B gzip, ${spare >= 0 ? "within" : "over"} its budget** of ${fmt(r.budget.gzip)} B (${fmt(r.budget.base)} B + ${fmt(r.budget.perOperation)} B for each of the document's ${r.budget.operations} operations): ${fmt(Math.abs(spare))} B ${spare >= 0 ? "to spare" : "too many"}. openapi-fetch alone is ${fmt(r.openapiFetchGzip)} B of it (${fmt((r.openapiFetchGzip / r.gzip) * 100)} %).`,
      `What each service adds to the core (${fmt(r.serviceShares.core ?? Number.NaN)} B): ${list(services.map(([name, bytes]) => `${name} ${fmt(bytes)} B`))}.`,
      `**Auth.** One token source as an app imports it adds at most ${fmt(largest[1])} B (\`${largest[0]}\`), ${largest[1] <= r.budget.authSource ? "within" : "over"} the budget of ${fmt(r.budget.authSource)} B per source; the whole entry at once (\`export *\`) adds ${fmt(r.authGzip)} B, ${r.authGzip <= r.budget.authEntry ? "within" : "over"} its budget of ${fmt(r.budget.authEntry)} B${r.authGzip > r.budget.authSource ? ` and over the ${fmt(r.budget.authSource)} B of one source` : ""}. jose alone would be ${fmt(r.joseGzip)} B for the same signing (${fmt(r.joseGzip / (r.authGzipPerSource.serviceAccountKey ?? Number.NaN), 1)}× \`serviceAccountKey\`, which holds the signing, the cache and the exchange).`,
      `**Cold import ≤ ${COLD_IMPORT_GOAL_MS} ms**: ${runs
        .map(
          ({ stamp, result }) =>
            `${result.coldImportMs <= COLD_IMPORT_GOAL_MS ? "met" : "not met"} on ${stamp.node} (${fmt(result.coldImportMs, 1)} ms)`,
        )
        .join(", ")}.`,
    ];
  },
});
