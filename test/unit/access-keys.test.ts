// iam.accessKeys against an injected fetch: each call's request and answer, the create retry class (a secret shown once),
// the resource id in every path, the update mask, waiting in the core, and no secret in any error.
import { describe, expect, it } from "vitest";
import {
  type AccessKey,
  type CreateAccessKeyResponse,
  IamApiError,
  IamInputError,
  IamNetworkError,
  IamOperationError,
  IamResponseError,
} from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret, TOKEN } from "../support/secrets.ts";

const T = "type.googleapis.com/yandex.cloud.iam.v1.awscompatibility.";
const BASE = "http://127.0.0.1:9/iam/aws-compatibility/v1/accessKeys";
// Note: the document's example secret, registered so that the leak check looks for it in every recorded error too.
const SECRET_KEY = secret("YCNotARealSecretExampleOnly0000000000001");
const KEY: AccessKey = {
  id: "ajeq2w3e4r5t6y7u8i9o",
  serviceAccountId: "ajeg2b2et02f3tl2c1pj",
  createdAt: "2026-03-10T08:15:02.481516342Z",
  description: "Object Storage backups",
  keyId: "YCAJEk3Xq9ExampleOnly0001",
};
const OTHER: AccessKey = {
  id: "ajes1d2f3g4h5j6k7l8z",
  serviceAccountId: "ajeg2b2et02f3tl2c1pj",
  createdAt: "2026-06-28T14:02:55Z",
  keyId: "YCAJEp7Lm2ExampleOnly0002",
};
const CREATED: CreateAccessKeyResponse = { accessKey: KEY, secret: SECRET_KEY };
const updating = (done: boolean, extra: object = {}) => ({
  id: "ajeb3n5m7k9j1h3g5f7d",
  description: "Update access key",
  createdAt: "2026-07-01T09:00:00.123456789Z",
  createdBy: "aje5td1ghq17f106w3fp",
  modifiedAt: "2026-07-01T09:00:00.523456789Z",
  done,
  metadata: { "@type": `${T}UpdateAccessKeyMetadata`, accessKeyId: KEY.id },
  ...extra,
});
const deleting = (done: boolean, extra: object = {}) => ({
  id: "ajec4p6q8r0s2t4u6v8w",
  description: "Delete access key",
  createdAt: "2026-07-01T09:00:00.123456789Z",
  done,
  metadata: { "@type": `${T}DeleteAccessKeyMetadata`, accessKeyId: KEY.id },
  ...extra,
});
const EMPTY = { "@type": "type.googleapis.com/google.protobuf.Empty" };

const client = scriptedClient;
const idempotencyKeys = (requests: Request[]) => requests.map((r) => r.headers.get("idempotency-key"));

