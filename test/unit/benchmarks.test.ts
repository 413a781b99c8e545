// BENCHMARKS.md is rendered from bench/results.json (bench/render.ts): the page drifts when either is edited by hand or
// a section's prose changes without `npm run bench -- --render`.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { DOCUMENT_PATH, render } from "../../bench/render.ts";
import { RESULTS_PATH, type Results } from "../../bench/results.ts";
import { SECTIONS } from "../../bench/sections.ts";
import { interleave } from "../../bench/timing.ts";

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
  /** The order in which `interleave` calls the variants, over `reps` samples of `n` calls each. */
  async function turnsOf(names: string[], n: number, reps: number): Promise<{ made: string[]; samples: number[] }> {
    const made: string[] = [];
    const variants = Object.fromEntries(names.map((name) => [name, () => made.push(name)]));
    // Note: the bench runs with --expose-gc; here a GC is nothing, and the global is put back after.
    vi.stubGlobal("gc", () => {});
    const samples = await interleave(variants, { n, reps, warmup: 0 }).finally(() => vi.unstubAllGlobals());
    return { made, samples: Object.values(samples).map((list) => list.length) };
  }
  const count = (key: string, counts: Map<string, number>) => counts.set(key, (counts.get(key) ?? 0) + 1);

  it("give every variant n calls a sample, after each other variant about equally often, in no fixed place", async () => {
    const names = ["a", "b", "c"];
    const [n, reps] = [300, 2];
    const { made, samples } = await turnsOf(names, n, reps);
    expect(samples).toEqual(names.map(() => reps));
    expect(names.map((name) => made.filter((m) => m === name).length)).toEqual(names.map(() => n * reps));
    const following = new Map<string, number>();
    for (let at = 1; at < made.length; at++) count(`${made[at - 1]} then ${made[at]}`, following);
    // Note: within a round each variant comes once, so a variant follows itself only from one round to the next, at a
    // boundary between rounds with a chance of 1 in k (k variants) for each; every other pair shares the rest alike.
    const k = names.length;
    const boundaries = n * reps - 1;
    const self = boundaries / k / k;
    const other = (made.length - 1 - boundaries / k) / (k * (k - 1));
    expect(following.size).toBe(k * k);
    for (const [pair, times] of following) {
      const [before, after] = pair.split(" then ");
      const expected = before === after ? self : other;
      expect(times, `${pair}: about ${expected.toFixed(0)}`).toSatisfy((t: number) => Math.abs(t - expected) < 0.35 * expected);
    }
    const first = new Map<string, number>();
    for (let round = 0; round < made.length; round += k) count(made[round] as string, first);
    for (const name of names) expect(first.get(name), name).toSatisfy((t: number) => Math.abs(t - (n * reps) / k) < 0.2 * ((n * reps) / k));
  });

  it("bring every variant back to its own kind of code as soon as any other (twins: b and b′, c and c′)", async () => {
    const kind = (name: string) => name.replace("′", "");
    const { made } = await turnsOf(["b", "b′", "c", "c′"], 2000, 1);
    const distances = new Map<string, number[]>();
    for (let at = 2; at < made.length; at++) {
      let back = 1;
      while (at - back > 0 && kind(made[at - back] as string) !== kind(made[at] as string)) back++;
      const list = distances.get(made[at] as string) ?? [];
      distances.set(made[at] as string, list);
      list.push(back);
    }
    const means = [...distances.values()].map((list) => list.reduce((sum, d) => sum + d, 0) / list.length);
    // Note: in a fixed order in which each variant follows each once (a de Bruijn sequence), twins placed after their
    // originals come back within 1.7 calls and the originals within 4.3.
    expect(Math.max(...means) - Math.min(...means)).toBeLessThan(0.1);
  });

  it("are the same in every run: the shuffle is seeded", async () => {
    const once = await turnsOf(["a", "b", "c", "d"], 50, 2);
    const again = await turnsOf(["a", "b", "c", "d"], 50, 2);
    expect(again.made).toEqual(once.made);
    const rounds = new Set(Array.from({ length: 100 }, (_, round) => once.made.slice(round * 4, round * 4 + 4).join("")));
    expect(rounds.size).toBeGreaterThan(1);
  });
});
