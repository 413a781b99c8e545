// Faults driven against the call loop that sends with fetch itself (a caller's fetch of any make, bodies, statuses, aborts
// and echoes), each with the behaviour it must keep; what outcomes.test.ts and faults.test.ts cover is not repeated here.
import { afterEach, describe, expect, it, vi } from "vitest";
import { delayMs } from "../../src/core/retry.ts";
import {
  createIamClient,
  IamAbortError,
  IamApiError,
  IamInputError,
  IamNetworkError,
  IamTimeoutError,
  IamTokenError,
} from "../../src/index.ts";
import { STATUS_BY_CODE } from "../../src/testing/answers.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { deaf, json, type Step, stalledAfter } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret, settled, TOKEN } from "../support/secrets.ts";

const GATEWAY = secret("gw-key-of-the-fault-drive-0001");

/** A 2xx answer whose body sends its first bytes, then nothing, ever. */
const stalled = stalledAfter('{"apiKey":{"id":"a');

describe("what a caller's fetch throws is kept as the cause only when no rendering of it shows a credential", () => {
  const thrown: [string, Step][] = [
    [
      "a string that quotes the Authorization header",
      (request) => {
        throw `proxy refused: authorization: ${request.headers.get("authorization")}`;
      },
    ],
    [
      "a plain object holding the request's headers",
      (request) => {
        throw { message: "request failed", headers: Object.fromEntries(request.headers) };
      },
    ],
    [
      "an Error holding the headers in a property (an HTTP library's config)",
      (request) => {
        throw Object.assign(new Error("request failed"), { config: { headers: Object.fromEntries(request.headers) } });
      },
    ],
    [
      "an Error holding the Headers object itself",
      (request) => {
        throw Object.assign(new Error("request failed"), { headers: request.headers });
      },
    ],
    [
      "an Error whose cause holds the Request",
      (request) => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { request }) });
      },
    ],
  ];
  it.each(thrown)("%s: an IamNetworkError that shows neither the token nor the caller's header", async (_, step) => {
    const { iam } = scriptedClient([step], { headers: { "X-Gateway-Key": GATEWAY }, retry: false });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.cause).toBeDefined();
    for (const text of renderings(error)) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(GATEWAY);
    }
  });

  it("an error whose every part is plain words and numbers (undici's, with its socket's addresses) is kept as it is", async () => {
    const cause = Object.assign(new Error("other side closed"), {
      code: "UND_ERR_SOCKET",
      socket: { localAddress: "127.0.0.1", localPort: 50_000, remoteAddress: "127.0.0.1", remotePort: 443, bytesWritten: 120 },
    });
    const failed = new TypeError("fetch failed", { cause });
    const { iam } = scriptedClient([failed], { retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.cause).toBe(failed);
  });
});

describe("an error body that echoes a credential JSON-escaped", () => {
  it.each([
    ["a cookie whose value is quoted", secret('sid="cookie-of-the-fault-drive-0002"')],
    ["a header value with a backslash", secret("Basic drive\\domain-user-0003")],
  ])("%s: the server's words show it [REDACTED], as in its raw form", async (_, value) => {
    const echo: Step = (request) => json(403, { code: 7, message: `denied; you sent ${request.headers.get("x-echoed")}` });
    const { iam } = scriptedClient([echo], { headers: { "X-Echoed": value } });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error.serverMessage).toBe("denied; you sent [REDACTED]");
    for (const text of renderings(error)) expect(text).not.toContain(value);
  });
});

