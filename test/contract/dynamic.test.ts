// Prism's dynamic mode: generated answers for every operation of the generated table, as many as make every alternative the
// generator picks between come up (test/support/generated-answers.ts), each parsed by the call loop (with arguments from the
// document's examples) and valid against the contract.
import { afterEach, expect, inject, it } from "vitest";
import { operations } from "../../generated/contract.ts";
import { errorsText, schemaAt } from "../support/ajv.ts";
import { seen, takeViolations } from "../support/contract-client.ts";
import { alternatives, answerAlternatives, MISS, RUNS } from "../support/generated-answers.ts";
import { exampleInput, tableCall, tableOperations } from "../support/operations.ts";

// Note: every response Prism answered in the test carried no violation (the checked fetch records them).
afterEach(() => expect(takeViolations()).toEqual([]));

// Note: keep each generated body, so a failure can be printed and turned into a fixed test case.
const bodies = new Map<string, string>();
// Note: no wait, so a call that answers an Operation returns the generated Operation as it came.
const send = tableCall(inject("prismUrl"), {
  observe: async (request, response) => void bodies.set(request.headers.get("x-client-request-id") ?? "", await response.clone().text()),
});

/** Runs `call` RUNS times, 8 at a time, and returns every failure with the body that caused it. */
async function generated(
  call: (i: number, options: { headers: Record<string, string> }) => Promise<unknown>,
  validate: ReturnType<typeof schemaAt>,
) {
  const failures: string[] = [];
  const distinct = new Set<string>();
  for (let start = 0; start < RUNS; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, RUNS - start) }, async (_, j) => {
        const requestId = crypto.randomUUID();
        try {
          // Note: the mock the other contract tests use, asked for a generated answer instead of an example.
          const result = await call(start + j, { headers: { "x-client-request-id": requestId, Prefer: "dynamic=true" } });
          distinct.add(JSON.stringify(result));
          if (!validate(result)) failures.push(`${errorsText(validate)}\n  body: ${bodies.get(requestId)}`);
        } catch (error) {
          failures.push(`${(error as Error).message}\n  body: ${bodies.get(requestId)}`);
        }
      }),
    );
  }
  return { failures, distinct: distinct.size };
}

type Options = { headers: Record<string, string> };
/** Each row of the table: its id, the schema of its 200 answer in the document, and one call of it. */
const cases: [string, string, (i: number, options: Options) => Promise<unknown>][] = tableOperations.map((o) => [
  o.id,
  o.op.responses["200"].content["application/json"].schema.$ref,
  (_, options) => send(o.row, exampleInput(o), options),
]);

it(`asks ${RUNS} answers of each operation: the fewest in which every alternative of every answer comes up, but for a chance of ${MISS}`, () => {
  const missed = (runs: number) => answerAlternatives.reduce((sum, chance) => sum + (1 - chance) ** runs, 0);
  expect(missed(RUNS)).toBeLessThanOrEqual(MISS);
  expect(missed(RUNS - 1)).toBeGreaterThan(MISS);
  // Note: negative controls: the answers do choose, each alternative can come up, and the counting is the generator's.
  expect(answerAlternatives.length).toBeGreaterThan(tableOperations.length);
  expect(Math.min(...answerAlternatives)).toBeGreaterThan(0);
  expect(alternatives({ type: "boolean" })).toEqual([1 / 2, 1 / 2]);
  expect(alternatives({ type: "array", items: { oneOf: [{ type: "string" }, { type: "boolean" }] } })).toEqual([
    ...Array.from({ length: 6 }, () => 1 / 6),
    5 / 12,
    5 / 12,
    5 / 24,
    5 / 24,
  ]);
});

it("drives every row of the generated table", () => {
  expect(cases.map(([id]) => id)).toEqual(Object.keys(operations));
  expect(cases.length).toBeGreaterThan(10);
  for (const [id, schema] of cases) expect(schema, id).toMatch(/^#\/components\/schemas\/\w+$/);
});

it.each(cases)(`parses ${RUNS} generated %s answers, each valid against the contract`, async (_, schema, call) => {
  const { failures, distinct } = await generated(call, schemaAt(schema));
  expect(failures, failures.join("\n")).toEqual([]);
  // Note: without --seed every body is new; a seeded Prism would replay one body and prove nothing.
  expect(distinct).toBeGreaterThan(RUNS * 0.9);
});

it("saw every generated answer through the zero-violation check", () => {
  expect(seen.responses).toBeGreaterThanOrEqual(cases.length * RUNS);
});
