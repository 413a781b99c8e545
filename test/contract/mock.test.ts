// The real client against Prism's mock of the document: static examples, every documented error, security, a live negative control.
import { afterAll, describe, expect, inject, it } from "vitest";
import { type CreateApiKeyResponse, createIamClient, IamApiError, type ListApiKeysResponse } from "../../src/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { contractClient, seen } from "../support/contract-client.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const url = inject("prismUrl");
const iam = contractClient(url);
const api = bundledDocument.paths["/iam/v1/apiKeys"];
const examples = (op: "post" | "get") => api[op].responses["200"].content["application/json"].examples;
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

afterAll(() => {
  // Note: proves the zero-violation check really ran on the traffic of this file.
  expect(seen.responses).toBeGreaterThanOrEqual(20);
});

describe("static examples", () => {
  it("create resolves with the document's first example, typed", async () => {
    const created: CreateApiKeyResponse = await iam.apiKeys.create(
      api.post.requestBody.content["application/json"].examples.withScopesAndExpiry.value,
    );
    expect(created).toEqual(examples("post").withScopesAndExpiry.value);
    expect(created.apiKey.scopes).toEqual(["yc.ai.foundationModels.execute", "yc.serverless.functions.invoke"]);
  });

  it("create resolves with a named example picked by Prefer", async () => {
    const created = await iam.apiKeys.create({ description: "Nightly export job" }, { headers: { Prefer: "example=withoutScopes" } });
    expect(created).toEqual(examples("post").withoutScopes.value);
  });

  it("list resolves with the first page and its token, then the last page without one", async () => {
    const first: ListApiKeysResponse = await iam.apiKeys.list({ pageSize: 2 });
    expect(first).toEqual(examples("get").firstPage.value);
    const last = await iam.apiKeys.list({ pageToken: first.nextPageToken }, { headers: { Prefer: "example=lastPage" } });
    expect(last).toEqual(examples("get").lastPage.value);
    expect(last.nextPageToken).toBeUndefined();
  });
});

describe("every documented error response becomes the right IamApiError", () => {
  const cases = (["post", "get"] as const).flatMap((op) =>
    Object.keys(api[op].responses)
      .filter((code) => code >= "400")
      .map((code) => [op, code] as const),
  );
  it("covers 8 statuses for each operation", () => expect(cases).toHaveLength(16));

  it.each(cases)("%s %s", async (op, code) => {
    const name = api[op].responses[code].$ref.split("/").pop();
    const example = bundledDocument.components.responses[name].content["application/json"].example;
    const call = { headers: { Prefer: `code=${code}` } };
    const error = await rejection(op === "post" ? iam.apiKeys.create({}, call) : iam.apiKeys.list({}, call));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({
      status: Number(code),
      code: example.code,
      codeName: CODE_NAMES[example.code],
      serverMessage: example.message,
      requestId: "4f6a2b0c-1d3e-4a5b-9c8d-7e6f5a4b3c2d",
      attempts: 1,
    });
    expect(error.message).toBe(
      `${op === "post" ? "createApiKey" : "listApiKeys"}: HTTP ${code} ${CODE_NAMES[example.code]}: ${example.message}${op === "post" && ["500", "504"].includes(code) ? error.message.slice(error.message.indexOf("; the outcome")) : ""}`,
    );
  });
});

describe("security", () => {
  it("without a token Prism answers 401, and the client throws an IamApiError", async () => {
    // Note: the missing token is the violation Prism must report here, so this client records it instead of failing.
    const anonymous = createIamClient({ baseUrl: url, retry: false });
    const violations: string[] = [];
    anonymous.raw.use({ onResponse: ({ response }) => void violations.push(response.headers.get("sl-violations") ?? "") });
    const error = await rejection(anonymous.apiKeys.list());
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
});
