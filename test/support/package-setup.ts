// Vitest globalSetup of the package tests: the package built and packed once, as `npm pack` makes it, for every file of
// test/package/; the tarball and its list of files go to the tests through provide/inject, and teardown removes them.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { root } from "../../scripts/root.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder the tarball is in, for the tests' own files; removed after the run. */
    packDir: string;
    tarball: string;
    /** The paths inside the tarball, sorted. */
    packedFiles: string[];
  }
}

const run = promisify(execFile);

export default async function setup(project: TestProject) {
  const packDir = await mkdtemp(join(tmpdir(), "iam-pack-"));
  // Note: the build script as prepack runs it, with --noCheck: `npm test` type-checks the same sources with the same options
  // (`tsc -p .`) in its static lane, so here it only emits (identical files, a third less time). The pack then skips
  // prepack, which would build again.
  await run("npm", ["run", "-s", "build", "--", "--noCheck"], { cwd: root });
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], { cwd: root });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  project.provide("packDir", packDir);
  project.provide("tarball", join(packDir, packed.filename));
  project.provide("packedFiles", packed.files.map((f: { path: string }) => f.path).sort());
  return () => rm(packDir, { recursive: true, force: true });
}