describe("a caller's fetch that does not listen to the signal: the attempt's time and the caller's abort still end the call", () => {
  it.each([
    ["a fetch that never answers", deaf, "no answer within 20 ms"],
    ["a 2xx body that stops half way", stalled, "no whole answer within 20 ms"],
  ])("%s: IamTimeoutError after timeoutMs, outcomeUnknown for a create, each attempt of a read timed", async (_, step, what) => {
    const { iam, requests } = scriptedClient([step], { timeoutMs: 20 });
    const create = await settled(iam.apiKeys.create());
    expect(create).toBeInstanceOf(IamTimeoutError);
    expect(create).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(create.message).toMatch(new RegExp(`^createApiKey: ${what}; the outcome is unknown`));
    const list = await settled(iam.apiKeys.list());
    expect(list).toBeInstanceOf(IamTimeoutError);
    expect(list).toMatchObject({ outcomeUnknown: false, attempts: 3 });
    expect(requests).toHaveLength(4);
  });

  it.each([
    ["a fetch that never answers", deaf],
    ["a 2xx body that stops half way", stalled],
  ])("%s: the caller's abort ends a create (IamAbortError, outcomeUnknown) and a read (the caller's reason)", async (_, step) => {
    const { iam } = scriptedClient([step]);
    const reason = new Error("the caller gave up");
    const abortSoon = () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 10);
      return controller.signal;
    };
    const create = await settled(iam.apiKeys.create({}, { signal: abortSoon() }));
    expect(create).toBeInstanceOf(IamAbortError);
    expect(create).toMatchObject({ outcomeUnknown: true, cause: reason });
    expect(await settled(iam.apiKeys.get("aje3ho9atbhf4aq6c2ok", { signal: abortSoon() }))).toBe(reason);
  });
});

describe("a caller's fetch that resolves with no HTTP answer", () => {
  const SUBJECT = { id: "ajeother0account0sa1", type: "serviceAccount" } as const;
  const answers: [string, Step][] = [
    ["Response.error() (status 0, a network error)", () => Response.error()],
    ["undefined", () => undefined as unknown as Response],
    ["an object that is no Response", () => ({}) as Response],
  ];
  it.each(answers)(
    "%s: IamNetworkError, outcomeUnknown for a create (not retried) and a grant (retried), known for a read",
    async (_, step) => {
      const { iam, requests } = scriptedClient([step]);
      const create = await rejection(iam.apiKeys.create());
      expect(create).toBeInstanceOf(IamNetworkError);
      expect(create).toMatchObject({ outcomeUnknown: true, attempts: 1 });
      expect(create.message).toMatch(/^createApiKey: no answer: fetch resolved with Response.error\(\) or no Response/);
      const grant = await rejection(iam.serviceAccounts.grant("ajeg2b2et02f3tl2c1pj", "viewer", SUBJECT));
      expect(grant).toBeInstanceOf(IamNetworkError);
      expect(grant).toMatchObject({ outcomeUnknown: true, attempts: 3 });
      const list = await rejection(iam.apiKeys.list());
      expect(list).toBeInstanceOf(IamNetworkError);
      expect(list).toMatchObject({ outcomeUnknown: false, attempts: 3 });
      expect(requests).toHaveLength(7);
    },
  );
});

describe("a token function that fails quoting a token it gave before", () => {
  const FIRST = secret("t1.first-token-of-the-fault-drive-0004");
  const failures: [string, () => unknown][] = [
    ["an Error", () => new Error(`could not refresh ${FIRST}`)],
    ["a string", () => `could not refresh ${FIRST}`],
    ["an Error holding the token in a field", () => Object.assign(new Error("could not refresh"), { previous: FIRST })],
  ];
  it.each(failures)("%s: an IamTokenError (of the refresh after a 401, then of raw) that shows no token", async (_, failure) => {
    let asked = 0;
    const { iam, requests } = scriptedClient([json(401, { code: 16, message: "expired" })], {
      token: async () => {
        if (++asked === 1) return FIRST;
        throw failure();
      },
    });
    for (const call of [() => iam.apiKeys.list(), () => iam.raw.GET("/iam/v1/apiKeys")]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.cause).toBeDefined();
      for (const text of renderings(error)) expect(text).not.toContain(FIRST);
    }
    expect(requests).toHaveLength(1);
  });
});

