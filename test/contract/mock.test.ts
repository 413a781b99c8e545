// The real client and the call loop against Prism's mock of the document: static examples, every documented error of every
// operation (each row of the generated table, with arguments from the document's examples), security, a live negative control.

import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import {
  clientStatusesThatMayHaveActed,
  getOperation,
  listApiKeys,
  operations,
  serverStatusesThatDidNotAct,
} from "../../generated/contract.ts";
import { createCall } from "../../src/core/call.ts";
import { DEFAULT_POLLING, waiter } from "../../src/core/poll.ts";
import { DEFAULT_RETRY } from "../../src/core/retry.ts";
import { type CreateApiKeyResponse, createIamClient, IamApiError, type ListApiKeysResponse } from "../../src/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { contractClient, seen, takeViolations } from "../support/contract-client.ts";
import {
  errorStatuses,
  exampleInput,
  expectedErrorStatuses,
  hasIdToMiss,
  hasNameToClash,
  sharedErrorStatuses,
  successExamples,
  tableCall,
  tableOperations,
} from "../support/operations.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

// Note: every response Prism answered in the test carried no violation (the checked fetch records them).
afterEach(() => expect(takeViolations()).toEqual([]));

const url = inject("prismUrl");
const iam = contractClient(url, { polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 5_000 } });
// Note: no wait, so a call that answers an Operation resolves with it as the mock sent it.
const call = tableCall(url);
const paths = bundledDocument.paths;
const api = paths["/iam/v1/apiKeys"];
const byKey = paths["/iam/v1/apiKeys/{apiKeyId}"];
const examples = (op: { responses: Record<string, any> }) => op.responses["200"].content["application/json"].examples;
/** gRPC's code names, as the error's codeName gives them. */
const CODE_NAMES: Record<number, string> = {
  1: "CANCELLED",
  2: "UNKNOWN",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  11: "OUT_OF_RANGE",
  12: "UNIMPLEMENTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  15: "DATA_LOSS",
  16: "UNAUTHENTICATED",
};
const ID = "aje3ho9atbhf4aq6c2ok";
const rows = Object.keys(operations);
/** The named examples of every operation's 200 answer, as many as the document has. */
const exampleCount = tableOperations.reduce((n, o) => n + Object.keys(successExamples(o)).length, 0);
/** Every documented error of every operation of the table. */
const cases = tableOperations.flatMap((o) =>
  errorStatuses(o).map((code) => [o.id as string, code, o.op.responses[code].$ref as string] as const),
);

