// `npm test` runs every check once: the static checks in one lane, each vitest project in one run on the machine's Node (the
// library's floor) in the other, the drift check in one step, the package linters as tests.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { STATIC_CHECKS, testsCommand } from "../../scripts/test.ts";
import { FLOOR_PROJECTS, VITEST } from "../../scripts/test-floor.ts";
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
    expect(Number(version.slice(1).split(".")[0])).toBeGreaterThanOrEqual(20);
    // Note: npm run test:floor runs the library's own tests alone on the same Node.
    expect([...FLOOR_PROJECTS].sort()).toEqual(["contract", "unit"]);
    expect(scripts["test:floor"]).toBe("tsx scripts/test-floor.ts");
  });

  it("starts the project's tools on the toolchain's Node, the pinned devDependency npm scripts run on; the library's processes stay on the floor", () => {
    const { devDependencies } = JSON.parse(source("package.json"));
    expect(execFileSync(TOOLCHAIN_NODE, ["--version"], { encoding: "utf8" }).trim()).toBe(`v${devDependencies.node}`);
    expect(TOOLCHAIN_NODE).not.toBe(testsCommand().node);
    expect(source("scripts/prism.ts")).toContain("spawn(TOOLCHAIN_NODE, args");
    // Note: a script or an example is run as `npm run` runs it; a test that starts one on the floor's Node pays several
    // times the CPU for nothing the floor proves.
    const startsToolOnFloor = /process\.execPath,\s*\[[^\]]*"(scripts|examples)\//;
    const others = tests.filter((f) => f !== join("unit", "npm-test.test.ts"));
    expect(others.filter((f) => startsToolOnFloor.test(source(join("test", f))))).toEqual([]);
    // Note: negative control: the shipped command's processes are on the floor, and the pattern sees them.
    expect(source("test/unit/command.test.ts")).toMatch(/process\.execPath, \["--import", "tsx", "bin\/yc-iam\.ts"/);
    expect(startsToolOnFloor.test('run(process.execPath, ["--import", "tsx", "scripts/example.ts"]')).toBe(true);
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
