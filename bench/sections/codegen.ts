// Codegen: the wall time of `npm run generate` and of its drift check, as whole commands (Node's start-up included).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { root } from "../../scripts/root.ts";
import { fmt, table } from "../format.ts";
import type { Run } from "../results.ts";
import { defineSection } from "../section.ts";
import { median } from "../timing.ts";

const run = promisify(execFile);
const RUNS = 3;

export interface CodegenResult {
  runs: number;
  generateMs: number;
  checkMs: number;
}

export default defineSection<CodegenResult>({
  name: "codegen",
  title: "Codegen",
  async run() {
    const time = async (args: string[]) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await run(process.execPath, ["--import", "tsx", join(root, "scripts/generate.ts"), ...args], { cwd: root });
        times.push(performance.now() - start);
      }
      return median(times);
    };
    return { runs: RUNS, generateMs: await time([]), checkMs: await time(["--check"]) };
  },

  method(runs) {
    return `Wall time of \`tsx scripts/generate.ts\` (\`npm run generate\`) and \`tsx scripts/generate.ts --check\` (\`npm run check:generated\`) as whole commands (Node's start-up included), median of ${(runs[0] as Run<CodegenResult>).result.runs}.`;
  },

  tables(runs) {
    return table(
      ["Node", "npm run generate", "drift check"],
      runs.map(({ stamp, result }) => [stamp.node, `${fmt(result.generateMs)} ms`, `${fmt(result.checkMs)} ms`]),
    );
  },

  reading() {
    return [];
  },
});
