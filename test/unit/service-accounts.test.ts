// iam.serviceAccounts against an injected fetch: each call's request and answer, the idempotent retry class, the name and
// labels rules before sending, the update mask, waiting in the core, and the access bindings with their effective deltas.
import { describe, expect, it } from "vitest";
import {
  type AccessBindingDelta,
  type AccessBindingDeltaInput,
  type AccessBindingInput,
  IamApiError,
  IamInputError,
  IamOperationError,
  type ServiceAccount,
} from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection } from "../support/secrets.ts";

const IAM = "type.googleapis.com/yandex.cloud.iam.v1.";
const ACCESS = "type.googleapis.com/yandex.cloud.access.";
const BASE = "http://127.0.0.1:9/iam/v1/serviceAccounts";
const OPERATIONS = "http://127.0.0.1:9/operations";
const FOLDER = "b1gvmob95yysaplct532";
const ACCOUNT: ServiceAccount = {
  id: "ajeg2b2et02f3tl2c1pj",
  folderId: FOLDER,
  createdAt: "2026-07-01T09:00:00.2Z",
  name: "ci-deployer",
  description: "Deploys from CI",
  labels: { team: "platform", env: "production" },
  status: "ACTIVE",
};
const SUSPENDED: ServiceAccount = {
  id: "aje9k2m4p6r8t0v1x3zq",
  folderId: FOLDER,
  createdAt: "2026-06-01T07:00:00Z",
  name: "backup-robot",
  status: "SUSPENDED",
  expiresAt: "2026-12-31T23:59:59Z",
};
const USER = { id: "aje5td1ghq17f106w3fp", type: "userAccount" as const };
const BINDING: AccessBindingInput = { roleId: "iam.serviceAccounts.user", subject: USER };
const STORAGE: AccessBindingInput = { roleId: "storage.editor", subject: { id: ACCOUNT.id, type: "serviceAccount" } };
const ADDED: AccessBindingDeltaInput[] = [{ action: "ADD", accessBinding: BINDING }];

/** An Operation as the document's examples have it: pending, or done with `extra` (a response or an error). */
const operation = (id: string, metadata: object, done: boolean, extra: object = {}) => ({
  id,
  description: "Service account operation",
  createdAt: "2026-07-01T09:00:00.123456789Z",
  createdBy: "aje5td1ghq17f106w3fp",
  modifiedAt: "2026-07-01T09:00:00.523456789Z",
  done,
  metadata,
  ...extra,
});
const creating = (done: boolean, extra?: object) =>
  operation("ajed5k7m9n1p3q5r7s9t", { "@type": `${IAM}CreateServiceAccountMetadata`, serviceAccountId: ACCOUNT.id }, done, extra);
const updating = (done: boolean, extra?: object) =>
  operation("ajef6h8j0k2l4m6n8p0q", { "@type": `${IAM}UpdateServiceAccountMetadata`, serviceAccountId: ACCOUNT.id }, done, extra);
const deleting = (done: boolean, extra?: object) =>
  operation("ajeh7j9k1l3m5n7p9q1r", { "@type": `${IAM}DeleteServiceAccountMetadata`, serviceAccountId: ACCOUNT.id }, done, extra);
const suspending = (done: boolean, extra?: object) =>
  operation("ajek1n3p5q7r9s1t3u5v", { "@type": `${IAM}SuspendServiceAccountMetadata`, serviceAccountId: ACCOUNT.id }, done, extra);
const reactivating = (done: boolean, extra?: object) =>
  operation("ajem2p4q6r8s0t2u4v6w", { "@type": `${IAM}ReactivateServiceAccountMetadata`, serviceAccountId: ACCOUNT.id }, done, extra);
const bindingsUpdating = (done: boolean, extra?: object) =>
  operation("ajej0m2n4p6q8r0s2t4u", { "@type": `${ACCESS}UpdateAccessBindingsMetadata`, resourceId: ACCOUNT.id }, done, extra);
const bindingsSetting = (done: boolean, extra?: object) =>
  operation("ajei9l1m3n5p7q9r1s3t", { "@type": `${ACCESS}SetAccessBindingsMetadata`, resourceId: ACCOUNT.id }, done, extra);
