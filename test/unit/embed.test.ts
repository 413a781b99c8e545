// The docs' generated blocks (scripts/embed.ts): a stale one is caught and rewritten, a block of no known name or one left
// open stops the generator, and the blocks the document and the source say hold what the committed docs show.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResults, runsOf } from "../../bench/results.ts";
import type { AuditResult } from "../../bench/sections/audit.ts";
import { operations } from "../../generated/contract.ts";
import { blockNames, DOCUMENTS, documentValues, embed, fill, MEASURED_BLOCKS, savedValues, sizeValues } from "../../scripts/embed.ts";
import { root } from "../../scripts/root.ts";
import { bundledDocument } from "../support/ajv.ts";

const block = (name: string, text: string) => `<!-- generated: ${name} -->${text}<!-- /generated -->`;

describe("a generated block", () => {
  it("is filled with its value, and a stale one is named with the text it has and the one it should have", () => {
    const text = `The ${block("operation-count", "33")} operations, ${block("error-count", "264")} errors.\n`;
    const { text: filled, stale } = fill(text, { "operation-count": "35", "error-count": "264" }, "README.md");
    expect(filled).toBe(`The ${block("operation-count", "35")} operations, ${block("error-count", "264")} errors.\n`);
    expect(stale).toEqual([{ name: "operation-count", was: "33", now: "35" }]);
    expect(fill(filled, { "operation-count": "35", "error-count": "264" }, "README.md").stale).toEqual([]);
  });

  it("written in code, as CONTRIBUTING.md shows the syntax, is no block", () => {
    const text = "A block is `<!-- generated: name -->…<!-- /generated -->`, filled by the generator.\n";
    expect(fill(text, {}, "CONTRIBUTING.md")).toEqual({ text, stale: [] });
  });

  it("of no known name, or left open, stops the generator with the file and the problem", () => {
    expect(() => fill(block("operation-cuont", "33"), { "operation-count": "33" }, "README.md")).toThrow(
      'README.md: no generated block is named "operation-cuont"',
    );
    expect(() => fill("<!-- generated: operation-count -->33", { "operation-count": "33" }, "CONTRIBUTING.md")).toThrow(
      "CONTRIBUTING.md: 1 generated blocks opened, 0 closed",
    );
  });

  it("stale in a document is caught (what npm run check:generated fails on) and, with write, rewritten", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-embed-"));
    try {
      await writeFile(join(dir, "README.md"), `# x\n\nAll ${block("error-count", "264")} documented errors.\n`);
      await writeFile(join(dir, "CONTRIBUTING.md"), `Budget: ${block("budget-rule", "4,000 B + 300 B per operation")}.\n`);
      const values = { "error-count": "270", "budget-rule": "4,000 B + 300 B per operation" };
      const found = await embed(values, { dir });
      expect(found).toEqual([{ file: "README.md", diff: `README.md's generated blocks are stale:\n  error-count: "264" → "270"` }]);
      expect(await readFile(join(dir, "README.md"), "utf8")).toContain(block("error-count", "264"));
      expect(await embed(values, { dir, write: true })).toHaveLength(1);
      expect(await readFile(join(dir, "README.md"), "utf8")).toBe(`# x\n\nAll ${block("error-count", "270")} documented errors.\n`);
      expect(await embed(values, { dir })).toEqual([]);
      // Note: a block that widens a table's cell is written with the table's columns moved, as npm run format leaves it.
      const table = (cell: string) => `| what | how many |\n| ---- | -------- |\n| operations | ${block("operation-count", cell)} |\n`;
      await writeFile(join(dir, "README.md"), `# x\n\n${table("9")}`);
      await embed({ ...values, "operation-count": "1,234" }, { dir, write: true });
      const rows = (await readFile(join(dir, "README.md"), "utf8")).split("\n").filter((line) => line.startsWith("|"));
      expect(rows).toHaveLength(3);
      expect(rows[2]).toContain(block("operation-count", "1,234"));
      expect(new Set(rows.map((row) => row.length)).size, rows.join("\n")).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the docs' blocks", () => {
  it("each names a value the generator makes, and the document's, the source's and the saved runs' are current", async () => {
    const values = { ...(await documentValues(bundledDocument)), ...(await savedValues()) };
    const measured: readonly string[] = MEASURED_BLOCKS;
    for (const file of DOCUMENTS) {
      const text = await readFile(join(root, file), "utf8");
      const names = blockNames(text);
      expect(names.length, file).toBeGreaterThan(0);
      for (const name of names) expect([...Object.keys(values), ...measured], `${file}: ${name}`).toContain(name);
      // Note: the measured sizes are npm run check:generated's to check, on the toolchain's Node that measures them.
      expect(
        fill(text, { ...values, ...Object.fromEntries(measured.map((name) => [name, "measured"])) }, file).stale.map((s) => s.name),
      ).toEqual(names.filter((name) => measured.includes(name)));
    }
    expect(values["operation-count"]).toBe(String(Object.keys(operations).length));
    expect(Object.keys(await sizeValues()).sort()).toEqual([...measured].sort());
    // Note: the install is the size section's last saved run, in the words the package test reads.
    expect(values.install).toMatch(/^\d+ packages and \d+\.\d\d MB of files \(\d+\.\d\d MB on disk\)$/);
    // Note: the audit's figures are the audit section's last saved run on the newest Node, each from its result.
    const [audited] = runsOf<AuditResult>(await readResults(), "audit");
    expect(values["audit-bench"]).toContain(`${audited?.result.credentials.toLocaleString("en-US")} credentials`);
    expect(values["audit-bench"]).toMatch(
      / at the default concurrency \(\d+\) against [\d.]+ s one read at a time \([\d.]+×\), in [\d,]+ requests, /,
    );
    expect(values["audit-bench"]).toContain(`(Node ${audited?.stamp.node}, `);
  });
});
