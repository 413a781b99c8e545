// The real client against Prism's mock of the document: static examples, every documented error of every operation,
// security, a live negative control.

import createClient from "openapi-fetch";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createIamToken, createIamTokenForServiceAccount, listApiKeys } from "../../generated/contract.ts";
import type { paths as Paths } from "../../generated/schema.ts";
import { createCall } from "../../src/core/call.ts";
import { DEFAULT_RETRY } from "../../src/core/retry.ts";
import { type CreateApiKeyResponse, createIamClient, IamApiError, type IamClient, type ListApiKeysResponse } from "../../src/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { contractCall, contractClient, seen } from "../support/contract-client.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const url = inject("prismUrl");
const iam = contractClient(url, { polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 5_000 } });
const paths = bundledDocument.paths;
const api = paths["/iam/v1/apiKeys"];
const byKey = paths["/iam/v1/apiKeys/{apiKeyId}"];
const examples = (op: { responses: Record<string, any> }) => op.responses["200"].content["application/json"].examples;
const CODE_NAMES: Record<number, string> = {
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};
const ID = "aje3ho9atbhf4aq6c2ok";
const exchange = contractCall(url);
const exchangeAsUser = contractCall(url, { Authorization: `Bearer ${TOKEN}` });
type Options = { headers: Record<string, string> };
/** One call of each operation through the client, by operationId; `wait: false` where it answers an Operation. */
const calls: Record<string, (iam: IamClient, options: Options) => Promise<unknown>> = {
  createApiKey: (c, o) => c.apiKeys.create({}, o),
  listApiKeys: (c, o) => c.apiKeys.list({}, o),
  getApiKey: (c, o) => c.apiKeys.get(ID, o),
  updateApiKey: (c, o) => c.apiKeys.update(ID, { description: "x" }, { ...o, wait: false }),
  deleteApiKey: (c, o) => c.apiKeys.delete(ID, { ...o, wait: false }),
  listApiKeyOperations: (c, o) => c.apiKeys.listOperations(ID, {}, o),
  listApiKeyScopes: (c, o) => c.apiKeys.listScopes({}, o),
  getOperation: (c, o) => c.operations.get("ajeo7b1c4m3nq2k8v5rd", o),
  createIamToken: (_, o) => exchange(createIamToken, { body: { jwt: "a.b.c" } }, o),
  createIamTokenForServiceAccount: (_, o) =>
    exchangeAsUser(createIamTokenForServiceAccount, { body: { serviceAccountId: "ajeg2b2et02f3tl2c1pj" } }, o),
};
const operations = Object.values(paths as Record<string, Record<string, any>>).flatMap((item) =>
  ["get", "post", "patch", "delete"].filter((m) => item[m]).map((m) => item[m]),
);

afterAll(() => {
  // Note: proves the zero-violation check really ran on the traffic of this file.
  expect(seen.responses).toBeGreaterThanOrEqual(80);
});

describe("static examples", () => {
  it("create resolves with the document's first example, typed", async () => {
    const created: CreateApiKeyResponse = await iam.apiKeys.create(
      api.post.requestBody.content["application/json"].examples.withScopesAndExpiry.value,
    );
    expect(created).toEqual(examples(api.post).withScopesAndExpiry.value);
    expect(created.apiKey.scopes).toEqual(["yc.ai.foundationModels.execute", "yc.serverless.functions.invoke"]);
  });

  it("create resolves with a named example picked by Prefer", async () => {
    const created = await iam.apiKeys.create({ description: "Nightly export job" }, { headers: { Prefer: "example=withoutScopes" } });
    expect(created).toEqual(examples(api.post).withoutScopes.value);
  });

  it("list resolves with the first page and its token, then the last page without one", async () => {
    const first: ListApiKeysResponse = await iam.apiKeys.list({ pageSize: 2 });
    expect(first).toEqual(examples(api.get).firstPage.value);
    const last = await iam.apiKeys.list({ pageToken: first.nextPageToken }, { headers: { Prefer: "example=lastPage" } });
    expect(last).toEqual(examples(api.get).lastPage.value);
    expect(last.nextPageToken).toBeUndefined();
  });

  it("every named example of every operation comes back as the client's result", async () => {
    let checked = 0;
    for (const op of operations) {
      for (const [name, example] of Object.entries<{ value: any }>(examples(op))) {
        const result = await calls[op.operationId]?.(iam, { headers: { Prefer: `example=${name}` } });
        const expected = example.value;
        // Note: a list's items are always an array, also when the answer leaves them out.
        const items = { listApiKeyOperations: "operations", listApiKeyScopes: "scopes", listApiKeys: "apiKeys" }[op.operationId as string];
        expect(result, `${op.operationId} ${name}`).toEqual(items ? { [items]: [], ...expected } : expected);
        checked++;
      }
    }
    expect(checked).toBe(23);
  });

  it("update and delete wait on the Operation service's answer", async () => {
    const updated = await iam.apiKeys.update(ID, { scopes: ["yc.ai.foundationModels.execute"] }, { headers: { Prefer: "example=done" } });
    const { "@type": _, ...key } = examples(byKey.patch).done.value.response;
    expect(updated).toEqual(key);
    await expect(iam.apiKeys.delete(ID, { headers: { Prefer: "example=done" } })).resolves.toBeUndefined();
  });
});

