// What a section of the bench is: a measurement, and how BENCHMARKS.md shows it. One file per section in
// bench/sections/, listed in bench/sections.ts; bench/run.ts runs them and bench/render.ts renders them.
import type { Built } from "./build.ts";
import type { LoopbackServer } from "./loopback.ts";
import type { Run } from "./results.ts";

/** What a section measures with: the build, and the loopback server, started on first use and shared by the sections. */
export interface Bench extends Built {
  server(): Promise<LoopbackServer>;
}

export interface Section<Result> {
  /** The name on the command line (`npm run bench -- <name>`) and the key in bench/results.json. */
  name: string;
  /** The section's heading in BENCHMARKS.md. */
  title: string;
  /** Measures, printing progress to stderr if it likes; the result is stamped and saved by bench/run.ts. */
  run(bench: Bench): Promise<Result>;
  /** How it measures: prose, with the parameters of the run (call counts, samples) read from the runs. */
  method(runs: Run<Result>[]): string;
  /** The figures as markdown tables (a row per Node where the section ran on more than one), for the console and the document. */
  tables(runs: Run<Result>[]): string;
  /** What the figures say: each claim, goal and comparison computed from the runs. */
  reading(runs: Run<Result>[]): string[];
}

/** Types a section (its result type inferred from `run`). */
export const defineSection = <Result>(section: Section<Result>): Section<Result> => section;
