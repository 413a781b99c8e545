// IAM tokens: the JWT checked by an independent verifier (jose), the shared cache under a controlled clock,
// every source against loopback fakes, 401 → one forced refresh, and no credential in any error.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { promisify } from "node:util";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { cachedToken, functionToken, IamTokenError, metadataToken, oauthToken, serviceAccountKey } from "../../src/auth/index.ts";
import { AUDIENCE } from "../../src/auth/jwt.ts";
import { type CreateKeyResponse, createIamClient, IamApiError, keyFile } from "../../src/index.ts";
import { createFakeIam, type FakeKeyFile } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, secret } from "../support/secrets.ts";

const HOUR = 3600_000;
const MINUTE = 60_000;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A fake IAM whose every token request is kept, so the JWTs can be checked; its key files' private parts are secrets. */
async function iamWithKey(options: Parameters<typeof createFakeIam>[0] = {}) {
  const fake = createFakeIam(options);
  const keyFile = await fake.createServiceAccountKey();
  for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
  const jwts: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === "/iam/v1/tokens") jwts.push(secret((await request.clone().json()).jwt ?? ""));
    const response = await fake.handle(request);
    if (response.ok && new URL(request.url).pathname === "/iam/v1/tokens") secret((await response.clone().json()).iamToken);
    return response;
  }) as typeof globalThis.fetch;
  return { fake, keyFile, jwts, fetch, baseUrl: fake.baseUrl };
}

