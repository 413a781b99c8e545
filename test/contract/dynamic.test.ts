// Prism's dynamic mode: hundreds of generated answers per operation, each parsed by the client and valid against the contract.
import { expect, inject, it } from "vitest";
import { errorsText, schemaAt } from "../support/ajv.ts";
import { contractClient, seen } from "../support/contract-client.ts";

const RUNS = 200;
const iam = contractClient(inject("prismDynamicUrl"));
// Note: keep each generated body, so a failure can be printed and turned into a fixed test case.
const bodies = new Map<string, string>();
iam.raw.use({
  onResponse: async ({ request, response }) =>
    void bodies.set(request.headers.get("x-client-request-id") ?? "", await response.clone().text()),
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
          const result = await call(start + j, { headers: { "x-client-request-id": requestId } });
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

it(`parses ${RUNS} generated create answers, each valid against the contract`, async () => {
  const validate = schemaAt("#/components/schemas/CreateApiKeyResponse");
  const { failures, distinct } = await generated((i, options) => iam.apiKeys.create({ description: `run ${i}` }, options), validate);
  expect(failures, failures.join("\n")).toEqual([]);
  // Note: without --seed every body is new; a seeded Prism would replay one body and prove nothing.
  expect(distinct).toBeGreaterThan(RUNS * 0.9);
});

it(`parses ${RUNS} generated list answers, each valid against the contract`, async () => {
  const validate = schemaAt("#/components/schemas/ListApiKeysResponse");
  const { failures, distinct } = await generated((_, options) => iam.apiKeys.list({ pageSize: 10 }, options), validate);
  expect(failures, failures.join("\n")).toEqual([]);
  expect(distinct).toBeGreaterThan(RUNS * 0.9);
  expect(seen.responses).toBeGreaterThanOrEqual(2 * RUNS);
});