afterAll(() => {
  // Note: proves the zero-violation check really ran on the traffic of this file: every example and every error at least.
  expect(seen.responses).toBeGreaterThanOrEqual(Math.max(80, exampleCount + cases.length));
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

  it("every named example of every operation of the table comes back as the call's result", async () => {
    let checked = 0;
    const covered = new Set<string>();
    for (const o of tableOperations) {
      for (const [name, example] of Object.entries(successExamples(o))) {
        const result = await call(o.row, exampleInput(o), { headers: { Prefer: `example=${name}` } });
        const expected = example.value;
        // Note: a list's items are always an array, also when the answer leaves them out.
        expect(result, `${o.id} ${name}`).toEqual(o.row.items ? { [o.row.items]: [], ...expected } : expected);
        covered.add(o.id);
        checked++;
      }
    }
    // Note: negative controls: every row is driven, with every example the document has (23 for the ten ApiKey-era calls).
    expect([...covered]).toEqual(rows);
    expect(rows.length).toBeGreaterThan(10);
    expect(checked).toBe(exampleCount);
    expect(checked).toBeGreaterThan(23);
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

  // Note: the mock's first example of the call, or of getOperation when that one is not done, is what the wait ends with.
  const waiting = tableOperations.filter((o) => o.row.result);
  const waited = tableCall(url, { wait: waiter(DEFAULT_POLLING) });
  const firstOf = (o: (typeof tableOperations)[number]) => Object.values(successExamples(o))[0]?.value;
  const polled = tableOperations.find((o) => o.row === getOperation);

  it("every call that answers an Operation (each row with a result) completes with the default polling", async () => {
    expect(waiting.map((o) => o.id)).toEqual(expect.arrayContaining(["updateApiKey", "deleteApiKey"]));
    for (const o of waiting) {
      const first = firstOf(o);
      const done = first.done ? first : polled && firstOf(polled);
      const { "@type": type, ...value } = done.response;
      // Note: google.protobuf.Empty, or another message without fields (SuspendServiceAccountResponse), is no value.
      const expected = /google\.protobuf\.Empty$/.test(type) || !Object.keys(value).length ? undefined : value;
      await expect(waited(o.row, exampleInput(o)), o.id).resolves.toEqual(expected);
    }
  });
});

describe("every documented error response becomes the right IamApiError", () => {
  it("covers each operation's errors by rule: the ones every call documents, 404 where it has an id to miss, 409 where a name must be unique", () => {
    const shared = sharedErrorStatuses();
    for (const o of tableOperations) expect([...errorStatuses(o)].sort(), o.id).toEqual(expectedErrorStatuses(o, shared));
    // Note: negative controls: the rule is not vacuous (every call can be refused and can fail, each call-dependent status
    // applies to some calls and not others), every row has its errors here, and none of the 78 of the first ten went.
    expect(shared).toEqual(expect.arrayContaining(["400", "401", "500"]));
    for (const depends of [hasIdToMiss, hasNameToClash]) expect(new Set(tableOperations.map(depends))).toEqual(new Set([true, false]));
    expect(tableOperations.filter((o) => !hasIdToMiss(o)).map((o) => o.id)).toEqual(
      expect.arrayContaining(["listApiKeyScopes", "createIamToken"]),
    );
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(rows));
    expect(cases).toHaveLength(tableOperations.reduce((n, o) => n + expectedErrorStatuses(o, shared).length, 0));
    expect(rows.length).toBeGreaterThan(10);
    expect(cases.length).toBeGreaterThan(78);
  });

  it.each(cases)("%s %s", async (operationId, code, ref) => {
    const o = tableOperations.find((t) => t.id === operationId);
    const example = bundledDocument.components.responses[ref.split("/").pop() as string].content["application/json"].example;
    const error = await rejection(o ? call(o.row, exampleInput(o), { headers: { Prefer: `code=${code}` } }) : Promise.resolve());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ operation: operationId, status: Number(code), requestId: "4f6a2b0c-1d3e-4a5b-9c8d-7e6f5a4b3c2d" });
    if (o?.row.form) {
      // Note: an OAuth endpoint's error is no Status: the call loop keeps its text, as it keeps any body that is not one.
      expect(error).toMatchObject({ code: undefined, codeName: undefined, serverMessage: JSON.stringify(example) });
      expect(error.message.startsWith(`${operationId}: HTTP ${code}: ${JSON.stringify(example)}`)).toBe(true);
    } else {
      expect(error).toMatchObject({ code: example.code, codeName: CODE_NAMES[example.code], serverMessage: example.message });
      expect(error.message.startsWith(`${operationId}: HTTP ${code} ${CODE_NAMES[example.code]}: ${example.message}`)).toBe(true);
    }
    // Note: every call that changes something leaves the outcome unknown after a status that may have acted: from 500 up
    // unless the server said it did not act (501, 503), below 500 only where it may have (408, 499).
    const status = Number(code);
    const mayHaveActed = status >= 500 ? !serverStatusesThatDidNotAct.includes(status) : clientStatusesThatMayHaveActed.includes(status);
    expect(error.outcomeUnknown).toBe(Boolean(o?.row.retry.changes) && mayHaveActed);
  });
});

describe("security", () => {
  it("without a token Prism answers 401, and the call loop throws an IamApiError", async () => {
    // Note: createIamClient refuses to be made without a token, so the call loop is driven alone here;
    // the missing token is the violation Prism must report, so this one records it instead of failing.
    const violations: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      violations.push(response.headers.get("sl-violations") ?? "");
      return response;
    };
    const anonymous = createCall({ fetch, timeoutMs: 10_000, retry: DEFAULT_RETRY, baseUrl: () => url, secrets: new Set() });
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
