// The published package as the package linters see it: publint (package.json against the files) and attw (the types each
// entry resolves to, ESM only), both on the tarball test/support/package-setup.ts packed.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";

const tarball = inject("tarball");

/** Runs a package's command-line tool on this Node; its exit code and output, whatever it is. */
async function tool(bin: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(TOOLCHAIN_NODE, [join(root, "node_modules", bin), ...args], { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

it("publint finds nothing to say about package.json and the files it names", async () => {
  const { code, output } = await tool("publint/src/cli.js", [tarball]);
  expect(code, output).toBe(0);
  expect(output).toContain("All good!");
});

it("attw: every entry of package.json's exports resolves to its types under node16 (ESM) and bundlers, as an ESM-only package must", async () => {
  const { code, output } = await tool("@arethetypeswrong/cli/dist/index.js", [tarball, "--profile", "esm-only", "--format", "json"]);
  const { analysis, problems } = JSON.parse(output.slice(output.indexOf("{")));
  // Note: the profile ignores CommonJS (node10, node16-cjs), where an ESM-only package has nothing to resolve.
  expect(code, JSON.stringify(problems, null, 2)).toBe(0);
  // Note: attw passes a package without types, so that it found them is a check of its own.
  expect(analysis.types).toEqual({ kind: "included" });
  const exports = JSON.parse(await readFile(join(root, "package.json"), "utf8")).exports as Record<string, unknown>;
  expect(Object.keys(analysis.entrypoints)).toEqual(Object.keys(exports));
  for (const [entry, target] of Object.entries(exports)) {
    if (typeof target === "string") continue;
    for (const kind of ["node16-esm", "bundler"])
      expect(analysis.entrypoints[entry].resolutions[kind].resolution?.fileName, `${entry} ${kind}`).toMatch(/\.d\.ts$/);
  }
});