describe("iam.accessKeys", () => {
  it("create sends its body with an Idempotency-Key and resolves with the key and its secret", async () => {
    const { iam, requests, bodies } = client([json(200, CREATED)]);
    expect(await iam.accessKeys.create({ serviceAccountId: KEY.serviceAccountId, description: "Object Storage backups" })).toEqual(CREATED);
    expect(urls(requests)).toEqual([`POST ${BASE}`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(await bodies()).toEqual([{ serviceAccountId: KEY.serviceAccountId, description: "Object Storage backups" }]);
  });

  it("create with no argument is a key of the caller's own account: the body is {}", async () => {
    const { iam, bodies } = client([json(200, { accessKey: OTHER, secret: SECRET_KEY })]);
    expect((await iam.accessKeys.create()).accessKey).toEqual(OTHER);
    expect(await bodies()).toEqual([{}]);
  });

  it("create is the create retry class: retried on 429 and 503 with one Idempotency-Key", async () => {
    const { iam, requests } = client([
      json(503, { code: 14, message: "busy" }),
      json(429, { code: 8, message: "slow down" }),
      json(200, CREATED),
    ]);
    expect(await iam.accessKeys.create()).toEqual(CREATED);
    expect(requests).toHaveLength(3);
    const keys = idempotencyKeys(requests);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBeTruthy();
  });

  it("create is not sent again after a dropped connection or a 504: the outcome is unknown", async () => {
    const dropped = client([new TypeError("other side closed"), json(200, CREATED)]);
    const lost = await rejection(dropped.iam.accessKeys.create());
    expect(lost).toBeInstanceOf(IamNetworkError);
    expect(lost.outcomeUnknown).toBe(true);
    expect(lost.message).toContain("the outcome is unknown");
    expect(dropped.requests).toHaveLength(1);
    const late = client([json(504, { code: 4, message: "deadline exceeded" }), json(200, CREATED)]);
    const error = await rejection(late.iam.accessKeys.create());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 504, outcomeUnknown: true, retryable: false });
    expect(late.requests).toHaveLength(1);
  });

  it("a broken 2xx create answer is an IamResponseError with an unknown outcome, and the secret shows in no rendering", async () => {
    const { iam, requests } = client([
      json(200, { accessKey: KEY }),
      json(200, { accessKey: { ...KEY, keyId: undefined }, secret: SECRET_KEY }),
      new Response(`{"accessKey":{"id":"${KEY.id}"},"secret":"${SECRET_KEY}`, { status: 200 }),
    ]);
    for (const path of ["secret", "accessKey.keyId", "(body)"]) {
      const error = await rejection(iam.accessKeys.create());
      expect(error).toBeInstanceOf(IamResponseError);
      expect(error).toMatchObject({ outcomeUnknown: true, status: 200, problems: [expect.objectContaining({ path })] });
      expect(error.message).toContain("the outcome is unknown");
      for (const text of renderings(error)) expect(text).not.toContain(SECRET_KEY);
    }
    // Note: a broken 2xx means the server acted; sending again would mint a second key.
    expect(requests).toHaveLength(3);
  });

  it("create's arguments are checked before sending: limits and unknown fields", async () => {
    const { iam, requests } = client([json(200, CREATED)]);
    const error = await rejection(
      iam.accessKeys.create({ serviceAccountId: "a".repeat(51), description: "x".repeat(257), secret: "mine" } as never),
    );
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems.map((p: { path: string }) => p.path)).toEqual(["serviceAccountId", "description", "secret"]);
    expect(error.problems[0].message).toBe("must be at most 50 characters (has 51)");
    expect(error.attempts).toBe(0);
    expect(requests).toHaveLength(0);
  });

  it("get puts the key's resource id (not its AWS keyId) in the path, and checks it before sending", async () => {
    const { iam, requests } = client([json(200, CREATED), json(200, KEY)]);
    const { accessKey } = await iam.accessKeys.create();
    expect(await iam.accessKeys.get(accessKey.id)).toEqual(KEY);
    expect(urls(requests)[1]).toBe(`GET ${BASE}/${KEY.id}`);
    expect(requests[1]?.url).not.toContain(KEY.keyId);
    for (const bad of ["", ".", "..", "a".repeat(51)]) {
      const error = await rejection(iam.accessKeys.get(bad));
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems[0].path).toBe("accessKeyId");
    }
    expect(requests).toHaveLength(2);
  });

  it("get is the read class: retried after a dropped connection and a 500", async () => {
    const { iam, requests } = client([new TypeError("other side closed"), json(500, { code: 13, message: "internal" }), json(200, KEY)]);
    expect(await iam.accessKeys.get(KEY.id)).toEqual(KEY);
    expect(requests).toHaveLength(3);
    expect(requests[0]?.headers.get("idempotency-key")).toBeNull();
  });

  it("list (accessKeys always an array, serviceAccountId in the query) and listAll page by page", async () => {
    const { iam, requests } = client([
      json(200, {}),
      json(200, { accessKeys: [KEY], nextPageToken: KEY.id }),
      json(200, { accessKeys: [OTHER] }),
    ]);
    expect(await iam.accessKeys.list({ serviceAccountId: KEY.serviceAccountId, pageSize: 10 })).toEqual({ accessKeys: [] });
    const ids: string[] = [];
    for await (const key of iam.accessKeys.listAll({ pageSize: 1 })) ids.push(key.id);
    expect(ids).toEqual([KEY.id, OTHER.id]);
    expect(urls(requests)).toEqual([
      `GET ${BASE}?serviceAccountId=${KEY.serviceAccountId}&pageSize=10`,
      `GET ${BASE}?pageSize=1`,
      `GET ${BASE}?pageSize=1&pageToken=${KEY.id}`,
    ]);
    expect(await rejection(iam.accessKeys.list({ pageSize: 1001 }))).toBeInstanceOf(IamInputError);
    expect(requests).toHaveLength(3);
  });

  it("a listed key without its keyId breaks the contract", async () => {
    const { iam } = client([json(200, { accessKeys: [{ ...KEY, keyId: undefined }] })]);
    const error = await rejection(iam.accessKeys.list());
    expect(error).toBeInstanceOf(IamResponseError);
    expect(error.problems).toEqual([{ path: "accessKeys[0].keyId", message: "is required" }]);
  });

  it("update sends a mask of exactly the fields given, waits and resolves with the key without @type", async () => {
    const updated = { ...KEY, description: "Object Storage backups, rotated 2026-07" };
    const { iam, requests, bodies } = client([
      json(200, updating(false)),
      json(200, updating(true, { response: { "@type": `${T}AccessKey`, ...updated } })),
    ]);
    expect(await iam.accessKeys.update(KEY.id, { description: updated.description })).toEqual(updated);
    expect(urls(requests)).toEqual([`PATCH ${BASE}/${KEY.id}`, "GET http://127.0.0.1:9/operations/ajeb3n5m7k9j1h3g5f7d"]);
    expect((await bodies())[0]).toEqual({ updateMask: "description", description: updated.description });
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("update with null clears the description (in the mask, not the body); wait: false gives the Operation", async () => {
    const { iam, requests, bodies } = client([json(200, updating(false))]);
    expect(await iam.accessKeys.update(KEY.id, { description: null }, { wait: false })).toEqual(updating(false));
    expect(requests).toHaveLength(1);
    expect((await bodies())[0]).toEqual({ updateMask: "description" });
  });

  it("update refuses {} and fields that cannot change, before sending", async () => {
    const { iam, requests } = client([json(200, updating(true, { response: { "@type": `${T}AccessKey`, ...KEY } }))]);
    const none = await rejection(iam.accessKeys.update(KEY.id, {}));
    expect(none).toBeInstanceOf(IamInputError);
    expect(none.problems).toEqual([{ path: "(changes)", message: expect.stringContaining("field to change (description)") }]);
    expect((await rejection(iam.accessKeys.update(KEY.id, { description: undefined }))).problems[0].path).toBe("(changes)");
    const keyId = await rejection(iam.accessKeys.update(KEY.id, { keyId: "YCAJ" } as never));
    expect(keyId.problems.map((p: { path: string }) => p.path)).toEqual(["updateMask", "keyId"]);
    expect(keyId.problems[0].message).toBe("must be description, the only field that can change");
    expect(requests).toHaveLength(0);
  });

  it("update is the idempotent class: retried after a 504 and a dropped connection with the same Idempotency-Key", async () => {
    const { iam, requests } = client([
      json(504, { code: 4, message: "deadline" }),
      new TypeError("other side closed"),
      json(200, updating(true, { response: { "@type": `${T}AccessKey`, ...KEY } })),
    ]);
    expect(await iam.accessKeys.update(KEY.id, { description: KEY.description as string })).toEqual(KEY);
    expect(requests).toHaveLength(3);
    expect(new Set(idempotencyKeys(requests)).size).toBe(1);
  });

  it("an update whose Operation fails is an IamOperationError with the Operation's id", async () => {
    const failed = updating(true, { error: { code: 9, message: `AccessKey ${KEY.id} is being deleted` } });
    const { iam } = client([json(200, updating(false)), json(200, failed)]);
    const error = await rejection(iam.accessKeys.update(KEY.id, { description: "x" }));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({
      operationId: "ajeb3n5m7k9j1h3g5f7d",
      code: 9,
      codeName: "FAILED_PRECONDITION",
      operation: "updateAccessKey",
    });
  });

  it("delete waits and resolves with nothing; wait: false gives the Operation; an Empty with a value is nothing too", async () => {
    const { iam, requests } = client([json(200, deleting(false)), json(200, deleting(true, { response: EMPTY }))]);
    expect(await iam.accessKeys.delete(KEY.id)).toBeUndefined();
    expect(urls(requests)).toEqual([`DELETE ${BASE}/${KEY.id}`, "GET http://127.0.0.1:9/operations/ajec4p6q8r0s2t4u6v8w"]);
    const later = client([json(200, deleting(false))]);
    expect(await later.iam.accessKeys.delete(KEY.id, { wait: false })).toEqual(deleting(false));
    const valued = client([json(200, deleting(true, { response: { ...EMPTY, value: {} } }))]);
    expect(await valued.iam.accessKeys.delete(KEY.id)).toBeUndefined();
  });

  it("delete: NOT_FOUND after an attempt that may have acted means done; a plain NOT_FOUND is an error", async () => {
    const retried = client([json(504, { code: 4, message: "deadline" }), json(404, { code: 5, message: "not found" })]);
    expect(await retried.iam.accessKeys.delete(KEY.id)).toBeUndefined();
    expect(retried.requests).toHaveLength(2);
    expect(new Set(idempotencyKeys(retried.requests)).size).toBe(1);
    const missing = client([json(404, { code: 5, message: `Access key ${KEY.id} not found` })]);
    const error = await rejection(missing.iam.accessKeys.delete(KEY.id));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND" });
    expect(missing.requests).toHaveLength(1);
  });

  it("listOperations (operations always an array) and listAllOperations page by page", async () => {
    const { iam, requests } = client([
      json(200, {}),
      json(200, { operations: [updating(true)], nextPageToken: "p2" }),
      json(200, { operations: [deleting(true)] }),
    ]);
    expect(await iam.accessKeys.listOperations(KEY.id, { pageSize: 5 })).toEqual({ operations: [] });
    const seen: string[] = [];
    for await (const o of iam.accessKeys.listAllOperations(KEY.id, { pageSize: 1 })) seen.push(o.id);
    expect(seen).toEqual(["ajeb3n5m7k9j1h3g5f7d", "ajec4p6q8r0s2t4u6v8w"]);
    expect(urls(requests)).toEqual([
      `GET ${BASE}/${KEY.id}/operations?pageSize=5`,
      `GET ${BASE}/${KEY.id}/operations?pageSize=1`,
      `GET ${BASE}/${KEY.id}/operations?pageSize=1&pageToken=p2`,
    ]);
  });
});
