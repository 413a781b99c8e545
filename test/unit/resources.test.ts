// The ApiKey service beyond create and list, and the Operation service: ids, the update mask, waiting, and retries of update and delete.
import { describe, expect, it, vi } from "vitest";
import {
  createIamClient,
  IamApiError,
  type IamClientOptions,
  IamError,
  IamInputError,
  IamNetworkError,
  IamOperationError,
  IamResponseError,
  IamTimeoutError,
  IamWaitError,
  IamWaitTimeoutError,
} from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json, type Step } from "../support/scripted-fetch.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const KEY = { id: "aje3ho9atbhf4aq6c2ok", serviceAccountId: "ajeg2b2et02f3tl2c1pj", createdAt: "2025-03-03T16:29:04.709971428Z" };
const T = "type.googleapis.com/";
const UPDATE_META = { "@type": `${T}yandex.cloud.iam.v1.UpdateApiKeyMetadata`, apiKeyId: KEY.id };
const DELETE_META = { "@type": `${T}yandex.cloud.iam.v1.DeleteApiKeyMetadata`, apiKeyId: KEY.id };
const pendingUpdate = { id: "op1", metadata: UPDATE_META };
const doneUpdate = (key: object = KEY) => ({
  id: "op1",
  done: true,
  metadata: UPDATE_META,
  response: { "@type": `${T}yandex.cloud.iam.v1.ApiKey`, ...key },
});
const pendingDelete = { id: "op2", done: false, metadata: DELETE_META };
const doneDelete = { id: "op2", done: true, metadata: DELETE_META, response: { "@type": `${T}google.protobuf.Empty`, value: {} } };
const status = (code: number, message: string) => ({ code, message, details: [] });
const FAST = { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: 5_000 };

/** A scripted client that polls at once. */
const client = (steps: Step[], options: Partial<IamClientOptions> = {}) => scriptedClient(steps, { polling: FAST, ...options });

describe("get and the ids in the path", () => {
  it("get answers the key", async () => {
    const { iam, requests } = client([json(200, KEY)]);
    expect(await iam.apiKeys.get(KEY.id)).toEqual(KEY);
    expect(urls(requests)).toEqual([`GET http://127.0.0.1:9/iam/v1/apiKeys/${KEY.id}`]);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.headers.get("idempotency-key")).toBeNull();
  });

  it("an id goes into the path encoded, so it cannot reach another path", async () => {
    const { iam, requests } = client([json(200, KEY)]);
    await iam.apiKeys.get("a/../b?c#d");
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/iam/v1/apiKeys/a%2F..%2Fb%3Fc%23d");
    expect(new URL(requests[0]?.url ?? "").search).toBe("");
  });

  it.each([
    ["empty", "", "apiKeyId must not be empty"],
    ["too long", "a".repeat(51), "apiKeyId must be at least"],
    ["a dot-segment", "..", "apiKeyId must be an ID with a character other than a dot"],
    ["not a string", 42, "apiKeyId must be a string, not integer"],
  ])("an id that is %s is refused before anything is sent", async (_, id, message) => {
    const { iam, requests } = client([json(200, KEY)]);
    const calls = [
      iam.apiKeys.get(id as string),
      iam.apiKeys.update(id as string, { description: "x" }),
      iam.apiKeys.delete(id as string),
      iam.apiKeys.listOperations(id as string),
      iam.operations.get(id as string),
    ];
    for (const call of calls) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(IamInputError);
      if (message.endsWith("at least")) expect(error.message).toMatch(/must be at most 50 characters \(has 51\)/);
      else expect(error.message.replace("operationId", "apiKeyId")).toContain(message);
      expect(error.attempts).toBe(0);
    }
    expect(requests).toHaveLength(0);
  });
});