const accountResponse = (account: ServiceAccount) => ({ response: { "@type": `${IAM}ServiceAccount`, ...account } });
const deltasResponse = (effectiveDeltas?: AccessBindingDelta[]) => ({
  response: { "@type": `${ACCESS}AccessBindingsOperationResult`, ...(effectiveDeltas && { effectiveDeltas }) },
});

const client = scriptedClient;
const idempotencyKeys = (requests: Request[]) => requests.map((r) => r.headers.get("idempotency-key"));
const paths = (error: { problems: { path: string }[] }) => error.problems.map((p) => p.path);

describe("iam.serviceAccounts: the accounts", () => {
  it("create sends its body with an Idempotency-Key, waits, and resolves with the account without @type", async () => {
    const { iam, requests, bodies } = client([json(200, creating(false)), json(200, creating(true, accountResponse(ACCOUNT)))]);
    const request = {
      folderId: FOLDER,
      name: "ci-deployer",
      description: "Deploys from CI",
      labels: { team: "platform", env: "production" },
    };
    const account = await iam.serviceAccounts.create(request);
    expect(account).toEqual(ACCOUNT);
    expect(account).not.toHaveProperty("@type");
    expect(urls(requests)).toEqual([`POST ${BASE}`, `GET ${OPERATIONS}/ajed5k7m9n1p3q5r7s9t`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await bodies())[0]).toEqual(request);
  });

  it("create with wait: false resolves with the Operation, whose metadata already holds the new account's id", async () => {
    const { iam, requests } = client([json(200, creating(false))]);
    const started = await iam.serviceAccounts.create({ folderId: FOLDER, name: "ci-deployer" }, { wait: false });
    expect(started).toEqual(creating(false));
    expect(started.metadata?.serviceAccountId).toBe(ACCOUNT.id);
    expect(requests).toHaveLength(1);
  });

  it("create sends a Date expiresAt as its timestamp", async () => {
    const { iam, bodies } = client([json(200, creating(true, accountResponse(SUSPENDED)))]);
    await iam.serviceAccounts.create({ folderId: FOLDER, name: "backup-robot", expiresAt: new Date("2026-12-31T23:59:59Z") });
    expect((await bodies())[0]).toEqual({ folderId: FOLDER, name: "backup-robot", expiresAt: "2026-12-31T23:59:59.000Z" });
  });

  it("create is the idempotent class: retried after a 504 and a dropped connection with the same Idempotency-Key", async () => {
    const { iam, requests } = client([
      json(504, { code: 4, message: "deadline exceeded" }),
      new TypeError("other side closed"),
      json(200, creating(true, accountResponse(ACCOUNT))),
    ]);
    expect(await iam.serviceAccounts.create({ folderId: FOLDER, name: "ci-deployer" })).toEqual(ACCOUNT);
    expect(urls(requests)).toEqual([`POST ${BASE}`, `POST ${BASE}`, `POST ${BASE}`]);
    const keys = idempotencyKeys(requests);
    expect(keys[0]).toBeTruthy();
    expect(new Set(keys).size).toBe(1);
  });

  it("a create whose Operation fails (the name is taken) is an IamOperationError with the Operation's id", async () => {
    const failed = creating(true, { error: { code: 6, message: 'Service account with name "ci-deployer" already exists' } });
    const { iam } = client([json(200, creating(false)), json(200, failed)]);
    const error = await rejection(iam.serviceAccounts.create({ folderId: FOLDER, name: "ci-deployer" }));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({
      operation: "createServiceAccount",
      operationId: "ajed5k7m9n1p3q5r7s9t",
      code: 6,
      codeName: "ALREADY_EXISTS",
      serverMessage: 'Service account with name "ci-deployer" already exists',
    });
  });

  it("create needs a folderId and a name, refused before sending", async () => {
    const { iam, requests } = client([json(200, creating(true, accountResponse(ACCOUNT)))]);
    const error = await rejection(iam.serviceAccounts.create({} as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([
      { path: "folderId", message: "is required" },
      { path: "name", message: "is required" },
    ]);
    expect(requests).toHaveLength(0);
  });

  it("the name rules (the pattern, 3 to 63: the documentation's stricter reading) are checked before sending, the field named", async () => {
    // Note: answers that end each call at once, so a check that lets a call through fails the test instead of waiting.
    const { iam, requests } = client([json(200, creating(true, accountResponse(ACCOUNT)))]);
    const hint = "must be 3 to 63 of a-z, 0-9 and -, starting with a letter and not ending with -";
    const cases: [string, string][] = [
      ["", "must not be empty"],
      ["a", "must be at least 3 characters (has 1)"],
      ["ab", "must be at least 3 characters (has 2)"],
      ["a".repeat(64), "must be at most 63 characters (has 64)"],
      ["Ci-Deployer", hint],
      ["ci_deployer", hint],
      ["1robot", hint],
      ["ci-", hint],
    ];
    for (const [name, message] of cases) {
      const error = await rejection(iam.serviceAccounts.create({ folderId: FOLDER, name }));
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems).toEqual([{ path: "name", message }]);
      expect((await rejection(iam.serviceAccounts.update(ACCOUNT.id, { name }))).problems).toEqual([{ path: "name", message }]);
    }
    expect(requests).toHaveLength(0);
    for (const name of ["abc", "a".repeat(63), "ci-deployer-2"])
      await iam.serviceAccounts.create({ folderId: FOLDER, name }, { wait: false });
    expect(requests).toHaveLength(3);
  });

  it("the labels rules (at most 64; key and value patterns) are checked before sending, each label named", async () => {
    const { iam, requests } = client([json(200, creating(true, accountResponse(ACCOUNT)))]);
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    const tooMany = await rejection(iam.serviceAccounts.create({ folderId: FOLDER, name: "ci-deployer", labels: many }));
    expect(tooMany).toBeInstanceOf(IamInputError);
    expect(tooMany.problems).toEqual([{ path: "labels", message: "must be at most 64 entries (has 65)" }]);
    const bad = await rejection(
      iam.serviceAccounts.create({
        folderId: FOLDER,
        name: "ci-deployer",
        labels: { Team: "platform", "9lives": "x", ["k".repeat(64)]: "x", env: "Production", tier: "x".repeat(64) },
      }),
    );
    expect(bad.problems).toEqual([
      { path: "labels.Team", message: "key must be 1 to 63 of a-z, 0-9, - and _, starting with a letter" },
      { path: "labels.9lives", message: "key must be 1 to 63 of a-z, 0-9, - and _, starting with a letter" },
      { path: `labels.${"k".repeat(64)}`, message: "key must be at most 63 characters (has 64)" },
      { path: "labels.env", message: "must be at most 63 of a-z, 0-9, - and _" },
      { path: "labels.tier", message: "must be at most 63 characters (has 64)" },
    ]);
    const onUpdate = await rejection(iam.serviceAccounts.update(ACCOUNT.id, { labels: { Team: "platform" } }));
    expect(paths(onUpdate)).toEqual(["labels.Team"]);
    expect(requests).toHaveLength(0);
    const edge = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i ? "v_1-x" : ""]));
    await iam.serviceAccounts.create({ folderId: FOLDER, name: "ci-deployer", labels: edge }, { wait: false });
    expect(requests).toHaveLength(1);
  });

  it("get puts the id in the path; the id is checked before sending", async () => {
    const { iam, requests } = client([json(200, ACCOUNT)]);
    expect(await iam.serviceAccounts.get(ACCOUNT.id)).toEqual(ACCOUNT);
    expect(urls(requests)).toEqual([`GET ${BASE}/${ACCOUNT.id}`]);
    expect(requests[0]?.headers.get("idempotency-key")).toBeNull();
    for (const bad of ["", "..", "a".repeat(51)]) {
      const error = await rejection(iam.serviceAccounts.get(bad));
      expect(error).toBeInstanceOf(IamInputError);
      expect(paths(error)).toEqual(["serviceAccountId"]);
    }
    expect(requests).toHaveLength(1);
  });

  it("list requires folderId, refused before sending without it", async () => {
    const { iam, requests } = client([json(200, {})]);
    const error = await rejection(iam.serviceAccounts.list({} as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([{ path: "folderId", message: "is required" }]);
    expect((await rejection(iam.serviceAccounts.list({ folderId: "" }))).problems).toEqual([
      { path: "folderId", message: "must not be empty" },
    ]);
    const unbounded = await rejection(iam.serviceAccounts.list({ folderId: FOLDER, filter: "x".repeat(1001) }));
    expect(paths(unbounded)).toEqual(["filter"]);
    expect(requests).toHaveLength(0);
  });

  it("list sends folderId and filter (serviceAccounts always an array); listAll keeps both on every page", async () => {
    const filter = 'name="ci-deployer"';
    const { iam, requests } = client([
      json(200, {}),
      json(200, { serviceAccounts: [ACCOUNT], nextPageToken: ACCOUNT.id }),
      json(200, { serviceAccounts: [SUSPENDED] }),
    ]);
    expect(await iam.serviceAccounts.list({ folderId: FOLDER, filter, pageSize: 10 })).toEqual({ serviceAccounts: [] });
    const sent = new URL(requests[0]?.url as string);
    expect(`${sent.origin}${sent.pathname}`).toBe(BASE);
    expect(Object.fromEntries(sent.searchParams)).toEqual({ folderId: FOLDER, filter, pageSize: "10" });
    const names: string[] = [];
    for await (const account of iam.serviceAccounts.listAll({ folderId: FOLDER, filter })) names.push(account.name ?? "");
    expect(names).toEqual(["ci-deployer", "backup-robot"]);
    expect(requests.slice(1).map((r) => Object.fromEntries(new URL(r.url).searchParams))).toEqual([
      { folderId: FOLDER, filter },
      { folderId: FOLDER, filter, pageToken: ACCOUNT.id },
    ]);
  });

  it("update sends a mask of exactly the fields given (labels whole), waits and resolves with the account without @type", async () => {
    const updated = { ...ACCOUNT, description: "Deploys from CI and CD", labels: { team: "platform" } };
    const { iam, requests, bodies } = client([json(200, updating(false)), json(200, updating(true, accountResponse(updated)))]);
    expect(await iam.serviceAccounts.update(ACCOUNT.id, { description: "Deploys from CI and CD", labels: { team: "platform" } })).toEqual(
      updated,
    );
    expect(urls(requests)).toEqual([`PATCH ${BASE}/${ACCOUNT.id}`, `GET ${OPERATIONS}/ajef6h8j0k2l4m6n8p0q`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await bodies())[0]).toEqual({
      updateMask: "description,labels",
      description: "Deploys from CI and CD",
      labels: { team: "platform" },
    });
  });

  it("update: null resets a field (in the mask, not the body); a Date is sent as its timestamp; wait: false gives the Operation", async () => {
    const { iam, requests, bodies } = client([json(200, updating(false))]);
    expect(await iam.serviceAccounts.update(ACCOUNT.id, { expiresAt: null, labels: null }, { wait: false })).toEqual(updating(false));
    await iam.serviceAccounts.update(ACCOUNT.id, { name: "cd-deployer", expiresAt: new Date("2027-01-01T00:00:00Z") }, { wait: false });
    expect(requests).toHaveLength(2);
    expect(await bodies()).toEqual([
      { updateMask: "expiresAt,labels" },
      { updateMask: "name,expiresAt", name: "cd-deployer", expiresAt: "2027-01-01T00:00:00.000Z" },
    ]);
  });

  it("update refuses {} (naming the fields there are) and unknown fields, before sending", async () => {
    const { iam, requests } = client([json(200, updating(true, accountResponse(ACCOUNT)))]);
    for (const changes of [{}, { description: undefined }]) {
      const error = await rejection(iam.serviceAccounts.update(ACCOUNT.id, changes));
      expect(error).toBeInstanceOf(IamInputError);
      // Note: the wording is the core's; what matters here is the path and that it names every field there is.
      expect(error.problems).toEqual([
        { path: "(changes)", message: expect.stringContaining("field to change (name, description, labels, expiresAt)") },
      ]);
    }
    const folder = await rejection(iam.serviceAccounts.update(ACCOUNT.id, { folderId: "b1gother" } as never));
    expect(paths(folder)).toEqual(["updateMask", "folderId"]);
    expect(requests).toHaveLength(0);
  });

  it("an update whose Operation fails is an IamOperationError", async () => {
    const failed = updating(true, { error: { code: 9, message: `Service account ${ACCOUNT.id} is being deleted` } });
    const { iam } = client([json(200, failed)]);
    const error = await rejection(iam.serviceAccounts.update(ACCOUNT.id, { description: "x" }));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({ operationId: "ajef6h8j0k2l4m6n8p0q", code: 9, codeName: "FAILED_PRECONDITION" });
  });

  it("delete waits and resolves with nothing; wait: false gives the Operation", async () => {
    const { iam, requests } = client([
      json(200, deleting(false)),
      json(200, deleting(true, { response: { "@type": "type.googleapis.com/google.protobuf.Empty" } })),
    ]);
    expect(await iam.serviceAccounts.delete(ACCOUNT.id)).toBeUndefined();
    expect(urls(requests)).toEqual([`DELETE ${BASE}/${ACCOUNT.id}`, `GET ${OPERATIONS}/ajeh7j9k1l3m5n7p9q1r`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    const later = client([json(200, deleting(false))]);
    expect(await later.iam.serviceAccounts.delete(ACCOUNT.id, { wait: false })).toEqual(deleting(false));
  });

  it("delete: NOT_FOUND after an attempt that may have acted means done; a plain NOT_FOUND is an error", async () => {
    const retried = client([json(502, { code: 14, message: "bad gateway" }), json(404, { code: 5, message: "not found" })]);
    expect(await retried.iam.serviceAccounts.delete(ACCOUNT.id)).toBeUndefined();
    expect(retried.requests).toHaveLength(2);
    expect(new Set(idempotencyKeys(retried.requests)).size).toBe(1);
    const missing = client([json(404, { code: 5, message: `Service account ${ACCOUNT.id} not found` })]);
    const error = await rejection(missing.iam.serviceAccounts.delete(ACCOUNT.id));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND" });
  });

  it("listOperations (operations always an array) and listAllOperations page by page", async () => {
    const { iam, requests } = client([
      json(200, {}),
      json(200, { operations: [creating(true)], nextPageToken: "p2" }),
      json(200, { operations: [updating(true)] }),
    ]);
    expect(await iam.serviceAccounts.listOperations(ACCOUNT.id, { pageSize: 5 })).toEqual({ operations: [] });
    const seen: string[] = [];
    for await (const o of iam.serviceAccounts.listAllOperations(ACCOUNT.id, { pageSize: 1 })) seen.push(o.id);
    expect(seen).toEqual(["ajed5k7m9n1p3q5r7s9t", "ajef6h8j0k2l4m6n8p0q"]);
    expect(urls(requests)).toEqual([
      `GET ${BASE}/${ACCOUNT.id}/operations?pageSize=5`,
      `GET ${BASE}/${ACCOUNT.id}/operations?pageSize=1`,
      `GET ${BASE}/${ACCOUNT.id}/operations?pageSize=1&pageToken=p2`,
    ]);
  });

  it("suspend sends reason and expiresAt (a Date as its timestamp), waits, and resolves with nothing once done", async () => {
    const done = suspending(true, { response: { "@type": `${IAM}SuspendServiceAccountResponse` } });
    const { iam, requests, bodies } = client([json(200, suspending(false)), json(200, done)]);
    const reason = "Key leak investigation INC-1042";
    expect(await iam.serviceAccounts.suspend(ACCOUNT.id, { reason, expiresAt: new Date("2026-08-01T00:00:00Z") })).toBeUndefined();
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:suspend`, `GET ${OPERATIONS}/ajek1n3p5q7r9s1t3u5v`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await bodies())[0]).toEqual({ reason, expiresAt: "2026-08-01T00:00:00.000Z" });
  });

  it("suspend with no options sends {}; wait: false gives the Operation; a long reason is refused before sending", async () => {
    const { iam, requests, texts } = client([json(200, suspending(false))]);
    expect(await iam.serviceAccounts.suspend(ACCOUNT.id, { wait: false })).toEqual(suspending(false));
    expect(await texts()).toEqual(["{}"]);
    const error = await rejection(iam.serviceAccounts.suspend(ACCOUNT.id, { reason: "x".repeat(257), wait: false }));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([{ path: "reason", message: "must be at most 256 characters (has 257)" }]);
    expect(paths(await rejection(iam.serviceAccounts.suspend(ACCOUNT.id, { expiresAt: "tomorrow", wait: false })))).toEqual(["expiresAt"]);
    expect(requests).toHaveLength(1);
  });

  it("a suspend whose Operation fails is an IamOperationError", async () => {
    const failed = suspending(true, { error: { code: 9, message: `Service account ${ACCOUNT.id} is being deleted` } });
    const { iam } = client([json(200, suspending(false)), json(200, failed)]);
    const error = await rejection(iam.serviceAccounts.suspend(ACCOUNT.id));
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({ operation: "suspendServiceAccount", operationId: "ajek1n3p5q7r9s1t3u5v", code: 9 });
  });

  it("reactivate sends {} and resolves with nothing once done; wait: false gives the Operation", async () => {
    const done = reactivating(true, { response: { "@type": `${IAM}ReactivateServiceAccountResponse` } });
    const { iam, requests, texts } = client([json(200, reactivating(false)), json(200, done)]);
    expect(await iam.serviceAccounts.reactivate(ACCOUNT.id)).toBeUndefined();
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:reactivate`, `GET ${OPERATIONS}/ajem2p4q6r8s0t2u4v6w`]);
    expect((await texts())[0]).toBe("{}");
    expect(requests[0]?.headers.get("content-type")).toContain("application/json");
    const later = client([json(200, reactivating(false))]);
    expect(await later.iam.serviceAccounts.reactivate(ACCOUNT.id, { wait: false })).toEqual(reactivating(false));
  });
});

