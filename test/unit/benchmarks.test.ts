// BENCHMARKS.md is rendered from bench/results.json (bench/render.ts): the page drifts when either is edited by hand or
// a section's prose changes without `npm run bench -- --render`.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { DOCUMENT_PATH, render } from "../../bench/render.ts";
import { RESULTS_PATH, type Results } from "../../bench/results.ts";
import { SECTIONS } from "../../bench/sections.ts";
import { interleave, seeded, shuffle } from "../../bench/timing.ts";

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
  it("give every variant n calls a sample, after each other variant about equally often, in no fixed place", async () => {
    // Note: the bench runs with --expose-gc; here a GC is nothing, and the global is put back after.
    vi.stubGlobal("gc", () => {});
    const made: string[] = [];
    const variants = { a: () => made.push("a"), b: () => made.push("b"), c: () => made.push("c") };
    const samples = await interleave(variants, { n: 300, reps: 2, warmup: 0 }).finally(() => vi.unstubAllGlobals());
    expect(Object.values(samples).map((list) => list.length)).toEqual([2, 2, 2]);
    expect(["a", "b", "c"].map((name) => made.filter((m) => m === name).length)).toEqual([600, 600, 600]);
    const count = (key: string, counts: Map<string, number>) => counts.set(key, (counts.get(key) ?? 0) + 1);
    const following = new Map<string, number>();
    for (let at = 1; at < made.length; at++) count(`${made[at - 1]} then ${made[at]}`, following);
    // Note: within a round each variant comes once, so a variant follows itself only from one round to the next: of the
    // 1,799 pairs, about 67 of each variant after itself (a third of the 599 round boundaries each) and 267 of each other pair.
    expect(following.size).toBe(9);
    for (const [pair, times] of following) {
      const [before, after] = pair.split(" then ");
      expect(times, pair).toSatisfy((t: number) => (before === after ? t > 45 && t < 90 : t > 230 && t < 305));
    }
    const first = new Map<string, number>();
    for (let round = 0; round < made.length; round += 3) count(made[round] as string, first);
    for (const name of ["a", "b", "c"]) expect(first.get(name), name).toSatisfy((t: number) => t > 150 && t < 250);
  });

  it("are the same in every run: the shuffle is seeded", () => {
    const orders = () => Array.from({ length: 5 }, (_, seed) => shuffle([0, 1, 2, 3, 4], seeded(seed + 1)).join(""));
    expect(orders()).toEqual(orders());
    expect(new Set(orders()).size).toBeGreaterThan(1);
  });
});
