// The figures and lists the docs state, never kept by hand: README.md and CONTRIBUTING.md hold them in blocks
// `<!-- generated: name -->…<!-- /generated -->`, whose text `blockValues` computes from the bundled document, the
// source, scripts/size.ts and the bench's saved runs (bench/results.json). `npm run generate` rewrites the blocks after generated/, and `npm run check:generated`
// fails with a diff when one is stale, as it does for generated/.
import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ts from "typescript";
import { readResults, runsOf } from "../bench/results.ts";
import type { AuditResult } from "../bench/sections/audit.ts";
import type { SizeResult } from "../bench/sections/size.ts";
import { JOBS } from "../bin/yc-iam.ts";
import { INTERRUPT_TEXT } from "../examples/client-from-env.ts";
import { createFakeIam } from "../src/testing/index.ts";
import { root } from "./root.ts";
import { budgetFor, GZIP_BUDGET_PER_OPERATION, measureSize, megabytes, TOKEN_SOURCES } from "./size.ts";

/** The documents whose blocks are embedded. */
export const DOCUMENTS = ["README.md", "CONTRIBUTING.md"];

type Json = Record<string, any>;

const METHODS = ["get", "put", "post", "patch", "delete"];
/** Counts up to twelve as prose writes them. */
export const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/** A count as prose writes it: a word up to twelve, digits with thousands commas above. */
const counted = (n: number) => WORDS[n] ?? n.toLocaleString("en-US");
/** Bytes with thousands commas: `13,866 B`. */
const bytes = (n: number) => `${n.toLocaleString("en-US")} B`;
/** Bytes in kilobytes, one decimal: `1.2 kB`. */
const kilobytes = (n: number) => `${(n / 1000).toFixed(1)} kB`;
/** Names as a sentence lists them: `a, b and c`. */
const listed = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : (names[0] ?? ""));
const code = (name: string) => `\`${name}\``;

/** Every operation of a bundled document. */
const operationsOf = (document: Json): Json[] =>
  Object.values(document.paths as Record<string, Json>).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m]));

/** The operationIds each resource module of src/services/ names (its value imports of generated/contract.ts). */
async function rowsOfClientServices(): Promise<string[]> {
  const folder = join(root, "src/services");
  const rows: string[] = [];
  for (const file of (await readdir(folder)).filter((f) => f.endsWith(".ts") && f !== "index.ts").sort()) {
    const source = ts.createSourceFile(file, await readFile(join(folder, file), "utf8"), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !(statement.moduleSpecifier as ts.StringLiteral).text.endsWith("generated/contract.js"))
        continue;
      const bindings = statement.importClause?.namedBindings;
      if (statement.importClause?.isTypeOnly || !bindings || !ts.isNamedImports(bindings)) continue;
      rows.push(...bindings.elements.filter((element) => !element.isTypeOnly).map((element) => element.name.text));
    }
  }
  return rows;
}

/** The text of the blocks that the bundled document (as generate.ts just made it) and the source say, by name. */
export async function documentValues(document: Json): Promise<Record<string, string>> {
  const operations = operationsOf(document);
  const errors = operations.flatMap((op) => Object.keys(op.responses).filter((status) => Number(status) >= 400));
  // Note: the services the client wraps are the document's tags of the operations its resource modules call, in the document's order.
  const called = new Set(await rowsOfClientServices());
  const tags = (document.tags as { name: string }[])
    .map((tag) => tag.name)
    .filter((tag) => operations.some((op) => called.has(op.operationId) && op.tags?.includes(tag)));
  const listFields = [...new Set(operations.flatMap((op) => op["x-yc-pagination"]?.items ?? []))];
  // Note: the kinds of resource with access bindings: the tag of each list of one resource's bindings (a path ending in
  // `}:listAccessBindings`), in the document's order, as prose names them (`ServiceAccount` → `service accounts`).
  const boundTags = new Set(
    Object.entries(document.paths as Record<string, Json>)
      .filter(([path]) => path.endsWith("}:listAccessBindings"))
      .flatMap(([, item]) => item.get?.tags ?? []),
  );
  const bindingKinds = (document.tags as { name: string }[])
    .filter((tag) => boundTags.has(tag.name))
    .map((tag) => `${tag.name.replace(/(?<=.)([A-Z])/g, " $1").toLowerCase()}s`);
  return {
    "binding-kinds": listed(bindingKinds).replace(/^./, (first) => first.toUpperCase()),
    "operation-count": counted(operations.length),
    "error-count": counted(errors.length),
    "client-services": listed(tags),
    "list-fields": listed(listFields.map(code)),
    "fake-state": listed(Object.keys(createFakeIam().state).map(code)),
    "command-jobs": listed(Object.keys(JOBS).map(code)),
    "findings-jobs": listed(
      (await Promise.all(Object.entries(JOBS).map(async ([name, load]) => [name, (await load()).USAGE.findings] as const)))
        .filter(([, findings]) => findings)
        .map(([name, findings]) => `${code(name)} (${findings})`),
    ),
    "command-interrupt": INTERRUPT_TEXT,
    "client-budget": bytes(budgetFor(operations.length)),
    "budget-rule": `${bytes(budgetFor(0))} + ${bytes(GZIP_BUDGET_PER_OPERATION)} per operation`,
  };
}

/** The blocks `npm run size` measures (sizeValues), too slow for a test to make: check:generated checks them. */
export const MEASURED_BLOCKS = ["client-size", "testing-size", "command-size", "auth-sizes"] as const;

