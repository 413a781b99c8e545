// Faults that are not the network's: a failing token function, broken 2xx answers, broken paging, unsendable strings.
import { describe, expect, it } from "vitest";
import { createIamClient, IamInputError, IamNetworkError, IamResponseError, IamTokenError } from "../../src/index.ts";
import { scriptedClient } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection, renderings, SECRET, secret, TOKEN } from "../support/secrets.ts";

const KEY = { id: "aje3ho9atbhf4aq6c2ok", serviceAccountId: "ajeg2b2et02f3tl2c1pj", createdAt: "2025-03-03T16:29:04Z" };
const CREATED = { apiKey: { ...KEY, maskedSecret: "****Qx7_b2" }, secret: SECRET };
const _NO_WAIT = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

const client = scriptedClient;

describe("the token function is the caller's code, not the network", () => {
  it("a token function that throws is an IamTokenError with the original as cause; nothing is sent or retried", async () => {
    for (const cause of [new Error("vault is down"), new TypeError("fetch failed")]) {
      const { iam, requests } = client([json(200, { apiKeys: [] })], {
        token: () => {
          throw cause;
        },
      });
      const error = await rejection(iam.apiKeys.list());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error).not.toBeInstanceOf(IamNetworkError);
      expect(error.cause).toBe(cause);
      expect(error).toMatchObject({ operation: "listApiKeys", attempts: 0 });
      expect(error.message).toBe("listApiKeys: the token function failed, so nothing was sent (see cause)");
      expect(requests).toHaveLength(0);
    }
  });

  it("a token function that gives no token (empty, undefined, null, a number, an object) is refused before sending, naming only its kind", async () => {
    const kinds: [unknown, string][] = [
      ["", "an empty string"],
      [undefined, "undefined"],
      [null, "null"],
      [42, "a number"],
      [{ token: "t1.SECRET-in-an-object" }, "an object"],
    ];
    for (const [value, kind] of kinds) {
      const { iam, requests } = client([json(200, { apiKeys: [] })], { token: async () => value as string });
      const error = await rejection(iam.apiKeys.list());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toBe(`listApiKeys: the token function gave ${kind}, not a token, so nothing was sent`);
      expect(error.cause).toBeUndefined();
      expect(requests).toHaveLength(0);
    }
  });

  it("a token that cannot be sent as a header is refused, and never quoted: at construction, or from a function", async () => {
    const bad = secret("t1.SECRETtokenWITHaLINEbreak\nX");
    let refused: unknown;
    try {
      createIamClient({ token: bad, baseUrl: "http://127.0.0.1:9" });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(IamInputError);
    expect((refused as IamInputError).problems).toEqual([
      { path: "token", message: "cannot be sent as a header: its value holds a line break, a NUL or a character above U+00FF" },
    ]);
    for (const value of [bad, "t1.x\u0000y", "t1.x\ry"]) {
      const { iam, requests } = client([json(200, { apiKeys: [] })], { token: () => value });
      for (const call of [iam.apiKeys.list(), iam.raw.GET("/iam/v1/apiKeys")]) {
        const error = await rejection(call);
        expect(error).toBeInstanceOf(IamTokenError);
        expect(error.message).toMatch(
          /the token function gave a token that cannot be sent as a header: its value holds a line break, a NUL or a character above U\+00FF, so nothing was sent$/,
        );
      }
      expect(requests).toHaveLength(0);
    }
    for (const text of renderings(refused)) expect(text).not.toContain("SECRETtoken");
  });

  it("a token source's own IamError is wrapped for each call, so no two calls share (and overwrite) one error", async () => {
    const shared = new IamTokenError("serviceAccountKey", "the token exchange failed: HTTP 401 UNAUTHENTICATED");
    const { iam } = client([json(200, { apiKeys: [] })], { token: () => Promise.reject(shared) });
    const [a, b] = await Promise.all([rejection(iam.apiKeys.list()), rejection(iam.keys.list())]);
    expect(a).not.toBe(b);
    expect(a).toBeInstanceOf(IamTokenError);
    expect(a).toMatchObject({ operation: "listApiKeys", cause: shared });
    expect(b).toMatchObject({ operation: "listKeys", cause: shared });
    expect(a.message).toBe("listApiKeys: the token source failed: serviceAccountKey: the token exchange failed: HTTP 401 UNAUTHENTICATED");
    expect(shared.attempts).toBe(0);
  });

  it("a failing token never counts as 'may have acted': delete of a missing key is NOT_FOUND, not deleted", async () => {
    let calls = 0;
    const token = async () => {
      if (++calls === 1) throw new TypeError("network error in the vault");
      return TOKEN;
    };
    const { iam, requests } = client([json(404, { code: 5, message: "not found" })], { token });
    expect(await rejection(iam.apiKeys.delete(KEY.id))).toBeInstanceOf(IamTokenError);
    const error = await rejection(iam.apiKeys.delete(KEY.id));
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND", attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it("raw requests get the same IamTokenError", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [] })], { token: () => Promise.reject(new Error("no")) });
    const error = await rejection(iam.raw.GET("/iam/v1/apiKeys"));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.operation).toBe("raw");
    expect(requests).toHaveLength(0);
  });
});

