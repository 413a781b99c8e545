// BENCHMARKS.md, rendered from bench/results.json alone: the method is fixed prose in each section's file, and every
// figure, Node version, date, load average, ratio and verdict on a goal is read or computed from the results.
// `npm run bench` writes both; `npm run bench -- --render` renders again without measuring; test/unit/benchmarks.test.ts
// fails when the committed page is not what this renders.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { root } from "../scripts/root.ts";
import { fmt, fmtDate, table } from "./format.ts";
import { type Results, runsOf } from "./results.ts";
import { SECTIONS } from "./sections.ts";

export const DOCUMENT_PATH = join(root, "BENCHMARKS.md");

const loads = (values: number[]) => values.map((n) => fmt(n, 2)).join(" ");

/** Every section's runs: when, on what, and how busy the machine was. */
function runsTable(results: Results): string {
  const rows = SECTIONS.flatMap((section) =>
    runsOf(results, section.name).map(({ stamp }) => [
      section.name,
      stamp.node,
      fmtDate(stamp.date),
      `${fmt(stamp.seconds)} s`,
      stamp.measured,
      `${stamp.machine.cores} cores, ${stamp.machine.cpu}, ${fmt(stamp.machine.memoryGiB, 1)} GiB`,
      `${loads(stamp.loadAverage.start)} → ${loads(stamp.loadAverage.end)}`,
    ]),
  );
  return table(["section", "Node", "started", "took", "measured", "cores, CPU, memory", "load average (1, 5, 15 min): start → end"], rows);
}

/** The whole of BENCHMARKS.md for these results. */
export function render(results: Results): string {
  const names = SECTIONS.map((section) => `\`${section.name}\``).join(" ");
  const parts = [
    "# Benchmarks",
    "This page is generated: `npm run bench` measures, saves each section's run in `bench/results.json` and renders this page from that file alone (`bench/render.ts`, with each section's method and reading in `bench/sections/`); `npm run bench -- --render` renders it again without measuring, and `test/unit/benchmarks.test.ts` fails when the page is not what the file renders. Edit the sections' files, never this page.",
    `\`npm run bench\` runs every section; \`npm run bench -- tokens fake\` runs only the sections named (${names}), keeping the others' last runs. \`--floor\` runs the same sections again on the machine's Node (the first \`node\` on the PATH outside \`node_modules\`; \`FLOOR_NODE=/path/to/node\` picks another), after the toolchain's, on the same build: \`bench/results.json\` keeps each section's last run on each Node. \`--at=<commit>\` measures that commit's \`src/\`, built in a directory of its own (a working tree that others are editing may not compile); without it, the working tree is built; \`--no-build\` measures what is built. The client is measured as built (\`dist/\`, by \`tsc\`), which is what users run. The bench is not part of \`npm test\`: wall-clock figures are noisy, and the machine may be shared (see the load average of each run), so compare figures within one run and read the on-CPU times and the ratios.`,
    "## The runs",
    runsTable(results),
  ];
  for (const section of SECTIONS) {
    const runs = runsOf(results, section.name);
    parts.push(`## ${section.title} (\`npm run bench -- ${section.name}\`)`);
    if (!runs.length) {
      parts.push("Not run yet.");
      continue;
    }
    parts.push(section.method(runs), section.tables(runs));
    const reading = section.reading(runs);
    if (reading.length) parts.push(reading.map((line) => `- ${line}`).join("\n"));
  }
  return `${parts.join("\n\n")}\n`;
}

export async function writeDocument(results: Results): Promise<void> {
  await writeFile(DOCUMENT_PATH, render(results));
}
