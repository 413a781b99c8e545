// One outcome model for every write: after any failure the caller knows whether the call may have changed something
// (`outcomeUnknown`), and for a change the server accepted, which operation to wait for (`operationId`).
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  createIamClient,
  IamAbortError,
  IamApiError,
  IamError,
  IamInputError,
  IamNetworkError,
  IamOperationError,
  IamResponseError,
  IamTimeoutError,
  IamWaitError,
  IamWaitTimeoutError,
} from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { scriptedClient } from "../support/scripted-client.ts";
import { json, type Step } from "../support/scripted-fetch.ts";
import { rejection, renderings, SECRET, secret, TOKEN } from "../support/secrets.ts";

const ACCOUNT = "ajeg2b2et02f3tl2c1pj";
const KEY = { id: "aje3ho9atbhf4aq6c2ok", serviceAccountId: ACCOUNT, createdAt: "2025-03-03T16:29:04Z" };
const CREATED = { apiKey: { ...KEY, maskedSecret: "****Qx7_b2" }, secret: SECRET };
const RUNNING = { id: "op1", done: false };
const SUBJECT = { id: "ajeother0account0sa1", type: "serviceAccount" } as const;
const ADVICE = "; the outcome is unknown: it may have changed something, so get or list to find out before trying again";
const WAIT_FOR = 'the change was accepted as operation op1 and may still finish: wait for it with operations.wait("op1")';

const status = (code: number, message: string) => ({ code, message, details: [] });
const lost = () => new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
const refused = () => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
/** A fetch that never answers until its signal aborts, as a slow server. */
const hanging: Step = (request) =>
  new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true }));

/** Every write of every retry class, each sent once with the client's defaults (update answers an Operation at once). */
const WRITES: [string, (iam: ReturnType<typeof scriptedClient>["iam"]) => Promise<unknown>][] = [
  ["apiKeys.create (create class)", (iam) => iam.apiKeys.create()],
  ["apiKeys.update", (iam) => iam.apiKeys.update(KEY.id, { description: "d" })],
  ["apiKeys.delete", (iam) => iam.apiKeys.delete(KEY.id)],
  ["serviceAccounts.create", (iam) => iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "robot" })],
  ["serviceAccounts.suspend", (iam) => iam.serviceAccounts.suspend(ACCOUNT)],
  ["serviceAccounts.reactivate", (iam) => iam.serviceAccounts.reactivate(ACCOUNT)],
  ["serviceAccounts.grant", (iam) => iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT)],
  ["serviceAccounts.revoke", (iam) => iam.serviceAccounts.revoke(ACCOUNT, "viewer", SUBJECT)],
  ["serviceAccounts.setAccessBindings", (iam) => iam.serviceAccounts.setAccessBindings(ACCOUNT, [{ roleId: "viewer", subject: SUBJECT }])],
];

