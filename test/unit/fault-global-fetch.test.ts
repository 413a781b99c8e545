// Faults driven over real loopback sockets against a client that sends with the GLOBAL fetch (no `fetch` option), with a
// fixed token (nothing raced: the loop relies on the global fetch ending on the attempt's signal, the body too) and with a
// token function (fetch and body raced against the attempt's end). Each fault is played to a read, a create and two
// changes that answer an Operation, side by side on one server; each call is bounded, so a hang fails at once.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OUTCOME_UNKNOWN } from "../../src/core/errors.ts";
import {
  createIamClient,
  IamAbortError,
  IamApiError,
  type IamClient,
  type IamClientOptions,
  IamNetworkError,
  IamTimeoutError,
  IamTokenError,
} from "../../src/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { ANSWERS_WITHIN_MS } from "../support/patience.ts";
import { caught } from "../support/secrets.ts";

// Note: an unhandled rejection anywhere in this file (a raced promise left to reject, a body's error nobody reads) fails the test it follows.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => void process.on("unhandledRejection", onUnhandled));
afterEach(async () => {
  // Note: a rejection is reported unhandled once the microtasks have run: a timer's turn is after that.
  await new Promise((resolve) => setTimeout(resolve, 5));
  // Note: taken, so one test's rejection fails that test alone.
  expect(unhandled.splice(0)).toEqual([]);
});
afterAll(() => void process.off("unhandledRejection", onUnhandled));

/** The operations driven: a read, a create (retried only when never sent) and two idempotent changes answering an Operation. */
type Kind = "read" | "create" | "delete" | "update";
const KINDS: Kind[] = ["read", "create", "delete", "update"];
const KEY_ID = "aje3ho9atbhf4aq6c2ok";

/** A 200 example of the bundled document, by path, method and name: what the server answers when it answers. */
const example = (path: string, method: string, name: string): unknown =>
  bundledDocument.paths[path][method].responses["200"].content["application/json"].examples[name].value;

