// `npm test`: every check once, in two lanes side by side, since the machine has two cores and the tests spend much of their
// time waiting on the processes they start: the static checks (npm scripts, one after another, their output shown when one
// fails) in one lane, and every vitest project in one run on the machine's Node, the library's floor, in the other.
// It ends with each lane's time. Arguments go to vitest (`npm test -- test/unit`).
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./root.ts";
import { floorNode, VITEST } from "./test-floor.ts";

/** The npm scripts of the static lane, in the order they run. */
export const STATIC_CHECKS = ["check:generated", "lint", "lint:code", "typecheck"] as const;

/** The tests lane: vitest on the machine's Node, every project of vitest.config.ts (no `--project`). */
export function testsCommand(args: string[] = []): { node: string; version: string; args: string[] } {
  return { ...floorNode(), args: [VITEST, "run", ...args] };
}

interface Ran {
  name: string;
  ok: boolean;
  seconds: number;
  output: string;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Runs a command to its end; its output is kept when `show` is false, else it goes to this process's. */
function run(name: string, command: string, args: string[], show: boolean, env = process.env): Promise<Ran> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", show ? "inherit" : "pipe", show ? "inherit" : "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => void (output += chunk.toString());
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) => done({ name, ok: false, seconds: seconds(started), output: `${output}${error.message}\n` }));
    child.on("close", (code) => done({ name, ok: code === 0, seconds: seconds(started), output }));
  });
}

/** Each static check in turn; all of them run, so one failure does not hide another. */
async function staticLane(): Promise<Ran[]> {
  const scripts: Record<string, string> = JSON.parse(await readFile(join(root, "package.json"), "utf8")).scripts;
  // Note: each script's command line as npm runs it (a shell, node_modules/.bin first on the PATH), without a third of a
  // second of npm's own start for each.
  const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}${delimiter}${process.env.PATH}` };
  const ran: Ran[] = [];
  for (const check of STATIC_CHECKS) ran.push(await run(check, "sh", ["-c", scripts[check] as string], false, env));
  return ran;
}

const line = ({ name, ok, seconds }: Ran) => `${name} ${ok ? "passed" : "FAILED"} in ${seconds.toFixed(1)} s`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { node, version, args } = testsCommand(process.argv.slice(2));
  console.log(`static checks (${STATIC_CHECKS.join(", ")}) beside the tests on the machine's Node ${version} (${node})\n`);
  const [checks, tests] = await Promise.all([staticLane(), run("tests", node, args, true)]);
  const total = (lane: Ran[]) => lane.reduce((sum, r) => sum + r.seconds, 0).toFixed(1);
  for (const failed of checks.filter((r) => !r.ok)) console.log(`\n${line(failed)}:\n${failed.output}`);
  console.log(`\nstatic checks: ${total(checks)} s (${checks.map(line).join("; ")})`);
  console.log(`tests: ${line(tests)}`);
  console.log(`npm test: ${seconds(started).toFixed(1)} s`);
  process.exit([...checks, tests].every((r) => r.ok) ? 0 : 1);
}