describe("every write: outcomeUnknown when an attempt may have acted and nothing settled it", () => {
  const cases: [string, boolean, Step[]][] = [
    ["retries that ran out on lost answers", true, [lost()]],
    ["a 500, then 503s", true, [json(500, status(13, "internal")), json(503, status(14, "down"))]],
    ["a lost answer, then a refusal (400)", true, [lost(), json(400, status(3, "bad"))]],
    ["a lost answer, then 503s", true, [lost(), json(503, status(14, "down"))]],
    ["a 504 after a refused connection", true, [refused(), json(504, status(4, "deadline"))]],
    ["Response.error() from the caller's fetch (its network error)", true, [() => Response.error()]],
    ["a 503, then what is no Response at all", true, [json(503, status(14, "down")), () => ({}) as Response]],
    ["only 503s: the server said it did not act", false, [json(503, status(14, "down"))]],
    ["only 429s", false, [json(429, status(8, "slow"))]],
    ["a refused connection, then a refusal (403)", false, [refused(), json(403, status(7, "denied"))]],
    ["a refusal at once (409)", false, [json(409, status(6, "exists"))]],
  ];
  for (const [write, run] of WRITES)
    it.each(cases)(`${write}: %s → outcomeUnknown %s`, async (_, unknown, steps) => {
      const { iam } = scriptedClient(steps);
      const error = await rejection(run(iam));
      expect(error).toBeInstanceOf(IamError);
      expect(error.outcomeUnknown).toBe(unknown);
      expect(error.message.endsWith(ADVICE)).toBe(unknown);
    });

  it("a read that fails the same way changes nothing, so its outcome is never unknown", async () => {
    const { iam } = scriptedClient([json(500, status(13, "internal"))]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toMatchObject({ outcomeUnknown: false, attempts: 3 });
    const timedOut = await rejection(scriptedClient([lost()]).iam.serviceAccounts.get(ACCOUNT));
    expect(timedOut).toBeInstanceOf(IamNetworkError);
    expect(timedOut.outcomeUnknown).toBe(false);
  });

  it("a token source that fails after an attempt that may have acted leaves the outcome unknown", async () => {
    let asked = 0;
    const { iam } = scriptedClient([lost()], {
      token: async () => {
        if (++asked > 1) throw new Error("vault down");
        return "t1.token-for-the-first-attempt";
      },
    });
    const error = await rejection(iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT));
    expect(error).toMatchObject({ name: "IamTokenError", outcomeUnknown: true, attempts: 1 });
    expect(error.message.endsWith(ADVICE)).toBe(true);
  });
});

describe("a change the server accepted keeps its operation when the wait fails", () => {
  it("a poll that fails on the network: IamWaitError with the operation, the poll's error as cause", async () => {
    const { iam } = scriptedClient([json(200, RUNNING), lost()]);
    const error = await rejection(iam.apiKeys.update(KEY.id, { description: "d" }));
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operation: "updateApiKey", operationId: "op1", outcomeUnknown: true, attempts: 3 });
    expect(error.cause).toBeInstanceOf(IamNetworkError);
    expect(error.message).toBe(
      `updateApiKey: waiting for operation op1 failed: getOperation: no answer: fetch failed (other side closed); ${WAIT_FOR}`,
    );
  });

  it("a poll answered 500 on every attempt, for a service-account create", async () => {
    const { iam } = scriptedClient([json(200, RUNNING), json(500, status(13, "internal"))]);
    const error = await rejection(iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "robot" }));
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operation: "createServiceAccount", operationId: "op1", outcomeUnknown: true });
    expect(error.cause).toBeInstanceOf(IamApiError);
  });

  it("the wait's time-out counts the polls it sent and says how to wait again", async () => {
    const { iam, requests } = scriptedClient([json(200, RUNNING), json(200, RUNNING)], {
      polling: { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: 40 },
    });
    const error = await rejection(iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT));
    expect(error).toBeInstanceOf(IamWaitTimeoutError);
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true });
    const polls = requests.filter((r) => r.url.includes("/operations/")).length;
    expect(polls).toBeGreaterThan(0);
    expect(error.attempts).toBe(polls);
    expect(error.message).toContain(WAIT_FOR);
  });

  it("the caller's abort during the wait: IamWaitError with the caller's reason as cause, not a bare AbortError", async () => {
    const { iam } = scriptedClient([json(200, RUNNING), json(200, RUNNING)]);
    const controller = new AbortController();
    const reason = new Error("shutting down");
    setTimeout(() => controller.abort(reason), 15);
    const error = await rejection(iam.serviceAccounts.setAccessBindings(ACCOUNT, [], { signal: controller.signal, removeAll: true }));
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true });
    expect(error.cause).toBe(reason);
  });

  it("an Operation answer that breaks the contract but names its id keeps the id: the change may have been accepted", async () => {
    const { iam } = scriptedClient([json(200, { id: "op1", done: "no" })]);
    const error = await rejection(iam.apiKeys.delete(KEY.id));
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true });
    expect(error.message).toContain(WAIT_FOR);
  });

  it("a done operation whose result breaks the contract: the change happened, its result is unknown", async () => {
    const { iam } = scriptedClient([
      json(200, { id: "op1", done: true, response: { "@type": "type.googleapis.com/yandex.cloud.iam.v1.ApiKey", id: 5 } }),
    ]);
    const error = await rejection(iam.apiKeys.update(KEY.id, { description: "d" }));
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true });
    expect(error.message.endsWith(ADVICE)).toBe(true);
  });

  it("an accepted change whose Operation describes its metadata otherwise (a new @type, other fields) still resolves", async () => {
    const metadata = { "@type": "type.googleapis.com/yandex.cloud.iam.v2.DeleteApiKeyMetadata", apiKeyId: 5, extra: true };
    const { iam } = scriptedClient([
      json(200, { id: "op1", done: true, metadata, response: { "@type": "type.googleapis.com/google.protobuf.Empty" } }),
    ]);
    expect(await iam.apiKeys.delete(KEY.id)).toBeUndefined();
  });

  it("a failed operation is a known outcome: IamOperationError, outcomeUnknown false", async () => {
    const { iam } = scriptedClient([json(200, { id: "op1", done: true, error: status(9, "not now") })]);
    const error = await rejection(iam.apiKeys.delete(KEY.id));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: false, codeName: "FAILED_PRECONDITION" });
  });

  it("an operation that fails after polls counts the requests its polls sent, a poll's retries included", async () => {
    const { iam, requests } = scriptedClient([
      json(200, RUNNING),
      json(200, RUNNING),
      json(503, status(14, "down")),
      json(200, { id: "op1", done: true, error: status(9, "no") }),
    ]);
    const error = await rejection(iam.apiKeys.delete(KEY.id));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error.attempts).toBe(requests.filter((r) => r.url.includes("/operations/")).length);
    expect(error.attempts).toBe(3);
  });
});

