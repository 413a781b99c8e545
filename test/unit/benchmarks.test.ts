// BENCHMARKS.md is rendered from bench/results.json (bench/render.ts): the page drifts when either is edited by hand or
// a section's prose changes without `npm run bench -- --render`.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { DOCUMENT_PATH, render } from "../../bench/render.ts";
import { RESULTS_PATH, type Results } from "../../bench/results.ts";
import { SECTIONS } from "../../bench/sections.ts";
import { interleave, turns } from "../../bench/timing.ts";

const results = JSON.parse(readFileSync(RESULTS_PATH, "utf8")) as Results;

describe("BENCHMARKS.md", () => {
  it("is what bench/render.ts renders from bench/results.json (`npm run bench -- --render` renders it again)", () => {
    expect(readFileSync(DOCUMENT_PATH, "utf8")).toBe(render(results));
  });

  it("has a run of every section of the bench in bench/results.json", () => {
    expect(Object.keys(results.sections).sort()).toEqual(SECTIONS.map((section) => section.name).sort());
  });
});

describe("the bench's turns", () => {
  it("put each variant after each variant, itself too, exactly once in a pass (the last followed by the first)", () => {
    for (const count of [1, 2, 3, 4, 5, 7]) {
      const order = turns(count);
      const pairs = order.map((variant, at) => `${variant}>${order[(at + 1) % order.length]}`);
      const every = Array.from({ length: count }, (_, a) => Array.from({ length: count }, (_, b) => `${a}>${b}`)).flat();
      expect(pairs.sort()).toEqual(every.sort());
    }
  });

  it("give every variant of a sample as many calls, n rounded up to a multiple of the variants' count", async () => {
    // Note: the bench runs with --expose-gc; here a GC is nothing, and the global is put back after.
    vi.stubGlobal("gc", () => {});
    const made: string[] = [];
    const variants = { a: () => made.push("a"), b: () => made.push("b"), c: () => made.push("c") };
    const samples = await interleave(variants, { n: 4, reps: 2, warmup: 0 }).finally(() => vi.unstubAllGlobals());
    expect(Object.values(samples).map((list) => list.length)).toEqual([2, 2, 2]);
    // 4 calls rounded up to 6, a multiple of 3; two samples.
    expect(["a", "b", "c"].map((name) => made.filter((m) => m === name).length)).toEqual([12, 12, 12]);
    const following = new Map<string, number>();
    for (let at = 1; at < made.length; at++)
      following.set(`${made[at - 1]}>${made[at]}`, (following.get(`${made[at - 1]}>${made[at]}`) ?? 0) + 1);
    // Every ordered pair, a variant after itself too, comes up.
    expect(following.size).toBe(9);
  });
});
