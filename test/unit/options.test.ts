// The client's options: refused at construction when they cannot work, every problem named; undefined keeps a default.
import { describe, expect, it } from "vitest";
import { CLIENT_OPTIONS } from "../../src/core/options.ts";
import { sleep } from "../../src/core/retry.ts";
import { createIamClient, type IamClientOptions, IamError, IamInputError } from "../../src/index.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { caught, TOKEN } from "../support/secrets.ts";

const T = "type.googleapis.com/";
const KEY = { id: "aje3ho9atbhf4aq6c2ok", serviceAccountId: "ajeg2b2et02f3tl2c1pj", createdAt: "2025-03-03T16:29:04Z" };
const pending = { id: "op1", done: false, metadata: { "@type": `${T}yandex.cloud.iam.v1.UpdateApiKeyMetadata`, apiKeyId: KEY.id } };
const done = { ...pending, done: true, response: { "@type": `${T}yandex.cloud.iam.v1.ApiKey`, ...KEY } };

/** The error createIamClient throws for `options`, recorded for the leak check. */
function refusal(options: unknown): IamInputError {
  try {
    createIamClient(options as IamClientOptions);
  } catch (error) {
    return caught(error) as IamInputError;
  }
  throw new Error("expected createIamClient to throw");
}

describe("createIamClient refuses what cannot work, before anything is sent", () => {
  it("a token that cannot be one: empty (a variable set to nothing), or not a string or function; absent or undefined is the chain's", () => {
    for (const [token, message] of [
      ["", "is empty: give an IAM token or a token source, or leave token out for the credential chain"],
      [42, "must be an IAM token or a token source, or left out for the credential chain"],
      [null, "must be an IAM token or a token source, or left out for the credential chain"],
    ] as const) {
      const error = refusal({ token });
      expect(error).toBeInstanceOf(IamInputError);
      expect(error).toMatchObject({ operation: "createIamClient", attempts: 0 });
      expect(error.problems).toEqual([{ path: "token", message }]);
    }
    // Note: what no token does is test/unit/chain.test.ts's: the credential chain, loaded on the first call.
    const unset = process.env.YC_IAM_TOKEN_THAT_IS_NOT_SET;
    for (const options of [undefined, {}, { token: undefined }, { token: unset }]) expect(() => createIamClient(options)).not.toThrow();
  });

  it("a baseUrl or operationBaseUrl that is not an absolute http(s) URL, naming the option", () => {
    const error = refusal({ token: TOKEN, baseUrl: "not a url", operationBaseUrl: "ftp://127.0.0.1" });
    expect(error.problems.map((p) => p.path)).toEqual(["baseUrl", "operationBaseUrl"]);
    expect(error.problems[0]?.message).toBe("must be an http(s) URL without credentials, such as https://iam.api.cloud.yandex.net");
    // Note: what a prefix check let through, and fetch then refused with a raw TypeError (one quoting the password).
    for (const baseUrl of ["http://127.0.0.1:99999", "http://exa mple.com", "https://[::1", "http://user:pass@127.0.0.1:1"]) {
      const refused = refusal({ token: TOKEN, baseUrl });
      expect(
        refused.problems.map((p) => p.path),
        baseUrl,
      ).toEqual(["baseUrl"]);
      expect(refused.message).not.toContain("pass@");
    }
  });

  it("numbers in timeoutMs, retry and polling that are not whole and in range, naming each", () => {
    const error = refusal({
      token: TOKEN,
      timeoutMs: 0,
      retry: { maxAttempts: 0, baseDelayMs: Number.NaN, maxDelayMs: -1 },
      polling: { initialDelayMs: "100", maxDelayMs: Number.POSITIVE_INFINITY, maxWaitMs: 2 ** 31 },
    });
    expect(error.problems).toEqual([
      { path: "timeoutMs", message: "must be at least 1 (is 0)" },
      { path: "retry.maxAttempts", message: "must be at least 1 (is 0)" },
      { path: "retry.baseDelayMs", message: "must be a whole number, not NaN" },
      { path: "retry.maxDelayMs", message: "must be at least 0 (is -1)" },
      { path: "polling.initialDelayMs", message: "must be an integer, not string" },
      { path: "polling.maxDelayMs", message: "must be a whole number, not Infinity" },
      { path: "polling.maxWaitMs", message: "must be at most 2147483647 (is 2147483648)" },
    ]);
    expect(refusal({ token: TOKEN, retry: { maxAttempts: 1.5 } }).problems).toEqual([
      { path: "retry.maxAttempts", message: "must be a whole number, not 1.5" },
    ]);
  });

  it("an option that does not exist, such as the old polling.timeoutMs, instead of ignoring it", () => {
    const error = refusal({ token: TOKEN, polling: { timeoutMs: 5 }, retry: { attempts: 2 }, timeout: 1 });
    expect(error.problems).toEqual([
      { path: "polling.timeoutMs", message: "is not a known field (known: initialDelayMs, maxDelayMs, maxWaitMs)" },
      { path: "retry.attempts", message: "is not a known field (known: maxAttempts, baseDelayMs, maxDelayMs)" },
      {
        path: "timeout",
        // Note: the list is the options' own, in their order: every option of IamClientOptions, the token first.
        message: `is not a known field (known: ${Object.keys(CLIENT_OPTIONS.properties ?? {}).join(", ")})`,
      },
    ]);
  });

  it("headers that no fetch could send", () => {
    const error = refusal({ token: TOKEN, headers: { "x-ok": "fine", "x-bad": "a\r\nb", "bad name": "x", "x-count": 1 as never } });
    expect(error.problems).toEqual([
      { path: "headers.x-bad", message: "cannot be sent as a header: its value holds a line break, a NUL or a character above U+00FF" },
      { path: "headers.bad name", message: "cannot be sent as a header: its name must be a token (letters, digits and !#$%&'*+-.^_`|~)" },
      { path: "headers.x-count", message: "must be a string to be sent as a header" },
    ]);
  });

  it("every error is an IamError, with every problem in one message", () => {
    const error = refusal({ token: "", baseUrl: "x" });
    expect(error).toBeInstanceOf(IamError);
    expect(error.message).toMatch(/^createIamClient: invalid options: token is empty: .*; baseUrl must be an http\(s\) URL/);
  });

  it("a call's own options too: timeoutMs, maxWaitMs and headers, before anything is sent", async () => {
    const stub = scriptedFetch(json(200, { apiKeys: [] }));
    const iam = createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    const error = await iam.apiKeys
      .update(KEY.id, { description: "x" }, { timeoutMs: Number.NaN, maxWaitMs: -1, headers: { "x-a": "a\nb" } })
      .catch((e: unknown) => caught(e) as IamInputError);
    expect(error).toBeInstanceOf(IamInputError);
    expect((error as IamInputError).problems.map((p) => p.path)).toEqual(["options.timeoutMs", "options.maxWaitMs", "options.headers.x-a"]);
    expect(stub.requests).toHaveLength(0);
  });
});