describe("the caller's abort", () => {
  it("after a create was sent: IamAbortError, outcomeUnknown, the caller's reason as cause", async () => {
    const { iam, requests } = scriptedClient([hanging]);
    const controller = new AbortController();
    const reason = new Error("user pressed ctrl-c");
    setTimeout(() => controller.abort(reason), 10);
    const error = await rejection(iam.apiKeys.create({}, { signal: controller.signal }));
    expect(error).toBeInstanceOf(IamAbortError);
    expect(error).toMatchObject({ operation: "createApiKey", outcomeUnknown: true, attempts: 1, cause: reason });
    expect(error.message).toBe(`createApiKey: aborted by the caller after it was sent${ADVICE}`);
    expect(requests).toHaveLength(1);
  });

  it("after an earlier attempt may have acted, during the wait before the next one: IamAbortError", async () => {
    // Note: a 500 that asks for 5 s: the wait before the next attempt is certain to be under way when the abort comes.
    const { iam } = scriptedClient([json(500, status(13, "internal"), { "retry-after": "5" }), json(200, RUNNING)], {
      retry: { maxAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 5_000 },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 10);
    const error = await rejection(iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT, { signal: controller.signal }));
    expect(error).toBeInstanceOf(IamAbortError);
    expect(error.outcomeUnknown).toBe(true);
  });

  it("before anything was sent, or of a read: the caller's own reason, as it is", async () => {
    const controller = new AbortController();
    const reason = new Error("never mind");
    controller.abort(reason);
    expect(await rejection(scriptedClient([json(200, CREATED)]).iam.apiKeys.create({}, { signal: controller.signal }))).toBe(reason);
    const later = new AbortController();
    setTimeout(() => later.abort(reason), 10);
    expect(await rejection(scriptedClient([hanging]).iam.apiKeys.list({}, { signal: later.signal }))).toBe(reason);
  });
});

