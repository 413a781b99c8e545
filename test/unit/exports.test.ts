// The main entry publishes each service module's named exports (its types, `keyFile`) through src/services/index.ts,
// and never a factory: a new service's types are public without an edit of src/index.ts.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";

const modules = readdirSync(join(root, "src/services")).filter((file) => file.endsWith(".ts") && file !== "index.ts");
const entry = join(root, "src/index.ts");
const program = ts.createProgram([entry, ...modules.map((file) => join(root, "src/services", file))], {
  allowImportingTsExtensions: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  strict: true,
});
const checker = program.getTypeChecker();
/** The names a module exports, values and types alike. */
const exportsOf = (path: string) =>
  checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(path) as ts.SourceFile) as ts.Symbol).map((s) => s.name);

describe("the main entry's exports", () => {
  it("every named export of every service module, and no factory (each one's default export)", () => {
    const published = exportsOf(entry);
    expect(modules.length).toBeGreaterThan(1);
    for (const file of modules) {
      const own = exportsOf(join(root, "src/services", file));
      expect(own, file).toContain("default");
      const named = own.filter((name) => name !== "default");
      expect(named.length, file).toBeGreaterThan(0);
      expect(
        named.filter((name) => !published.includes(name)),
        file,
      ).toEqual([]);
    }
    expect(published).not.toContain("default");
    expect(published.filter((name) => /Resource$/.test(name))).toEqual([]);
    // Note: negative control: the core's own names are there too, and a name of no module is not.
    expect(published).toEqual(expect.arrayContaining(["createIamClient", "IamApiError", "keyFile", "ApiKeys", "Operations"]));
    expect(published).not.toContain("services");
  });
});
