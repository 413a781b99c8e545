// `npm run build`: dist/ as the package ships it. tsc writes every module's declarations and JavaScript; then esbuild
// bundles each entry of package.json's `exports` into one file over chunks the entries share, and the JavaScript of the
// single modules goes (their declarations stay: the entries' types import them). Arguments go to tsc (`-- --noCheck`).
// Note: one file per entry imports in about half the time of the forty-odd modules it replaces (BENCHMARKS.md, cold
// import); the shared chunks keep one copy of each class, so an IamError of the client is one of the testing entry too.
// Last, the `yc-iam` command, bundled on its own (buildCommand).
import { spawnSync } from "node:child_process";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { root } from "./root.ts";

/** The JavaScript files of each entry of `dir`'s package.json `exports`, as paths under dist/src (`index.js`, `auth/index.js`…). */
export async function entryFiles(dir = root): Promise<string[]> {
  const { exports } = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  return Object.values(exports)
    .flatMap((target) => (typeof target === "object" && target && "import" in target ? [String(target.import)] : []))
    .map((path) => path.replace(/^\.\/dist\/src\//, ""));
}

/** Every file under `folder`. */
const filesUnder = async (folder: string) => (await readdir(folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());

/** Builds `dir`'s dist/ (the repository's by default): tsc with `tscArgs`, then the entries bundled in place of the single modules' JavaScript. */
export async function buildPackage({ dir = root, tscArgs = [] }: { dir?: string; tscArgs?: string[] } = {}): Promise<void> {
  const dist = join(dir, "dist");
  await rm(join(dist, "src"), { recursive: true, force: true });
  await rm(join(dist, "generated"), { recursive: true, force: true });
  await rm(join(dir, COMMAND_FILE), { force: true });
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", ...tscArgs], {
    cwd: dir,
    stdio: "inherit",
  });
  if (tsc.status !== 0) throw new Error(`tsc exited with ${tsc.status}`);

  const bundled = join(dist, "bundled");
  await rm(bundled, { recursive: true, force: true });
  await build({
    entryPoints: (await entryFiles(dir)).map((file) => join(dist, "src", file)),
    outbase: join(dist, "src"),
    outdir: bundled,
    bundle: true,
    splitting: true,
    format: "esm",
    // Note: neutral, so no runtime's globals are assumed; openapi-fetch stays the package's dependency, and Node's own
    // modules (the testing/node entry's `node:http`) stay imports.
    platform: "neutral",
    external: ["openapi-fetch", "node:*"],
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "warning",
  });

  for (const folder of ["src", "generated"])
    for (const entry of await filesUnder(join(dist, folder))) if (entry.name.endsWith(".js")) await rm(join(entry.parentPath, entry.name));
  for (const entry of await filesUnder(bundled)) {
    const from = join(entry.parentPath, entry.name);
    const to = join(dist, "src", from.slice(bundled.length + 1));
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }
  await rm(bundled, { recursive: true, force: true });
  await buildCommand(dir);
}

/** Where the `yc-iam` command is built: one folder under the package, as examples/ is, so both find the document the package ships at `../generated/openapi.json`. */
export const COMMAND_FILE = "dist/yc-iam.js";

/**
 * The `yc-iam` command (bin/yc-iam.ts and the examples it runs) as one file for Node, from the sources: it runs in its
 * own process, so it shares no class with the entries, and its only import is openapi-fetch, the package's dependency.
 */
async function buildCommand(dir: string): Promise<void> {
  await build({ ...commandBuild(dir), outfile: join(dir, COMMAND_FILE) });
}

/** How the command is bundled, from `dir`'s sources (`npm run size` measures it so too). */
export const commandBuild = (dir = root) =>
  ({
    entryPoints: [join(dir, "bin/yc-iam.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.3",
    external: ["openapi-fetch"],
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
  }) satisfies BuildOptions;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await buildPackage({ tscArgs: process.argv.slice(2) }).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
