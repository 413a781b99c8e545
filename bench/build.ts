// What the bench measures: the built package (what users run), not src/ through tsx, whose keepNames helpers cost µs
// per call. `--at=<commit>` builds that commit's src/ in a directory of its own (a tree others are editing may not
// compile) for every section but the bundle sizes, which scripts/size.ts takes from the working tree; `--no-build`
// measures what is built already (the run on the machine's Node passes it, so both Nodes measure the same build).
import { execFile, spawnSync } from "node:child_process";
import { mkdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildPackage } from "../scripts/build.ts";
import { root } from "../scripts/root.ts";

const run = promisify(execFile);

/** The build the sections measure, and its entries as they import them. */
export interface Built {
  /** The directory whose dist/ holds the build: the project's root, or the commit's own directory. */
  dir: string;
  /** What was built, in words: "commit abc1234", or "working tree at abc1234". */
  measured: string;
  client(): Promise<typeof import("../src/index.ts")>;
  auth(): Promise<typeof import("../src/auth/index.ts")>;
  testing(): Promise<typeof import("../src/testing/index.ts")>;
  testingNode(): Promise<typeof import("../src/testing/node.ts")>;
}

/** Builds the working tree, or the commit `at` in a directory of its own (unless `build` is false), and says what it is. */
export async function prepareBuild({ at, build }: { at: string | undefined; build: boolean }): Promise<Built> {
  const commit = at && (await run("git", ["rev-parse", "--short", at], { cwd: root })).stdout.trim();
  const dir = commit ? join(tmpdir(), `yc-iam-bench-${commit}`) : root;
  if (commit && build) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const files = ["src", "generated", "package.json", "tsconfig.json", "tsconfig.build.json"];
    const archive = spawnSync("git", ["archive", "--format=tar", commit, ...files], { cwd: root, maxBuffer: 2 ** 28 });
    if (archive.status !== 0) throw new Error(`git archive ${commit}: ${archive.stderr}`);
    spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  }
  // Note: built as the package ships (scripts/build.ts): each entry one file over shared chunks.
  if (build) await buildPackage({ dir });
  const measured = commit
    ? `commit ${commit}`
    : `working tree at ${(await run("git", ["rev-parse", "--short", "HEAD"], { cwd: root })).stdout.trim()}`;
  const load = (path: string) => import(join(dir, path));
  return {
    dir,
    measured,
    client: () => load("dist/src/index.js"),
    auth: () => load("dist/src/auth/index.js"),
    testing: () => load("dist/src/testing/index.js"),
    testingNode: () => load("dist/src/testing/node.js"),
  };
}
