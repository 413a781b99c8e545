// The stateful fake: the whole ApiKey service with state, through the real client, every answer held to the contract.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createApiKey, updateApiKey } from "../../generated/contract.ts";
import { root } from "../../scripts/root.ts";
import { oauthToken, serviceAccountKey } from "../../src/auth/index.ts";
import { createIamClient, IamApiError, IamNetworkError, IamOperationError, IamResponseError } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { createRouter } from "../../src/testing/router.ts";
import fakeServices from "../../src/testing/services/index.ts";
import operationsService from "../../src/testing/services/operations.ts";
import type { FakeService } from "../../src/testing/types.ts";
import { checkedClients, contractViolations } from "../support/checked-fake.ts";
import { fakeContext } from "../support/fake-context.ts";
import { exampleInput, tableOperations } from "../support/operations.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const SA = "ajeg2b2et02f3tl2c1pj";
const setup = checkedClients({ retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } });

describe("state", () => {
  it("create → get → list → update → delete → get (404)", async () => {
    const { iam, fake } = setup();
    const { apiKey, secret } = await iam.apiKeys.create({
      description: "bot",
      scopes: ["yc.postbox.send"],
      expiresAt: "2030-01-01T00:00:00Z",
    });
    expect(apiKey.id).toMatch(/^aje[a-z0-9]{17}$/);
    expect(secret).toMatch(/^AQVN[A-Za-z0-9_-]{36,38}$/);
    expect(apiKey.maskedSecret).toBe(`****${secret.slice(-6)}`);
    expect(apiKey.createdAt).toMatch(/\.\d{9}Z$/);
    expect(apiKey.serviceAccountId).toBe(SA);
    expect(await iam.apiKeys.get(apiKey.id)).toEqual(apiKey);
    expect((await iam.apiKeys.list()).apiKeys).toEqual([apiKey]);

    const updated = await iam.apiKeys.update(apiKey.id, { description: "renamed", expiresAt: null });
    expect(updated).toEqual({ ...apiKey, description: "renamed", expiresAt: undefined });
    expect("expiresAt" in updated).toBe(false);
    expect(updated.scopes).toEqual(["yc.postbox.send"]);

    await iam.apiKeys.delete(apiKey.id);
    expect((await rejection(iam.apiKeys.get(apiKey.id))).codeName).toBe("NOT_FOUND");
    expect(fake.state.apiKeys).toEqual([]);
    expect(fake.state.operations.map((o) => o.metadata?.["@type"])).toEqual([
      "type.googleapis.com/yandex.cloud.iam.v1.UpdateApiKeyMetadata",
      "type.googleapis.com/yandex.cloud.iam.v1.DeleteApiKeyMetadata",
    ]);
  });

  it("an update without a mask resets every field it does not name, as the real API does", async () => {
    const { iam, fake } = setup();
    const { apiKey } = await iam.apiKeys.create({ description: "d", scopes: ["a"] });
    const { response, data } = await iam.raw.PATCH("/iam/v1/apiKeys/{apiKeyId}", {
      params: { path: { apiKeyId: apiKey.id } },
      body: { scopes: ["b"] },
    });
    expect(response.status).toBe(200);
    await iam.operations.wait(data?.id as string);
    expect(fake.state.apiKeys[0]).toEqual({ ...apiKey, scopes: ["b"], description: undefined });
    expect("description" in (fake.state.apiKeys[0] ?? {})).toBe(false);
  });

  it("listOperations shows the key's operations; listScopes pages over the known scopes", async () => {
    const { iam } = setup({ scopes: ["s1", "s2", "s3"] });
    const { apiKey } = await iam.apiKeys.create();
    await iam.apiKeys.update(apiKey.id, { description: "one" });
    await iam.apiKeys.update(apiKey.id, { description: "two" });
    const ops = [];
    for await (const op of iam.apiKeys.listAllOperations(apiKey.id, { pageSize: 1 })) ops.push(op);
    expect(ops.map((o) => o.response?.description)).toEqual(["one", "two"]);
    const first = await iam.apiKeys.listScopes({ pageSize: 2 });
    expect(first.scopes).toEqual(["s1", "s2"]);
    expect(first.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const all = [];
    for await (const scope of iam.apiKeys.listAllScopes({ pageSize: 2 })) all.push(scope);
    expect(all).toEqual(["s1", "s2", "s3"]);
  });

  it("operations progress as configured: done after N polls, or failing with a Status", async () => {
    const { iam, fake } = setup({ operations: { polls: 3 } });
    const { apiKey } = await iam.apiKeys.create();
    const pending = await iam.apiKeys.update(apiKey.id, { description: "x" }, { wait: false });
    expect(pending.done).toBe(false);
    expect((await iam.operations.get(pending.id)).done).toBe(false);
    expect((await iam.operations.wait(pending.id)).done).toBe(true);
    expect(fake.requests.filter((r) => r.operation === "getOperation")).toHaveLength(3);
    fake.progress({ error: { code: 9, message: "key is locked" } });
    const error = await rejection(iam.apiKeys.delete(apiKey.id));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({ code: 9, codeName: "FAILED_PRECONDITION", serverMessage: "key is locked" });
    expect(fake.state.apiKeys).toHaveLength(1);
  });

  // Note: the fake replays a key only where the document says Yandex honours it (the retry class's idempotencyKey).
  it("a repeated Idempotency-Key on createApiKey is not replayed (unverified in the document): two keys are made", async () => {
    const { iam, fake } = setup();
    expect(createApiKey.retry.idempotencyKey).toBe("unverified");
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await iam.apiKeys.create({ description: "once" }, { headers });
    const again = await iam.apiKeys.create({ description: "once" }, { headers });
    expect(again.apiKey.id).not.toBe(first.apiKey.id);
    expect(again.secret).not.toBe(first.secret);
    expect(fake.state.apiKeys.map((k) => k.id)).toEqual([first.apiKey.id, again.apiKey.id]);
  });

  it("a repeated Idempotency-Key on an Operation-answering call (honoured) answers the first Operation, in flight or after", async () => {
    const { iam, fake } = setup();
    expect(updateApiKey.retry.idempotencyKey).toBe("honoured");
    const { apiKey } = await iam.apiKeys.create();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const changes = { description: "once" };
    const [first, again] = await Promise.all([1, 2].map(() => iam.apiKeys.update(apiKey.id, changes, { headers, wait: false })));
    const late = await iam.apiKeys.update(apiKey.id, changes, { headers, wait: false });
    expect(again).toEqual(first);
    expect(late).toEqual(first);
    expect(fake.state.operations.map((o) => o.id)).toEqual([first?.id]);
  });

  it("a failed first call holds no answer for its Idempotency-Key: the repeat is handled as a first", async () => {
    const { iam, fake } = setup();
    const folderId = "b1gvmob95yysaplct532";
    const taken = await iam.serviceAccounts.create({ folderId, name: "taken" });
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    expect(await rejection(iam.serviceAccounts.create({ folderId, name: "taken" }, { headers }))).toMatchObject({
      codeName: "ALREADY_EXISTS",
    });
    await iam.serviceAccounts.delete(taken.id);
    expect((await iam.serviceAccounts.create({ folderId, name: "taken" }, { headers })).name).toBe("taken");
    expect(fake.state.serviceAccounts.filter((a) => a.name === "taken")).toHaveLength(1);
  });

  it("a create or list without serviceAccountId is the subject's; an unknown service account is NOT_FOUND", async () => {
    const { iam } = setup({
      serviceAccounts: ["ajeowner0000000000001", "ajeother0000000000002"],
      authenticate: (t) => (t === TOKEN ? "ajeother0000000000002" : undefined),
    });
    const { apiKey } = await iam.apiKeys.create();
    expect(apiKey.serviceAccountId).toBe("ajeother0000000000002");
    expect((await iam.apiKeys.list({ serviceAccountId: "ajeowner0000000000001" })).apiKeys).toEqual([]);
    const error = await rejection(iam.apiKeys.list({ serviceAccountId: "ajenobody00000000000" }));
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND" });
  });

  it("refuses a token it does not accept with UNAUTHENTICATED", async () => {
    const { fake } = setup({ authenticate: (t) => (t === "good" ? "ajeg2b2et02f3tl2c1pj" : undefined) });
    const iam = createIamClient({ token: "bad", baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false });
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ status: 401, codeName: "UNAUTHENTICATED" });
  });

  it("the quota of keys answers RESOURCE_EXHAUSTED", async () => {
    const { iam } = setup({ quota: 2 });
    await iam.apiKeys.create();
    await iam.apiKeys.create();
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 429, codeName: "RESOURCE_EXHAUSTED", serverMessage: "Quota limit iam.apiKeys.count exceeded" });
  });

  it("a request that breaks the contract gets 400 INVALID_ARGUMENT naming the field", async () => {
    const { iam } = setup();
    const { response, error } = await iam.raw.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 5000 } } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 3, message: "Request validation error: pageSize: must be at most 1000 (is 5000)" });
  });

  it("a path that is not validly percent-encoded gets 400, not a crash", async () => {
    const { fake } = setup();
    const response = await fake.handle(new Request(`${fake.baseUrl}/iam/v1/apiKeys/%E0%A4%A`, { headers: { authorization: "Bearer x" } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 3, message: "Request validation error: the path is not validly percent-encoded" });
  });

  it("fake.requests holds no credential: the token exchange's JWT and OAuth token are redacted, as Authorization is", async () => {
    const { fake } = setup();
    const sent: string[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      sent.push(await request.clone().text());
      return fake.fetch(request);
    }) as typeof globalThis.fetch;
    const where = { baseUrl: fake.baseUrl, fetch };
    const OAUTH = "y0_AgAAAAOAUTHtokenMUSTneverLEAKfromTHEfake";
    const fromKey = await serviceAccountKey(await fake.createServiceAccountKey(), where)();
    const fromOauth = await oauthToken(OAUTH, where)();
    await createIamClient({ token: fromKey, ...where }).apiKeys.list();
    const jwt = JSON.parse(sent[0] as string).jwt as string;
    expect(jwt.split(".")).toHaveLength(3);
    expect(sent[1]).toContain(OAUTH);
    const log = JSON.stringify(fake.requests);
    for (const credential of [jwt, jwt.split(".")[2] as string, OAUTH, fromKey, fromOauth]) expect(log).not.toContain(credential);
    expect(fake.requests.map((r) => r.body)).toEqual([{ jwt: "[REDACTED]" }, { yandexPassportOauthToken: "[REDACTED]" }, undefined]);
  });

  it("reset empties the state between tests: every service's part is a new fake's again", async () => {
    const now = () => Date.parse("2026-11-26T00:00:00Z");
    const { iam, fake } = setup({ now });
    /** A state with its timestamps as one placeholder: they are of one clock, with random nanoseconds. */
    const comparable = (state: object) =>
      JSON.parse(JSON.stringify(state, (_, value) => (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value) ? "<time>" : value)));
    const fresh = comparable(createFakeIam({ now }).state);
    await iam.apiKeys.create();
    await iam.accessKeys.create();
    const account = await iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "made-in-a-test" });
    await iam.serviceAccounts.grant(account.id, "viewer", { id: SA, type: "serviceAccount" });
    const changed = Object.keys(fresh).filter((part) => JSON.stringify(comparable(fake.state)[part]) !== JSON.stringify(fresh[part]));
    expect(changed).toEqual(expect.arrayContaining(["apiKeys", "accessKeys", "serviceAccounts", "accessBindings", "operations"]));
    fake.reset();
    expect(comparable(fake.state)).toEqual(fresh);
    expect(fresh.serviceAccounts).toEqual([expect.objectContaining({ id: SA, status: "ACTIVE" })]);
    expect(fake.requests).toEqual([]);
    expect((await iam.apiKeys.list()).apiKeys).toEqual([]);
  });
});

