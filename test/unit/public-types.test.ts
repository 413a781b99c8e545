// What a consumer's editor shows: named interfaces carrying the JSDoc, as octokit and AWS SDK v3 declare them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import services from "../../src/services/index.ts";

const consumer = join(root, "test/unit/public-types.consumer.ts");
// Note: one `iam.<service>` per entry of src/services/index.ts's list, each read on its own line.
const source = `import { createIamClient } from "../../src/index.ts";
const iam = createIamClient({ token: "t" });
iam.apiKeys.create; iam.apiKeys.update; iam.operations.wait; iam.raw;
${Object.keys(services)
  .map((name) => `export const ${name}Service = iam.${name};`)
  .join("\n")}
export const created = iam.serviceAccounts.create({ folderId: "f", name: "n" });
export const updated = iam.keys.update("k", { description: "d" });
export const started = iam.accessKeys.update("k", { description: "d" }, { wait: false });
export const granted = iam.serviceAccounts.grant("a", "viewer", { id: "u", type: "userAccount" });
`;

/** The declaration and JSDoc behind each `iam.x.y` of the consumer above, as go-to-definition and hover find them. */
function compile() {
  const host = ts.createCompilerHost({});
  const read = host.readFile;
  host.readFile = (file) => (file === consumer ? source : read(file));
  const options = {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
  };
  const program = ts.createProgram([consumer], options, host);
  const checker = program.getTypeChecker();
  const found: { name: string; declaredIn: string; doc: string }[] = [];
  const shown: Record<string, string> = {};
  /** The JSDoc a hover shows on each `iam.<service>`. */
  const serviceDocs: Record<string, string> = {};
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node)) shown[node.name.getText()] = checker.typeToString(checker.getTypeAtLocation(node));
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isPropertyAccessExpression(node.initializer)) {
      const symbol = checker.getSymbolAtLocation(node.initializer.name);
      serviceDocs[node.initializer.name.text] = ts.displayPartsToString(symbol?.getDocumentationComment(checker));
    }
    if (ts.isPropertyAccessExpression(node) && ts.isExpressionStatement(node.parent)) {
      const symbol = checker.getSymbolAtLocation(node.name);
      const declaration = symbol?.declarations?.[0];
      const owner = declaration?.parent;
      found.push({
        name: node.getText(),
        declaredIn: owner && ts.isInterfaceDeclaration(owner) ? owner.name.text : `not an interface (${declaration?.kind})`,
        doc: ts.displayPartsToString(symbol?.getDocumentationComment(checker)),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(consumer) as ts.SourceFile);
  return { found, shown, serviceDocs };
}

let compiled: ReturnType<typeof compile> | undefined;
/** The lookups, of one compilation shared by the tests. */
const lookups = () => (compiled ??= compile());

describe("the public types", () => {
  it("iam.apiKeys.create and the rest are members of named interfaces with their JSDoc", () => {
    const { found } = lookups();
    expect(found.map(({ name, declaredIn }) => [name, declaredIn])).toEqual([
      ["iam.apiKeys.create", "ApiKeys"],
      ["iam.apiKeys.update", "ApiKeys"],
      ["iam.operations.wait", "Operations"],
      ["iam.raw", "IamClient"],
    ]);
    expect(found[0]?.doc).toContain("secret, shown only once");
    expect(found[1]?.doc).toContain("update mask");
    expect(found[2]?.doc).toContain("IamWaitTimeoutError");
    for (const { doc } of found) expect(doc.length).toBeGreaterThan(20);
  });

  it("each service of the list is a property of IamClient whose hover shows its entry's JSDoc and its named interface", () => {
    const { shown, serviceDocs } = lookups();
    const names = Object.keys(services);
    expect(names).toEqual(expect.arrayContaining(["apiKeys", "operations"]));
    const list = readFileSync(join(root, "src/services/index.ts"), "utf8");
    for (const name of names) {
      const doc = list.match(new RegExp(`/\\*\\* (.*) \\*/\\n\\s+${name},`))?.[1];
      expect(doc, `the JSDoc of ${name} in the list`).toMatch(/^The \w+ service: /);
      expect(serviceDocs[name], name).toBe(doc);
      expect(shown[`${name}Service`], name).toMatch(/^[A-Z]\w+$/);
    }
  });

  it("what a call resolves with reads as the document's name in a hover, not an expanded object", () => {
    const shown = Object.entries(lookups().shown).filter(([name]) => !name.endsWith("Service"));
    expect(Object.fromEntries(shown)).toEqual({
      iam: "IamClient",
      created: "Promise<ServiceAccount>",
      updated: "Promise<Key>",
      started: "Promise<UpdateAccessKeyOperation>",
      granted: "Promise<AccessBindingDelta[]>",
    });
  });
});