describe("a created secret is never thrown away", () => {
  const created = (apiKey: object, extra: object = {}) => json(200, { apiKey: { ...KEY, ...apiKey }, secret: SECRET, ...extra });
  it.each([
    ["an extra field in the key", created({ newField: { nested: true } })],
    ["an extra field beside the secret", created({}, { warnings: ["x"] })],
    ["a missing optional field", json(200, { apiKey: { id: KEY.id, serviceAccountId: ACCOUNT }, secret: SECRET })],
    ["a field of a type the document does not say", created({ description: 42 })],
  ])("an API key's create answer with %s still hands over the secret", async (_, answer) => {
    const { iam } = scriptedClient([answer]);
    expect((await iam.apiKeys.create()).secret).toBe(SECRET);
  });

  const PRIVATE_KEY = secret("PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <k>\n-----BEGIN PRIVATE KEY-----\nMIIsecret\n");
  it.each([
    ["an unknown key algorithm", { keyAlgorithm: "RSA_8192" }],
    ["no key algorithm (proto3 leaves out the first value)", {}],
    ["an unknown format", { keyAlgorithm: "RSA_2048", format: "PEM_FILE_V2" }],
  ])("an authorized key's create answer with %s still hands over the private key", async (_, fields) => {
    const key = { id: "ajekey0000000000000x", serviceAccountId: ACCOUNT, createdAt: "2026-01-01T00:00:00Z", publicKey: "pub", ...fields };
    const { iam } = scriptedClient([json(200, { key, privateKey: PRIVATE_KEY })]);
    expect((await iam.keys.create({ serviceAccountId: ACCOUNT })).privateKey).toBe(PRIVATE_KEY);
  });

  it("a static key's create answer with an extra field still hands over the secret", async () => {
    const accessKey = {
      id: "ajeacc0000000000000x",
      serviceAccountId: ACCOUNT,
      keyId: "YCAJEexample0000000",
      lastUsedAt: "soon",
      future: 1,
    };
    const { iam } = scriptedClient([json(200, { accessKey, secret: SECRET })]);
    expect((await iam.accessKeys.create({ serviceAccountId: ACCOUNT })).secret).toBe(SECRET);
  });

  it.each([
    ["an API key without its secret", (iam: any) => iam.apiKeys.create(), { apiKey: KEY }, "secret"],
    ["an API key without its id", (iam: any) => iam.apiKeys.create(), { apiKey: {}, secret: SECRET }, "apiKey.id"],
    [
      "an authorized key without its id",
      (iam: any) => iam.keys.create(),
      { key: { serviceAccountId: ACCOUNT }, privateKey: PRIVATE_KEY },
      "key.id",
    ],
    [
      "an authorized key without its owner (a key file needs it)",
      (iam: any) => iam.keys.create(),
      { key: { id: "ajekey0000000000000x" }, privateKey: PRIVATE_KEY },
      "key.serviceAccountId or key.userAccountId",
    ],
    [
      "a static key without its key id",
      (iam: any) => iam.accessKeys.create(),
      { accessKey: { id: "a" }, secret: SECRET },
      "accessKey.keyId",
    ],
    [
      "a static key without its id",
      (iam: any) => iam.accessKeys.create(),
      { accessKey: { keyId: "YCAJE0" }, secret: SECRET },
      "accessKey.id",
    ],
  ])("%s cannot be used: IamResponseError, outcomeUnknown, never the secret in it", async (_, run, body, path) => {
    const { iam } = scriptedClient([json(200, body)]);
    const error = await rejection(run(iam));
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.problems.map((p: { path: string }) => p.path)).toEqual([path]);
    expect(error.message.endsWith(ADVICE)).toBe(true);
    for (const text of renderings(error)) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("MIIsecret");
    }
  });
});

describe("a credential given where an id goes", () => {
  it("is scrubbed from the error's request URL as from its message: a token pasted as a key id never shows", async () => {
    const { iam } = scriptedClient([json(404, status(5, `ApiKey ${TOKEN} not found`))]);
    const error = await rejection(iam.apiKeys.get(TOKEN));
    expect(error.request.url).toBe("http://127.0.0.1:9/iam/v1/apiKeys/[REDACTED]");
    for (const text of renderings(error)) expect(text).not.toContain(TOKEN);
  });
});