describe("faults", () => {
  it("an injected 429 with Retry-After, then the normal answer: the client retries", async () => {
    const { iam, fake } = setup();
    fake.failNext({ status: 429, retryAfter: "0" }, { operation: "listApiKeys" });
    expect(await iam.apiKeys.list()).toEqual({ apiKeys: [] });
    expect(fake.requests.map((r) => r.operation)).toEqual(["listApiKeys", "listApiKeys"]);
  });

  it("a dropped connection is a network error; a create is then not retried", async () => {
    const { iam, fake } = setup();
    fake.failNext({ drop: true }, { count: 5 });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
  });

  it("a drop after the server acted: the create's key exists though the client saw a network error (outcomeUnknown)", async () => {
    const { iam, fake } = setup();
    fake.failNext({ drop: "after" }, { operation: "createApiKey" });
    const error = await rejection(iam.apiKeys.create({ description: "orphan" }));
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.state.apiKeys.map((k) => k.description)).toEqual(["orphan"]);
    expect(fake.requests.map((r) => r.operation)).toEqual(["createApiKey"]);
    // An update is sent again with the same Idempotency-Key and answered with the first Operation: one change, not two.
    const [key] = fake.state.apiKeys;
    fake.failNext({ drop: "after" }, { operation: "updateApiKey" });
    expect((await iam.apiKeys.update(key?.id as string, { description: "found" })).description).toBe("found");
    expect(fake.state.operations).toHaveLength(1);
    expect(() => fake.failNext({ drop: "later" } as never)).toThrow('drop must be true (before the server acts) or "after"');
  });

  it("a drop after the server acted on a change answered with an Operation: the change finishes without a poll, as Yandex's go on", async () => {
    const { fake } = setup();
    const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false });
    const key = await iam.apiKeys.create({ description: "before" });
    fake.failNext({ drop: "after" }, { operation: "updateApiKey" });
    const error = await rejection(iam.apiKeys.update(key.apiKey.id as string, { description: "after" }));
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
    // Note: nobody polled it: a get, as the README advises after outcomeUnknown, finds the change made.
    expect(fake.requests.map((r) => r.operation)).not.toContain("getOperation");
    expect(fake.state.operations.map((o) => o.done)).toEqual([true]);
    expect((await iam.apiKeys.get(key.apiKey.id as string)).description).toBe("after");
  });

  it("a delay is a timeout for a client with a shorter one", async () => {
    const { fake } = setup();
    fake.failNext({ delayMs: 200 });
    const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false, timeoutMs: 20 });
    expect((await rejection(iam.apiKeys.list())).name).toBe("IamTimeoutError");
  });

  it("a delay gives way to the client's timeout at once: the fake's timer is cancelled, not waited out", async () => {
    vi.useFakeTimers();
    try {
      const { fake } = setup();
      fake.failNext({ delayMs: 3_000 });
      const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false, timeoutMs: 100 });
      const outcome = rejection(iam.apiKeys.list());
      await vi.advanceTimersByTimeAsync(100);
      // Note: the client's timer fired; had the fake ignored the signal, its 3 s timer would still be pending.
      expect(vi.getTimerCount()).toBe(0);
      expect((await outcome).name).toBe("IamTimeoutError");
    } finally {
      vi.useRealTimers();
    }
  });

  it("a delay gives way to the caller's abort, which rejects with the caller's reason", async () => {
    vi.useFakeTimers();
    try {
      const { fake } = setup();
      fake.failNext({ delayMs: 3_000 }, { count: 2 });
      const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false, timeoutMs: 10_000 });
      const caller = new AbortController();
      const reason = new Error("the caller gave up");
      const outcome = rejection(iam.apiKeys.list({}, { signal: caller.signal }));
      await vi.advanceTimersByTimeAsync(10);
      caller.abort(reason);
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(0);
      expect(await outcome).toBe(reason);
      // The fake's own fetch, as fetch does: the signal's reason, and an AbortError for a plain abort().
      const plain = new AbortController();
      const direct = rejection(fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`, { signal: plain.signal }));
      plain.abort();
      expect((await direct).name).toBe("AbortError");
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a string body is sent as it is: not JSON, or JSON cut short, reaches the client raw", async () => {
    // Note: a plain fake: these answers break the contract on purpose.
    const fake = createFakeIam();
    const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false });
    fake.failNext({ body: "not JSON" });
    expect(await (await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`, { headers: { authorization: "Bearer x" } })).text()).toBe("not JSON");
    fake.failNext({ body: '{"apiKeys": [', status: 200 });
    expect(await rejection(iam.apiKeys.list())).toBeInstanceOf(IamResponseError);
    fake.failNext({ body: { apiKeys: [] } });
    expect(await (await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`)).json()).toEqual({ apiKeys: [] });
  });

  it("a fault with a body on a status without one (204) is refused when it is set, not played as a network error", async () => {
    const fake = createFakeIam();
    expect(() => fake.failNext({ body: "x", status: 204 })).toThrow("failNext refuses this fault: an HTTP 204 answer has no body");
    expect(() => fake.failNext({ status: 304 })).toThrow("HTTP 304 answer has no body");
    expect(() => fake.failNext({ status: 99 })).toThrow("status must be a whole number from 200 to 599, not 99");
    // Nothing was queued: the next call is answered as usual; a 204 without a body is played.
    expect((await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`, { headers: { authorization: "Bearer x" } })).status).toBe(200);
    fake.failNext({ body: undefined, status: 204 });
    const empty = await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`);
    expect([empty.status, await empty.text()]).toEqual([204, ""]);
  });

  it("the contract check is live: a deliberately broken answer is caught", async () => {
    const { fake } = setup();
    fake.failNext({ body: { apiKeys: "not an array" } });
    const request = new Request(`${fake.baseUrl}/iam/v1/apiKeys`, { headers: { authorization: "Bearer x" } });
    expect(await contractViolations(request, await fake.handle(request.clone()))).toEqual([expect.stringContaining("apiKeys")]);
  });
});

describe("timestamps", () => {
  it("an Operation's modifiedAt never comes before its createdAt: random nanoseconds in one millisecond, or a clock set back", async () => {
    let t = Date.parse("2026-11-26T00:00:00Z");
    const { fake } = setup({ now: () => t, operations: { polls: 1 } });
    const send = async (method: string, path: string, body?: unknown) =>
      (await fake.fetch(`${fake.baseUrl}${path}`, { method, headers: { authorization: "Bearer x" }, body: JSON.stringify(body) })).json();
    const { apiKey } = await send("POST", "/iam/v1/apiKeys", {});
    const started = [];
    for (let i = 0; i < 40; i++)
      started.push(await send("PATCH", `/iam/v1/apiKeys/${apiKey.id}`, { updateMask: "description", description: `${i}` }));
    t -= 3_600_000;
    const finished = await Promise.all(started.map((o) => send("GET", `/operations/${o.id}`)));
    expect(finished.every((o) => o.done)).toBe(true);
    for (const o of [...started, ...finished]) expect(o.modifiedAt >= o.createdAt, `${o.createdAt} → ${o.modifiedAt}`).toBe(true);
  });

  it("every timestamp it makes is of the `now` clock: keys of three kinds, seeds, service accounts, operations", async () => {
    const { iam, fake } = setup({ now: () => Date.parse("2020-01-02T03:04:05.678Z") });
    const { apiKey } = await iam.apiKeys.create();
    fake.seed([{ description: "seeded" }]);
    await iam.apiKeys.update(apiKey.id, { description: "changed" });
    await iam.keys.create();
    await iam.accessKeys.create();
    await iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "made-later" });
    const { apiKeys, keys, accessKeys, serviceAccounts, operations } = fake.state;
    const made = [...apiKeys, ...keys, ...accessKeys, ...serviceAccounts, ...operations];
    expect(made.map((r) => r.createdAt)).toHaveLength(8);
    const times = [...made.map((r) => r.createdAt), ...operations.map((o) => o.modifiedAt)];
    for (const time of times) expect(time).toMatch(/^2020-01-02T03:04:05\.678\d{6}Z$/);
  });
});

describe("every operation", () => {
  it("of the generated table has a handler in a service of the fake's list, and the fake routes each to it (none answers UNIMPLEMENTED)", async () => {
    const operations = operationsService({ options: {}, owner: SA, now: Date.now });
    const context = fakeContext({ serviceAccounts: [SA], owner: SA, operations });
    const services: FakeService[] = [operations, ...Object.values(fakeServices).map((make) => make(context))];
    const handled = services.flatMap((service) => Object.keys(service.handlers));
    expect(tableOperations.map((o) => o.id).filter((id) => !handled.includes(id))).toEqual([]);
    const fake = createFakeIam();
    for (const o of tableOperations) {
      const {
        path = {},
        query = {},
        body,
      } = exampleInput(o) as { path?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
      const url = new URL(fake.baseUrl + o.row.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name] as string)));
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
      // Note: a form row's body goes as a form (the token exchange), every other as JSON, as the call loop sends them.
      const init = {
        method: o.row.method,
        headers: { authorization: "Bearer any", ...(o.row.form && { "content-type": "application/x-www-form-urlencoded" }) },
        body:
          body === undefined ? null : o.row.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
      };
      const answered = await fake.handle(new Request(url, init));
      expect(fake.requests.at(-1)?.operation, o.id).toBe(o.id);
      expect(answered.status, `${o.id}: ${await answered.clone().text()}`).not.toBe(501);
    }
    // Note: negative control: a router with no service answers UNIMPLEMENTED.
    const bare = createRouter([], { owner: SA, subjectOf: () => SA });
    const request = new Request(`${fake.baseUrl}/iam/v1/apiKeys/${SA}`, { headers: { authorization: "Bearer any" } });
    expect((await bare.handle(request)).status).toBe(501);
  });
});

describe("README", () => {
  it("the fake options table names every option of FakeIamOptions", () => {
    const source = readFileSync(join(root, "src/testing/types.ts"), "utf8");
    const body = source.slice(source.indexOf("export interface FakeIamOptions {"));
    const options = [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
    expect(options).toContain("now");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const documented = [...readme.matchAll(/^\| `createFakeIam\(\{ ([^}]*?) \}/gm)].flatMap((m) => m[1]?.match(/\w+/g) ?? []);
    expect(options.filter((option) => !documented.includes(option as string))).toEqual([]);
  });
});

describe("over HTTP", () => {
  it("serveFake() answers on 127.0.0.1 with the same state, and close() stops it", async () => {
    const { iam: local, fake } = setup();
    await local.apiKeys.create({ description: "in memory" });
    const server = await serveFake(fake);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const remote = createIamClient({ token: TOKEN, baseUrl: server.url, retry: false });
      expect((await remote.apiKeys.list()).apiKeys.map((k) => k.description)).toEqual(["in memory"]);
      fake.failNext({ drop: true });
      expect(await rejection(remote.apiKeys.list())).toBeInstanceOf(IamNetworkError);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/iam/v1/apiKeys`)).rejects.toThrow();
  });

  it("a call in flight when close() is called (its answer delayed by a fault) is never handled after it", async () => {
    const fake = createFakeIam();
    const server = await serveFake(fake);
    const iam = createIamClient({ token: TOKEN, baseUrl: server.url, retry: false });
    fake.failNext({ delayMs: 300 });
    const creating = rejection(iam.apiKeys.create({}));
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    await server.close();
    expect(await creating).toMatchObject({ name: "IamNetworkError", outcomeUnknown: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.state.apiKeys).toEqual([]);
  });
});