describe("update", () => {
  it("sends a mask of exactly the fields given, waits for the operation and resolves with the updated key", async () => {
    const updated = { ...KEY, description: "new", scopes: ["yc.postbox.send"] };
    const { iam, requests, bodies } = client([json(200, pendingUpdate), json(200, pendingUpdate), json(200, doneUpdate(updated))]);
    const key = await iam.apiKeys.update(KEY.id, { description: "new", scopes: ["yc.postbox.send"] });
    expect(key).toEqual(updated);
    expect(urls(requests)).toEqual([
      `PATCH http://127.0.0.1:9/iam/v1/apiKeys/${KEY.id}`,
      "GET http://127.0.0.1:9/operations/op1",
      "GET http://127.0.0.1:9/operations/op1",
    ]);
    expect((await bodies())[0]).toEqual({ updateMask: "description,scopes", description: "new", scopes: ["yc.postbox.send"] });
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("null resets a field: it goes into the mask, not into the body; undefined is left out of both", async () => {
    const { iam, bodies } = client([json(200, doneUpdate())]);
    await iam.apiKeys.update(KEY.id, { expiresAt: null, description: undefined, scopes: ["a"] });
    expect((await bodies())[0]).toEqual({ updateMask: "expiresAt,scopes", scopes: ["a"] });
  });

  it("expiresAt takes a Date or an RFC 3339 string", async () => {
    const { iam, bodies } = client([json(200, doneUpdate())]);
    await iam.apiKeys.update(KEY.id, { expiresAt: new Date("2030-01-02T03:04:05Z") });
    await iam.apiKeys.update(KEY.id, { expiresAt: "2031-01-01T00:00:00Z" });
    expect(await bodies()).toEqual([
      { updateMask: "expiresAt", expiresAt: "2030-01-02T03:04:05.000Z" },
      { updateMask: "expiresAt", expiresAt: "2031-01-01T00:00:00Z" },
    ]);
  });

  it.each([
    ["no field at all", {}, ["(changes) must name a field to change (description, scopes, expiresAt)"]],
    ["only undefined fields", { description: undefined }, ["(changes) must name a field to change (description, scopes, expiresAt)"]],
    ["scopes: []", { scopes: [] }, ["scopes must be at least 1 item (has 0)"]],
    ["101 scopes", { scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }, ["scopes must be at most 100 items (has 101)"]],
    ["a repeated scope", { scopes: ["a", "a"] }, ["scopes[1] repeats scopes[0] (items must be unique)"]],
    ["a long description", { description: "x".repeat(257) }, ["description must be at most 256 characters (has 257)"]],
    [
      "an expiry out of range",
      { expiresAt: "2106-01-01T00:00:00Z" },
      ["expiresAt must be an RFC 3339 timestamp in the years 1970 to 2105, with at most 9 fractional digits"],
    ],
    ["an invalid Date", { expiresAt: new Date("nope") }, ["expiresAt is an invalid Date"]],
    [
      "a field that cannot change",
      { serviceAccountId: "sa" },
      [
        "updateMask must be a comma-separated list of description, scopes and expiresAt",
        "serviceAccountId is not a known field (known: updateMask, description, scopes, expiresAt)",
      ],
    ],
  ])("%s is an IamInputError with zero requests sent", async (_, changes, expected) => {
    const { iam, requests } = client([json(200, doneUpdate())]);
    const error = await rejection(iam.apiKeys.update(KEY.id, changes as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems.map((p: { path: string; message: string }) => `${p.path} ${p.message}`)).toEqual(expected);
    expect(requests).toHaveLength(0);
  });

  it("wait: false resolves with the Operation as soon as it is accepted", async () => {
    const { iam, requests } = client([json(200, pendingUpdate)]);
    const operation = await iam.apiKeys.update(KEY.id, { description: "x" }, { wait: false });
    expect(operation).toEqual(pendingUpdate);
    expect(requests).toHaveLength(1);
  });

  it("an operation that finished with an error throws IamOperationError with its Status", async () => {
    const error = { code: 9, message: "API key is being deleted", details: [{ "@type": `${T}google.rpc.RequestInfo`, requestId: "r1" }] };
    const { iam } = client([json(200, pendingUpdate), json(200, { id: "op1", done: true, error })]);
    const failure = await rejection(iam.apiKeys.update(KEY.id, { description: "x" }));
    expect(failure).toBeInstanceOf(IamOperationError);
    expect(failure).toBeInstanceOf(IamError);
    expect(failure).toMatchObject({
      name: "IamOperationError",
      operation: "updateApiKey",
      operationId: "op1",
      code: 9,
      codeName: "FAILED_PRECONDITION",
      serverMessage: "API key is being deleted",
      details: error.details,
    });
    expect(failure.message).toBe("updateApiKey: operation op1 failed: FAILED_PRECONDITION: API key is being deleted");
  });

  it("a done operation whose response breaks its declared type is an IamResponseError", async () => {
    const wrongType = { id: "op1", done: true, response: { "@type": `${T}google.protobuf.Empty` } };
    const noResponse = { id: "op1", done: true };
    for (const [answer, message] of [
      [wrongType, 'response.@type must be "type.googleapis.com/yandex.cloud.iam.v1.ApiKey"'],
      [noResponse, "response is missing from a done operation without an error"],
    ] as const) {
      const { iam } = client([json(200, answer)]);
      const error = await rejection(iam.apiKeys.update(KEY.id, { description: "x" }));
      expect(error).toBeInstanceOf(IamResponseError);
      expect(error.message).toContain(message);
    }
  });

  it("a done operation a poll brought is checked against the declared type too (getOperation's own answer may hold any message)", async () => {
    const wrongType = { id: "op1", done: true, response: { "@type": `${T}google.protobuf.Empty` } };
    const { iam, requests } = client([json(200, pendingUpdate), json(200, wrongType)]);
    const error = await rejection(iam.apiKeys.update(KEY.id, { description: "x" }));
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error.message).toContain('response.@type must be "type.googleapis.com/yandex.cloud.iam.v1.ApiKey"');
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true });
    expect(requests).toHaveLength(2);
  });

  it("is retried on 500 and on a timeout with the same Idempotency-Key and request id", async () => {
    const { iam, requests } = client([json(500, status(13, "boom")), new TypeError("fetch failed"), json(200, doneUpdate())]);
    await iam.apiKeys.update(KEY.id, { description: "x" });
    const patches = requests.filter((r) => r.method === "PATCH");
    expect(patches).toHaveLength(3);
    for (const header of ["idempotency-key", "x-client-request-id"])
      expect(new Set(patches.map((r) => r.headers.get(header))).size).toBe(1);
  });
});

