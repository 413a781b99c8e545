// `npm test` runs every check once: the static checks in one lane, each vitest project in one run on the machine's Node (the
// library's floor) in the other, the drift check in one step, the package linters as tests.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { STATIC_CHECKS, testsCommand } from "../../scripts/test.ts";
import { FLOOR, FLOOR_PROJECTS, floorNode, meetsFloor, VITEST } from "../../scripts/test-floor.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import config from "../../vitest.config.ts";

const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
const projects = (config.test?.projects ?? []).map((p) => (p as { test: { name: string } }).test.name);
const tests = readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".test.ts"));
const source = (file: string) => readFileSync(join(root, file), "utf8");

describe("npm test", () => {
  it("is scripts/test.ts: the static checks beside one vitest run of every project", () => {
    expect(scripts.test).toBe("tsx scripts/test.ts");
    expect(projects.sort()).toEqual(["browser", "contract", "package", "unit"]);
    // Note: no --project, so the one run has every project of vitest.config.ts; and no static check runs vitest again.
    expect(testsCommand().args).toEqual([VITEST, "run"]);
    for (const check of STATIC_CHECKS) expect(scripts[check], check).not.toMatch(/vitest|test:floor/);
  });

  it("gives every project the root's timeouts, so no test runs at vitest's default 5 s", () => {
    expect(config.test?.testTimeout).toBe(30_000);
    for (const project of config.test?.projects ?? []) expect((project as { extends?: unknown }).extends).toBe(true);
  });

  it("runs the tests on the machine's Node, the library's floor, not the toolchain's inside node_modules", () => {
    const { node, version } = testsCommand();
    expect(node).not.toContain("node_modules");
    expect(execFileSync(node, ["--version"], { encoding: "utf8" }).trim()).toBe(version);
    expect(meetsFloor(version), version).toBe(true);
    expect(`>=${FLOOR.join(".")}`).toBe(JSON.parse(source("package.json")).engines.node);
    // Note: npm run test:floor runs the library's own tests alone on the same Node.
    expect([...FLOOR_PROJECTS].sort()).toEqual(["contract", "unit"]);
    expect(scripts["test:floor"]).toBe("tsx scripts/test-floor.ts");
  });

  it("refuses a floor Node older than package.json's engines, by minor version too, and takes FLOOR_NODE", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-floor-"));
    const saved = process.env.FLOOR_NODE;
    try {
      const nodeOf = async (version: string) => {
        const file = join(dir, `node-${version}`);
        await writeFile(file, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
        process.env.FLOOR_NODE = file;
        return file;
      };
      const [major, minor] = FLOOR;
      const below = `v${major}.${minor - 1}.9`;
      await nodeOf(below);
      expect(() => floorNode()).toThrow(`is ${below}; the library promises Node >= ${major}.${minor} (FLOOR_NODE picks another)`);
      const at = await nodeOf(`v${major}.${minor}.0`);
      expect(floorNode()).toEqual({ node: at, version: `v${major}.${minor}.0` });
    } finally {
      if (saved === undefined) delete process.env.FLOOR_NODE;
      else process.env.FLOOR_NODE = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("starts the project's tools on the toolchain's Node, the pinned devDependency npm scripts run on; the library's processes stay on the floor", () => {
    const { devDependencies } = JSON.parse(source("package.json"));
    expect(execFileSync(TOOLCHAIN_NODE, ["--version"], { encoding: "utf8" }).trim(), "the devDependency's Node").toBe(
      `v${devDependencies.node}`,
    );
    expect(TOOLCHAIN_NODE).not.toBe(testsCommand().node);
    expect(source("scripts/prism.ts")).toContain("node = TOOLCHAIN_NODE } = options;");
    // Note: every start of a Node process in the tests, with its arguments as written. The library's own processes (an
    // inline script of the library, the shipped command from its source, the packed package in a consumer) are what the
    // floor proves; any other (a script, an example, a tool) runs as `npm run` runs it, on the toolchain's Node, where a
    // process that loads tsx or makes an RSA pair takes a fraction of the floor's CPU.
    const starts = tests.flatMap((file) =>
      [...source(join("test", file)).matchAll(/\b(process\.execPath|TOOLCHAIN_NODE),\s*(\[[^\]]*\]?)/g)].map(([, node, args]) => ({
        file,
        node,
        args: (args ?? "").replace(/\s+/g, " "),
      })),
    );
    const LIBRARY = [
      /^\["--import", "tsx", "--input-type=module", "-e"/,
      /^\["--import", "tsx", "bin\/yc-iam\.ts"/,
      /"main\.[cm]js"\)?\]$/,
    ];
    const ofLibrary = (start: { args: string }) => LIBRARY.some((pattern) => pattern.test(start.args));
    const onFloor = starts.filter((start) => start.node === "process.execPath");
    const onToolchain = starts.filter((start) => start.node === "TOOLCHAIN_NODE");
    expect(onFloor.filter((start) => !ofLibrary(start))).toEqual([]);
    expect(onToolchain.filter(ofLibrary)).toEqual([]);
    // Note: no test starts a bare `node`, which would be whichever the PATH gives (the toolchain's under npm test).
    expect(tests.filter((file) => /\b(execFile|execFileSync|spawn|spawnSync|run)\("node"/.test(source(join("test", file))))).toEqual([]);
    // Note: negative controls: both kinds are started, and each pattern of the library's processes finds some.
    expect(onToolchain.length).toBeGreaterThan(5);
    for (const pattern of LIBRARY)
      expect(
        onFloor.some((start) => pattern.test(start.args)),
        String(pattern),
      ).toBe(true);
  });

  it("checks generated/ against the document in one step, and no test does it again", () => {
    expect(STATIC_CHECKS.filter((s) => s === "check:generated")).toHaveLength(1);
    expect(scripts["check:generated"]).toBe("tsx scripts/generate.ts --check");
    expect(tests.length).toBeGreaterThan(5);
    const driftChecks = tests.filter((f) => /stale\(await generate\(\)\)/.test(readFileSync(join(root, "test", f), "utf8")));
    expect(driftChecks).toEqual([]);
  });

  it("runs publint and attw once, as tests of the packed tarball, and no script packs the package again for them", () => {
    const lint = readFileSync(join(root, "test/package/lint.test.ts"), "utf8");
    expect(lint).toContain('tool("publint/src/cli.js", [tarball])');
    expect(lint).toContain('tool("@arethetypeswrong/cli/dist/index.js", [tarball, "--profile", "esm-only"');
    expect(Object.values(scripts).filter((s) => /publint|attw/.test(s))).toEqual([]);
  });
});
