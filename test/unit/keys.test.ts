// iam.keys against an injected fetch: each call's request and answer, the create retry class, the update mask,
// waiting in the core, and keyFile: exactly the file `yc iam key create -o key.json` writes.
import { describe, expect, it } from "vitest";
import {
  type CreateKeyResponse,
  IamApiError,
  IamInputError,
  IamNetworkError,
  IamResponseError,
  type KeyFile,
  keyFile,
} from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret } from "../support/secrets.ts";

const T = "type.googleapis.com/yandex.cloud.iam.v1.";
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
const PRIVATE_KEY = secret(
  "PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID ajecgnxf4f156px933s1\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretPRIVATEkeyBODY\n-----END PRIVATE KEY-----\n",
);
const KEY = {
  id: "ajecgnxf4f156px933s1",
  serviceAccountId: "ajeg2b2et02f3tl2c1pj",
  createdAt: "2026-11-30T06:00:00.123456789Z",
  description: "ci deployer",
  keyAlgorithm: "RSA_2048" as const,
  publicKey: PUBLIC_KEY,
};
const CREATED: CreateKeyResponse = { key: KEY, privateKey: PRIVATE_KEY };
const op = (done: boolean, response?: object) => ({
  id: "ajeop1",
  done,
  metadata: { "@type": `${T}UpdateKeyMetadata`, keyId: KEY.id },
  ...(response && { response }),
});

const client = scriptedClient;

describe("iam.keys", () => {
  it("create sends its body with an Idempotency-Key and resolves with the key and its private key", async () => {
    const { iam, requests, bodies } = client([json(200, CREATED)]);
    expect(await iam.keys.create({ serviceAccountId: KEY.serviceAccountId, description: "ci deployer", keyAlgorithm: "RSA_4096" })).toEqual(
      CREATED,
    );
    expect(urls(requests)).toEqual(["POST http://127.0.0.1:9/iam/v1/keys"]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await bodies()).toEqual([{ serviceAccountId: KEY.serviceAccountId, description: "ci deployer", keyAlgorithm: "RSA_4096" }]);
  });

  it("create is the create retry class: retried on 503 with the same key, never after an unknown outcome", async () => {
    const { iam, requests } = client([json(503, { code: 14, message: "busy" }), json(200, CREATED)]);
    await iam.keys.create();
    expect(requests).toHaveLength(2);
    expect(requests[0]?.headers.get("idempotency-key")).toBe(requests[1]?.headers.get("idempotency-key"));
    const dropped = client([new TypeError("other side closed"), json(200, CREATED)]);
    const error = await rejection(dropped.iam.keys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
    expect(dropped.requests).toHaveLength(1);
  });

  it("a create answer whose private key is missing has an unknown outcome, and no private key shows in any error", async () => {
    const { iam } = client([
      json(200, { key: KEY }),
      new Response(`{"key":{"id":"${KEY.id}"},"privateKey":"${PRIVATE_KEY}`, { status: 200 }),
    ]);
    for (const path of ["privateKey", "(body)"]) {
      const error = await rejection(iam.keys.create());
      expect(error).toBeInstanceOf(IamResponseError);
      expect(error).toMatchObject({ outcomeUnknown: true, problems: [expect.objectContaining({ path })] });
      for (const text of renderings(error)) expect(text).not.toContain("secretPRIVATEkeyBODY");
    }
  });

  it("the arguments are checked against the document before sending: limits, the algorithm enum, unknown fields", async () => {
    const { iam, requests } = client([json(200, CREATED)]);
    const error = await rejection(
      iam.keys.create({ description: "x".repeat(257), keyAlgorithm: "RSA_1024" as never, privateKey: "no" } as never),
    );
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems.map((p: { path: string }) => p.path)).toEqual(["description", "keyAlgorithm", "privateKey"]);
    expect(error.problems[1].message).toBe("must be one of ALGORITHM_UNSPECIFIED, RSA_2048, RSA_4096");
    expect(await rejection(iam.keys.get(""))).toBeInstanceOf(IamInputError);
    expect(requests).toHaveLength(0);
  });

  it("get, list (keys always an array) and listAll page by page", async () => {
    const { iam, requests } = client([
      json(200, KEY),
      json(200, {}),
      json(200, { keys: [KEY], nextPageToken: "p2" }),
      json(200, { keys: [{ ...KEY, id: "ajeaaaaaaaaaaaaaaaa2" }] }),
    ]);
    expect(await iam.keys.get(KEY.id)).toEqual(KEY);
    expect(await iam.keys.list({ serviceAccountId: KEY.serviceAccountId, pageSize: 10 })).toEqual({ keys: [] });
    const ids: string[] = [];
    for await (const key of iam.keys.listAll({ pageSize: 1 })) ids.push(key.id);
    expect(ids).toEqual([KEY.id, "ajeaaaaaaaaaaaaaaaa2"]);
    expect(urls(requests)).toEqual([
      `GET http://127.0.0.1:9/iam/v1/keys/${KEY.id}`,
      `GET http://127.0.0.1:9/iam/v1/keys?serviceAccountId=${KEY.serviceAccountId}&pageSize=10`,
      "GET http://127.0.0.1:9/iam/v1/keys?pageSize=1",
      "GET http://127.0.0.1:9/iam/v1/keys?pageSize=1&pageToken=p2",
    ]);
  });

  it("update sends a mask of exactly the fields given, waits in the core and resolves with the key without @type", async () => {
    const updated = { ...KEY, description: "renamed" };
    const { iam, requests, bodies } = client([json(200, op(false)), json(200, op(true, { "@type": `${T}Key`, ...updated }))]);
    expect(await iam.keys.update(KEY.id, { description: "renamed" })).toEqual(updated);
    expect(urls(requests)).toEqual([`PATCH http://127.0.0.1:9/iam/v1/keys/${KEY.id}`, "GET http://127.0.0.1:9/operations/ajeop1"]);
    expect((await bodies())[0]).toEqual({ updateMask: "description", description: "renamed" });
    const cleared = client([json(200, op(false))]);
    expect(await cleared.iam.keys.update(KEY.id, { description: null }, { wait: false })).toEqual(op(false));
    expect((await cleared.bodies())[0]).toEqual({ updateMask: "description" });
    const error = await rejection(cleared.iam.keys.update(KEY.id, {}));
    expect(error.problems).toEqual([{ path: "(changes)", message: "must name a field to change (description)" }]);
  });

  it("delete waits; NOT_FOUND after an attempt that may have acted means done; a plain NOT_FOUND is an error", async () => {
    const deleting = { id: "ajeop2", done: true, metadata: { "@type": `${T}DeleteKeyMetadata`, keyId: KEY.id } };
    const done = { ...deleting, response: { "@type": "type.googleapis.com/google.protobuf.Empty" } };
    const { iam } = client([json(200, done)]);
    expect(await iam.keys.delete(KEY.id)).toBeUndefined();
    const retried = client([json(504, { code: 4, message: "deadline" }), json(404, { code: 5, message: "not found" })]);
    expect(await retried.iam.keys.delete(KEY.id)).toBeUndefined();
    expect(retried.requests).toHaveLength(2);
    const missing = client([json(404, { code: 5, message: `Key ${KEY.id} not found` })]);
    expect(await rejection(missing.iam.keys.delete(KEY.id))).toBeInstanceOf(IamApiError);
  });

  it("listOperations and listAllOperations", async () => {
    const { iam, requests } = client([json(200, { operations: [op(true)] })]);
    const seen: string[] = [];
    for await (const o of iam.keys.listAllOperations(KEY.id, { pageSize: 5 })) seen.push(o.id);
    expect(seen).toEqual(["ajeop1"]);
    expect(urls(requests)).toEqual([`GET http://127.0.0.1:9/iam/v1/keys/${KEY.id}/operations?pageSize=5`]);
  });
});