describe("delete", () => {
  it("resolves once the operation is done", async () => {
    const { iam, requests } = client([json(200, pendingDelete), json(200, doneDelete)]);
    expect(await iam.apiKeys.delete(KEY.id)).toBeUndefined();
    expect(urls(requests)).toEqual([`DELETE http://127.0.0.1:9/iam/v1/apiKeys/${KEY.id}`, "GET http://127.0.0.1:9/operations/op2"]);
  });

  it("accepts Empty without value too", async () => {
    const { iam } = client([json(200, { ...doneDelete, response: { "@type": `${T}google.protobuf.Empty` } })]);
    await expect(iam.apiKeys.delete(KEY.id)).resolves.toBeUndefined();
  });

  it("is retried with the same headers; NOT_FOUND after an attempt with an unknown outcome means it is deleted", async () => {
    const { iam, requests } = client([json(504, status(4, "deadline")), json(404, status(5, "ApiKey not found"))]);
    expect(await iam.apiKeys.delete(KEY.id)).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(requests[0]?.headers.get("idempotency-key")).toBe(requests[1]?.headers.get("idempotency-key"));
  });

  it("the same after a dropped connection, and wait: false then resolves with undefined", async () => {
    const { iam } = client([new TypeError("fetch failed"), json(404, status(5, "ApiKey not found"))]);
    expect(await iam.apiKeys.delete(KEY.id, { wait: false })).toBeUndefined();
  });

  it("NOT_FOUND on a first attempt (or after a 503, which did nothing) is an IamApiError", async () => {
    for (const steps of [
      [json(404, status(5, "ApiKey not found"))],
      [json(503, status(14, "busy")), json(404, status(5, "ApiKey not found"))],
    ]) {
      const { iam } = client(steps);
      const error = await rejection(iam.apiKeys.delete(KEY.id));
      expect(error).toBeInstanceOf(IamApiError);
      expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND", operation: "deleteApiKey" });
    }
  });
});