describe("the mock's default answers (no Prefer), as `npm run mock` gives them", () => {
  // Note: Prism answers an operation's first example; a pending getOperation there kept update polling for the default 5 minutes.
  const defaults = contractClient(url);

  it("a client with the default polling completes update", async () => {
    const { "@type": _, ...key } = examples(paths["/operations/{operationId}"].get).done.value.response;
    await expect(defaults.apiKeys.update(ID, { description: "x" })).resolves.toEqual(key);
  });

  it("a client with the default polling completes delete", async () => {
    await expect(defaults.apiKeys.delete(ID)).resolves.toBeUndefined();
  });
});

describe("every documented error response becomes the right IamApiError", () => {
  const cases = operations.flatMap((op) =>
    Object.keys(op.responses)
      .filter((code) => code >= "400")
      .map((code) => [op.operationId as string, code, op.responses[code].$ref as string] as const),
  );
  it("covers 8 statuses for each operation (7 for listScopes and createIamToken, which have no id to miss)", () =>
    expect(cases).toHaveLength(78));

  it.each(cases)("%s %s", async (operationId, code, ref) => {
    const example = bundledDocument.components.responses[ref.split("/").pop() as string].content["application/json"].example;
    const error = await rejection(calls[operationId]?.(iam, { headers: { Prefer: `code=${code}` } }) ?? Promise.resolve());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({
      operation: operationId,
      status: Number(code),
      code: example.code,
      codeName: CODE_NAMES[example.code],
      serverMessage: example.message,
      requestId: "4f6a2b0c-1d3e-4a5b-9c8d-7e6f5a4b3c2d",
    });
    expect(error.message.startsWith(`${operationId}: HTTP ${code} ${CODE_NAMES[example.code]}: ${example.message}`)).toBe(true);
    expect(error.outcomeUnknown).toBe(operationId === "createApiKey" && ["500", "504"].includes(code));
  });
});

describe("security", () => {
  it("without a token Prism answers 401, and the call loop throws an IamApiError", async () => {
    // Note: createIamClient refuses to be made without a token, so the call loop is driven alone here;
    // the missing token is the violation Prism must report, so this one records it instead of failing.
    const raw = createClient<Paths>({ baseUrl: url });
    const violations: string[] = [];
    raw.use({ onResponse: ({ response }) => void violations.push(response.headers.get("sl-violations") ?? "") });
    const anonymous = createCall({ raw, timeoutMs: 10_000, retry: DEFAULT_RETRY, baseUrl: () => url, secrets: new Set() });
    const error = await rejection(anonymous(listApiKeys));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 401, codeName: "UNAUTHENTICATED", serverMessage: "Token is invalid or has expired." });
    expect(violations).toEqual([expect.stringContaining("Invalid security scheme used")]);
  });
});

describe("negative control", () => {
  it("a request that breaks the contract, sent through raw, is rejected by Prism with a violation", async () => {
    // Note: a client without the zero-violation check, since a violation is the point here.
    const raw = createIamClient({ token: TOKEN, baseUrl: url }).raw;
    const { response } = await raw.GET("/iam/v1/apiKeys", { params: { query: { serviceAccountId: "x".repeat(51) } } });
    expect(response.status).toBe(400);
    const [violation] = JSON.parse(response.headers.get("sl-violations") ?? "[]");
    expect(violation).toMatchObject({ location: ["request", "query", "serviceaccountid"], code: "maxLength", severity: "Error" });
  });

  it("an id longer than the contract allows, sent through raw, is rejected by Prism too", async () => {
    const raw = createIamClient({ token: TOKEN, baseUrl: url }).raw;
    const { response } = await raw.GET("/iam/v1/apiKeys/{apiKeyId}", { params: { path: { apiKeyId: "x".repeat(51) } } });
    expect(response.status).toBe(400);
    expect(response.headers.get("sl-violations")).toMatch(/maxLength/);
  });
});
