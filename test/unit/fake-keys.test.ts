// The fake's Key service (authorized keys) over plain fetch, every answer held to the contract: real RSA pairs, the
// private key shown once, JWTs signed with a created key exchanged for tokens until the key is deleted.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { IamTokenError, serviceAccountKey } from "../../src/auth/index.ts";
import { importPrivateKey, signJwt } from "../../src/auth/jwt.ts";
import { type checkedFake, OTHER, SA, sender, twoAccounts, violationCheck } from "../support/checked-fake.ts";
import { rejection, secret, TOKEN } from "../support/secrets.ts";

const TYPE = "type.googleapis.com/";
const track = violationCheck();

/** A checked fake with two service accounts (`twoAccounts`), with what the tests send through it. */
function setup(options: Parameters<typeof checkedFake>[0] = {}) {
  // Note: these tests send requests by hand, so a change is done in its first answer unless a test says otherwise.
  const checked = twoAccounts({ operations: { polls: 0 }, ...options });
  track(checked);
  const { fake, fetch } = checked;
  const send = sender(checked.fetch, checked.fake.baseUrl, TOKEN);
  /** Creates a key and marks its private key a secret; fails the test unless it is created. */
  async function createKey(body: Record<string, unknown> = {}, token?: string) {
    const created = await send("POST", "/iam/v1/keys", { body, ...(token && { token }) });
    expect(created.status).toBe(200);
    secret(created.body.privateKey);
    return created.body as { key: any; privateKey: string };
  }
  return { fake, fetch, send, createKey };
}