const OPERATIONS: Record<
  Kind,
  {
    id: string;
    method: string;
    path: string;
    /** Whether the call may change something, so a failure after sending leaves its outcome unknown. */
    changes: boolean;
    /** Whether a network failure after the request was sent is retried (the create's is not). */
    retriedAfterSending: boolean;
    /** Whether a 500 is retried. */
    retries500: boolean;
    send(iam: IamClient, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
    answer: unknown;
    /** What the call resolves with, given `answer`. */
    result: unknown;
  }
> = {
  read: {
    id: "listApiKeys",
    method: "GET",
    path: "/iam/v1/apiKeys",
    changes: false,
    retriedAfterSending: true,
    retries500: true,
    send: (iam, options) => iam.apiKeys.list({}, options),
    answer: example("/iam/v1/apiKeys", "get", "firstPage"),
    result: example("/iam/v1/apiKeys", "get", "firstPage"),
  },
  create: {
    id: "createApiKey",
    method: "POST",
    path: "/iam/v1/apiKeys",
    changes: true,
    retriedAfterSending: false,
    retries500: false,
    send: (iam, options) => iam.apiKeys.create({ description: "bot" }, options),
    answer: example("/iam/v1/apiKeys", "post", "withScopesAndExpiry"),
    result: example("/iam/v1/apiKeys", "post", "withScopesAndExpiry"),
  },
  delete: {
    id: "deleteApiKey",
    method: "DELETE",
    path: `/iam/v1/apiKeys/${KEY_ID}`,
    changes: true,
    retriedAfterSending: true,
    retries500: true,
    send: (iam, options) => iam.apiKeys.delete(KEY_ID, options),
    answer: example("/iam/v1/apiKeys/{apiKeyId}", "delete", "done"),
    result: undefined,
  },
  update: {
    id: "updateApiKey",
    method: "PATCH",
    path: `/iam/v1/apiKeys/${KEY_ID}`,
    changes: true,
    retriedAfterSending: true,
    retries500: true,
    send: (iam, options) => iam.apiKeys.update(KEY_ID, { description: "rotated" }, options),
    answer: example("/iam/v1/apiKeys/{apiKeyId}", "patch", "done"),
    result: (() => {
      const { "@type": _, ...key } = (example("/iam/v1/apiKeys/{apiKeyId}", "patch", "done") as { response: Record<string, unknown> })
        .response;
      return key;
    })(),
  },
};

/** The operation a request is of, by its method and path. */
const kindOf = (request: IncomingMessage): Kind => {
  const path = new URL(request.url ?? "", "http://x").pathname;
  const kind = KINDS.find((k) => OPERATIONS[k].method === request.method && OPERATIONS[k].path === path);
  if (!kind) throw new Error(`unexpected request ${request.method} ${request.url}`);
  return kind;
};

type Handle = (request: IncomingMessage, response: ServerResponse, kind: Kind, attempt: number) => void;

/** A loopback server whose requests `handle` answers (told the operation and its attempt), with every socket it accepted. */
async function loopback(handle: Handle) {
  const sockets = new Set<Socket>();
  // Note: the sockets that carried a request, and those whose client closed its side (the server keeps its own open
  // while a response is unfinished). undici may open a spare connection that carries nothing: close() ends those.
  const carried = new Set<Socket>();
  const ended = new Set<Socket>();
  const seen: Record<Kind, IncomingMessage["headers"][]> = { read: [], create: [], delete: [], update: [] };
  const server = createServer((request, response) => {
    const kind = kindOf(request);
    seen[kind].push(request.headers);
    carried.add(request.socket);
    // Note: the request's body is read whatever the fault, so no unread bytes turn a close into a reset by chance.
    request.resume();
    handle(request, response, kind, seen[kind].length);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("end", () => ended.add(socket));
    socket.on("close", () => ended.add(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Whether the client closed every connection it opened, within `withinMs` (an attempt's end closes its socket). */
    async dropped(withinMs = 1_000): Promise<boolean> {
      const until = Date.now() + withinMs;
      const open = () => [...carried].filter((socket) => !ended.has(socket)).length;
      while (open() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      return carried.size > 0 && !open();
    },
    /** Closes every connection and the server, waiting at most a second; resolves with the sockets still open then. */
    async close(): Promise<number> {
      server.closeAllConnections();
      await Promise.race([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      return [...sockets].filter((s) => !s.destroyed).length;
    },
  };
}
type Loopback = Awaited<ReturnType<typeof loopback>>;

/** Answers `status` with a JSON body. */
const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
};
const status = (code: number, message: string) => ({ code, message, details: [] });

/** The start of a JSON body that never ends (a JSON text may hold any whitespace after it). */
const HALF = '{"id": "ajeq8f2d5k1mr7t3w9xe", ';

/** A per-attempt time that a loopback answer meets even on a busy machine, for the faults that end by other means. */
const PATIENT = 2_000;
const RETRY = { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 };
/** How long any call may take before its test fails as a hang. */
const BOUND_MS = 2_500;
// Note: two attempts of ANSWERS_WITHIN_MS still end within BOUND_MS.

const fixedToken = "t";
const tokenFunction = () => Promise.resolve("t");

/** A client over the GLOBAL fetch (no `fetch` option) at `server`. */
const client = (server: Loopback, token: IamClientOptions["token"], options: Partial<IamClientOptions> = {}) =>
  createIamClient({
    baseUrl: server.url,
    token,
    timeoutMs: PATIENT,
    retry: RETRY,
    polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 1_000 },
    ...options,
  });

type Settled = { value: unknown } | { error: any } | "still pending";

/** What `call` settled with, or "still pending" once BOUND_MS passed. */
async function settled(call: Promise<unknown>): Promise<Settled> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<Settled>((resolve) => {
    timer = setTimeout(resolve, BOUND_MS, "still pending");
  });
  const outcome = call.then(
    (value) => ({ value }),
    (error) => ({ error: caught(error) }),
  );
  try {
    return await Promise.race([outcome, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends every operation at once, each with its own options; what each settled with. */
async function drive(iam: IamClient, options: (kind: Kind) => { signal?: AbortSignal; timeoutMs?: number } = () => ({})) {
  const results = await Promise.all(KINDS.map((kind) => settled(OPERATIONS[kind].send(iam, options(kind)))));
  return Object.fromEntries(KINDS.map((kind, i) => [kind, results[i]])) as Record<Kind, Settled>;
}

/** The error `result` holds; fails the test when it resolved or hung. */
const errorOf = (result: Settled, kind: Kind): any => {
  expect(result, kind).not.toBe("still pending");
  expect(result, kind).toHaveProperty("error");
  return (result as { error: unknown }).error;
};

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The advice a change's message ends with when its outcome is unknown. */
const advice = (kind: Kind) => (OPERATIONS[kind].changes ? OUTCOME_UNKNOWN : "");

/** How many requests a network failure after sending takes with two attempts allowed. */
const sendings = (kind: Kind) => (OPERATIONS[kind].retriedAfterSending ? 2 : 1);

/** Checks a time-out of every operation: its class, words, attempts (as many as the server saw) and outcome. */
function expectTimeouts(results: Record<Kind, Settled>, server: Loopback, words: string) {
  for (const kind of KINDS) {
    const error = errorOf(results[kind], kind);
    expect(error, kind).toBeInstanceOf(IamTimeoutError);
    expect(error, kind).toMatchObject({ attempts: sendings(kind), outcomeUnknown: OPERATIONS[kind].changes });
    expect(error.message).toBe(`${OPERATIONS[kind].id}: ${words}${advice(kind)}`);
    expect(server.seen[kind], kind).toHaveLength(sendings(kind));
  }
}

/** Checks a lost connection of every operation: an IamNetworkError that is no time-out, its words' start, attempts and outcome. */
function expectNetworkErrors(results: Record<Kind, Settled>, server: Loopback, start: string) {
  for (const kind of KINDS) {
    const error = errorOf(results[kind], kind);
    expect(error, kind).toBeInstanceOf(IamNetworkError);
    expect(error, kind).not.toBeInstanceOf(IamTimeoutError);
    expect(error, kind).toMatchObject({ attempts: sendings(kind), outcomeUnknown: OPERATIONS[kind].changes });
    expect(error.message).toMatch(new RegExp(`^${escaped(`${OPERATIONS[kind].id}: ${start}`)}.+${escaped(advice(kind))}$`));
    expect(server.seen[kind], kind).toHaveLength(sendings(kind));
  }
}

/** Checks the caller's abort after sending: a read rejects with the caller's reason; a change with an IamAbortError that says its outcome is unknown. */
function expectAborts(results: Record<Kind, Settled>, server: Loopback, reasons: Record<Kind, Error>) {
  for (const kind of KINDS) {
    const error = errorOf(results[kind], kind);
    if (!OPERATIONS[kind].changes) expect(error, kind).toBe(reasons[kind]);
    else {
      expect(error, kind).toBeInstanceOf(IamAbortError);
      expect(error, kind).toMatchObject({ attempts: 1, outcomeUnknown: true });
      expect(error.cause, kind).toBe(reasons[kind]);
      expect(error.message).toBe(`${OPERATIONS[kind].id}: aborted by the caller after it was sent${OUTCOME_UNKNOWN}`);
    }
    expect(server.seen[kind], kind).toHaveLength(1);
  }
}

/** Every operation's own controller and reason, and the options that pass its signal. */
function aborters() {
  const controllers = Object.fromEntries(KINDS.map((kind) => [kind, new AbortController()])) as Record<Kind, AbortController>;
  const reasons = Object.fromEntries(KINDS.map((kind) => [kind, new Error(`${kind} cancelled by the user`)])) as Record<Kind, Error>;
  const abort = (kind: Kind) => controllers[kind].abort(reasons[kind]);
  return { reasons, abort, options: (kind: Kind) => ({ signal: controllers[kind].signal }) };
}

/** How many TCP handles (servers, sockets: ours and the client's) this process holds. */
const tcpHandles = () => process.getActiveResourcesInfo().filter((name) => name.startsWith("TCP")).length;

/**
 * Runs `test` against a server of `handle`, then closes it and checks that no socket is left open: none of the server's,
 * and none of the client's (each closes once the server closes its side), within a second.
 */
async function against(handle: Handle, test: (server: Loopback) => Promise<void>) {
  const before = tcpHandles();
  const server = await loopback(handle);
  try {
    await test(server);
  } finally {
    expect(await server.close()).toBe(0);
    const until = Date.now() + 1_000;
    while (tcpHandles() > before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    // Note: at most as many as before, not exactly: this worker's earlier test files may still be closing sockets of theirs.
    expect(tcpHandles(), process.getActiveResourcesInfo().join(", ")).toBeLessThanOrEqual(before);
  }
}

describe.each([
  ["a fixed token (nothing raced: the global fetch ends itself)", fixedToken],
  ["a token function (fetch and body raced)", tokenFunction],
])("over the global fetch with %s", (_, token) => {
  it("a server that never answers: a time-out at the attempt's time, 'no answer within N ms'; the client drops each connection", async () => {
    await against(
      () => {},
      async (server) => {
        const results = await drive(client(server, token, { timeoutMs: 50 }));
        expectTimeouts(results, server, "no answer within 50 ms");
        expect(await server.dropped()).toBe(true);
      },
    );
  });

  it("headers, then a body that stops half way: 'no whole answer within N ms'; the client drops each connection", async () => {
    await against(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write(HALF);
      },
      async (server) => {
        const results = await drive(client(server, token, { timeoutMs: ANSWERS_WITHIN_MS }));
        expectTimeouts(results, server, `no whole answer within ${ANSWERS_WITHIN_MS} ms`);
        expect(await server.dropped()).toBe(true);
      },
    );
  });

  it("a body that drips a byte every 10 ms, on past the attempt's time: 'no whole answer within N ms'", async () => {
    await against(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write(HALF);
        const drip = setInterval(() => response.write(" "), 10);
        response.on("close", () => clearInterval(drip));
      },
      async (server) => {
        const results = await drive(client(server, token, { timeoutMs: ANSWERS_WITHIN_MS }));
        expectTimeouts(results, server, `no whole answer within ${ANSWERS_WITHIN_MS} ms`);
        expect(await server.dropped()).toBe(true);
      },
    );
  });

  it("a connection closed (socket.destroy()) before the headers: an IamNetworkError 'no answer: …', retried unless a create, which may have acted", async () => {
    await against(
      (request) => request.socket.destroy(),
      async (server) => {
        const results = await drive(client(server, token));
        expectNetworkErrors(results, server, "no answer: ");
      },
    );
  });

  it("a TCP reset (RST) before the headers: as a closed connection, ECONNRESET proving nothing about whether it was sent", async () => {
    await against(
      (request) => request.socket.resetAndDestroy(),
      async (server) => {
        const results = await drive(client(server, token));
        expectNetworkErrors(results, server, "no answer: ");
      },
    );
  });

  it("a connection reset half way through the body: 'the answer could not be read: …'", async () => {
    await against(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write(HALF, () => setTimeout(() => response.socket?.destroy(), 20));
      },
      async (server) => {
        const results = await drive(client(server, token));
        expectNetworkErrors(results, server, "the answer could not be read: ");
      },
    );
  });

  it("a server that closes its side after the headers of a longer body: 'the answer could not be read: …'", async () => {
    await against(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        response.flushHeaders();
        setTimeout(() => response.socket?.end(), 20);
      },
      async (server) => {
        const results = await drive(client(server, token));
        expectNetworkErrors(results, server, "the answer could not be read: ");
      },
    );
  });

  it("a 503, then the answer: every operation is retried once (the 503 did not act) with the same ids, and resolves", async () => {
    await against(
      (_, response, kind, attempt) =>
        attempt === 1 ? answer(response, 503, status(14, "down")) : answer(response, 200, OPERATIONS[kind].answer),
      async (server) => {
        const results = await drive(client(server, token));
        for (const kind of KINDS) {
          expect(results[kind], kind).toEqual({ value: OPERATIONS[kind].result });
          const [first, second] = server.seen[kind];
          expect(server.seen[kind], kind).toHaveLength(2);
          expect(second?.["x-client-request-id"], kind).toBe(first?.["x-client-request-id"]);
          expect(second?.["idempotency-key"], kind).toBe(first?.["idempotency-key"]);
          expect(second?.authorization, kind).toBe("Bearer t");
        }
        expect(server.seen.create[0]?.["idempotency-key"]).toEqual(expect.any(String));
      },
    );
  });

  it("no answer to the first attempt, an answer to the retry: a read and an update resolve, a delete that finds the key gone is done, a create is not retried", async () => {
    await against(
      (_, response, kind, attempt) => {
        if (attempt === 1) return;
        if (kind === "delete") answer(response, 404, status(5, `API key ${KEY_ID} not found`));
        else answer(response, 200, OPERATIONS[kind].answer);
      },
      async (server) => {
        const results = await drive(client(server, token, { timeoutMs: ANSWERS_WITHIN_MS }));
        for (const kind of ["read", "delete", "update"] as const) {
          expect(results[kind], kind).toEqual({ value: OPERATIONS[kind].result });
          expect(server.seen[kind], kind).toHaveLength(2);
          expect(server.seen[kind][1]?.["idempotency-key"], kind).toBe(server.seen[kind][0]?.["idempotency-key"]);
        }
        const created = errorOf(results.create, "create");
        expect(created).toBeInstanceOf(IamTimeoutError);
        expect(created).toMatchObject({ attempts: 1, outcomeUnknown: true });
        expect(created.message).toBe(`createApiKey: no answer within ${ANSWERS_WITHIN_MS} ms${OUTCOME_UNKNOWN}`);
        expect(server.seen.create).toHaveLength(1);
      },
    );
  });

  it("a 503 every time: an IamApiError after two attempts, outcome known (a 503 did not act)", async () => {
    await against(
      (_, response) => answer(response, 503, status(14, "down")),
      async (server) => {
        const results = await drive(client(server, token));
        for (const kind of KINDS) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamApiError);
          expect(error, kind).toMatchObject({ status: 503, attempts: 2, outcomeUnknown: false, retryable: true });
          expect(error.message).toBe(`${OPERATIONS[kind].id}: HTTP 503 UNAVAILABLE: down`);
          expect(server.seen[kind], kind).toHaveLength(2);
        }
      },
    );
  });

  it("a 500 every time: retried except for a create; a change's outcome is unknown", async () => {
    await against(
      (_, response) => answer(response, 500, status(13, "boom")),
      async (server) => {
        const results = await drive(client(server, token));
        for (const kind of KINDS) {
          const error = errorOf(results[kind], kind);
          const attempts = OPERATIONS[kind].retries500 ? 2 : 1;
          expect(error, kind).toBeInstanceOf(IamApiError);
          expect(error, kind).toMatchObject({ status: 500, attempts, outcomeUnknown: OPERATIONS[kind].changes });
          expect(error.message).toBe(`${OPERATIONS[kind].id}: HTTP 500 INTERNAL: boom${advice(kind)}`);
          expect(server.seen[kind], kind).toHaveLength(attempts);
        }
      },
    );
  });

  it("the caller's abort before sending: the caller's own reason, for a change too, and nothing is sent", async () => {
    await against(
      () => {},
      async (server) => {
        const { reasons, abort, options } = aborters();
        for (const kind of KINDS) abort(kind);
        const results = await drive(client(server, token), options);
        for (const kind of KINDS) {
          expect(results[kind], kind).toEqual({ error: reasons[kind] });
          expect(server.seen[kind], kind).toHaveLength(0);
        }
      },
    );
  });

  it("the caller's abort while waiting for the headers: the caller's reason for a read, an IamAbortError (outcome unknown) for a change", async () => {
    const { reasons, abort, options } = aborters();
    await against(
      (_, __, kind) => abort(kind),
      async (server) => {
        const results = await drive(client(server, token), options);
        expectAborts(results, server, reasons);
        expect(await server.dropped()).toBe(true);
      },
    );
  });

  it("the caller's abort half way through the body: as while waiting for the headers", async () => {
    const { reasons, abort, options } = aborters();
    await against(
      (_, response, kind) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write(HALF, () => setTimeout(() => abort(kind), 20));
      },
      async (server) => {
        const results = await drive(client(server, token), options);
        expectAborts(results, server, reasons);
        expect(await server.dropped()).toBe(true);
      },
    );
  });

  it("the caller's abort during the wait before a retry, after a 503: the caller's own reason at once (nothing acted)", async () => {
    const { reasons, abort, options } = aborters();
    await against(
      (_, response, kind) => {
        answer(response, 503, status(14, "down"), { "retry-after": "60" });
        response.on("finish", () => setTimeout(() => abort(kind), 100));
      },
      async (server) => {
        const started = Date.now();
        const results = await drive(client(server, token, { retry: { ...RETRY, maxDelayMs: 60_000 } }), options);
        for (const kind of KINDS) {
          expect(results[kind], kind).toEqual({ error: reasons[kind] });
          expect(server.seen[kind], kind).toHaveLength(1);
        }
        expect(Date.now() - started).toBeLessThan(BOUND_MS);
      },
    );
  });

  it("the caller's abort during the wait before a retry, after a 500: an IamAbortError for a change (the 500 may have acted); a create is not retried", async () => {
    const { reasons, abort, options } = aborters();
    await against(
      (_, response, kind) => {
        answer(response, 500, status(13, "boom"), { "retry-after": "60" });
        response.on("finish", () => setTimeout(() => abort(kind), 100));
      },
      async (server) => {
        const results = await drive(client(server, token, { retry: { ...RETRY, maxDelayMs: 60_000 } }), options);
        expect(results.read).toEqual({ error: reasons.read });
        const created = errorOf(results.create, "create");
        expect(created).toBeInstanceOf(IamApiError);
        expect(created).toMatchObject({ status: 500, attempts: 1, outcomeUnknown: true });
        for (const kind of ["delete", "update"] as const) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamAbortError);
          expect(error, kind).toMatchObject({ attempts: 1, outcomeUnknown: true });
          expect(error.cause, kind).toBe(reasons[kind]);
          expect(error.message).toBe(`${OPERATIONS[kind].id}: aborted by the caller after it was sent${OUTCOME_UNKNOWN}`);
        }
        for (const kind of KINDS) expect(server.seen[kind], kind).toHaveLength(1);
      },
    );
  });
});

describe("a token function that fails, over the global fetch", () => {
  /** A token function that never settles, with the signals it was given. */
  const hanging = () => {
    const signals: (AbortSignal | undefined)[] = [];
    const token = (options?: { signal?: AbortSignal }) => {
      signals.push(options?.signal);
      return new Promise<string>(() => {});
    };
    return { token, signals };
  };

  it("one that never settles: a time-out at the attempt's time, 'no token within N ms', nothing sent, retried; its signal aborts", async () => {
    await against(
      () => {},
      async (server) => {
        const { token, signals } = hanging();
        const results = await drive(client(server, token, { timeoutMs: 50 }));
        for (const kind of KINDS) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamTimeoutError);
          expect(error, kind).toMatchObject({ attempts: 0, outcomeUnknown: false });
          expect(error.message).toBe(`${OPERATIONS[kind].id}: no token within 50 ms, so this attempt was not sent`);
          expect(server.seen[kind], kind).toHaveLength(0);
        }
        // Note: asked once per attempt of each call, and told that each attempt ended.
        expect(signals).toHaveLength(2 * KINDS.length);
        expect(signals.every((s) => s?.aborted)).toBe(true);
      },
    );
  });

  it("the caller's abort while one never settles: the caller's own reason, for a change too, nothing sent; its signal aborts", async () => {
    await against(
      () => {},
      async (server) => {
        const { token, signals } = hanging();
        const { reasons, abort, options } = aborters();
        setTimeout(() => {
          for (const kind of KINDS) abort(kind);
        }, 20);
        const results = await drive(client(server, token), options);
        for (const kind of KINDS) {
          expect(results[kind], kind).toEqual({ error: reasons[kind] });
          expect(server.seen[kind], kind).toHaveLength(0);
        }
        expect(signals).toHaveLength(KINDS.length);
        expect(signals.every((s) => s?.aborted)).toBe(true);
      },
    );
  });

  it("one that rejects: an IamTokenError with its error as the cause, nothing sent, not retried", async () => {
    await against(
      () => {},
      async (server) => {
        const failure = new Error("the vault is sealed");
        let asked = 0;
        const results = await drive(
          client(server, () => {
            asked++;
            return Promise.reject(failure);
          }),
        );
        for (const kind of KINDS) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamTokenError);
          expect(error, kind).toMatchObject({ attempts: 0, outcomeUnknown: false });
          expect(error.cause, kind).toBe(failure);
          expect(error.message).toBe(`${OPERATIONS[kind].id}: the token function failed, so nothing was sent (see cause)`);
          expect(server.seen[kind], kind).toHaveLength(0);
        }
        expect(asked).toBe(KINDS.length);
      },
    );
  });

  it("one that never settles on the retry after a 500: a change's outcome stays unknown (the 500 may have acted)", async () => {
    await against(
      (_, response) => answer(response, 500, status(13, "boom")),
      async (server) => {
        let asked = 0;
        const token = () => (++asked <= KINDS.length ? Promise.resolve("t") : new Promise<string>(() => {}));
        const results = await drive(client(server, token, { timeoutMs: ANSWERS_WITHIN_MS }));
        const created = errorOf(results.create, "create");
        expect(created).toBeInstanceOf(IamApiError);
        expect(created).toMatchObject({ status: 500, attempts: 1, outcomeUnknown: true });
        for (const kind of ["read", "delete", "update"] as const) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamTimeoutError);
          expect(error, kind).toMatchObject({ attempts: 1, outcomeUnknown: OPERATIONS[kind].changes });
          expect(error.message).toBe(
            `${OPERATIONS[kind].id}: no token within ${ANSWERS_WITHIN_MS} ms, so this attempt was not sent${advice(kind)}`,
          );
        }
        for (const kind of KINDS) expect(server.seen[kind], kind).toHaveLength(1);
      },
    );
  });

  it("one that rejects on the retry after a 500: an IamTokenError, and a change's outcome stays unknown", async () => {
    await against(
      (_, response) => answer(response, 500, status(13, "boom")),
      async (server) => {
        const failure = new Error("the vault is sealed");
        let asked = 0;
        const token = () => (++asked <= KINDS.length ? Promise.resolve("t") : Promise.reject(failure));
        const results = await drive(client(server, token));
        for (const kind of ["read", "delete", "update"] as const) {
          const error = errorOf(results[kind], kind);
          expect(error, kind).toBeInstanceOf(IamTokenError);
          expect(error, kind).toMatchObject({ attempts: 1, outcomeUnknown: OPERATIONS[kind].changes });
          expect(error.cause, kind).toBe(failure);
          const notSent = OPERATIONS[kind].changes ? "so this attempt was not sent" : "so nothing was sent";
          expect(error.message).toBe(`${OPERATIONS[kind].id}: the token function failed, ${notSent} (see cause)${advice(kind)}`);
        }
        for (const kind of KINDS) expect(server.seen[kind], kind).toHaveLength(1);
      },
    );
  });
});