/** A clock the test moves. */
function clock(start = Date.parse("2026-11-26T00:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The create answer a key file was made from. */
const createAnswer = (k: FakeKeyFile): CreateKeyResponse => ({
  key: {
    id: k.id,
    serviceAccountId: k.service_account_id,
    createdAt: k.created_at,
    keyAlgorithm: "RSA_2048",
    publicKey: k.public_key,
  },
  privateKey: k.private_key,
});

describe("serviceAccountKey: the JWT, verified independently", () => {
  const spellings: [string, (k: FakeKeyFile) => unknown][] = [
    ["the snake_case file with the prefix line", (k) => k],
    ["the file as text", (k) => JSON.stringify(k)],
    ["a key without the prefix line", (k) => ({ ...k, private_key: k.private_key.replace(/^PLEASE DO NOT REMOVE.*\n/, "") })],
    ["the camelCase spelling", (k) => ({ id: k.id, serviceAccountId: k.service_account_id, privateKey: k.private_key })],
    ["what iam.keys.create answered", (k) => createAnswer(k)],
    ["keyFile() of what iam.keys.create answered", (k) => keyFile(createAnswer(k))],
  ];
  it.each(spellings)("%s signs a PS256 JWT that jose verifies with the key's public key", async (_, spell) => {
    const { keyFile, jwts, fetch, baseUrl } = await iamWithKey();
    const token = await serviceAccountKey(spell(keyFile) as never, { baseUrl, fetch })();
    expect(token).toMatch(/^t1\./);
    const [jwt] = jwts as [string];
    const publicKey = await importSPKI(keyFile.public_key, "PS256");
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, {
      algorithms: ["PS256"],
      audience: "https://iam.api.cloud.yandex.net/iam/v1/tokens",
      issuer: keyFile.service_account_id,
    });
    expect(protectedHeader).toEqual({ typ: "JWT", alg: "PS256", kid: keyFile.id });
    expect(decodeProtectedHeader(jwt).kid).toBe(keyFile.id);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(3600);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(AUDIENCE).toBe("https://iam.api.cloud.yandex.net/iam/v1/tokens");
  });

  it("a JWT signed with another key is refused by the fake, and the source throws an IamTokenError naming itself", async () => {
    const { fake, keyFile, baseUrl } = await iamWithKey();
    const other = await fake.createServiceAccountKey();
    const forged = { ...keyFile, private_key: other.private_key };
    const error = await rejection(serviceAccountKey(forged, { baseUrl, fetch: fake.fetch, retryBackoffMs: 0 })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ operation: "serviceAccountKey", status: 401 });
    expect(error.message).toContain("Invalid JWT: JWT signature is invalid");
    expect(error.cause).toBeInstanceOf(IamApiError);
  });

  it("a bad key file is an IamTokenError at once, which never quotes the key", () => {
    const text = '{"id": "k", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIsecretSECRETsecret'; // cut short
    secret("MIIsecretSECRETsecret");
    for (const [input, message] of [
      [text, "the key file is not JSON"],
      [{ id: "k" }, "the key needs id, service_account_id and private_key (a user's own key cannot sign for a service account)"],
    ] as const) {
      let error: unknown;
      try {
        serviceAccountKey(input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IamTokenError);
      expect((error as Error).message).toBe(`serviceAccountKey: ${message}`);
      expect((error as Error).cause).toBeUndefined();
      rejection(Promise.reject(error));
    }
  });

  it("a private key that is not PKCS#8 RSA is named as such, and the next call tries again", async () => {
    const source = serviceAccountKey({ id: "k", service_account_id: "sa", private_key: "not a key" }, { retryBackoffMs: 0 });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(source());
      expect(error.message).toBe("serviceAccountKey: the private_key is not a PKCS#8 RSA key");
    }
  });

  it("over HTTP too: the token endpoint of the fake served on 127.0.0.1", async () => {
    const { fake, keyFile } = await iamWithKey();
    const served = await serveFake(fake);
    try {
      const iam = createIamClient({ token: serviceAccountKey(keyFile, { baseUrl: served.url }), baseUrl: served.url });
      expect((await iam.apiKeys.list()).apiKeys).toEqual([]);
      expect(fake.requests.map((r) => r.operation)).toEqual(["createIamToken", "listApiKeys"]);
      expect(fake.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await served.close();
    }
  });

  it("the client uses it end to end: the fake mints a t1. token and accepts it", async () => {
    const { fake, keyFile, fetch, baseUrl } = await iamWithKey();
    const iam = createIamClient({ token: serviceAccountKey(keyFile, { baseUrl, fetch }), baseUrl, fetch });
    await iam.apiKeys.create({ description: "made with a JWT" });
    expect((await iam.apiKeys.list()).apiKeys).toHaveLength(1);
    expect(fake.state.iamTokens).toBe(1);
    const bearers = fake.requests.filter((r) => r.operation !== "createIamToken").map((r) => r.headers.authorization);
    expect(bearers).toEqual(["Bearer [REDACTED]", "Bearer [REDACTED]"]);
  });
});

describe("the cache", () => {
  /** A counting exchange whose tokens live `lifetime`; `fail` makes the next ones reject. */
  function counted(time: ReturnType<typeof clock>, lifetime = 12 * HOUR) {
    const state = { calls: 0, fail: false, gate: undefined as Promise<void> | undefined };
    const exchange = async () => {
      state.calls++;
      await state.gate;
      if (state.fail) throw new Error("exchange failed");
      return { token: `token-${state.calls}`, expiresAt: new Date(time.now() + lifetime) };
    };
    return { state, exchange };
  }

  it("fresh: the cached token, at no cost, for the first hour", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now });
    expect(await source()).toBe("token-1");
    time.advance(59 * MINUTE);
    expect(await source()).toBe("token-1");
    expect(state.calls).toBe(1);
  });

  it("refresh ahead: after an hour the caller gets the cached token at once and one refresh runs behind it", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now });
    await source();
    time.advance(61 * MINUTE);
    let release = () => {};
    state.gate = new Promise<void>((r) => (release = r));
    // Note: the background exchange is held open, so a caller that waited for it could not resolve.
    expect(await Promise.all([source(), source(), source()])).toEqual(["token-1", "token-1", "token-1"]);
    expect(state.calls).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await source()).toBe("token-2");
    expect(state.calls).toBe(2);
  });

  it("refresh ahead too when a short-lived token is 5 minutes from expiry", async () => {
    const time = clock();
    const { state, exchange } = counted(time, 30 * MINUTE);
    const source = cachedToken(exchange, { now: time.now });
    await source();
    time.advance(24 * MINUTE);
    expect(await source()).toBe("token-1");
    expect(state.calls).toBe(1);
    time.advance(2 * MINUTE);
    expect(await source()).toBe("token-1");
    expect(state.calls).toBe(2);
  });

  it("expired or nearly: the caller waits for the new token", async () => {
    const time = clock();
    const { state, exchange } = counted(time, 10 * MINUTE);
    const source = cachedToken(exchange, { now: time.now });
    await source();
    time.advance(9 * MINUTE + 30_000);
    expect(await source()).toBe("token-2");
    expect(state.calls).toBe(2);
  });

  it("one exchange in flight: 100 concurrent first calls make 1 request", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => source()));
    expect(new Set(tokens)).toEqual(new Set(["token-1"]));
    expect(state.calls).toBe(1);
  });

  it("failures are not cached: the waiting callers reject, the next call tries again after the backoff", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now, retryBackoffMs: 1000 });
    state.fail = true;
    const results = await Promise.allSettled([source(), source()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(state.calls).toBe(1);
    state.fail = false;
    time.advance(1000);
    expect(await source()).toBe("token-2");
    expect(state.calls).toBe(2);
  });

  it("a failed background refresh keeps serving the valid token, and is tried again after the backoff", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now, retryBackoffMs: 1000 });
    await source();
    time.advance(61 * MINUTE);
    state.fail = true;
    expect(await source()).toBe("token-1");
    await new Promise((r) => setTimeout(r, 0));
    expect(state.calls).toBe(2);
    expect(await source()).toBe("token-1");
    expect(state.calls).toBe(2);
    state.fail = false;
    time.advance(1000);
    expect(await source()).toBe("token-1");
    await new Promise((r) => setTimeout(r, 0));
    expect(await source()).toBe("token-3");
  });

  it("forceRefresh gets a new token; a caller's abort rejects that caller only", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now });
    await source();
    expect(await source({ forceRefresh: true })).toBe("token-2");
    let release = () => {};
    state.gate = new Promise<void>((r) => (release = r));
    const controller = new AbortController();
    const aborted = source({ forceRefresh: true, signal: controller.signal });
    const patient = source({ forceRefresh: true });
    controller.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    // Note: a signal aborted before the call rejects it at once too, not when the shared exchange ends.
    await expect(source({ forceRefresh: true, signal: AbortSignal.abort(new Error("gave up before")) })).rejects.toThrow("gave up before");
    release();
    expect(await patient).toBe("token-3");
    expect(state.calls).toBe(3);
  });

  it("over a simulated 12 hours, 10,000 calls make 13 exchanges or fewer", async () => {
    const time = clock();
    const { state, exchange } = counted(time);
    const source = cachedToken(exchange, { now: time.now });
    for (let i = 0; i < 10_000; i++) {
      await source();
      time.advance((12 * HOUR) / 10_000);
    }
    expect(state.calls).toBeLessThanOrEqual(13);
  });
});

