// Every count the README states, against what it counts: the document, the generated table, the package, the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { operations } from "../../generated/contract.ts";
import { WORDS } from "../../scripts/embed.ts";
import { demoFake } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { CHAIN_PREDICATE } from "../../scripts/size.ts";
import * as auth from "../../src/auth/index.ts";
import { RUNS } from "../support/generated-answers.ts";

// Note: as it reads: the markers of its generated blocks (scripts/embed.ts) left out, their text kept.
const readme = readFileSync(join(root, "README.md"), "utf8").replace(/<!-- \/?generated(?:: [\w-]+)? -->/g, "");
const document = JSON.parse(readFileSync(join(root, "generated/openapi.json"), "utf8"));
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** A count as the README writes it: digits (with thousands commas) or a word. */
const count = (written: string): number => {
  const word = WORDS.indexOf(written.toLowerCase());
  return word >= 0 ? word : Number(written.replaceAll(",", ""));
};

/** Every count in the README that `pattern` (one capture group: the count) finds; at least one must be there. */
function stated(pattern: RegExp): number[] {
  const found = [...readme.matchAll(new RegExp(pattern, "g"))].map((m) => count(m[1] as string));
  expect(found, `README.md has no ${pattern}`).not.toEqual([]);
  return found;
}

const documentOperations = Object.values(document.paths as Record<string, Record<string, any>>).flatMap((item) =>
  ["get", "post", "put", "patch", "delete"].filter((m) => item[m]).map((m) => item[m]),
);

describe("the README's counts", () => {
  it("the documented errors: every operation's 4xx and 5xx responses", () => {
    const errors = documentOperations.flatMap((op) => Object.keys(op.responses).filter((status) => Number(status) >= 400));
    expect(stated(/all (\d+) documented errors/)).toEqual([errors.length]);
  });

  it("the operations the dynamic mock test covers: every row of the generated table", () => {
    expect(Object.keys(operations)).toHaveLength(documentOperations.length);
    expect(stated(/for each of the (\w+) operations/)).toEqual([documentOperations.length]);
  });

  it("the generated answers per operation: the dynamic test's RUNS", () => {
    expect(stated(/parses (\d+) generated answers/)).toEqual([RUNS]);
  });

  it("the entries: package.json's code exports, each a row of the entries table", () => {
    const entries = Object.entries(packageJson.exports as Record<string, unknown>).filter(([, target]) => typeof target !== "string");
    expect(stated(/(\w+) entries:/)).toEqual([entries.length]);
    const rows = [...readme.matchAll(/^\| `(yc-iam-api-keys[^`]*)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(entries.map(([path]) => join("yc-iam-api-keys", path)));
  });

  it("the token sources: the functions yc-iam-api-keys/auth exports, the chain's test of an environment aside", () => {
    const sources = Object.entries(auth).filter(
      ([name, v]) => typeof v === "function" && !/^class\b/.test(Function.prototype.toString.call(v)) && name !== CHAIN_PREDICATE,
    );
    expect(stated(/all (\w+) \d[\d.]* kB/)).toEqual([sources.length]);
  });

  it("the demo accounts and keys of npm run example, npm start and npm run fake", async () => {
    const { fake } = await demoFake();
    const { serviceAccounts, apiKeys, keys, accessKeys } = fake.state;
    const total = apiKeys.length + keys.length + accessKeys.length;
    expect(stated(/(\w+) demo keys/)).toEqual([total, total]);
    expect(stated(/(\w+) service accounts with \w+ demo keys/)).toEqual([serviceAccounts.length, serviceAccounts.length]);
    expect([apiKeys, keys, accessKeys].every((kind) => kind.length > 0)).toBe(true);
  });
});

describe("the README's mock paragraph", () => {
  const ids: Record<string, string> = { update: "updateApiKey", delete: "deleteApiKey", "`getOperation`": "getOperation" };
  const paragraph = readme.split("\n").find((line) => line.startsWith("Every operation has named examples")) ?? "";
  const segments = [
    ...paragraph.matchAll(/(update|delete|`getOperation`) answers (.*?)(?=; (?:update|delete|`getOperation`) answers|\.$)/g),
  ];

  it("names each example of update, delete and getOperation, and as the default the first, which a mock answers", () => {
    expect(segments.map((s) => ids[s[1] as string])).toEqual(["updateApiKey", "deleteApiKey", "getOperation"]);
    for (const [, name, text] of segments) {
      const op = documentOperations.find((o) => o.operationId === ids[name as string]);
      const examples = Object.keys(op.responses["200"].content["application/json"].examples);
      // Note: a name's parenthesis follows it at once, so the names inside it are not taken for examples.
      const named = [...(text as string).matchAll(/`(\w+)`(?: \(([^)]*)\))?/g)];
      expect(named.map((m) => m[1]).sort(), name).toEqual([...examples].sort());
      expect(
        named.filter((m) => m[2]?.startsWith("the default")).map((m) => m[1]),
        name,
      ).toEqual([examples[0]]);
    }
  });
});
