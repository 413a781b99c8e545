// Runs the unit and contract tests on the machine's own Node (the library's promised floor, Node 20),
// not the toolchain's Node that npm scripts put first on the PATH.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { root } from "./root.ts";

const FLOOR = 20;

/** The first `node` on the PATH that is not inside node_modules. */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!dir.includes("node_modules") && existsSync(candidate)) return candidate;
  }
  throw new Error("no machine Node found on the PATH outside node_modules");
}

const node = process.env.FLOOR_NODE ?? machineNode();
const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
const major = Number(version.slice(1).split(".")[0]);
if (major < FLOOR) throw new Error(`${node} is ${version}; the library promises Node >= ${FLOOR}`);
console.log(`unit and contract tests on the machine's Node ${version} (${node})`);
const vitest = join(root, "node_modules/vitest/vitest.mjs");
const run = spawnSync(node, [vitest, "run", "--project", "unit", "--project", "contract"], { stdio: "inherit", cwd: root });
process.exit(run.status ?? 1);