describe("waiting", () => {
  it("polls fast at first and backs off to the cap", async () => {
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms: number) => {
      // Note: only the polling waits are short; the attempt and deadline timers keep their real length.
      if (ms < 1000) delays.push(ms);
      return realSetTimeout(fn, ms < 1000 ? 0 : ms);
    }) as typeof setTimeout);
    try {
      const { iam } = client([json(200, pendingUpdate), ...Array(6).fill(json(200, pendingUpdate)), json(200, doneUpdate())], {
        polling: { initialDelayMs: 50, maxDelayMs: 400, maxWaitMs: 60_000 },
        timeoutMs: 5_000,
      });
      await iam.apiKeys.update(KEY.id, { description: "x" });
      expect(delays).toEqual([50, 100, 200, 400, 400, 400, 400]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("operations.wait takes an id or an Operation, and operations.get answers it as it is", async () => {
    const { iam, requests } = client([json(200, pendingDelete), json(200, doneDelete)]);
    expect(await iam.operations.wait("op2")).toEqual(doneDelete);
    expect(await iam.operations.wait(doneDelete)).toEqual(doneDelete);
    expect(await iam.operations.get("op2")).toEqual(doneDelete);
    expect(urls(requests)).toEqual(Array(3).fill("GET http://127.0.0.1:9/operations/op2"));
  });

  it("a wait that runs past maxWaitMs throws an IamWaitTimeoutError, not a network error, that names the operation", async () => {
    const { iam } = client([json(200, pendingUpdate)]);
    const error = await iam.operations.wait(pendingUpdate, { maxWaitMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IamWaitTimeoutError);
    expect(error).not.toBeInstanceOf(IamNetworkError);
    expect(error).not.toBeInstanceOf(IamTimeoutError);
    // Note: a compile-time check too: operationId is in the declared type.
    const operationId: string = (error as IamWaitTimeoutError).operationId;
    expect(operationId).toBe("op1");
    expect((error as Error).message).toBe(
      'getOperation: operation op1 is not done after 30 ms; the change was accepted as operation op1 and may still finish: wait for it with operations.wait("op1")',
    );
  });

  it("the client's polling.maxWaitMs bounds update's wait too", async () => {
    const { iam } = client([json(200, pendingUpdate)], { polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 30 } });
    const error = await rejection(iam.apiKeys.update(KEY.id, { description: "x" }));
    expect(error).toBeInstanceOf(IamWaitTimeoutError);
    expect(error).toMatchObject({ operation: "updateApiKey", operationId: "op1" });
  });

  it("wait refuses what is not an Operation or its id, before anything is sent", async () => {
    const { iam, requests } = client([json(200, doneDelete)]);
    for (const given of [undefined, null, {}, "", { id: 7 }]) {
      const error = await rejection(iam.operations.wait(given as never));
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.message).toContain("operation must be an Operation or its id");
    }
    expect(await rejection(iam.operations.wait("op2", { maxWaitMs: Number.NaN }))).toBeInstanceOf(IamInputError);
    expect(requests.length).toBe(0);
  });

  it("the caller's abort during a wait is an IamWaitError with the operation to wait for and the caller's reason, and stops polling", async () => {
    const { iam, requests } = client([json(200, pendingUpdate)]);
    const controller = new AbortController();
    const reason = new Error("caller stopped");
    setTimeout(() => controller.abort(reason), 20);
    const error = await rejection(iam.operations.wait(pendingUpdate, { signal: controller.signal }));
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true, cause: reason });
    expect(error.message).toContain('may still finish: wait for it with operations.wait("op1")');
    const count = requests.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(requests.length).toBe(count);
  });
});

