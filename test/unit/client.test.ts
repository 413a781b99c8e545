// The client against an injected fetch: results, headers, typed errors, retries, timeouts, redaction.
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterEach, describe, expect, it, vi } from "vitest";
import { root } from "../../scripts/root.ts";
import { VERSION } from "../../src/client.ts";
import {
  createIamClient,
  IamApiError,
  IamError,
  IamInputError,
  IamNetworkError,
  IamResponseError,
  IamTimeoutError,
} from "../../src/index.ts";
import { ANSWERS_WITHIN_MS } from "../support/patience.ts";
import { scriptedClient } from "../support/scripted-client.ts";
import { json, type Step } from "../support/scripted-fetch.ts";
import { rejection, renderings, SECRET, TOKEN } from "../support/secrets.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEY = { id: "aje3ho9atbhf4aq6c2ok", serviceAccountId: "ajeg2b2et02f3tl2c1pj", createdAt: "2025-03-03T16:29:04.709971428Z" };
const CREATED = { apiKey: { ...KEY, maskedSecret: "****Qx7_b2" }, secret: SECRET };
const status = (code: number, message: string, details: unknown[] = []) => ({ code, message, details });
const NO_WAIT = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

/** A client over a scripted fetch, with no waiting between retries. */
const client = scriptedClient;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("results", () => {
  it("create sends the body, auth and ids, and resolves with the key and secret", async () => {
    const { iam, requests, bodies } = client([json(200, CREATED)]);
    const result = await iam.apiKeys.create({
      description: "bot",
      scopes: ["yc.postbox.send"],
      expiresAt: new Date("2030-01-02T03:04:05Z"),
    });
    expect(result).toEqual(CREATED);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("http://127.0.0.1:9/iam/v1/apiKeys");
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.get("x-client-request-id")).toMatch(UUID);
    expect(request?.headers.get("idempotency-key")).toMatch(UUID_V4);
    expect(request?.headers.get("user-agent")).toBe(`yc-iam-api-keys/${VERSION}`);
    expect(await bodies()).toEqual([{ description: "bot", scopes: ["yc.postbox.send"], expiresAt: "2030-01-02T03:04:05.000Z" }]);
  });

  it("sends no User-Agent where no server runtime runs (a browser, a worker: no versions.node on a process)", async () => {
    vi.stubGlobal("process", { ...process, versions: { ...process.versions, node: undefined } });
    try {
      const { iam, requests } = client([json(200, {})]);
      await iam.apiKeys.list();
      expect(requests[0]?.headers.has("user-agent")).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("list sends the query and always resolves with an apiKeys array", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [KEY], nextPageToken: "n1" }), json(200, {})]);
    expect(await iam.apiKeys.list({ serviceAccountId: "sa1", pageSize: 50, pageToken: "p0" })).toEqual({
      apiKeys: [KEY],
      nextPageToken: "n1",
    });
    expect(await iam.apiKeys.list()).toEqual({ apiKeys: [] });
    const url = new URL(requests[0]?.url ?? "");
    expect(Object.fromEntries(url.searchParams)).toEqual({ serviceAccountId: "sa1", pageSize: "50", pageToken: "p0" });
    expect(requests[0]?.headers.get("idempotency-key")).toBeNull();
  });

  it("leaves out arguments given as undefined", async () => {
    const { iam, requests, bodies } = client([json(200, { apiKeys: [] }), json(200, CREATED)]);
    await iam.apiKeys.list({ serviceAccountId: "sa", pageToken: undefined });
    await iam.apiKeys.create({ description: undefined, expiresAt: undefined });
    expect(new URL(requests[0]?.url ?? "").search).toBe("?serviceAccountId=sa");
    expect((await bodies())[1]).toEqual({});
  });

  it("asks a token function before every attempt", async () => {
    let n = 0;
    const { iam, requests } = client([json(503, status(14, "busy")), json(200, { apiKeys: [] })], { token: async () => `tok-${++n}` });
    await iam.apiKeys.list();
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer tok-1", "Bearer tok-2"]);
  });

  it("adds the client's and the call's extra headers", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [] })], { headers: { "x-client-trace-id": "trace-1" } });
    await iam.apiKeys.list({}, { headers: { "x-extra": "yes" } });
    expect(requests[0]?.headers.get("x-client-trace-id")).toBe("trace-1");
    expect(requests[0]?.headers.get("x-extra")).toBe("yes");
  });

  it("raw is the typed openapi-fetch client with the same token and ids", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [KEY] })]);
    const { data } = await iam.raw.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 1 } } });
    expect(data?.apiKeys?.[0]?.id).toBe(KEY.id);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.headers.get("x-client-request-id")).toMatch(UUID);
  });
});

