// The machine's own Node (the library's promised floor, Node 20), not the toolchain's Node that npm scripts put first on
// the PATH: `npm test` runs every test on it (scripts/test.ts). Run alone, this runs only the unit and contract tests on it,
// the library's own tests, e.g. `TEST_CLOCK=2099-06-01 npm run test:floor`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./root.ts";

/** The oldest Node the library promises, from package.json's `engines` (`>=20.3`): [major, minor]. */
export const FLOOR = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node as string)
  .replace(">=", "")
  .split(".")
  .map(Number) as [number, number];

/** The vitest projects `npm run test:floor` runs: the library's own tests. */
export const FLOOR_PROJECTS = ["unit", "contract"] as const;

/** vitest's command line, to run on another Node than the one running this. */
export const VITEST = join(root, "node_modules/vitest/vitest.mjs");

/** The first `node` on the PATH that is not inside node_modules. */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!dir.includes("node_modules") && existsSync(candidate)) return candidate;
  }
  throw new Error("no machine Node found on the PATH outside node_modules");
}

/** Whether a Node `version` (`v20.3.0`) is the floor or newer, by major and then minor version. */
export function meetsFloor(version: string): boolean {
  const [major = 0, minor = 0] = version.slice(1).split(".").map(Number);
  const [floorMajor, floorMinor] = FLOOR;
  return major > floorMajor || (major === floorMajor && minor >= floorMinor);
}

/** The machine's Node (`FLOOR_NODE` picks another) and its version; an error if it is older than the floor. */
export function floorNode(): { node: string; version: string } {
  const node = process.env.FLOOR_NODE ?? machineNode();
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  if (!meetsFloor(version))
    throw new Error(`${node} is ${version}; the library promises Node >= ${FLOOR.join(".")} (FLOOR_NODE picks another)`);
  return { node, version };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { node, version } = floorNode();
  console.log(`${FLOOR_PROJECTS.join(" and ")} tests on the machine's Node ${version} (${node})`);
  const projects = FLOOR_PROJECTS.flatMap((p) => ["--project", p]);
  const run = spawnSync(node, [VITEST, "run", ...projects, ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
  process.exit(run.status ?? 1);
}
