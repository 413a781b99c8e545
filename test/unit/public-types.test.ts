// What a consumer's editor shows: named interfaces carrying the JSDoc, as octokit and AWS SDK v3 declare them.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";

const consumer = join(root, "test/unit/public-types.consumer.ts");
const source = `import { createIamClient } from "../../src/index.ts";
const iam = createIamClient({ token: "t" });
iam.apiKeys.create; iam.apiKeys.update; iam.operations.wait; iam.raw;
export const created = iam.serviceAccounts.create({ folderId: "f", name: "n" });
export const updated = iam.keys.update("k", { description: "d" });
export const started = iam.accessKeys.update("k", { description: "d" }, { wait: false });
export const granted = iam.serviceAccounts.grant("a", "viewer", { id: "u", type: "userAccount" });
`;

/** The declaration and JSDoc behind each `iam.x.y` of the consumer above, as go-to-definition and hover find them. */
function lookups() {
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
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node)) shown[node.name.getText()] = checker.typeToString(checker.getTypeAtLocation(node));
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
  return { found, shown };
}

describe("the public types", () => {
  // Note: one program for both tests: each compile of the client's types took seconds.
  const { found, shown } = lookups();

  it("iam.apiKeys.create and the rest are members of named interfaces with their JSDoc", () => {
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

  it("what a call resolves with reads as the document's name in a hover, not an expanded object", () => {
    expect(shown).toEqual({
      iam: "IamClient",
      created: "Promise<ServiceAccount>",
      updated: "Promise<Key>",
      started: "Promise<UpdateAccessKeyOperation>",
      granted: "Promise<AccessBindingDelta[]>",
    });
  });
});
