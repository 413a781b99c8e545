// npm run bench [-- <section>…] [--floor] [--at=<commit>] [--no-build] [--render]: runs the sections named (all without
// names; bench/sections.ts lists them), prints each one's tables, saves its run in bench/results.json and renders
// BENCHMARKS.md from that file. `--floor` then runs the same on the machine's Node (20); `--render` only renders.
// Wall-clock numbers are noisy: compare within one run, read the on-CPU times and the ratios.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { delimiter, join } from "node:path";
import { root } from "../scripts/root.ts";
import { prepareBuild } from "./build.ts";
import { fmt } from "./format.ts";
import { type LoopbackServer, startServer } from "./loopback.ts";
import { writeDocument } from "./render.ts";
import { readResults, stamped, withRun, writeResults } from "./results.ts";
import type { Bench } from "./section.ts";
import { SECTIONS } from "./sections.ts";

const args = process.argv.slice(2);
const flags = args.filter((arg) => arg.startsWith("--"));
const only = args.filter((arg) => !arg.startsWith("--"));
const unknownSections = only.filter((name) => !SECTIONS.some((section) => section.name === name));
if (unknownSections.length)
  throw new Error(`no section named ${unknownSections.join(", ")}; the sections: ${SECTIONS.map((section) => section.name).join(" ")}`);
const unknownFlags = flags.filter((flag) => !["--floor", "--no-build", "--render"].includes(flag) && !flag.startsWith("--at="));
if (unknownFlags.length) throw new Error(`unknown ${unknownFlags.join(", ")}; the flags: --floor --at=<commit> --no-build --render`);

if (flags.includes("--render")) {
  await writeDocument(await readResults());
  console.log("rendered BENCHMARKS.md from bench/results.json");
  process.exit(0);
}

// Note: V8 runs its GC and compilers on helper threads, whose CPU time the kernel hands to process.cpuUsage() a tick at a
// time (up to milliseconds into a window of microseconds); --single-threaded keeps that work on the main thread, where
// the kernel counts it exactly and it lands on the call that caused it. Without the flag, the bench runs itself with it.
if (!process.execArgv.includes("--single-threaded")) {
  const again = spawnSync(process.execPath, ["--single-threaded", ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(again.status ?? 1);
}

const at = flags.find((flag) => flag.startsWith("--at="))?.slice("--at=".length);
const built = await prepareBuild({ at, build: !flags.includes("--no-build") });
const loads = () =>
  loadavg()
    .map((n) => fmt(n, 2))
    .join(" ");
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); the client: ${built.measured}; load average ${loads()}\n`,
);

let server: Promise<LoopbackServer> | undefined;
const bench: Bench = { ...built, server: () => (server ??= startServer()) };
let results = await readResults();
try {
  for (const section of SECTIONS.filter(({ name }) => !only.length || only.includes(name))) {
    console.log(`${section.title} (${section.name})`);
    const run = await stamped(built.measured, () => section.run(bench));
    console.log(`${section.tables([run])}\n`);
    // Note: saved section by section, so a section that fails later keeps the runs before it.
    results = withRun(results, section.name, run);
    await writeResults(results);
    await writeDocument(results);
  }
} finally {
  (await server)?.stop();
}
console.log(`wrote bench/results.json and BENCHMARKS.md; load average now ${loads()}`);

// Note: the same sections on the machine's Node, one after the other (never both at once on 2 cores), on the same dist/.
if (flags.includes("--floor")) {
  const node = process.env.FLOOR_NODE ?? machineNode();
  console.log(`\nthe same on the machine's Node (${node})\n`);
  const floor = spawnSync(
    node,
    ["--expose-gc", "--import", "tsx", join(root, "bench/run.ts"), ...only, ...(at ? [`--at=${at}`] : []), "--no-build"],
    { stdio: "inherit", cwd: root },
  );
  process.exit(floor.status ?? 1);
}

/** The first `node` on the PATH that is not inside node_modules (as scripts/test-floor.ts finds it). */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!dir.includes("node_modules") && existsSync(candidate)) return candidate;
  }
  throw new Error("no machine Node found on the PATH outside node_modules");
}
