// Generated answers for every operation of the generated table, as many as make every alternative the generator picks
// between come up (test/support/generated-answers.ts), each parsed by the call loop (with arguments from the document's
// examples) and valid against the contract (Ajv). The first answer of each operation is asked of the Prism mock (`Prefer:
// dynamic=true`), which checks the request and its own answer (sl-violations); the others come from Prism's generator in
// this process (test/support/prism-generator.ts), each handed to the call loop as a 200 with the generated body.

import { isDeepStrictEqual } from "node:util";
import { afterEach, expect, inject, it } from "vitest";
import { type OperationSpec, operations } from "../../generated/contract.ts";
import { errorsText, schemaAt } from "../support/ajv.ts";
import { takeViolations } from "../support/contract-client.ts";
import { alternatives, answerAlternatives, MISS, RUNS } from "../support/generated-answers.ts";
import { exampleInput, tableCall, tableOperations } from "../support/operations.ts";
import { generatedAnswers, generator, prismHttp } from "../support/prism-generator.ts";

// Note: every response Prism answered in the test carried no violation (the checked fetch records them).
afterEach(() => expect(takeViolations()).toEqual([]));

const prismUrl = inject("prismUrl");
// Note: keep each generated body, so a failure can be printed and turned into a fixed test case.
const bodies = new Map<string, string>();
const observe = async (request: Request, response: Response) =>
  void bodies.set(request.headers.get("x-client-request-id") ?? "", await response.clone().text());
/** The generated answers the mock served, by operation. */
const served = new Map<string, number>();

// Note: no wait, so a call that answers an Operation returns the generated Operation as it came.
/** The call loop against the mock, counting what it served of `operationId`. */
const fromMock = (operationId: string) =>
  tableCall(prismUrl, {
    observe: async (request, response) => {
      served.set(operationId, (served.get(operationId) ?? 0) + 1);
      await observe(request, response);
    },
  });

/** The call loop answered by Prism's generator in this process: a 200 with a new generated body each time. */
const fromGenerator = (next: () => unknown) =>
  tableCall(prismUrl, {
    observe,
    send: async () => new Response(JSON.stringify(next()), { headers: { "content-type": "application/json" } }),
  });

/**
 * Runs `call` RUNS times, 8 at a time, and returns every failure with the body that caused it: a call that failed, a
 * result the contract refuses, or a result that is not the body as sent (a list's items are always an array).
 */
async function generated(
  call: (i: number, options: { headers: Record<string, string> }) => Promise<unknown>,
  validate: ReturnType<typeof schemaAt>,
  items: string | undefined,
) {
  const failures: string[] = [];
  const distinct = new Set<string>();
  for (let start = 0; start < RUNS; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, RUNS - start) }, async (_, j) => {
        const requestId = crypto.randomUUID();
        try {
          const result = await call(start + j, { headers: { "x-client-request-id": requestId } });
          distinct.add(JSON.stringify(result));
          if (!validate(result)) failures.push(`${errorsText(validate)}\n  body: ${bodies.get(requestId)}`);
          const sent = JSON.parse(bodies.get(requestId) ?? "null");
          if (!isDeepStrictEqual(result, items ? { [items]: [], ...sent } : sent))
            failures.push(`the result is not the body as sent: ${JSON.stringify(result)}\n  body: ${bodies.get(requestId)}`);
        } catch (error) {
          failures.push(`${(error as Error).message}\n  body: ${bodies.get(requestId)}`);
        }
      }),
    );
  }
  return { failures, distinct: distinct.size };
}

type Options = { headers: Record<string, string> };
/** Each row of the table: its id, the schema of its 200 answer in the document, its list's items, and one call of it. */
const cases: [string, string, string | undefined, (i: number, options: Options) => Promise<unknown>][] = tableOperations.map((o) => {
  const [mock, local] = [fromMock(o.id), fromGenerator(generatedAnswers(o.id))];
  return [
    o.id,
    o.op.responses["200"].content["application/json"].schema.$ref,
    (o.row as OperationSpec).items,
    // Note: the first of the mock, asked for a generated answer instead of an example; the others of its generator here.
    (i, { headers }) =>
      i === 0
        ? mock(o.row, exampleInput(o), { headers: { ...headers, Prefer: "dynamic=true" } })
        : local(o.row, exampleInput(o), { headers }),
  ];
});

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

it.each(cases)(`parses ${RUNS} generated %s answers, each valid against the contract and as sent`, async (_, schema, items, call) => {
  const { failures, distinct } = await generated(call, schemaAt(schema), items);
  expect(failures, failures.join("\n")).toEqual([]);
  // Note: without --seed every body is new; a seeded Prism would replay one body and prove nothing.
  expect(distinct).toBeGreaterThan(RUNS * 0.9);
});

it("asked the mock for one generated answer of each operation, each through the zero-violation check, and made the others with the mock's own generator", () => {
  expect([...served.keys()]).toEqual(Object.keys(operations));
  expect(new Set(served.values())).toEqual(new Set([1]));
  // Note: the generator is the module Prism's mocker runs: prism-http, as the CLI loads it, exports that module's own reset.
  expect(prismHttp.resetJSONSchemaGenerator).toBe(generator.resetGenerator);
});
