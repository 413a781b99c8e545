// `npm test` runs every check once: each vitest project in one run (the library's own tests on the Node floor),
// and the drift check in one step.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { FLOOR_PROJECTS } from "../../scripts/test-floor.ts";
import config from "../../vitest.config.ts";

const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
const steps = (scripts.test ?? "").split(" && ");
const projects = (config.test?.projects ?? []).map((p) => (p as { test: { name: string } }).test.name);

/** The vitest projects one step of `npm test` runs. */
function projectsOf(step: string): string[] {
  if (step === "npm run test:floor") return [...FLOOR_PROJECTS];
  if (!step.startsWith("vitest run")) return [];
  const named = [...step.matchAll(/--project (\S+)/g)].map((m) => m[1] as string);
  return named.length ? named : projects;
}

describe("npm test", () => {
  it("runs each vitest project exactly once", () => {
    expect(projects.sort()).toEqual(["browser", "contract", "package", "unit"]);
    expect(steps.flatMap(projectsOf).sort()).toEqual(projects.sort());
  });

  it("gives every project the root's timeouts, so no test runs at vitest's default 5 s", () => {
    expect(config.test?.testTimeout).toBe(30_000);
    for (const project of config.test?.projects ?? []) expect((project as { extends?: unknown }).extends).toBe(true);
  });

  it("runs the unit and contract tests on the machine's Node, the library's floor", () => {
    expect([...FLOOR_PROJECTS].sort()).toEqual(["contract", "unit"]);
    expect(steps).toContain("npm run test:floor");
    expect(scripts["test:floor"]).toBe("tsx scripts/test-floor.ts");
  });

  it("checks generated/ against the document in one step, and no test does it again", () => {
    expect(steps.filter((s) => s === "npm run check:generated")).toHaveLength(1);
    expect(scripts["check:generated"]).toBe("tsx scripts/generate.ts --check");
    const tests = readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".test.ts"));
    expect(tests.length).toBeGreaterThan(5);
    const driftChecks = tests.filter((f) => /stale\(await generate\(\)\)/.test(readFileSync(join(root, "test", f), "utf8")));
    expect(driftChecks).toEqual([]);
  });
});