describe("redaction by allow-list", () => {
  const GATEWAY = secret("gw-key-MUST-never-appear-0001");
  const COOKIE = secret("session=cookie-MUST-never-appear-0002");
  const PROXY = secret("Basic proxy-MUST-never-appear-0003");
  const CALL = secret("per-call-header-MUST-never-appear-04");
  const headers = { "X-Gateway-Key": GATEWAY, Cookie: COOKIE, "Proxy-Authorization": PROXY };

  const paths: [string, Step[], (iam: any, signal: AbortSignal) => Promise<unknown>, object?][] = [
    [
      "an error status (IamApiError)",
      [json(403, status(7, "denied"))],
      (iam, signal) => iam.apiKeys.list({}, { signal, headers: { "X-Call": CALL } }),
    ],
    ["a lost answer (IamNetworkError)", [lost()], (iam, signal) => iam.apiKeys.create({}, { signal, headers: { "X-Call": CALL } })],
    [
      "a time-out (IamTimeoutError)",
      [hanging],
      (iam, signal) => iam.apiKeys.get(KEY.id, { signal, timeoutMs: 5, headers: { "X-Call": CALL } }),
    ],
    [
      "a broken answer (IamResponseError)",
      [json(200, "nope")],
      (iam, signal) => iam.apiKeys.list({}, { signal, headers: { "X-Call": CALL } }),
    ],
    [
      "a failed wait (IamWaitError)",
      [json(200, RUNNING), lost()],
      (iam, signal) => iam.apiKeys.delete(KEY.id, { signal, headers: { "X-Call": CALL } }),
    ],
    [
      "a failed operation (IamOperationError)",
      [json(200, { id: "op1", done: true, error: status(5, "gone") })],
      (iam, signal) => iam.apiKeys.delete(KEY.id, { signal, headers: { "X-Call": CALL } }),
    ],
  ];
  it.each(paths)("%s shows the harmless headers and redacts the caller's own", async (_, steps, run) => {
    const { iam } = scriptedClient(steps, { headers });
    const error = await rejection(run(iam, new AbortController().signal));
    expect(error).toBeInstanceOf(IamError);
    for (const text of renderings(error))
      for (const value of [GATEWAY, COOKIE, PROXY, CALL, "proxy-MUST"]) expect(text).not.toContain(value);
    // Note: an operation's failure comes from a poll's answer: the request that started it is not on the error.
    if (error instanceof IamOperationError) return;
    const summary = error.request ?? error.cause.request;
    expect(summary).toBeDefined();
    const shown: Record<string, string> = summary.headers;
    expect(shown).toMatchObject({
      "x-gateway-key": "[REDACTED]",
      cookie: "[REDACTED]",
      "proxy-authorization": "[REDACTED]",
      "x-call": "[REDACTED]",
    });
    expect(shown.authorization).toBe("Bearer [REDACTED]");
    expect(shown["x-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the fake's log of requests keeps the same allow-list", async () => {
    const fake = createFakeIam();
    const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch, headers });
    await iam.apiKeys.list({}, { headers: { "X-Call": CALL } });
    const [logged] = fake.requests;
    expect(logged?.headers).toMatchObject({ "x-gateway-key": "[REDACTED]", cookie: "[REDACTED]", "x-call": "[REDACTED]" });
    expect(logged?.headers["x-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(fake.requests)).not.toMatch(/MUST-never-appear/);
  });

  it("an abort after sending (IamAbortError) redacts them too", async () => {
    const { iam } = scriptedClient([hanging], { headers });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 5);
    const error = await rejection(iam.apiKeys.create({}, { signal: controller.signal }));
    expect(error).toBeInstanceOf(IamAbortError);
    for (const text of renderings(error)) for (const value of [GATEWAY, COOKIE, PROXY]) expect(text).not.toContain(value);
    expect(error.request.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("a caller's own fetch and gateways that echo", () => {
  it("an error of any class from the caller's fetch, after sending, is a network failure: IamNetworkError, outcomeUnknown for a write", async () => {
    class FetchError extends Error {
      code = "ECONNRESET";
    }
    const { iam, requests } = scriptedClient([new FetchError("socket hang up")]);
    const error = await rejection(iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT));
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 3 });
    expect(error.cause).toBeInstanceOf(FetchError);
    expect(requests).toHaveLength(3);
  });

  it("a refused connection whose code is on the error itself (node-fetch) is never sent: a create is retried", async () => {
    const refusedHere = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const { iam, requests } = scriptedClient([refusedHere, json(200, CREATED)]);
    expect((await iam.apiKeys.create()).secret).toBe(SECRET);
    expect(requests).toHaveLength(2);
  });

  it("a port Node's fetch refuses to use (9, blocked by the Fetch standard) is never sent: a create is tried again, outcome known", async () => {
    // Note: Node's own fetch, on loopback: it refuses the port before connecting, so nothing leaves this process.
    const iam = createIamClient({ baseUrl: "http://127.0.0.1:9", token: TOKEN, retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 } });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: false, attempts: 2 });
    expect(error.message).toContain("bad port");
  });

  it("an error body that echoes the request's headers shows none of the caller's own", async () => {
    const gateway = secret("gw-echoed-SECRET-1234567890");
    const echo: Step = (request) =>
      json(403, { code: 7, message: `denied; you sent x-gateway-key: ${request.headers.get("x-gateway-key")}` });
    const { iam } = scriptedClient([echo], { headers: { "X-Gateway-Key": gateway } });
    const error = await rejection(iam.apiKeys.list());
    expect(error.serverMessage).toBe("denied; you sent x-gateway-key: [REDACTED]");
    for (const text of renderings(error)) expect(text).not.toContain(gateway);
  });
});

describe("what the fault drive found", () => {
  it("a 2xx answer whose body fails to arrive, with an error of any class: IamNetworkError, outcomeUnknown for a create", async () => {
    const broken: Step = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"apiKey":{"id":"a'));
            controller.error(new DOMException("The operation timed out.", "TimeoutError"));
          },
        }),
        { status: 200 },
      );
    const { iam, requests } = scriptedClient([broken]);
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(error.message).toMatch(/^createApiKey: the answer could not be read: The operation timed out\./);
    expect(requests).toHaveLength(1);
  });

  it("a token slower than timeoutMs: nothing is sent, so the attempt is retried and the outcome is known", async () => {
    let asked = 0;
    const slowOnce = () =>
      ++asked === 1 ? new Promise<string>((resolve) => setTimeout(() => resolve("t1.slow-token"), 2_000)) : "t1.fast-token";
    const { iam, requests } = scriptedClient([json(503, status(14, "down"))], { token: slowOnce, timeoutMs: 300 });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 503, outcomeUnknown: false, attempts: 2 });
    expect(requests).toHaveLength(2);
    const { iam: alone } = scriptedClient([json(200, CREATED)], {
      token: () => new Promise<string>(() => {}),
      timeoutMs: 10,
      retry: false,
    });
    const timedOut = await rejection(alone.apiKeys.create());
    expect(timedOut).toBeInstanceOf(IamTimeoutError);
    expect(timedOut).toMatchObject({ outcomeUnknown: false, attempts: 0 });
    expect(timedOut.message).toBe("createApiKey: no token within 10 ms, so this attempt was not sent");
  });

  it("a token function that aborts the caller's own signal: the caller's reason, no call left hanging", async () => {
    const controller = new AbortController();
    const reason = new Error("aborted from inside");
    const { iam, requests } = scriptedClient([json(200, CREATED)], {
      token: () => {
        controller.abort(reason);
        return new Promise<string>(() => {});
      },
    });
    expect(await rejection(iam.apiKeys.create({}, { signal: controller.signal }))).toBe(reason);
    expect(requests).toHaveLength(0);
  });

  it("a network failure whose words echo a caller's header shows none of it", async () => {
    const gateway = secret("gw-in-a-network-error-1234567");
    const echoing: Step = (request) => {
      throw new TypeError("fetch failed", { cause: new Error(`proxy refused x-gateway-key ${request.headers.get("x-gateway-key")}`) });
    };
    const { iam } = scriptedClient([echoing], { headers: { "X-Gateway-Key": gateway }, retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error.message).toBe("listApiKeys: no answer: fetch failed (proxy refused x-gateway-key [REDACTED])");
    // Note: a cause that shows the value is kept only as its words, scrubbed the same way.
    expect(error.cause.message).toBe("fetch failed (proxy refused x-gateway-key [REDACTED])");
  });

  it("the caller's abort while a token function ignores it: the caller's reason at once, nothing sent", async () => {
    const { iam, requests } = scriptedClient([json(200, CREATED)], { token: () => new Promise<string>(() => {}) });
    const controller = new AbortController();
    const reason = new Error("stop asking");
    setTimeout(() => controller.abort(reason), 10);
    expect(await rejection(iam.apiKeys.create({}, { signal: controller.signal }))).toBe(reason);
    expect(requests).toHaveLength(0);
  });

  it("operations.wait(id) of an operation the server does not show (404) is its refusal as it is, not a change that may finish", async () => {
    const { iam } = scriptedClient([json(404, status(5, "Operation nope not found"))]);
    const error = await rejection(iam.operations.wait("nope"));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 404, outcomeUnknown: false });
    expect(error.operationId).toBeUndefined();
  });

  it("operations.wait(id) reads the operation within the wait: a failure of that first read is an IamWaitError with the id", async () => {
    const { iam, requests } = scriptedClient([lost()]);
    const error = await rejection(iam.operations.wait("op1", { headers: { "X-Trace": "t" } }));
    expect(error).toBeInstanceOf(IamWaitError);
    expect(error).toMatchObject({ operationId: "op1", outcomeUnknown: true, attempts: 3 });
    expect(requests.every((r) => r.headers.get("x-trace") === "t")).toBe(true);
    const timedOut = await rejection(scriptedClient([hanging]).iam.operations.wait("op2", { maxWaitMs: 30, timeoutMs: 10_000 }));
    expect(timedOut).toBeInstanceOf(IamWaitTimeoutError);
    expect(timedOut.operationId).toBe("op2");
  });

  it("a signal that is no AbortSignal, or headers as a Headers object, are IamInputErrors naming the option, before sending", async () => {
    const { iam, requests } = scriptedClient([json(200, { apiKeys: [] })]);
    const error = await rejection(iam.apiKeys.list({}, { signal: {} as AbortSignal, headers: new Headers({ a: "b" }) as never }));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["options.headers", "options.signal"]);
    expect(requests).toHaveLength(0);
  });
});