describe("errors", () => {
  it("an error Status becomes an IamApiError with every field", async () => {
    const body = status(3, "Request validation error: Description: length must be <= 256", [
      { "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: "from-detail" },
    ]);
    const { iam } = client([json(400, body, { "x-request-id": "rid-1", "x-server-trace-id": "trace-9" })]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toBeInstanceOf(IamError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: "IamApiError",
      operation: "listApiKeys",
      status: 400,
      code: 3,
      codeName: "INVALID_ARGUMENT",
      serverMessage: body.message,
      details: body.details,
      requestId: "rid-1",
      serverTraceId: "trace-9",
      retryable: false,
      outcomeUnknown: false,
      attempts: 1,
    });
    expect(error.message).toBe(`listApiKeys: HTTP 400 INVALID_ARGUMENT: ${body.message}`);
  });

  it("takes the requestId from a RequestInfo detail when the header is missing", async () => {
    const { iam } = client([
      json(
        401,
        status(16, "Token is invalid or has expired.", [{ "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: "rq-7" }]),
      ),
    ]);
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ status: 401, codeName: "UNAUTHENTICATED", requestId: "rq-7" });
  });

  it("an HTML page from a proxy is an IamApiError with a short excerpt, not a parse crash", async () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body>${"x".repeat(500)}</body></html>`;
    const { iam } = client([new Response(html, { status: 502, headers: { "content-type": "text/html" } })], { retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 502, code: undefined, codeName: undefined, details: [] });
    expect(error.message).toMatch(/^listApiKeys: HTTP 502: <html><head><title>502 Bad Gateway/);
    expect(error.serverMessage.length).toBeLessThanOrEqual(201);
  });

  it("an empty error body is an IamApiError that says so", async () => {
    const { iam } = client([new Response(null, { status: 500 })], { retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toMatchObject({ status: 500, serverMessage: "(empty body)" });
  });

  it("JSON that is not a Status is not taken for one", async () => {
    const { iam } = client([json(403, { error: "forbidden" })]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toMatchObject({ status: 403, code: undefined, serverMessage: '{"error":"forbidden"}' });
  });

  it("a 2xx body that breaks the contract is an IamResponseError that names the problem", async () => {
    const { iam } = client([json(200, { apiKeys: "nope" }), json(200, { apiKeys: [{ id: 1 }] })]);
    const first = await rejection(iam.apiKeys.list());
    expect(first).toBeInstanceOf(IamResponseError);
    expect(first.message).toBe("listApiKeys: HTTP 200 answer breaks the contract: apiKeys must be an array, not string");
    const second = await rejection(iam.apiKeys.list());
    // Note: only the id is required of an answer's key (proto3 JSON may leave out every other field).
    expect(second.problems).toEqual([{ path: "apiKeys[0].id", message: "must be a string, not integer" }]);
  });

  it("a create answer without its secret, or not JSON at all, is an IamResponseError that keeps no secret", async () => {
    const { iam } = client([json(200, { apiKey: { ...KEY, createdAt: SECRET } }), new Response(`{"secret":"${SECRET}"`, { status: 200 })]);
    const missing = await rejection(iam.apiKeys.create());
    expect(missing).toBeInstanceOf(IamResponseError);
    expect(missing.problems.map((p: { path: string }) => p.path)).toEqual(["secret"]);
    const broken = await rejection(iam.apiKeys.create());
    expect(broken.problems).toEqual([{ path: "(body)", message: "is not JSON" }]);
    for (const text of [...renderings(missing), ...renderings(broken)]) expect(text).not.toContain(SECRET);
  });

  it("a failed fetch is an IamNetworkError with the cause", async () => {
    const cause = new TypeError("fetch failed");
    const { iam, requests } = client([cause]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).not.toBeInstanceOf(IamTimeoutError);
    expect(error.cause).toBe(cause);
    expect(error.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    expect(error.message).toBe("listApiKeys: no answer: fetch failed");
  });

  it("middleware the caller adds to raw is raw's: the wrapped calls send with fetch, which sees every request", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [] })]);
    const seen: string[] = [];
    iam.raw.use({
      onRequest: ({ request }) => void seen.push(new URL(request.url).pathname),
      onResponse: () => {
        throw new Error("my middleware says no");
      },
    });
    await iam.apiKeys.list();
    expect(seen).toEqual([]);
    expect(requests).toHaveLength(1);
    // Note: the control: the same middleware runs on a request sent through raw.
    await expect(iam.raw.GET("/iam/v1/apiKeys")).rejects.toThrow("my middleware says no");
    expect(seen).toEqual(["/iam/v1/apiKeys"]);
    expect(requests).toHaveLength(2);
  });

  it("errors serialize to a plain record and redact Authorization to its scheme", async () => {
    const { iam } = client([json(404, status(5, "Service account x not found"), { "x-request-id": "r1" })]);
    const error = await rejection(iam.apiKeys.list({ serviceAccountId: "x" }));
    const record = JSON.parse(JSON.stringify(error));
    expect(record).toMatchObject({ name: "IamApiError", status: 404, codeName: "NOT_FOUND", requestId: "r1", operation: "listApiKeys" });
    expect(record.request.headers.authorization).toBe("Bearer [REDACTED]");
    expect(record.request.url).toBe("http://127.0.0.1:9/iam/v1/apiKeys?serviceAccountId=x");
  });

  it("scrubs the token from an error body that echoes it", async () => {
    const { iam } = client([
      new Response(`<pre>Authorization: Bearer ${TOKEN}</pre>`, { status: 400 }),
      json(401, status(16, `bad token ${TOKEN}`)),
    ]);
    const echoed = await rejection(iam.apiKeys.list());
    expect(echoed.serverMessage).toBe("<pre>Authorization: Bearer [REDACTED]</pre>");
    const inStatus = await rejection(iam.apiKeys.list());
    expect(inStatus.serverMessage).toBe("bad token [REDACTED]");
  });
});

describe("retries", () => {
  it.each([429, 500, 502, 503, 504])("list is retried on %i, with the same request id each time", async (code) => {
    const { iam, requests } = client([
      json(code, status(14, "try again")),
      json(code, status(14, "try again")),
      json(200, { apiKeys: [KEY] }),
    ]);
    expect((await iam.apiKeys.list()).apiKeys).toEqual([KEY]);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers.get("x-client-request-id"))).size).toBe(1);
  });

  it.each([400, 401, 403, 404])("list is not retried on %i", async (code) => {
    const { iam, requests } = client([json(code, status(3, "no")), json(200, { apiKeys: [] })]);
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ status: code, retryable: false, attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it("list gives up after maxAttempts and says how many attempts it made", async () => {
    const { iam, requests } = client([json(503, status(14, "down"))]);
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ status: 503, retryable: true, attempts: 3 });
    expect(requests).toHaveLength(3);
  });

  it("a list that fails with 500 leaves nothing unknown: reading has no effect", async () => {
    const { iam } = client([json(500, status(13, "oops"))], { retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toMatchObject({ status: 500, outcomeUnknown: false });
    expect(error.message).not.toContain("outcome");
  });

  it("retry: false makes a single attempt", async () => {
    const { iam, requests } = client([json(503, status(14, "down"))], { retry: false });
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it.each([429, 503])("create is retried on %i with the same Idempotency-Key, request id and body", async (code) => {
    const { iam, requests, bodies } = client([json(code, status(8, "slow down")), json(200, CREATED)]);
    expect(await iam.apiKeys.create({ description: "d" })).toEqual(CREATED);
    expect(requests).toHaveLength(2);
    const keys = requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(UUID_V4);
    expect(keys[1]).toBe(keys[0]);
    expect(requests[1]?.headers.get("x-client-request-id")).toBe(requests[0]?.headers.get("x-client-request-id"));
    const [a, b] = await bodies();
    expect(b).toEqual(a);
  });

  it("each create call has its own Idempotency-Key, and a caller's own key is kept", async () => {
    const { iam, requests } = client([json(200, CREATED)]);
    await iam.apiKeys.create();
    await iam.apiKeys.create();
    await iam.apiKeys.create({}, { headers: { "Idempotency-Key": "4a2a0c8e-1b7d-4f3e-9c6b-0d5e8f7a6b5c" } });
    const keys = requests.map((r) => r.headers.get("idempotency-key"));
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe("4a2a0c8e-1b7d-4f3e-9c6b-0d5e8f7a6b5c");
  });

  it.each([500, 502, 504])("create is not retried on %i, and the error says the outcome is unknown", async (code) => {
    const { iam, requests } = client([json(code, status(13, "oops")), json(200, CREATED)]);
    const error = await rejection(iam.apiKeys.create());
    expect(error).toMatchObject({ status: code, retryable: false, outcomeUnknown: true, attempts: 1 });
    expect(error.message).toContain("the outcome is unknown");
    expect(requests).toHaveLength(1);
  });

  it("create is not retried when the connection drops after sending: the outcome is unknown", async () => {
    const { iam, requests } = client([new TypeError("other side closed"), json(200, CREATED)]);
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(error.message).toMatch(/the outcome is unknown: it may have changed something, so get or list to find out before trying again$/);
    expect(requests).toHaveLength(1);
  });

  it("create is retried when the connection was refused, since nothing was sent", async () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const { iam, requests } = client([refused, json(200, CREATED)]);
    expect(await iam.apiKeys.create()).toEqual(CREATED);
    expect(requests).toHaveLength(2);
  });

  it("waits as Retry-After says (seconds or HTTP date), within maxDelayMs, and with full jitter otherwise", async () => {
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    // Note: the per-attempt timeout timer (30 s) runs for real; only the waits between attempts are recorded and skipped.
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms: number) => {
      if (ms === 30_000) return realSetTimeout(fn, ms);
      delays.push(ms);
      queueMicrotask(fn); // Note: like a real timer, never synchronous.
      return 0;
    }) as never);
    // Note: full jitter of 0 ms would send at once, with no timer to record.
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const later = new Date(Date.now() + 5000).toUTCString();
    const { iam } = client(
      [
        json(429, status(8, "slow"), { "retry-after": "2" }),
        json(503, status(14, "down"), { "retry-after": later }),
        json(200, { apiKeys: [] }),
        json(429, status(8, "slow"), { "retry-after": "120" }),
        json(503, status(14, "down")),
        json(200, { apiKeys: [] }),
      ],
      { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 } },
    );
    await iam.apiKeys.list();
    await iam.apiKeys.list();
    expect(delays[0]).toBe(2000);
    expect(delays[1]).toBeGreaterThan(3000);
    expect(delays[1]).toBeLessThanOrEqual(5000);
    expect(delays[2]).toBe(10_000);
    expect(delays[3]).toBeGreaterThanOrEqual(0);
    expect(delays[3]).toBeLessThan(200);
  });
});

describe("timeouts and aborts", () => {
  /** A loopback server that handles each request with `handle`, and closes with every connection it holds. */
  async function loopbackServer(handle: Parameters<typeof createServer>[1]) {
    const server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => {
        server.closeAllConnections();
        return new Promise((r) => server.close(r));
      },
    };
  }

  /** A loopback server that accepts requests and never answers. */
  const silentServer = () => loopbackServer(() => {});

  it("a per-attempt timeout is an IamTimeoutError, retried for list", async () => {
    const server = await silentServer();
    try {
      const iam = createIamClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 50, retry: NO_WAIT });
      const error = await rejection(iam.apiKeys.list());
      expect(error).toBeInstanceOf(IamTimeoutError);
      expect(error).toBeInstanceOf(IamNetworkError);
      expect(error).toMatchObject({ attempts: 3, outcomeUnknown: false });
      expect(error.message).toBe("listApiKeys: no answer within 50 ms");
    } finally {
      await server.close();
    }
  });

  it("a create that times out is not retried: the outcome is unknown", async () => {
    const server = await silentServer();
    try {
      const iam = createIamClient({ token: TOKEN, baseUrl: server.url, retry: NO_WAIT });
      const error = await rejection(iam.apiKeys.create({ description: "x" }, { timeoutMs: 50 }));
      expect(error).toBeInstanceOf(IamTimeoutError);
      expect(error).toMatchObject({ attempts: 1, outcomeUnknown: true });
      expect(error.message).toContain("outcome is unknown");
    } finally {
      await server.close();
    }
  });

  /** A loopback server that sends a 200's headers and the start of its body, then nothing more. */
  const stallingServer = () =>
    loopbackServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"apiKeys": [');
    });

  // Note: the global fetch is not raced against the attempt's end (a caller's fetch is): it must end a body that stalls itself.
  it("with the global fetch, a body that stops half way ends at the attempt's time, and at the caller's abort", async () => {
    const server = await stallingServer();
    try {
      // Note: the headers must come within the attempt's time, so the attempt's time is one a loaded machine keeps.
      const iam = createIamClient({ token: TOKEN, baseUrl: server.url, timeoutMs: ANSWERS_WITHIN_MS, retry: NO_WAIT });
      const error = await rejection(iam.apiKeys.list());
      expect(error).toBeInstanceOf(IamTimeoutError);
      expect(error).toMatchObject({ attempts: 3, outcomeUnknown: false });
      expect(error.message).toBe(`listApiKeys: no whole answer within ${ANSWERS_WITHIN_MS} ms`);
      const reason = new Error("user cancelled");
      const controller = new AbortController();
      const patient = createIamClient({ token: TOKEN, baseUrl: server.url, retry: NO_WAIT });
      setTimeout(() => controller.abort(reason), 50);
      expect(await rejection(patient.apiKeys.list({}, { signal: controller.signal }))).toBe(reason);
    } finally {
      await server.close();
    }
  });

  // Note: a global fetch replaced after the client's module loaded (a test's stub, a polyfill) may not listen to its signal.
  it("a global fetch replaced by one that never settles, or whose body stalls, still ends at the attempt's time and at the caller's abort", async () => {
    const never: typeof fetch = () => new Promise(() => {});
    const stalls: typeof fetch = async () => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }));
    try {
      vi.stubGlobal("fetch", never);
      const iam = createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:1", timeoutMs: 30, retry: NO_WAIT });
      const silent = await rejection(iam.apiKeys.get("k"));
      expect(silent).toBeInstanceOf(IamTimeoutError);
      expect(silent).toMatchObject({ attempts: 3, message: "getApiKey: no answer within 30 ms" });
      const reason = new Error("user cancelled");
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 30);
      expect(
        await rejection(createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:1" }).apiKeys.get("k", { signal: controller.signal })),
      ).toBe(reason);
      vi.stubGlobal("fetch", stalls);
      const stalled = await rejection(iam.apiKeys.get("k"));
      expect(stalled).toBeInstanceOf(IamTimeoutError);
      expect(stalled).toMatchObject({ attempts: 3, message: "getApiKey: no whole answer within 30 ms" });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("a refused connection on a real socket is a retried IamNetworkError", async () => {
    const server = await silentServer();
    await server.close();
    const iam = createIamClient({ token: TOKEN, baseUrl: server.url, retry: NO_WAIT });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error).toMatchObject({ attempts: 3, outcomeUnknown: false });
  });

  it("the caller's abort rejects with the caller's reason and is not retried", async () => {
    const server = await silentServer();
    try {
      let sent = 0;
      const iam = createIamClient({
        token: TOKEN,
        baseUrl: server.url,
        retry: NO_WAIT,
        fetch: (r) => {
          sent++;
          return fetch(r);
        },
      });
      const reason = new Error("user cancelled");
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 30);
      expect(await rejection(iam.apiKeys.list({}, { signal: controller.signal }))).toBe(reason);
      expect(sent).toBe(1);
    } finally {
      await server.close();
    }
  });

  // Note: an attempt's own timer does not hold the process open; one shared timer does while any attempt is in flight
  // (core/retry.ts, attemptTimer). A process holding nothing else shows it: were nothing held, it would exit with the call
  // unsettled and no line printed, as it would where what carries the request holds nothing (a token function, a caller's
  // fetch, a dispatcher that never answers).
  it("an attempt's time ends the call in a process that holds nothing else: Node's fetch, a caller's fetch, a token function and a dispatcher that never settle", async () => {
    const server = await loopbackServer((request, response) => {
      if (request.url?.endsWith("/stalled")) response.writeHead(200, { "content-type": "application/json" }).write('{"id":');
    });
    try {
      const script = `
        const { createIamClient } = await import("./src/index.ts");
        const never = () => new Promise(() => {});
        const cases = [
          ["Node's fetch, no answer", { token: "t" }, "silent"],
          ["Node's fetch, a stalled body", { token: "t" }, "stalled"],
          ["a caller's fetch that never settles", { token: "t", fetch: never }, "silent"],
          ["a token function that never settles", { token: never }, "silent"],
        ];
        for (const [name, options, key] of cases) {
          const iam = createIamClient({ ...options, baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 100, retry: false });
          const error = await iam.apiKeys.get(key).then(() => new Error("answered"), (e) => e);
          console.log(JSON.stringify([name, error.name, error.message]));
        }
        // Note: last, as it stays: Node's fetch over a global dispatcher put in place (what undici's setGlobalDispatcher
        // writes) whose waiting request holds no socket, no timer, nothing (a queue, a mock).
        globalThis[Symbol.for("undici.globalDispatcher.1")] = {
          dispatch: () => true,
          close: async () => {},
          destroy: async () => {},
          on() { return this; }, once() { return this; }, off() { return this; }, emit: () => false,
        };
        const iam = createIamClient({ token: "t", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 100, retry: false });
        const error = await iam.apiKeys.get("held").then(() => new Error("answered"), (e) => e);
        console.log(JSON.stringify(["Node's fetch over a dispatcher that holds nothing", error.name, error.message]));
      `;
      const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
      const lines = run.stdout.trim().split("\n");
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        ["Node's fetch, no answer", "IamTimeoutError", "getApiKey: no answer within 100 ms"],
        ["Node's fetch, a stalled body", "IamTimeoutError", "getApiKey: no whole answer within 100 ms"],
        ["a caller's fetch that never settles", "IamTimeoutError", "getApiKey: no answer within 100 ms"],
        ["a token function that never settles", "IamTimeoutError", "getApiKey: no token within 100 ms, so this attempt was not sent"],
        ["Node's fetch over a dispatcher that holds nothing", "IamTimeoutError", "getApiKey: no answer within 100 ms"],
      ]);
    } finally {
      await server.close();
    }
  });

  // Note: a fetch that was the global one before the client loaded is not taken for Node's own (a mocking library, a
  // polyfill, a wrapper set up first): one that ignores its signal is raced, so its call ends at the attempt's time. Taken
  // for Node's, it was not raced, and the call never ended: the shared timer kept the process open until execFile's
  // timeout killed it.
  it("a global fetch put in place before the client's import, which ignores its signal and never settles, still ends at the attempt's time", async () => {
    const script = `
      globalThis.fetch = () => new Promise(() => {});
      const { createIamClient } = await import("./src/index.ts");
      const iam = createIamClient({ token: "t", baseUrl: "http://127.0.0.1:1", timeoutMs: 100, retry: false });
      const error = await iam.apiKeys.get("k").then(() => new Error("answered"), (e) => e);
      console.log(JSON.stringify([error.name, error.message]));
    `;
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      timeout: 10_000,
    });
    expect(JSON.parse(run.stdout)).toEqual(["IamTimeoutError", "getApiKey: no answer within 100 ms"]);
  });

  // Note: fake timers installed before the client loads (a setup file, Jest's enableGlobally) replace the global
  // setInterval: the shared timer made with it then held nothing, and a test's runAllTimers ran it for ever (vitest:
  // "Aborting after running 10000 timers"). Here a stand-in that counts, and a caller's fetch that never settles: were
  // the stand-in's timer the one, nothing would hold the process, which would exit with no line printed.
  it("a setInterval replaced before the client's import (fake timers) is not the shared timer, which still holds the process", async () => {
    const script = `
      let faked = 0;
      globalThis.setInterval = () => (faked++, { ref() { return this; }, unref() { return this; } });
      const { createIamClient } = await import("./src/index.ts");
      const iam = createIamClient({ token: "t", fetch: () => new Promise(() => {}), baseUrl: "http://127.0.0.1:1", timeoutMs: 100, retry: false });
      const error = await iam.apiKeys.get("k").then(() => new Error("answered"), (e) => e);
      console.log(JSON.stringify([error.name, error.message, faked]));
    `;
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    expect(run.stdout).not.toBe("");
    expect(JSON.parse(run.stdout)).toEqual(["IamTimeoutError", "getApiKey: no answer within 100 ms", 0]);
  });

  // Note: a signal the options accept (by its aborted and addEventListener) whose addEventListener throws: the attempt
  // was counted in flight before it, and never uncounted, so the shared timer held the process open for ever.
  it("a caller's signal that refuses its listener leaves nothing holding the process", async () => {
    const script = `
      const { createIamClient } = await import("./src/index.ts");
      const iam = createIamClient({ token: "t", fetch: async () => new Response("{}", { status: 500 }), baseUrl: "http://127.0.0.1:1", retry: false });
      const signal = { aborted: false, addEventListener() { throw new Error("no listener"); }, removeEventListener() {} };
      const error = await iam.apiKeys.get("k", { signal }).then(() => new Error("answered"), (e) => e);
      console.log(JSON.stringify([error.message]));
    `;
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      timeout: 10_000,
    });
    expect(JSON.parse(run.stdout)).toEqual(["no listener"]);
  });

  it("an abort during the wait between retries stops at once", async () => {
    const controller = new AbortController();
    const { iam, requests } = client(
      [
        (() => {
          setTimeout(() => controller.abort("stop"), 10);
          return json(503, status(14, "down"), { "retry-after": "60" });
        }) as Step,
      ],
      { retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 60_000 } },
    );
    expect(await rejection(iam.apiKeys.list({}, { signal: controller.signal }))).toBe("stop");
    expect(requests).toHaveLength(1);
  });
});

describe("listAll", () => {
  const page = (ids: string[], next?: string) =>
    json(200, { apiKeys: ids.map((id) => ({ ...KEY, id })), ...(next !== undefined && { nextPageToken: next }) });

  it("walks every page lazily, passing pageSize and each token", async () => {
    const { iam, requests } = client([page(["a", "b"], "t1"), page(["c", "d"], "t2"), page(["e"])]);
    const ids: string[] = [];
    for await (const key of iam.apiKeys.listAll({ serviceAccountId: "sa", pageSize: 2 })) ids.push(key.id);
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual([
      "?serviceAccountId=sa&pageSize=2",
      "?serviceAccountId=sa&pageSize=2&pageToken=t1",
      "?serviceAccountId=sa&pageSize=2&pageToken=t2",
    ]);
  });

  it("sends no further request after break", async () => {
    const { iam, requests } = client([page(["a", "b"], "t1"), page(["c", "d"], "t2"), page(["e"])]);
    for await (const key of iam.apiKeys.listAll({ pageSize: 2 })) if (key.id === "b") break;
    expect(requests).toHaveLength(1);
    const gen = iam.apiKeys.listAll();
    expect(requests).toHaveLength(1);
    await gen.next();
    expect(requests).toHaveLength(2);
  });

  it("stops on an empty nextPageToken", async () => {
    const { iam, requests } = client([page(["a"], ""), page(["never"])]);
    const ids: string[] = [];
    for await (const key of iam.apiKeys.listAll()) ids.push(key.id);
    expect(ids).toEqual(["a"]);
    expect(requests).toHaveLength(1);
  });

  it("fails loudly when the server repeats a token", async () => {
    const { iam, requests } = client([page(["a"], "t1"), page(["b"], "t2"), page(["c"], "t1")]);
    const ids: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const key of iam.apiKeys.listAll()) ids.push(key.id);
      })(),
    );
    // Note: the server breaking the contract, not the client's fault or the network's.
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error).toMatchObject({ status: 200, problems: [{ path: "nextPageToken", message: "repeats an earlier page's token" }] });
    expect(error.message).toBe("listApiKeys: page 3 breaks the contract: nextPageToken repeats an earlier page's token");
    expect(ids).toEqual(["a", "b", "c"]);
    expect(requests).toHaveLength(3);
  });

  it("checks its arguments before the first request", async () => {
    const { iam, requests } = client([page(["a"])]);
    const error = await rejection(iam.apiKeys.listAll({ pageSize: 5000 }).next());
    expect(error).toBeInstanceOf(IamInputError);
    expect(requests).toHaveLength(0);
  });
});

describe("runs anywhere fetch runs", () => {
  it("src/ imports nothing Node-only and reads no process globals", async () => {
    // Note: testing/node.ts is the one file that may: the `yc-iam-api-keys/testing/node` entry, the fake over node:http.
    const files = (await readdir(join(root, "src"), { recursive: true })).filter((f) => f.endsWith(".ts") && f !== "testing/node.ts");
    expect(files).toEqual(
      expect.arrayContaining(["index.ts", "client.ts", "core/call.ts", "services/api-keys.ts", "services/operations.ts"]),
    );
    for (const file of files) {
      const text = await readFile(join(root, "src", file), "utf8");
      expect(text, file).not.toMatch(/from "node:|require\(|process\.|Buffer\b/);
    }
  });

  it("core/types.ts and testing/types.ts hold types only, so neither is a module to load at run time (each one adds to the cold import)", async () => {
    for (const file of ["src/core/types.ts", "src/testing/types.ts"]) {
      const text = await readFile(join(root, file), "utf8");
      expect(text, file).toMatch(/^export (type|interface) /m);
      // Note: what TypeScript emits of it: nothing but the empty module marker when it holds types alone.
      const emitted = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
      }).outputText;
      expect(emitted.replace(/\/\/.*$/gm, "").trim(), file).toBe("export {};");
    }
    // Note: a negative control: a value export is emitted.
    expect(ts.transpileModule("export const x = 1;", { compilerOptions: { module: ts.ModuleKind.ESNext } }).outputText).toContain("x = 1");
  });

  // Note: Node defines fetch as a plain function that loads undici on its first call (the call loop reads it at import, to
  // tell Node's own from one put in its place later); Headers, Request and Response are getters that load undici when read.
  it("importing the client entry reads no Headers, Request or Response (the first read of one loads Node's fetch, undici)", async () => {
    const script = `
      const touched = [];
      for (const name of ["Headers", "Request", "Response"]) {
        const value = globalThis[name];
        Object.defineProperty(globalThis, name, { configurable: true, get: () => (touched.push(name), value) });
      }
      const { createIamClient } = await import("./src/index.ts");
      const atImport = [...touched];
      createIamClient({ token: "t" }).raw;
      console.log(JSON.stringify({ atImport, atUse: touched }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    const { atImport, atUse } = JSON.parse(stdout);
    expect(atImport).toEqual([]);
    // Note: the control: making a client does read them (openapi-fetch takes Request), and the getters see it.
    expect(atUse.length).toBeGreaterThan(0);
  });

  it("identifies itself with the package's version", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
});