describe("iam.serviceAccounts: access bindings", () => {
  it("listAccessBindings (accessBindings always an array) and listAllAccessBindings page by page", async () => {
    const { iam, requests } = client([
      json(200, {}),
      json(200, { accessBindings: [STORAGE, BINDING], nextPageToken: "ajeh8k0l2m4n6p8q0r2s" }),
      json(200, { accessBindings: [BINDING] }),
    ]);
    expect(await iam.serviceAccounts.listAccessBindings(ACCOUNT.id, { pageSize: 2 })).toEqual({ accessBindings: [] });
    const roles: string[] = [];
    for await (const binding of iam.serviceAccounts.listAllAccessBindings(ACCOUNT.id, { pageSize: 2 })) roles.push(binding.roleId);
    expect(roles).toEqual(["storage.editor", "iam.serviceAccounts.user", "iam.serviceAccounts.user"]);
    expect(urls(requests)).toEqual([
      `GET ${BASE}/${ACCOUNT.id}:listAccessBindings?pageSize=2`,
      `GET ${BASE}/${ACCOUNT.id}:listAccessBindings?pageSize=2`,
      `GET ${BASE}/${ACCOUNT.id}:listAccessBindings?pageSize=2&pageToken=ajeh8k0l2m4n6p8q0r2s`,
    ]);
  });

  it("a binding list's pageToken is at most 100 characters (not the 2000 of other lists), refused before sending", async () => {
    const { iam, requests } = client([json(200, {})]);
    const error = await rejection(iam.serviceAccounts.listAccessBindings(ACCOUNT.id, { pageToken: "t".repeat(101) }));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([{ path: "pageToken", message: "must be at most 100 characters (has 101)" }]);
    const walk = iam.serviceAccounts.listAllAccessBindings(ACCOUNT.id, { pageToken: "t".repeat(101) });
    expect(await rejection(walk.next())).toBeInstanceOf(IamInputError);
    expect(requests).toHaveLength(0);
    await iam.serviceAccounts.listAccessBindings(ACCOUNT.id, { pageToken: "t".repeat(100) });
    await iam.serviceAccounts.listOperations(ACCOUNT.id, { pageToken: "t".repeat(101) });
    expect(requests).toHaveLength(2);
  });

  it("updateAccessBindings sends the deltas and resolves with the effective ones once done", async () => {
    const { iam, requests, bodies } = client([
      json(200, bindingsUpdating(false)),
      json(200, bindingsUpdating(true, deltasResponse(ADDED))),
    ]);
    const deltas: AccessBindingDeltaInput[] = [...ADDED, { action: "REMOVE", accessBinding: STORAGE }];
    expect(await iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, deltas)).toEqual(ADDED);
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:updateAccessBindings`, `GET ${OPERATIONS}/ajej0m2n4p6q8r0s2t4u`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await bodies())[0]).toEqual({ accessBindingDeltas: deltas });
  });

  it("updateAccessBindings resolves with [] when the result leaves the deltas out; wait: false gives the Operation", async () => {
    const { iam } = client([json(200, bindingsUpdating(true, deltasResponse()))]);
    expect(await iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, ADDED)).toEqual([]);
    const later = client([json(200, bindingsUpdating(false))]);
    expect(await later.iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, ADDED, { wait: false })).toEqual(bindingsUpdating(false));
    expect(later.requests).toHaveLength(1);
  });

  it("updateAccessBindings checks the deltas before sending: at least one, a known action, a whole binding", async () => {
    const { iam, requests } = client([json(200, bindingsUpdating(true, deltasResponse(ADDED)))]);
    expect((await rejection(iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, []))).problems).toEqual([
      { path: "accessBindingDeltas", message: "must be at least 1 item (has 0)" },
    ]);
    const bad = await rejection(
      iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, [
        { action: "GRANT" as never, accessBinding: BINDING },
        { action: "ADD", accessBinding: { roleId: "", subject: { id: USER.id } } as never },
      ]),
    );
    expect(bad).toBeInstanceOf(IamInputError);
    expect(paths(bad)).toEqual([
      "accessBindingDeltas[0].action",
      "accessBindingDeltas[1].accessBinding.roleId",
      "accessBindingDeltas[1].accessBinding.subject.type",
    ]);
    expect(requests).toHaveLength(0);
  });

  it("updateAccessBindings is the idempotent class: retried after a 500 with the same Idempotency-Key", async () => {
    const { iam, requests } = client([
      json(500, { code: 13, message: "internal" }),
      json(200, bindingsUpdating(true, deltasResponse(ADDED))),
    ]);
    expect(await iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, ADDED)).toEqual(ADDED);
    expect(requests).toHaveLength(2);
    expect(new Set(idempotencyKeys(requests)).size).toBe(1);
  });

  it("an updateAccessBindings whose Operation fails is an IamOperationError", async () => {
    const failed = bindingsUpdating(true, { error: { code: 3, message: "Role nonexistent.role not found" } });
    const { iam } = client([json(200, bindingsUpdating(false)), json(200, failed)]);
    const error = await rejection(
      iam.serviceAccounts.updateAccessBindings(ACCOUNT.id, [{ action: "ADD", accessBinding: { ...BINDING, roleId: "nonexistent.role" } }]),
    );
    expect(error).toBeInstanceOf(IamOperationError);
    expect(error).toMatchObject({
      operation: "updateServiceAccountAccessBindings",
      operationId: "ajej0m2n4p6q8r0s2t4u",
      code: 3,
      codeName: "INVALID_ARGUMENT",
      serverMessage: "Role nonexistent.role not found",
    });
  });

  it("setAccessBindings sends every binding and resolves with the effective deltas; [] when left out; wait: false gives the Operation", async () => {
    const effective: AccessBindingDelta[] = [
      { action: "ADD", accessBinding: STORAGE },
      { action: "REMOVE", accessBinding: BINDING },
    ];
    const { iam, requests, bodies } = client([
      json(200, bindingsSetting(false)),
      json(200, bindingsSetting(true, deltasResponse(effective))),
    ]);
    expect(await iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [STORAGE])).toEqual(effective);
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:setAccessBindings`, `GET ${OPERATIONS}/ajei9l1m3n5p7q9r1s3t`]);
    expect(requests[0]?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await bodies())[0]).toEqual({ accessBindings: [STORAGE] });
    const unchanged = client([json(200, bindingsSetting(true, deltasResponse()))]);
    expect(await unchanged.iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [STORAGE])).toEqual([]);
    const later = client([json(200, bindingsSetting(false))]);
    expect(await later.iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [STORAGE], { wait: false })).toEqual(bindingsSetting(false));
  });

  it('setAccessBindings with [] is refused before sending unless { removeAll: true }, then sent as {"accessBindings":[]}', async () => {
    const { iam, requests, texts } = client([
      json(200, bindingsSetting(true, deltasResponse([{ action: "REMOVE", accessBinding: BINDING }]))),
    ]);
    for (const options of [undefined, {}, { removeAll: false }]) {
      const error = await rejection(iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [], options));
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems).toEqual([
        { path: "bindings", message: "is empty, which removes every binding: pass { removeAll: true } to mean it" },
      ]);
      expect(error.attempts).toBe(0);
    }
    expect(requests).toHaveLength(0);
    expect(await iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [], { removeAll: true })).toEqual([
      { action: "REMOVE", accessBinding: BINDING },
    ]);
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:setAccessBindings`]);
    expect(await texts()).toEqual(['{"accessBindings":[]}']);
  });

  it("setAccessBindings checks every binding before sending", async () => {
    const { iam, requests } = client([json(200, bindingsSetting(true, deltasResponse()))]);
    const error = await rejection(iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [STORAGE, { roleId: "x".repeat(65), subject: USER }]));
    expect(error.problems).toEqual([{ path: "accessBindings[1].roleId", message: "must be at most 64 characters (has 65)" }]);
    const many = Array.from({ length: 1001 }, () => STORAGE);
    expect(paths(await rejection(iam.serviceAccounts.setAccessBindings(ACCOUNT.id, many)))).toEqual(["accessBindings"]);
    expect(requests).toHaveLength(0);
  });

  it("grant sends exactly one ADD delta of { roleId, subject: { id, type } } and resolves with the effective deltas", async () => {
    const { iam, requests, bodies } = client([
      json(200, bindingsUpdating(false)),
      json(200, bindingsUpdating(true, deltasResponse(ADDED))),
    ]);
    expect(await iam.serviceAccounts.grant(ACCOUNT.id, "iam.serviceAccounts.user", USER)).toEqual(ADDED);
    expect(urls(requests)[0]).toBe(`POST ${BASE}/${ACCOUNT.id}:updateAccessBindings`);
    expect((await bodies())[0]).toEqual({
      accessBindingDeltas: [
        { action: "ADD", accessBinding: { roleId: "iam.serviceAccounts.user", subject: { id: USER.id, type: "userAccount" } } },
      ],
    });
    const already = client([json(200, bindingsUpdating(true, deltasResponse()))]);
    expect(await already.iam.serviceAccounts.grant(ACCOUNT.id, "iam.serviceAccounts.user", USER)).toEqual([]);
  });

  it("revoke sends exactly one REMOVE delta of { roleId, subject: { id, type } } and resolves with the effective deltas", async () => {
    const removed: AccessBindingDelta[] = [{ action: "REMOVE", accessBinding: STORAGE }];
    const { iam, requests, bodies } = client([json(200, bindingsUpdating(true, deltasResponse(removed)))]);
    expect(await iam.serviceAccounts.revoke(ACCOUNT.id, "storage.editor", { id: ACCOUNT.id, type: "serviceAccount" })).toEqual(removed);
    expect(urls(requests)).toEqual([`POST ${BASE}/${ACCOUNT.id}:updateAccessBindings`]);
    expect((await bodies())[0]).toEqual({
      accessBindingDeltas: [
        { action: "REMOVE", accessBinding: { roleId: "storage.editor", subject: { id: ACCOUNT.id, type: "serviceAccount" } } },
      ],
    });
  });

  it("grant and revoke check the role and subject before sending; a failed Operation is an IamOperationError", async () => {
    const { iam, requests } = client([
      json(200, bindingsUpdating(true, { error: { code: 3, message: "Role nonexistent.role not found" } })),
    ]);
    const empty = await rejection(iam.serviceAccounts.grant(ACCOUNT.id, "", USER));
    expect(empty.problems).toEqual([{ path: "accessBindingDeltas[0].accessBinding.roleId", message: "must not be empty" }]);
    const noType = await rejection(iam.serviceAccounts.revoke(ACCOUNT.id, "storage.editor", { id: USER.id } as never));
    expect(paths(noType)).toEqual(["accessBindingDeltas[0].accessBinding.subject.type"]);
    expect(requests).toHaveLength(0);
    expect(await rejection(iam.serviceAccounts.grant(ACCOUNT.id, "nonexistent.role", USER))).toBeInstanceOf(IamOperationError);
  });

  it("setAccessBindings refuses a missing list (sent as {}, which removes every binding), before sending", async () => {
    const { iam, requests } = client([json(200, {})]);
    for (const options of [{}, { removeAll: true }]) {
      const error = await rejection(iam.serviceAccounts.setAccessBindings(ACCOUNT.id, undefined as never, options));
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems).toEqual([{ path: "bindings", message: "is required" }]);
    }
    expect(requests).toHaveLength(0);
  });

  it("options given as null (from JavaScript) are refused as every call's are, not a TypeError", async () => {
    const { iam, requests } = client([json(200, {})]);
    for (const call of [
      iam.serviceAccounts.suspend(ACCOUNT.id, null as never),
      iam.serviceAccounts.setAccessBindings(ACCOUNT.id, [], null as never),
    ]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(IamInputError);
      expect(error.problems).toContainEqual({ path: "options", message: "must be an object, not null" });
    }
    expect(requests).toHaveLength(0);
  });
});