describe("servers", () => {
  it("operations go to operationBaseUrl; to baseUrl when only that is given; to the document's server by default", async () => {
    const seen: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      seen.push(new URL(input instanceof Request ? input.url : input).origin);
      return json(200, doneDelete);
    }) as typeof globalThis.fetch;
    await createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1", operationBaseUrl: "http://127.0.0.1:2" }).operations.get(
      "op2",
    );
    await createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1" }).operations.get("op2");
    await createIamClient({ token: TOKEN, fetch }).operations.get("op2");
    await createIamClient({ token: TOKEN, fetch }).apiKeys.delete(KEY.id, { wait: false });
    // raw routes by the document's servers as the wrapper does.
    const routed = createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1/", operationBaseUrl: "http://127.0.0.1:2" });
    await routed.raw.GET("/operations/{operationId}", { params: { path: { operationId: "op2" } } });
    await routed.raw.GET("/iam/v1/apiKeys/{apiKeyId}", { params: { path: { apiKeyId: KEY.id } } });
    await createIamClient({ token: TOKEN, fetch }).raw.GET("/operations/{operationId}", { params: { path: { operationId: "op2" } } });
    expect(seen).toEqual([
      "http://127.0.0.1:2",
      "http://127.0.0.1:1",
      "https://operation.api.cloud.yandex.net",
      "https://iam.api.cloud.yandex.net",
      "http://127.0.0.1:2",
      "http://127.0.0.1:1",
      "https://operation.api.cloud.yandex.net",
    ]);
  });

  it("raw copies a request to move it to its path's server only when that server is elsewhere (not for a mock given as baseUrl alone)", async () => {
    const fetch = (async () => json(200, doneDelete)) as typeof globalThis.fetch;
    const alone = createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1" });
    const apart = createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1", operationBaseUrl: "http://127.0.0.1:2" });
    // Note: the Requests built after the clients were made: openapi-fetch keeps the class it was made with, the middleware does not.
    let copies = 0;
    vi.stubGlobal(
      "Request",
      class extends Request {
        constructor(...args: ConstructorParameters<typeof Request>) {
          super(...args);
          copies++;
        }
      },
    );
    try {
      const byId = { params: { path: { operationId: "op2" } } };
      await alone.raw.GET("/operations/{operationId}", byId);
      expect(copies).toBe(0);
      await apart.raw.GET("/operations/{operationId}", byId);
      expect(copies).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("raw moves a request with a body to its path's server with its method, headers and body", async () => {
    const sent: { url: string; method: string; type: string | null; body: string }[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      const request = input as Request;
      sent.push({ url: request.url, method: request.method, type: request.headers.get("content-type"), body: await request.text() });
      return json(200, {});
    }) as typeof globalThis.fetch;
    const body = { accessBindings: [{ roleId: "viewer", subject: { id: "aje5td1ghq17f106w3fp", type: "userAccount" as const } }] };
    const options = { params: { path: { folderId: "b1gvmob95yysaplct532" } }, body };
    await createIamClient({ token: TOKEN, fetch }).raw.POST("/resource-manager/v1/folders/{folderId}:setAccessBindings", options);
    // Note: the control: a mock given as baseUrl alone serves the path itself, so the request stays.
    await createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1" }).raw.POST(
      "/resource-manager/v1/folders/{folderId}:setAccessBindings",
      options,
    );
    const path = "/resource-manager/v1/folders/b1gvmob95yysaplct532:setAccessBindings";
    expect(sent).toEqual(
      ["https://resource-manager.api.cloud.yandex.net", "http://127.0.0.1:1"].map((origin) => ({
        url: origin + path,
        method: "POST",
        type: "application/json",
        body: JSON.stringify(body),
      })),
    );
  });
});