describe("keyFile", () => {
  it("is exactly the file `yc iam key create -o key.json` writes: flat snake_case, in its order", () => {
    const file: KeyFile = keyFile(CREATED);
    expect(JSON.stringify(file)).toBe(
      JSON.stringify({
        id: KEY.id,
        service_account_id: KEY.serviceAccountId,
        created_at: KEY.createdAt,
        description: "ci deployer",
        key_algorithm: "RSA_2048",
        public_key: PUBLIC_KEY,
        private_key: PRIVATE_KEY,
      }),
    );
  });

  it("leaves out an empty description, and names a user's own key user_account_id", () => {
    const { serviceAccountId: _, ...owned } = KEY;
    const file = keyFile({ key: { ...owned, userAccountId: "ajeuser000000000000x", description: "" }, privateKey: PRIVATE_KEY });
    expect(Object.keys(file)).toEqual(["id", "user_account_id", "created_at", "key_algorithm", "public_key", "private_key"]);
    expect(file.user_account_id).toBe("ajeuser000000000000x");
  });

  it("refuses what is not a create answer with an IamInputError that shows no key", () => {
    for (const given of [undefined, {}, { key: KEY }, { privateKey: PRIVATE_KEY }]) {
      let error: unknown;
      try {
        keyFile(given as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IamInputError);
      for (const text of renderings(error)) expect(text).not.toContain("secretPRIVATEkeyBODY");
    }
  });
});