describe("gRPC codes this client does not name", () => {
  it("an error body with code 42 keeps its code and message", async () => {
    const { iam } = scriptedClient([json(400, { code: 42, message: "a new kind of refusal", details: [] })]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 400, code: 42, codeName: undefined, serverMessage: "a new kind of refusal" });
    expect(error.message).toBe("listApiKeys: HTTP 400 code 42: a new kind of refusal");
  });

  it("an Operation that fails with code 42 keeps its code and its operation id", async () => {
    const { iam } = scriptedClient([json(200, { id: "op1", done: true, error: { code: 42, message: "new" } })]);
    const error = await rejection(iam.apiKeys.delete(KEY.id));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({ operationId: "op1", code: 42, codeName: undefined, serverMessage: "new" });
  });
});

describe("many calls sharing one signal", () => {
  it("3,000 calls with one caller signal: no MaxListenersExceededWarning, and no listener left after", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const { iam } = scriptedClient([json(200, { apiKeys: [] })]);
      await Promise.all(Array.from({ length: 3_000 }, () => iam.apiKeys.list({}, { signal: controller.signal })));
      // Note: a warning is emitted on the next tick.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("an abort still reaches every call that shares the signal through one listener, which goes with the abort", async () => {
    const controller = new AbortController();
    const { iam } = scriptedClient([hanging]);
    const calls = Array.from({ length: 50 }, () => rejection(iam.apiKeys.list({}, { signal: controller.signal })));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    const reason = new Error("all stop");
    controller.abort(reason);
    for (const error of await Promise.all(calls)) expect(error).toBe(reason);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("timeouts", () => {
  it("a time-out of a write after sending is IamTimeoutError with outcomeUnknown", async () => {
    const { iam } = scriptedClient([hanging], { timeoutMs: 5, retry: false });
    const error = await rejection(iam.serviceAccounts.reactivate(ACCOUNT));
    expect(error).toBeInstanceOf(IamTimeoutError);
    expect(error.outcomeUnknown).toBe(true);
  });
});
