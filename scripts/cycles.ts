// Import circles among a folder's modules (`npx tsx scripts/cycles.ts [folder]`, src/ by default): type imports count,
// since a circle of types still ties the files together (neither can be read, moved or published without the other).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { root } from "./root.ts";

/** Each module of `folder` (recursively), by its path from `folder`, and the modules of `folder` it imports. */
export async function importGraph(folder: string): Promise<Map<string, string[]>> {
  const files = (await readdir(folder, { recursive: true })).filter((file) => file.endsWith(".ts")).sort();
  const graph = new Map<string, string[]>();
  for (const file of files) {
    // Note: preProcessFile lists every `import`, `import type`, `export … from` and `import()` of a file, without type-checking it.
    const { importedFiles } = ts.preProcessFile(await readFile(join(folder, file), "utf8"), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => moduleOf(folder, join(dirname(file), specifier)))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** The module a relative specifier names, by its path from `folder` (`./x.js` is `x.ts`, a folder its `index.ts`); undefined outside it. */
function moduleOf(folder: string, specifier: string): string | undefined {
  const path = relative(folder, resolve(folder, specifier.replace(/\.js$/, ".ts")));
  if (path.startsWith("..")) return undefined;
  if (path.endsWith(".ts")) return path;
  return existsSync(join(folder, path, "index.ts")) ? join(path, "index.ts") : `${path}.ts`;
}

/**
 * Every circle of `graph`: one per group of modules that reach each other (Tarjan's strongly connected components), as
 * one path around it that starts and ends at its first module in name order, `["a.ts", "b.ts", "a.ts"]`.
 */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = member === node ? undefined : stack.pop()) group.push(member);
    const selfImport = graph.get(node)?.includes(node);
    if (group.length > 1 || selfImport) found.push(circleThrough(graph, new Set(group)));
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** A path from the group's first module (in name order) back to it, through the group only (a breadth-first search). */
function circleThrough(graph: Map<string, string[]>, group: Set<string>): string[] {
  const start = [...group].sort()[0] as string;
  const paths: string[][] = [[start]];
  for (const path of paths) {
    for (const next of graph.get(path.at(-1) as string) ?? []) {
      if (next === start) return [...path, start];
      if (group.has(next) && !path.includes(next)) paths.push([...path, next]);
    }
  }
  return [start, start];
}

if (process.argv[1]?.endsWith("cycles.ts")) {
  const folder = resolve(root, process.argv[2] ?? "src");
  const found = cycles(await importGraph(folder));
  for (const circle of found) console.log(circle.join(" → "));
  console.log(`${found.length} import circle(s) in ${relative(root, folder) || "."}/.`);
  process.exitCode = found.length ? 1 : 0;
}
