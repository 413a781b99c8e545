// bench/results.json: the last run of each section on each Node, each with its stamp (when, on what, how busy the
// machine was). A run of some sections keeps the others' last runs; BENCHMARKS.md is rendered from this file alone.
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { root } from "../scripts/root.ts";

export const RESULTS_PATH = join(root, "bench/results.json");

/** The machine a section ran on (other processes may share its cores: see the load average). */
export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
}

/** When and on what a section ran, what it measured, and the 1-, 5- and 15-minute load averages before and after. */
export interface Stamp {
  date: string;
  node: string;
  measured: string;
  machine: Machine;
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
}

/** One section's result on one Node, with its stamp. */
export interface Run<Result> {
  stamp: Stamp;
  result: Result;
}

/** Each section's last run per Node version: `sections[name][node]`. */
export interface Results {
  sections: Record<string, Record<string, Run<unknown>>>;
}

export function machine(): Machine {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10 };
}

/** Runs `measure` and stamps its result with the date, the Node, the build measured, the machine and the load around it. */
export async function stamped<Result>(measured: string, measure: () => Promise<Result>): Promise<Run<Result>> {
  const date = new Date();
  const start = loadavg();
  const result = await measure();
  return {
    stamp: {
      date: date.toISOString(),
      node: process.version,
      measured,
      machine: machine(),
      loadAverage: { start, end: loadavg() },
      seconds: Math.round((Date.now() - date.getTime()) / 100) / 10,
    },
    result,
  };
}

/** The major version of a Node version string ("v24.21.0" → 24). */
const major = (node: string) => Number(node.replace(/^v/, "").split(".")[0]);

/** A section's runs, the newest Node first. */
export function runsOf<Result>(results: Results, section: string): Run<Result>[] {
  return Object.values(results.sections[section] ?? {})
    .map((run) => run as Run<Result>)
    .sort((a, b) => major(b.stamp.node) - major(a.stamp.node));
}

/** The results with `run` as the section's run on its Node. */
export function withRun(results: Results, section: string, run: Run<unknown>): Results {
  return { sections: { ...results.sections, [section]: { ...results.sections[section], [run.stamp.node]: run } } };
}

/** bench/results.json, or no results when it is missing or of an older shape. */
export async function readResults(): Promise<Results> {
  const text = await readFile(RESULTS_PATH, "utf8").catch(() => "{}");
  const parsed = JSON.parse(text) as Partial<Results>;
  return { sections: parsed.sections ?? {} };
}

export async function writeResults(results: Results): Promise<void> {
  await writeFile(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
}