describe("a field given as undefined keeps its default", () => {
  it("retry.maxAttempts and baseDelayMs: undefined retry three times, no more, and wait a finite time", async () => {
    const stub = scriptedFetch(json(503, { code: 14, message: "busy" }));
    const iam = createIamClient({
      token: TOKEN,
      baseUrl: "http://127.0.0.1:9",
      fetch: stub.fetch,
      retry: { maxAttempts: undefined, baseDelayMs: undefined, maxDelayMs: 1 },
    });
    const error = await iam.apiKeys.list().catch((e: unknown) => caught(e));
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect(stub.requests).toHaveLength(3);
  });

  it("polling.maxWaitMs: undefined waits as long as the default, not zero", async () => {
    const stub = scriptedFetch(json(200, pending), json(200, pending), json(200, done));
    const iam = createIamClient({
      token: TOKEN,
      baseUrl: "http://127.0.0.1:9",
      fetch: stub.fetch,
      timeoutMs: undefined,
      polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: undefined },
    });
    expect(await iam.apiKeys.update(KEY.id, { description: "x" })).toEqual(KEY);
    expect(stub.requests).toHaveLength(3);
  });
});

describe("sleep settles for any input", () => {
  it("NaN, a negative number and 0 resolve at once; an abort rejects with its reason", async () => {
    await Promise.all([sleep(Number.NaN), sleep(-5), sleep(0), sleep(undefined as unknown as number)]);
    const controller = new AbortController();
    const reason = new Error("stop");
    const waiting = sleep(Number.POSITIVE_INFINITY, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
