// Runs the unit and contract tests on the machine's own Node (the library's promised floor, Node 20),
// not the toolchain's Node that npm scripts put first on the PATH. `npm test` runs them only here, once;
// the browser and package tests, which drive tools rather than the library's runtime, run on the toolchain's Node.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./root.ts";

const FLOOR = 20;

/** The vitest projects that run on the floor. */
export const FLOOR_PROJECTS = ["unit", "contract"] as const;

/** The first `node` on the PATH that is not inside node_modules. */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!dir.includes("node_modules") && existsSync(candidate)) return candidate;
  }
  throw new Error("no machine Node found on the PATH outside node_modules");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const node = process.env.FLOOR_NODE ?? machineNode();
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const major = Number(version.slice(1).split(".")[0]);
  if (major < FLOOR) throw new Error(`${node} is ${version}; the library promises Node >= ${FLOOR}`);
  console.log(`${FLOOR_PROJECTS.join(" and ")} tests on the machine's Node ${version} (${node})`);
  const vitest = join(root, "node_modules/vitest/vitest.mjs");
  const projects = FLOOR_PROJECTS.flatMap((p) => ["--project", p]);
  const run = spawnSync(node, [vitest, "run", ...projects], { stdio: "inherit", cwd: root });
  process.exit(run.status ?? 1);
}