describe("Retry-After that is neither delay-seconds nor an HTTP date", () => {
  const RETRY = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 };
  const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
  afterEach(() => vi.restoreAllMocks());

  it.each(["1.5", "-1", "5.0", "soon 12", "Infinity"])("%s is ignored: the wait is full jitter, as with no Retry-After", (value) => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const jitter = delayMs(2, RETRY, null, NOW);
    expect(jitter).toBe(100);
    expect(delayMs(2, RETRY, value, NOW)).toBe(jitter);
  });

  it("delay-seconds and each of an HTTP date's three forms (RFC 9110) are still read", () => {
    expect(delayMs(1, RETRY, "2", NOW)).toBe(2_000);
    const later = new Date(NOW + 5_000);
    expect(delayMs(1, RETRY, later.toUTCString(), NOW)).toBe(5_000);
    // Note: the obsolete forms, RFC 850's and asctime's, of a past moment: no wait at all.
    expect(delayMs(1, RETRY, "Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(0);
    expect(delayMs(1, RETRY, "Sun Nov  6 08:49:37 1994", NOW)).toBe(0);
  });
});

describe("the URL a call is sent to", () => {
  it.each(["http://127.0.0.1:9", "http://127.0.0.1:9/", "http://127.0.0.1:9/gateway/iam", "http://127.0.0.1:9/gateway/iam/"])(
    "baseUrl %s: the wrapped calls and raw send to the same URL, its path prefix kept and one slash between",
    async (baseUrl) => {
      const prefix = baseUrl.replace(/\/$/, "");
      const { iam, requests } = scriptedClient([json(200, { id: "viewer" })], { baseUrl });
      await iam.roles.get("viewer");
      await iam.raw.GET("/iam/v1/roles/{roleId}", { params: { path: { roleId: "viewer" } } });
      await iam.operations.get("op1").catch(() => undefined);
      await iam.raw.GET("/operations/{operationId}", { params: { path: { operationId: "op1" } } });
      expect(urls(requests)).toEqual([
        `GET ${prefix}/iam/v1/roles/viewer`,
        `GET ${prefix}/iam/v1/roles/viewer`,
        `GET ${prefix}/operations/op1`,
        `GET ${prefix}/operations/op1`,
      ]);
    },
  );

  it("a path parameter or a query value with /, ?, #, %, & or = or beyond ASCII goes as one value, which the fake reads back as given", async () => {
    const fake = createFakeIam({ organizationId: "организация%20" });
    const iam = createIamClient({ token: "t1.token-of-the-fake-owner", baseUrl: fake.baseUrl, fetch: fake.fetch });
    for (const roleId of ["a/b", "a?b", "a#b", "a%2Fb", "a b+c", "роль", "🙂"]) {
      const error = await rejection(iam.roles.get(roleId));
      expect(error).toBeInstanceOf(IamApiError);
      expect(error.serverMessage).toBe(`Role ${roleId} not found`);
    }
    const query = { subjectId: "a/b?c&d=e#f", organizationId: "организация%20" };
    await iam.accessAnalyzer.listSubjectAccessBindings(query);
    const sent = new URL(fake.requests.at(-1)?.url ?? "");
    expect(Object.fromEntries(sent.searchParams)).toEqual(query);
  });

  it("a query value that is an array or a boolean where the document takes a string or an integer is refused before sending", async () => {
    const { iam, requests } = scriptedClient([json(200, { roles: [] })]);
    const listed = (query: object) => rejection(iam.roles.list(query as never));
    expect((await listed({ filter: ['id="viewer"', 'id="editor"'] })).problems).toEqual([
      { path: "filter", message: "must be a string, not array" },
    ]);
    const boolean = await listed({ pageSize: true });
    expect(boolean).toBeInstanceOf(IamInputError);
    expect(boolean.problems).toEqual([{ path: "pageSize", message: "must be an integer, not boolean" }]);
    expect(requests).toHaveLength(0);
  });
});

describe("the fake's faults by HTTP status", () => {
  // Note: every error status Yandex's gateway gives a gRPC code, from the fake's own table of them.
  const statuses = [...new Set(Object.values(STATUS_BY_CODE))].filter((status) => status >= 400);
  it.each(statuses)("failNext({ status: %i }) answers a Status whose gRPC code the gateway gives that status", async (status) => {
    const fake = createFakeIam();
    const iam = createIamClient({ token: "t1.token-of-the-fake-owner", baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false });
    fake.failNext({ status });
    const error = await rejection(iam.roles.get("viewer"));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error.status).toBe(status);
    expect(STATUS_BY_CODE[error.code]).toBe(status);
  });
});