/** The text of the blocks that `npm run size` measures, by name. */
export async function sizeValues(): Promise<Record<(typeof MEASURED_BLOCKS)[number], string>> {
  const size = await measureSize();
  const perSource = Object.values(size.authGzipPerSource);
  return {
    "client-size": bytes(size.gzip),
    // Note: all the entry's functions: its sources and the chain.
    "testing-size": `${kilobytes(size.testingGzip)}, with the table and checks it shares with the client; in neither of the other two bundles`,
    "command-size": `one file for Node of ${kilobytes(size.command.raw)} (${kilobytes(size.command.gzip)} gzip), not minified, so the code that runs can be read`,
    "auth-sizes": `one source adds at most ${kilobytes(Math.max(...perSource))}, the credential chain (with every source) ${kilobytes(size.chainGzip)}, all ${counted(TOKEN_SOURCES.length + 1)} ${kilobytes(size.authGzip)}`,
  };
}

/**
 * The text of the blocks the bench's last saved runs state, by name: the install, as `npm run bench -- size` measured it
 * (packing and installing take a minute, too slow for every generate; the package test says when it is stale), and the
 * cloud audit's figures, as `npm run bench -- audit` measured them on the newest Node it ran on (minutes of setup).
 */
export async function savedValues(): Promise<Record<string, string>> {
  const results = await readResults();
  const measured = runsOf<SizeResult>(results, "size").find((run) => run.result.install);
  if (!measured?.result.install) throw new Error("bench/results.json holds no install: run npm run bench -- size");
  const { packages, bytes, diskBytes } = measured.result.install;
  const [audited] = runsOf<AuditResult>(results, "audit");
  if (!audited) throw new Error("bench/results.json holds no run of the audit: run npm run bench -- audit");
  const { result: a, stamp } = audited;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    install: `${packages} packages and ${megabytes(bytes)} of files (${megabytes(diskBytes)} on disk)`,
    "audit-bench": `${a.folders.toLocaleString("en-US")} folders of ${(a.accounts / a.folders).toLocaleString("en-US")} service accounts, ${a.credentials.toLocaleString("en-US")} credentials, ${a.latencyMs} ms added to every call: ${seconds(a.defaultMs)} at the default concurrency (${a.concurrency}) against ${seconds(a.oneAtATimeMs)} one read at a time (${a.speedup.toFixed(1)}×), in ${a.requests.map((n) => n.toLocaleString("en-US")).join(" or ")} requests, one per page, ${a.repeated ? `${a.repeated} sent twice` : "none sent twice"}, the heap peaking ${megabytes(a.memory.peakHeap - a.memory.heapBefore)} above its start (Node ${stamp.node}, ${stamp.machine.cores} cores)`,
  };
}

/** The text of every block, by name. */
export const blockValues = async (document: Json): Promise<Record<string, string>> => ({
  ...(await documentValues(document)),
  ...(await sizeValues()),
  ...(await savedValues()),
});

// Note: a marker written in code (a backtick right before the opening one, right after the closing one) shows the syntax, as
// CONTRIBUTING.md does, and is no block.
const BLOCK = /(?<!`)<!-- generated: ([\w-]+) -->([\s\S]*?)<!-- \/generated -->(?!`)/g;
const OPENING = /(?<!`)<!-- generated: /g;
const CLOSING = /<!-- \/generated -->(?!`)/g;

/** A block whose text differs from its value: its name, and the text it has and the one it should have. */
export interface StaleBlock {
  name: string;
  was: string;
  now: string;
}

/** `text` with each block's content replaced by its value, and the blocks that changed; a block of no known name, or one left open, stops it. */
export function fill(text: string, values: Record<string, string>, file: string): { text: string; stale: StaleBlock[] } {
  const opened = text.match(OPENING)?.length ?? 0;
  const closed = text.match(CLOSING)?.length ?? 0;
  if (opened !== closed) throw new Error(`${file}: ${opened} generated blocks opened, ${closed} closed`);
  const stale: StaleBlock[] = [];
  const filled = text.replace(BLOCK, (_, name: string, was: string) => {
    const now = values[name];
    if (now === undefined) throw new Error(`${file}: no generated block is named "${name}"; scripts/embed.ts's blockValues names them`);
    if (now !== was) stale.push({ name, was, now });
    return `<!-- generated: ${name} -->${now}<!-- /generated -->`;
  });
  return { text: filled, stale };
}

/** A document as `npm run format` leaves it: a block that grew or shrank in a table moves the table's columns. */
function formatted(text: string, file: string): string {
  const biome = spawnSync(join(root, "node_modules/.bin/biome"), ["format", `--stdin-file-path=${file}`], {
    cwd: root,
    input: text,
    encoding: "utf8",
  });
  if (biome.status !== 0) throw new Error(`biome could not format ${file}: ${biome.stderr}`);
  return biome.stdout;
}

/**
 * Fills the blocks of every document of `dir` (the repository's by default) with `values`: each document whose blocks
 * were stale, with what changed; with `write`, rewritten.
 */
export async function embed(values: Record<string, string>, { write = false, dir = root } = {}): Promise<{ file: string; diff: string }[]> {
  const found: { file: string; diff: string }[] = [];
  for (const file of DOCUMENTS) {
    const { text, stale } = fill(await readFile(join(dir, file), "utf8"), values, file);
    if (!stale.length) continue;
    const changes = stale.map(({ name, was, now }) => `  ${name}: ${JSON.stringify(was)} → ${JSON.stringify(now)}`);
    found.push({ file, diff: `${file}'s generated blocks are stale:\n${changes.join("\n")}` });
    if (write) await writeFile(join(dir, file), formatted(text, file));
  }
  return found;
}

/** The names of the blocks a text holds, in its order. */
export const blockNames = (text: string): string[] => [...text.matchAll(BLOCK)].map((m) => m[1] as string);
