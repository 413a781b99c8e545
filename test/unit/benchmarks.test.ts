// BENCHMARKS.md is rendered from bench/results.json (bench/render.ts): the page drifts when either is edited by hand or
// a section's prose changes without `npm run bench -- --render`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCUMENT_PATH, render } from "../../bench/render.ts";
import { RESULTS_PATH, type Results } from "../../bench/results.ts";
import { SECTIONS } from "../../bench/sections.ts";

const results = JSON.parse(readFileSync(RESULTS_PATH, "utf8")) as Results;

describe("BENCHMARKS.md", () => {
  it("is what bench/render.ts renders from bench/results.json (`npm run bench -- --render` renders it again)", () => {
    expect(readFileSync(DOCUMENT_PATH, "utf8")).toBe(render(results));
  });

  it("has a run of every section of the bench in bench/results.json", () => {
    expect(Object.keys(results.sections).sort()).toEqual(SECTIONS.map((section) => section.name).sort());
  });
});