describe("401 from the API", () => {
  it("asks the token source once more with forceRefresh and sends the call once more", async () => {
    const asked: (boolean | undefined)[] = [];
    const token = async (options?: { forceRefresh?: boolean }) => {
      asked.push(options?.forceRefresh);
      return options?.forceRefresh ? "fresh-token" : "stale-token";
    };
    const stub = scriptedFetch(json(401, { code: 16, message: "Token is invalid or has expired." }), json(200, { apiKeys: [] }));
    const iam = createIamClient({ token, baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    // Note: create too: an unauthenticated call did nothing, so sending it again is safe.
    expect(await iam.apiKeys.list()).toEqual({ apiKeys: [] });
    // Note: the refreshed token is the one the second attempt sends; the source is not asked a third time.
    expect(asked).toEqual([undefined, true]);
    expect(stub.requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer stale-token", "Bearer fresh-token"]);
    expect(stub.requests).toHaveLength(2);
  });

  it("retries create after a 401 too, once; a second 401 is thrown", async () => {
    const stub = scriptedFetch(json(401, { code: 16, message: "Token is invalid or has expired." }));
    const iam = createIamClient({ token: async () => "t", baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toMatchObject({ status: 401, codeName: "UNAUTHENTICATED", attempts: 2 });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[0]?.headers.get("idempotency-key")).toBe(stub.requests[1]?.headers.get("idempotency-key"));
  });

  it("a static string token cannot refresh: the 401 is thrown after one request", async () => {
    const stub = scriptedFetch(json(401, { code: 16, message: "Token is invalid or has expired." }));
    const iam = createIamClient({ token: "static", baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    expect(await rejection(iam.apiKeys.list())).toMatchObject({ status: 401, attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });
});

describe("the metadata service", () => {
  async function metadataServer(handler: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void) {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/computeMetadata/v1/instance/service-accounts/default/token`;
  }

  it("asks with Metadata-Flavor: Google and keeps the token for its expires_in", async () => {
    const time = clock();
    const seen: string[] = [];
    const url = await metadataServer((req, res) => {
      seen.push(String(req.headers["metadata-flavor"]));
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: secret(`t1.metadata-${seen.length}-token`), expires_in: 42617, token_type: "Bearer" }));
    });
    const source = metadataToken({ url, now: time.now });
    expect(await source()).toBe("t1.metadata-1-token");
    time.advance(11 * HOUR);
    expect(await source()).toBe("t1.metadata-1-token");
    time.advance(0.9 * HOUR);
    expect(await source()).toBe("t1.metadata-2-token");
    expect(seen).toEqual(["Google", "Google"]);
  });

  it("404: no service account is linked", async () => {
    const url = await metadataServer((_, res) => res.writeHead(404).end("Not Found"));
    const error = await rejection(metadataToken({ url })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toMatch(
      /^metadataToken: metadata service at 127\.0\.0\.1:\d+: no service account is linked to this VM or container$/,
    );
    expect(error.status).toBe(404);
  });

  it("no answer: not inside Yandex Cloud?", async () => {
    const url = await metadataServer(() => {});
    const closed = url.replace(/:\d+\//, ":9/");
    for (const [target, timeoutMs] of [
      [closed, 1000],
      [url, 50],
    ] as const) {
      const error = await rejection(metadataToken({ url: target, timeoutMs, retryBackoffMs: 0 })());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toMatch(/did not answer.*: not inside Yandex Cloud\?$/);
      expect(error.cause).toBeDefined();
    }
  });
});

describe("Cloud Functions, OAuth", () => {
  it("functionToken reads context.token", async () => {
    const source = functionToken({ token: { access_token: secret("t1.function-context-token"), expires_in: 3000, token_type: "Bearer" } });
    expect(await source()).toBe("t1.function-context-token");
    const error = await rejection(functionToken({})());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toBe("functionToken: the function context has no token: give the function a service account");
  });

  it("oauthToken exchanges the OAuth token once and caches the IAM token", async () => {
    const fake = createFakeIam();
    const stub = scriptedFetch((request) => fake.handle(request));
    const source = oauthToken(secret("y0_AgAAAAAN1mV0OAuthTOKENsecret"), { baseUrl: fake.baseUrl, fetch: stub.fetch });
    const [a, b] = await Promise.all([source(), source()]);
    expect(a).toBe(b);
    expect(a).toMatch(/^t1\./);
    expect(await stub.bodies()).toEqual([{ yandexPassportOauthToken: "y0_AgAAAAAN1mV0OAuthTOKENsecret" }]);
  });
});

describe("secrets", () => {
  it("a failed exchange counts the requests it sent as the source's attempts", async () => {
    const down = scriptedFetch(json(503, { code: 14, message: "down" }));
    const error = await rejection(oauthToken("y0_AgAAAAAN1mV0OAuthDOWNsecret0", { baseUrl: "http://127.0.0.1:9", fetch: down.fetch })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.attempts).toBe(down.requests.length);
    expect(error.attempts).toBeGreaterThan(1);
  });

  it("an exchange error that echoes the JWT or the OAuth token shows neither", async () => {
    const echo = scriptedFetch(async (request) => json(400, { code: 3, message: `bad request: ${await request.text()}` }));
    const { keyFile } = await iamWithKey();
    const oauth = secret("y0_AgAAAAAN1mV0OAuthECHOEDsecret");
    const errors = [
      await rejection(serviceAccountKey(keyFile, { baseUrl: "http://127.0.0.1:9", fetch: echo.fetch })()),
      await rejection(oauthToken(oauth, { baseUrl: "http://127.0.0.1:9", fetch: echo.fetch })()),
    ];
    const sent = (await echo.bodies()) as Record<string, string>[];
    for (const body of sent) for (const value of Object.values(body)) secret(value);
    expect(sent.map((b) => Object.keys(b))).toEqual([["jwt"], ["yandexPassportOauthToken"]]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toContain("[REDACTED]");
    }
  });
});

describe("no timers", () => {
  it("nothing is left running after calls settle, so the process can exit", async () => {
    const script = `
      import { createFakeIam } from "./src/testing/index.ts";
      import { serviceAccountKey, oauthToken } from "./src/auth/index.ts";
      import { createIamClient } from "./src/index.ts";
      const fake = createFakeIam({ operations: { polls: 2 } });
      const key = await fake.createServiceAccountKey();
      const token = serviceAccountKey(key, { baseUrl: fake.baseUrl, fetch: fake.fetch });
      const iam = createIamClient({ token, baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1 } });
      const { apiKey } = await iam.apiKeys.create();
      await iam.apiKeys.update(apiKey.id, { description: "x" });
      await iam.apiKeys.delete(apiKey.id);
      await oauthToken("y0_x", { baseUrl: fake.baseUrl, fetch: fake.fetch })();
      const control = setTimeout(() => {}, 60_000);
      const withTimer = process.getActiveResourcesInfo();
      clearTimeout(control);
      const resources = process.getActiveResourcesInfo();
      console.log(JSON.stringify({ withTimer, resources, requests: fake.requests.map((r) => r.operation) }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    const { withTimer, resources, requests } = JSON.parse(stdout);
    // Note: the calls that could leave a timer (the token cache, polling, the retry sleeps) really ran...
    expect(new Set(requests)).toEqual(new Set(["createIamToken", "createApiKey", "updateApiKey", "getOperation", "deleteApiKey"]));
    // ...and the check sees a pending timer when there is one, so its empty answer below means none.
    expect(withTimer.filter((r: string) => r === "Timeout")).toEqual(["Timeout"]);
    expect(resources.filter((r: string) => r === "Timeout")).toEqual([]);
  });
});