describe("attempts and request on every error that left the loop after sending", () => {
  it("an IamResponseError says how many attempts were sent and what the last one was", async () => {
    const { iam } = client([json(503, { code: 14, message: "busy" }), json(200, { apiKeys: "nope" })]);
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error.attempts).toBe(2);
    expect(error.request).toMatchObject({ method: "GET", url: "http://127.0.0.1:9/iam/v1/apiKeys" });
    expect(error.request.headers.authorization).toBe("Bearer [REDACTED]");
  });
});

describe("answers that break the contract", () => {
  it("an empty 200 body is not an empty page: listAll fails instead of stopping early", async () => {
    const page = json(200, { apiKeys: [KEY], nextPageToken: "t1" });
    for (const empty of [new Response("", { status: 200 }), new Response(null, { status: 200, headers: { "content-length": "0" } })]) {
      const { iam } = client([page, empty]);
      const seen: string[] = [];
      const error = await rejection(
        (async () => {
          for await (const key of iam.apiKeys.listAll()) seen.push(key.id);
        })(),
      );
      expect(error).toBeInstanceOf(IamResponseError);
      expect(error.problems).toEqual([{ path: "(body)", message: "is empty" }]);
      expect(error.outcomeUnknown).toBe(false);
      expect(seen).toEqual([KEY.id]);
    }
  });

  it("a create whose 2xx answer cannot be read has an unknown outcome: the key exists, its secret is lost", async () => {
    const { iam } = client([
      new Response(`{"apiKey":{"id":"${KEY.id}"},"secret":"${SECRET}`, { status: 200 }),
      json(200, { apiKey: CREATED.apiKey }),
      new Response("", { status: 200 }),
    ]);
    for (const expected of ["is not JSON", "is required: the credential cannot be used without it", "is empty"]) {
      const error = await rejection(iam.apiKeys.create({ description: "x" }));
      expect(error).toBeInstanceOf(IamResponseError);
      expect(error.outcomeUnknown).toBe(true);
      expect(error.problems[0].message).toBe(expected);
      expect(error.message).toMatch(
        /the outcome is unknown: it may have changed something, so get or list to find out before trying again$/,
      );
      for (const text of renderings(error)) expect(text).not.toContain(SECRET);
    }
  });
});

describe("strings that cannot be sent", () => {
  it("a lone surrogate in any string argument is an IamInputError naming the field, before sending", async () => {
    const { iam, requests } = client([json(200, { apiKeys: [] })]);
    const cases: [Promise<unknown>, string][] = [
      [iam.apiKeys.get("aje\uD800"), "apiKeyId"],
      [iam.apiKeys.list({ pageToken: "\uDC00" }), "pageToken"],
      [iam.apiKeys.create({ description: "ok \uD83D then not" }), "description"],
      [iam.apiKeys.create({ scopes: ["yc.postbox.send", "\uDFFF"] }), "scopes[1]"],
      [iam.apiKeys.list({}, { headers: { "x-note": "\uD800" } }), "options.headers.x-note"],
    ];
    for (const [call, path] of cases) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems[0].path).toBe(path);
    }
    expect(requests).toHaveLength(0);
  });

  it("a well-formed pair of surrogates (an emoji) is sent", async () => {
    const { iam, requests } = client([json(200, KEY)]);
    await iam.apiKeys.list({ pageToken: "🙂" }).catch(() => undefined);
    expect(new URL(requests[0]?.url ?? "").searchParams.get("pageToken")).toBe("🙂");
  });
});