/** The modulus length of a PEM public key, read back with WebCrypto. */
async function modulusLength(publicKey: string): Promise<number> {
  const der = Uint8Array.from(atob(publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]);
  return (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
}

describe("the Key service", () => {
  it("create → get → list → update → listOperations → delete → get (404), with the Operations' @types", async () => {
    const { send, createKey } = setup();
    const { key, privateKey } = await createKey({ description: "deploy bot" });
    expect(key).toMatchObject({ serviceAccountId: SA, description: "deploy bot", keyAlgorithm: "RSA_2048" });
    expect(key.id).toMatch(/^aje[a-z0-9]{17}$/);
    expect(key.createdAt).toMatch(/\.\d{9}Z$/);
    expect(key.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
    expect(privateKey.split("\n").slice(0, 2)).toEqual([
      `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${key.id}>`,
      "-----BEGIN PRIVATE KEY-----",
    ]);
    expect(privateKey).toMatch(/-----END PRIVATE KEY-----\n$/);

    expect(await send("GET", `/iam/v1/keys/${key.id}`)).toEqual({ status: 200, body: key });
    expect(await send("GET", "/iam/v1/keys")).toEqual({ status: 200, body: { keys: [key] } });

    const updated = await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { updateMask: "description", description: "renamed" } });
    expect(updated.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.UpdateKeyMetadata`, keyId: key.id },
      response: { ...key, "@type": `${TYPE}yandex.cloud.iam.v1.Key`, description: "renamed" },
    });
    const deleted = await send("DELETE", `/iam/v1/keys/${key.id}`);
    expect(deleted.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.DeleteKeyMetadata`, keyId: key.id },
      response: { "@type": `${TYPE}google.protobuf.Empty` },
    });
    const gone = await send("GET", `/iam/v1/keys/${key.id}`);
    expect(gone).toMatchObject({ status: 404, body: { code: 5, message: `Key ${key.id} not found` } });
    expect((await send("GET", `/iam/v1/keys/${key.id}/operations`)).status).toBe(404);
    expect((await send("DELETE", `/iam/v1/keys/${key.id}`)).status).toBe(404);
    expect((await send("GET", "/iam/v1/keys")).body).toEqual({});
  });

  it("listOperations pages over the key's operations, oldest first", async () => {
    const { send, createKey } = setup();
    const { key } = await createKey();
    const first = await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { description: "a" } });
    const second = await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { description: "b" } });
    const page1 = await send("GET", `/iam/v1/keys/${key.id}/operations?pageSize=1`);
    expect(page1.body.operations).toEqual([first.body]);
    const page2 = await send("GET", `/iam/v1/keys/${key.id}/operations?pageSize=1&pageToken=${page1.body.nextPageToken}`);
    expect(page2.body).toEqual({ operations: [second.body] });
  });

  it("makes RSA 2048 by default and for ALGORITHM_UNSPECIFIED, RSA 4096 when asked, each a working PS256 pair", async () => {
    const { createKey } = setup();
    for (const [asked, algorithm, bits] of [
      [undefined, "RSA_2048", 2048],
      ["ALGORITHM_UNSPECIFIED", "RSA_2048", 2048],
      ["RSA_2048", "RSA_2048", 2048],
      ["RSA_4096", "RSA_4096", 4096],
    ] as const) {
      const { key, privateKey } = await createKey(asked ? { keyAlgorithm: asked } : {});
      expect(key.keyAlgorithm).toBe(algorithm);
      expect(await modulusLength(key.publicKey)).toBe(bits);
      // Note: the private key imports as the client imports it, and its signature verifies with the public key.
      const jwt = await signJwt(await importPrivateKey(privateKey), key.id, SA);
      const { protectedHeader } = await jwtVerify(jwt, await importSPKI(key.publicKey, "PS256"), { issuer: SA });
      expect(protectedHeader.kid).toBe(key.id);
    }
  });

  it("a key without serviceAccountId is the token's subject's; an unknown account is NOT_FOUND for create and list", async () => {
    const { send, createKey } = setup();
    const mine = await createKey();
    const theirs = await createKey({}, "other");
    const named = await createKey({ serviceAccountId: OTHER });
    expect([mine.key.serviceAccountId, theirs.key.serviceAccountId, named.key.serviceAccountId]).toEqual([SA, OTHER, OTHER]);
    expect((await send("GET", "/iam/v1/keys")).body.keys).toEqual([mine.key]);
    expect((await send("GET", "/iam/v1/keys", { token: "other" })).body.keys).toEqual([theirs.key, named.key]);
    expect((await send("GET", `/iam/v1/keys?serviceAccountId=${OTHER}`)).body.keys).toEqual([theirs.key, named.key]);
    for (const answer of [
      await send("POST", "/iam/v1/keys", { body: { serviceAccountId: "ajenosuchaccount0000" } }),
      await send("GET", "/iam/v1/keys?serviceAccountId=ajenosuchaccount0000"),
    ])
      expect(answer).toMatchObject({ status: 404, body: { code: 5, message: "Service account ajenosuchaccount0000 not found" } });
  });

  it("list pages behind opaque tokens, and refuses a token it did not make", async () => {
    const { send, createKey } = setup();
    const made = [await createKey(), await createKey(), await createKey()].map((c) => c.key);
    const first = await send("GET", "/iam/v1/keys?pageSize=2");
    expect(first.body.keys).toEqual(made.slice(0, 2));
    // Note: opaque: not the offset, nor an id.
    expect(first.body.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([String(2), made[1].id]).not.toContain(first.body.nextPageToken);
    const second = await send("GET", `/iam/v1/keys?pageSize=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body).toEqual({ keys: made.slice(2) });
    expect(await send("GET", "/iam/v1/keys?pageToken=bm9wZQ")).toMatchObject({ status: 400, body: { code: 3 } });
  });

  it("update masks exactly: only description, and named without a value (or with no mask) it is cleared", async () => {
    const { send, createKey } = setup();
    const { key } = await createKey({ description: "first" });
    const patch = async (body: object) => (await send("PATCH", `/iam/v1/keys/${key.id}`, { body })).body.response;
    expect((await patch({ updateMask: "description", description: "second" })).description).toBe("second");
    expect("description" in (await patch({ updateMask: "description" }))).toBe(false);
    expect((await patch({ description: "third" })).description).toBe("third");
    expect("description" in (await patch({}))).toBe(false);
    const refused = await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { updateMask: "keyAlgorithm", description: "x" } });
    expect(refused).toMatchObject({ status: 400, body: { code: 3 } });
    expect(refused.body.message).toContain("updateMask");
    const { "@type": _, ...now } = await patch({ description: "last" });
    expect((await send("GET", `/iam/v1/keys/${key.id}`)).body).toEqual(now);
  });

  it("update and delete progress as the operations option says; a failed delete leaves the key", async () => {
    const { fake, send, createKey } = setup({ operations: { polls: 2 } });
    const { key } = await createKey({ description: "before" });
    const pending = await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { description: "after" } });
    expect(pending.body).toMatchObject({ done: false, metadata: { keyId: key.id } });
    expect((await send("GET", `/iam/v1/keys/${key.id}`)).body.description).toBe("before");
    expect((await send("GET", `/operations/${pending.body.id}`)).body.done).toBe(false);
    const done = await send("GET", `/operations/${pending.body.id}`);
    expect(done.body).toMatchObject({ done: true, response: { "@type": `${TYPE}yandex.cloud.iam.v1.Key`, description: "after" } });
    expect((await send("GET", `/iam/v1/keys/${key.id}`)).body.description).toBe("after");

    fake.progress({ polls: 0, error: { code: 9, message: "Key is in use" } });
    const failed = await send("DELETE", `/iam/v1/keys/${key.id}`);
    expect(failed.body).toMatchObject({ done: true, error: { code: 9, message: "Key is in use" } });
    expect((await send("GET", `/iam/v1/keys/${key.id}`)).status).toBe(200);
  });

  it("get, list, listOperations and fake.state never show a private key", async () => {
    const { fake, send, createKey } = setup();
    const { key, privateKey } = await createKey({ keyAlgorithm: "RSA_2048" });
    await send("PATCH", `/iam/v1/keys/${key.id}`, { body: { description: "x" } });
    const body = privateKey.split("\n").slice(2, -3).join("");
    const seen = JSON.stringify([
      (await send("GET", `/iam/v1/keys/${key.id}`)).body,
      (await send("GET", "/iam/v1/keys")).body,
      (await send("GET", `/iam/v1/keys/${key.id}/operations`)).body,
      fake.state,
      fake.requests,
    ]);
    expect(body.length).toBeGreaterThan(1000);
    expect(seen).toContain(key.id);
    expect(seen).not.toContain(body);
    expect(seen).not.toMatch(/privateKey|PRIVATE KEY/);
    expect(fake.state.keys).toEqual([{ ...key, description: "x" }]);
  });

  // Note: the document calls Yandex's honouring of the key unverified for this create, so the fake does not replay it,
  // whether the repeat comes after the first or while it is in flight.
  it("a repeated Idempotency-Key on create is not replayed, after or in flight: each makes its own key pair", async () => {
    const { fake, send } = setup();
    const headers = { "idempotency-key": "c1b5a2a0-0000-4000-8000-000000000001" };
    const first = await send("POST", "/iam/v1/keys", { body: { description: "once" }, headers });
    const [again, third] = await Promise.all([1, 2].map(() => send("POST", "/iam/v1/keys", { body: { description: "once" }, headers })));
    for (const answer of [first, again, third]) secret(answer?.body.privateKey);
    const ids = [first, again, third].map((answer) => answer?.body.key.id);
    expect(new Set(ids).size).toBe(3);
    expect(fake.state.keys.map((k) => k.id)).toEqual(expect.arrayContaining(ids));
  });

  it("the quota of authorized keys per cloud is RESOURCE_EXHAUSTED naming iam.authorizedKeys.count, counted apart from API keys", async () => {
    const { fake, send, createKey } = setup({ quota: 2 });
    const { key } = await createKey();
    await fake.createServiceAccountKey();
    const refused = await send("POST", "/iam/v1/keys", { body: {} });
    expect(refused).toMatchObject({ status: 429, body: { code: 8, message: "Quota limit iam.authorizedKeys.count exceeded" } });
    expect((await rejection(fake.createServiceAccountKey())).message).toBe(
      "createServiceAccountKey: Quota limit iam.authorizedKeys.count exceeded",
    );
    expect((await send("POST", "/iam/v1/apiKeys", { body: {} })).status).toBe(200);
    await send("DELETE", `/iam/v1/keys/${key.id}`);
    await createKey();
    expect(fake.state.keys).toHaveLength(2);
  });

  it("concurrent creates do not pass the quota together while their pairs are generated", async () => {
    const { fake, send } = setup({ quota: 1 });
    const answers = await Promise.all([send("POST", "/iam/v1/keys", { body: {} }), send("POST", "/iam/v1/keys", { body: {} })]);
    for (const a of answers) if (a.status === 200) secret(a.body.privateKey);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
    expect(fake.state.keys).toHaveLength(1);
  });

  it("refuses what the contract refuses before acting: an unknown algorithm, a long description, an unknown field", async () => {
    const { fake, send } = setup();
    for (const body of [{ keyAlgorithm: "RSA_1024" }, { description: "x".repeat(257) }, { privateKey: "x" }]) {
      expect(await send("POST", "/iam/v1/keys", { body })).toMatchObject({ status: 400, body: { code: 3 } });
    }
    expect(fake.state.keys).toEqual([]);
  });
});

describe("the key pairs the fake makes", () => {
  it("are distinct within a fake, across a reset too; a pair another fake holds signs for no key of this one", async () => {
    const { fake, createKey } = setup();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createKey({ serviceAccountId: OTHER }));
    fake.reset();
    made.push(await createKey({ serviceAccountId: OTHER }));
    expect(new Set(made.map((m) => m.key.publicKey)).size).toBe(made.length);
    // Note: another fake's first key may have the same pair as this one's first: it is known by its id, which this fake never made.
    const other = setup();
    const theirs = await other.createKey({ serviceAccountId: OTHER });
    const keyFile = { id: theirs.key.id, serviceAccountId: OTHER, privateKey: theirs.privateKey };
    const error = await rejection(serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch: fake.fetch, retryBackoffMs: 0 })());
    expect(error.message).toContain(`Invalid JWT: unknown key id ${theirs.key.id}`);
  });
});

describe("JWTs signed with the Key service's keys", () => {
  it("a created key signs a JWT the token endpoint takes; the token then works, lastUsedAt is set, and after delete: 401", async () => {
    let t = Date.parse("2026-11-26T00:00:00Z");
    const { fake, fetch, send, createKey } = setup({ now: () => t });
    const { key, privateKey } = await createKey({ serviceAccountId: OTHER });
    expect(key.lastUsedAt).toBeUndefined();
    const keyFile = { id: key.id, serviceAccountId: key.serviceAccountId, privateKey };
    t += 60_000;
    const token = secret(await serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch, now: () => t })());
    expect(token).toMatch(/^t1\./);
    // Note: the minted token is OTHER's: its default list is OTHER's keys.
    expect((await send("GET", "/iam/v1/keys", { token })).body.keys.map((k: { id: string }) => k.id)).toEqual([key.id]);
    const used = (await send("GET", `/iam/v1/keys/${key.id}`)).body;
    expect(Date.parse(used.lastUsedAt)).toBe(Date.parse("2026-11-26T00:01:00Z"));
    expect(fake.state.keys[0]?.lastUsedAt).toBe(used.lastUsedAt);

    await send("DELETE", `/iam/v1/keys/${key.id}`);
    const error = await rejection(serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch, now: () => t, retryBackoffMs: 0 })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ status: 401 });
    expect(error.message).toContain(`Invalid JWT: unknown key id ${key.id}`);
  });

  it("lastUsedAt never comes before createdAt, nor goes back, when the key is used in the millisecond it was made", async () => {
    const t = Date.parse("2026-11-26T00:00:00Z");
    const { fake, createKey } = setup({ now: () => t });
    const { key, privateKey } = await createKey({ serviceAccountId: OTHER });
    const signer = await importPrivateKey(privateKey);
    let last = key.createdAt;
    for (let i = 0; i < 20; i++) {
      const jwt = secret(await signJwt(signer, key.id, OTHER, t));
      expect((await fake.fetch(`${fake.baseUrl}/iam/v1/tokens`, { method: "POST", body: JSON.stringify({ jwt }) })).status).toBe(200);
      const used = fake.state.keys[0]?.lastUsedAt as string;
      expect(used >= last, `${used} after ${last}`).toBe(true);
      last = used;
    }
  });

  it("a JWT naming another service account than the key's is refused", async () => {
    const { fake, createKey, send } = setup();
    const { key, privateKey } = await createKey();
    const jwt = secret(await signJwt(await importPrivateKey(privateKey), key.id, OTHER));
    const refused = await fake.fetch(`${fake.baseUrl}/iam/v1/tokens`, { method: "POST", body: JSON.stringify({ jwt }) });
    expect(refused.status).toBe(401);
    expect((await refused.json()).message).toBe("Invalid JWT: JWT iss is not the key's service account");
    expect("lastUsedAt" in (await send("GET", `/iam/v1/keys/${key.id}`)).body).toBe(false);
  });

  it("createServiceAccountKey makes a key of the Key service: listed, in yc's file shape, refused once deleted", async () => {
    const { fake, fetch, send } = setup();
    const keyFile = await fake.createServiceAccountKey(OTHER);
    secret(keyFile.private_key);
    const [listed] = (await send("GET", `/iam/v1/keys?serviceAccountId=${OTHER}`)).body.keys;
    expect(keyFile).toEqual({
      id: listed.id,
      service_account_id: OTHER,
      created_at: listed.createdAt,
      key_algorithm: "RSA_2048",
      public_key: listed.publicKey,
      private_key: expect.stringMatching(
        new RegExp(`^PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${listed.id}>\n-----BEGIN PRIVATE KEY-----\n`),
      ),
    });
    expect(Object.keys(keyFile)).toEqual(["id", "service_account_id", "created_at", "key_algorithm", "public_key", "private_key"]);
    expect(await modulusLength(keyFile.public_key)).toBe(2048);
    expect(await serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch })()).toMatch(/^t1\./);
    await send("DELETE", `/iam/v1/keys/${keyFile.id}`);
    const error = await rejection(serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch, retryBackoffMs: 0 })());
    expect(error).toMatchObject({ status: 401 });
    expect((await rejection(fake.createServiceAccountKey("ajenosuchaccount0000"))).message).toBe(
      "createServiceAccountKey: Service account ajenosuchaccount0000 not found",
    );
  });

  it("fake.reset() removes the keys: key files made before are refused from then on", async () => {
    const { fake, fetch } = setup();
    const keyFile = await fake.createServiceAccountKey();
    secret(keyFile.private_key);
    expect(await serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch })()).toMatch(/^t1\./);
    fake.reset();
    expect(fake.state.keys).toEqual([]);
    expect(await rejection(serviceAccountKey(keyFile, { baseUrl: fake.baseUrl, fetch, retryBackoffMs: 0 })())).toMatchObject({
      status: 401,
    });
  });
});

describe("src/testing stays small and runs anywhere", () => {
  it("no file over 300 lines, and none but node.ts imports a node: module", async () => {
    const dir = join(root, "src/testing");
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files).toContain(join("services", "keys.ts"));
    for (const file of files) {
      const text = await readFile(join(dir, file), "utf8");
      expect({ file, lines: text.split("\n").length <= 300 }).toEqual({ file, lines: true });
      if (file !== "node.ts") expect({ file, node: /from "node:/.test(text) }).toEqual({ file, node: false });
    }
  });
});
