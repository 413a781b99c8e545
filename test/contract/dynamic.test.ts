// Prism's dynamic mode: hundreds of generated answers for every operation, each parsed by the client and valid against the contract.
import { expect, inject, it } from "vitest";
import { createIamToken, createIamTokenForServiceAccount } from "../../generated/contract.ts";
import { errorsText, schemaAt } from "../support/ajv.ts";
import { contractCall, contractClient, seen } from "../support/contract-client.ts";

const RUNS = 200;
const iam = contractClient(inject("prismDynamicUrl"));
const exchange = contractCall(inject("prismDynamicUrl"));
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

const ID = "aje3ho9atbhf4aq6c2ok";
type Options = { headers: Record<string, string> };
// Note: update and delete with wait: false, so the client returns the generated Operation as it came.
const cases: [string, string, (i: number, options: Options) => Promise<unknown>][] = [
  ["create", "CreateApiKeyResponse", (i, o) => iam.apiKeys.create({ description: `run ${i}` }, o)],
  ["list", "ListApiKeysResponse", (_, o) => iam.apiKeys.list({ pageSize: 10 }, o)],
  ["get", "ApiKey", (_, o) => iam.apiKeys.get(ID, o)],
  ["update", "UpdateApiKeyOperation", (i, o) => iam.apiKeys.update(ID, { description: `run ${i}` }, { ...o, wait: false })],
  ["delete", "DeleteApiKeyOperation", (_, o) => iam.apiKeys.delete(ID, { ...o, wait: false })],
  ["listOperations", "ListApiKeyOperationsResponse", (_, o) => iam.apiKeys.listOperations(ID, { pageSize: 10 }, o)],
  ["listScopes", "ListApiKeyScopesResponse", (_, o) => iam.apiKeys.listScopes({ pageSize: 10 }, o)],
  ["getOperation", "Operation", (_, o) => iam.operations.get("ajeo7b1c4m3nq2k8v5rd", o)],
  ["createIamToken", "CreateIamTokenResponse", (_, o) => exchange(createIamToken, { body: { yandexPassportOauthToken: "y0_x" } }, o)],
  [
    "createIamTokenForServiceAccount",
    "CreateIamTokenResponse",
    (_, o) =>
      exchange(
        createIamTokenForServiceAccount,
        { body: { serviceAccountId: "ajeg2b2et02f3tl2c1pj" } },
        { headers: { ...o.headers, Authorization: "Bearer t" } },
      ),
  ],
];

it.each(cases)(`parses ${RUNS} generated %s answers, each valid against the contract`, async (_, schema, call) => {
  const { failures, distinct } = await generated(call, schemaAt(`#/components/schemas/${schema}`));
  expect(failures, failures.join("\n")).toEqual([]);
  // Note: without --seed every body is new; a seeded Prism would replay one body and prove nothing.
  expect(distinct).toBeGreaterThan(RUNS * 0.9);
});

it("saw every generated answer through the zero-violation check", () => {
  expect(seen.responses).toBeGreaterThanOrEqual(cases.length * RUNS);
});