describe("the lists", () => {
  it("listOperations and listScopes send their paging and always answer an array", async () => {
    const { iam, requests } = client([
      json(200, { operations: [doneDelete], nextPageToken: "n" }),
      json(200, {}),
      json(200, { scopes: ["a"] }),
      json(200, {}),
    ]);
    expect(await iam.apiKeys.listOperations(KEY.id, { pageSize: 1 })).toEqual({ operations: [doneDelete], nextPageToken: "n" });
    expect(await iam.apiKeys.listOperations(KEY.id)).toEqual({ operations: [] });
    expect(await iam.apiKeys.listScopes({ pageToken: "p" })).toEqual({ scopes: ["a"] });
    expect(await iam.apiKeys.listScopes()).toEqual({ scopes: [] });
    expect(urls(requests)).toEqual([
      `GET http://127.0.0.1:9/iam/v1/apiKeys/${KEY.id}/operations?pageSize=1`,
      `GET http://127.0.0.1:9/iam/v1/apiKeys/${KEY.id}/operations`,
      "GET http://127.0.0.1:9/iam/v1/apiKeyScopes?pageToken=p",
      "GET http://127.0.0.1:9/iam/v1/apiKeyScopes",
    ]);
  });

  it("listAllOperations and listAllScopes walk every page lazily", async () => {
    const { iam, requests } = client([
      json(200, { scopes: ["a", "b"], nextPageToken: "p2" }),
      json(200, { scopes: ["c"] }),
      json(200, { operations: [doneDelete], nextPageToken: "q2" }),
      json(200, { operations: [doneUpdate()], nextPageToken: "" }),
    ]);
    const scopes: string[] = [];
    for await (const scope of iam.apiKeys.listAllScopes({ pageSize: 2 })) scopes.push(scope);
    expect(scopes).toEqual(["a", "b", "c"]);
    const ids: string[] = [];
    for await (const op of iam.apiKeys.listAllOperations(KEY.id)) ids.push(op.id);
    expect(ids).toEqual(["op2", "op1"]);
    expect(new URL(requests[1]?.url ?? "").searchParams.get("pageToken")).toBe("p2");
    expect(requests).toHaveLength(4);
  });

  it.each([
    [
      "listOperations pageSize 1001",
      (iam: ReturnType<typeof createIamClient>) => iam.apiKeys.listOperations(KEY.id, { pageSize: 1001 }),
      "pageSize must be at most 1000 (is 1001)",
    ],
    [
      "listOperations pageSize -1",
      (iam: ReturnType<typeof createIamClient>) => iam.apiKeys.listOperations(KEY.id, { pageSize: -1 }),
      "pageSize must be at least 0 (is -1)",
    ],
    [
      "listScopes pageToken of 2001",
      (iam: ReturnType<typeof createIamClient>) => iam.apiKeys.listScopes({ pageToken: "x".repeat(2001) }),
      "pageToken must be at most 2000 characters (has 2001)",
    ],
    [
      "listScopes an unknown parameter",
      (iam: ReturnType<typeof createIamClient>) => iam.apiKeys.listScopes({ serviceAccountId: "sa" } as never),
      "serviceAccountId is not a known field (known: pageSize, pageToken)",
    ],
    [
      "listAllScopes pageSize 1.5",
      (iam: ReturnType<typeof createIamClient>) => iam.apiKeys.listAllScopes({ pageSize: 1.5 }).next(),
      "pageSize must be a whole number, not 1.5",
    ],
  ])("%s is an IamInputError with zero requests sent", async (_, call, message) => {
    const { iam, requests } = client([json(200, {})]);
    const error = await rejection(call(iam));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.message).toContain(message);
    expect(requests).toHaveLength(0);
  });

  it("a repeated page token fails loudly, naming the list", async () => {
    const { iam } = client([json(200, { scopes: ["a"], nextPageToken: "same" })]);
    const error = await rejection(
      (async () => {
        for await (const _ of iam.apiKeys.listAllScopes()) {
        }
      })(),
    );
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error.message).toBe("listApiKeyScopes: page 2 breaks the contract: nextPageToken repeats an earlier page's token");
  });
});
