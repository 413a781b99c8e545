// The fake's ServiceAccount service over plain fetch, every answer held to the contract: accounts in any folder, names
// unique per cloud, the name filter, quotas, updates by mask, a delete that takes keys of every kind, suspend and
// reactivate refusing and accepting the account's tokens, access bindings with effective deltas, Operations as configured.
import { describe, expect, it } from "vitest";
import { importPrivateKey, signJwt } from "../../src/auth/jwt.ts";
import serviceAccountsService from "../../src/testing/services/service-accounts.ts";
import { checkedFake, sender, violationCheck } from "../support/checked-fake.ts";
import { fakeContext, handlerArgs } from "../support/fake-context.ts";
import { secret, TOKEN } from "../support/secrets.ts";

const SA = "ajeg2b2et02f3tl2c1pj";
const FOLDER = "b1gvmob95yysaplct532";
const OTHER_FOLDER = "b1gotherfolder000001";
const TYPE = "type.googleapis.com/";
const ACCOUNTS = "/iam/v1/serviceAccounts";
const viewer = { roleId: "viewer", subject: { id: "ajeuser0000000000001", type: "userAccount" } };
const editor = { roleId: "editor", subject: { id: "ajeuser0000000000001", type: "userAccount" } };
const everyone = { roleId: "viewer", subject: { id: "allAuthenticatedUsers", type: "system" } };
const track = violationCheck();

/** A checked fake (one service account unless told otherwise); any token is SA's unless the fake minted it. */
function setup(options: Parameters<typeof checkedFake>[0] = {}) {
  // Note: these tests send requests by hand, so a change is done in its first answer unless a test says otherwise.
  const checked = checkedFake({ operations: { polls: 0 }, ...options });
  track(checked);
  const { fake } = checked;
  const send = sender(checked.fetch, checked.fake.baseUrl, TOKEN);
  /** Creates an account (done at once) and returns it; fails the test unless it is created. */
  async function createAccount(body: Record<string, unknown>) {
    const created = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, ...body } });
    expect(created).toMatchObject({ status: 200, body: { done: true } });
    const { "@type": _, ...account } = created.body.response;
    return account;
  }
  /** A JWT signed with an authorized key of the account, and its exchange at the token endpoint. */
  async function exchange(keyFile: { id: string; service_account_id: string; private_key: string }) {
    const jwt = secret(await signJwt(await importPrivateKey(keyFile.private_key), keyFile.id, keyFile.service_account_id));
    const answer = await send("POST", "/iam/v1/tokens", { body: { jwt }, token: null });
    if (answer.status === 200) secret(answer.body.iamToken);
    return answer;
  }
  return { fake, send, createAccount, exchange };
}

describe("the ServiceAccount service", () => {
  it("create → get → list → update → listOperations → delete → get (404), with the Operations' @types", async () => {
    const { send } = setup();
    const created = await send("POST", ACCOUNTS, {
      body: { folderId: OTHER_FOLDER, name: "ci-deployer", description: "deploys", labels: { team: "infra" } },
    });
    const id = created.body.metadata.serviceAccountId;
    expect(id).toMatch(/^aje[a-z0-9]{17}$/);
    const account = {
      id,
      folderId: OTHER_FOLDER,
      createdAt: expect.stringMatching(/\.\d{9}Z$/),
      name: "ci-deployer",
      description: "deploys",
      labels: { team: "infra" },
      status: "ACTIVE",
    };
    expect(created.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.CreateServiceAccountMetadata`, serviceAccountId: id },
      response: { "@type": `${TYPE}yandex.cloud.iam.v1.ServiceAccount`, ...account },
    });
    expect(await send("GET", `${ACCOUNTS}/${id}`)).toEqual({ status: 200, body: account });
    expect((await send("GET", `${ACCOUNTS}?folderId=${OTHER_FOLDER}`)).body).toEqual({ serviceAccounts: [account] });

    const updated = await send("PATCH", `${ACCOUNTS}/${id}`, {
      body: { updateMask: "name,labels", name: "ci-deployer-2", labels: { env: "prod" }, description: "ignored" },
    });
    expect(updated.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.UpdateServiceAccountMetadata`, serviceAccountId: id },
      response: { "@type": `${TYPE}yandex.cloud.iam.v1.ServiceAccount`, name: "ci-deployer-2", description: "deploys" },
    });
    // Note: labels replace the whole map: `team` is gone.
    expect(updated.body.response.labels).toEqual({ env: "prod" });
    const cleared = await send("PATCH", `${ACCOUNTS}/${id}`, { body: { updateMask: "description,labels" } });
    expect(cleared.body.response).not.toHaveProperty("description");
    expect(cleared.body.response).not.toHaveProperty("labels");

    const operations = await send("GET", `${ACCOUNTS}/${id}/operations`);
    expect(operations.body.operations).toEqual([created.body, updated.body, cleared.body]);

    const deleted = await send("DELETE", `${ACCOUNTS}/${id}`);
    expect(deleted.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.DeleteServiceAccountMetadata`, serviceAccountId: id },
      response: { "@type": `${TYPE}google.protobuf.Empty` },
    });
    expect(await send("GET", `${ACCOUNTS}/${id}`)).toMatchObject({
      status: 404,
      body: { code: 5, message: `Service account ${id} not found` },
    });
    for (const [method, path] of [
      ["GET", `${ACCOUNTS}/${id}/operations`],
      ["DELETE", `${ACCOUNTS}/${id}`],
      ["GET", `${ACCOUNTS}/${id}:listAccessBindings`],
      ["POST", `${ACCOUNTS}/${id}:suspend`],
    ] as const)
      expect((await send(method, path, method === "POST" ? { body: {} } : {})).status).toBe(404);
    expect((await send("GET", `${ACCOUNTS}?folderId=${OTHER_FOLDER}`)).body).toEqual({});
  });

  it("the accounts it starts with live in the folder the options name; the serviceAccounts option still names them", async () => {
    const { send, fake } = setup({ serviceAccounts: [SA, "ajesecondaccount0001"], folderId: OTHER_FOLDER });
    const listed = (await send("GET", `${ACCOUNTS}?folderId=${OTHER_FOLDER}`)).body.serviceAccounts;
    expect(listed.map((a: { id: string }) => a.id)).toEqual([SA, "ajesecondaccount0001"]);
    expect(listed.every((a: { status: string; name: string }) => a.status === "ACTIVE" && /^[a-z][-a-z0-9]*$/.test(a.name))).toBe(true);
    expect((await send("GET", `${ACCOUNTS}?folderId=${FOLDER}`)).body).toEqual({});
    expect(setup().fake.state.serviceAccounts).toEqual([expect.objectContaining({ id: SA, folderId: FOLDER })]);
    // Note: fake.seed still gives API keys to any account it knows, a created one included.
    const created = (await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "seeded" } })).body.response;
    fake.seed([{ serviceAccountId: created.id, description: "old" }]);
    expect((await send("GET", `/iam/v1/apiKeys?serviceAccountId=${created.id}`)).body.apiKeys).toEqual([
      expect.objectContaining({ serviceAccountId: created.id, description: "old" }),
    ]);
  });

  it("names are unique per cloud, across folders: create and update answer 409 ALREADY_EXISTS", async () => {
    const { send, createAccount, fake } = setup();
    const first = await createAccount({ name: "robot" });
    const second = await createAccount({ name: "robot-2", folderId: OTHER_FOLDER });
    const taken = { status: 409, body: { code: 6, message: 'Service account with name "robot" already exists' } };
    expect(await send("POST", ACCOUNTS, { body: { folderId: OTHER_FOLDER, name: "robot" } })).toMatchObject(taken);
    expect(await send("PATCH", `${ACCOUNTS}/${second.id}`, { body: { updateMask: "name", name: "robot" } })).toMatchObject(taken);
    // Note: renaming an account to its own name is no conflict.
    expect((await send("PATCH", `${ACCOUNTS}/${first.id}`, { body: { updateMask: "name", name: "robot" } })).status).toBe(200);
    expect(fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "robot", "robot-2"]);
  });

  it('list filters by name="…" and pages; any other filter is INVALID_ARGUMENT; folderId is required', async () => {
    const { send, createAccount } = setup();
    const made = [await createAccount({ name: "alpha" }), await createAccount({ name: "beta" }), await createAccount({ name: "gamma" })];
    const filter = encodeURIComponent('name="beta"');
    expect((await send("GET", `${ACCOUNTS}?folderId=${FOLDER}&filter=${filter}`)).body).toEqual({ serviceAccounts: [made[1]] });
    expect((await send("GET", `${ACCOUNTS}?folderId=${FOLDER}&filter=${encodeURIComponent('name="nobody"')}`)).body).toEqual({});
    const page1 = await send("GET", `${ACCOUNTS}?folderId=${FOLDER}&pageSize=2`);
    expect(page1.body.serviceAccounts.map((a: { name: string }) => a.name)).toEqual(["service-account-1", "alpha"]);
    const page2 = await send("GET", `${ACCOUNTS}?folderId=${FOLDER}&pageSize=2&pageToken=${page1.body.nextPageToken}`);
    expect(page2.body).toEqual({ serviceAccounts: [made[1], made[2]] });
    expect(await send("GET", `${ACCOUNTS}?folderId=${FOLDER}&filter=${encodeURIComponent('id="x"')}`)).toMatchObject({
      status: 400,
      body: { code: 3, message: expect.stringContaining('only name="…"') },
    });
    expect(await send("GET", ACCOUNTS)).toMatchObject({ status: 400, body: { code: 3 } });
  });

  it("the quota of service accounts per cloud counts the default one: RESOURCE_EXHAUSTED, and room again after a delete", async () => {
    const { send, createAccount } = setup({ serviceAccountQuota: 3 });
    await createAccount({ name: "one" });
    const two = await createAccount({ name: "two", folderId: OTHER_FOLDER });
    const refused = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "three" } });
    expect(refused).toMatchObject({ status: 429, body: { code: 8, message: "Quota limit of service accounts per cloud exceeded" } });
    await send("DELETE", `${ACCOUNTS}/${two.id}`);
    await createAccount({ name: "three" });
  });

  it("create progresses as configured: the new id is in the metadata before done; the account exists once done; a failure creates nothing", async () => {
    const { send, fake } = setup({ operations: { polls: 2 } });
    const pending = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "slow" } });
    const id = pending.body.metadata.serviceAccountId;
    expect(pending.body).toMatchObject({ done: false, metadata: { serviceAccountId: expect.stringMatching(/^aje/) } });
    expect(pending.body).not.toHaveProperty("response");
    expect((await send("GET", `${ACCOUNTS}/${id}`)).status).toBe(404);
    expect((await send("GET", `/operations/${pending.body.id}`)).body.done).toBe(false);
    expect((await send("GET", `/operations/${pending.body.id}`)).body).toMatchObject({ done: true, response: { id, name: "slow" } });
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("ACTIVE");

    fake.progress({ polls: 0, error: { code: 9, message: "Folder is being deleted" } });
    const failed = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "doomed" } });
    expect(failed.body).toMatchObject({ done: true, error: { code: 9, message: "Folder is being deleted" } });
    expect(fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "slow"]);
  });

  it("a create not yet done holds its name and its slot of the quota: concurrent ones get 409 and 429", async () => {
    const { send, fake } = setup({ operations: { polls: 2 }, serviceAccountQuota: 3 });
    const create = (name: string) => send("POST", ACCOUNTS, { body: { folderId: FOLDER, name } });
    const twins = await Promise.all([create("twin"), create("twin")]);
    expect(twins.map((t) => t.status)).toEqual([200, 409]);
    expect(twins[1]?.body).toMatchObject({ code: 6, message: 'Service account with name "twin" already exists' });
    const more = await Promise.all([create("other"), create("third")]);
    expect(more.map((m) => m.status)).toEqual([200, 429]);
    expect(more[1]?.body).toMatchObject({ code: 8, message: "Quota limit of service accounts per cloud exceeded" });
    // Note: renaming an account to a name a pending create holds is refused too.
    expect((await send("PATCH", `${ACCOUNTS}/${SA}`, { body: { updateMask: "name", name: "twin" } })).status).toBe(409);
    for (const { body } of [twins[0], more[0]]) {
      await send("GET", `/operations/${body.id}`);
      expect((await send("GET", `/operations/${body.id}`)).body.done).toBe(true);
    }
    expect(fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "twin", "other"]);
  });

  it("a create that fails frees the name and the slot of the quota it held", async () => {
    const freed = setup({ operations: { polls: 1, error: { code: 9, message: "Folder is being deleted" } }, serviceAccountQuota: 2 });
    const doomed = await freed.send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "doomed" } });
    expect((await freed.send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "doomed" } })).status).toBe(409);
    expect((await freed.send("GET", `/operations/${doomed.body.id}`)).body).toMatchObject({ done: true, error: { code: 9 } });
    freed.fake.progress({ polls: 0 });
    expect((await freed.send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "doomed" } })).body).toMatchObject({ done: true });
    expect(freed.fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "doomed"]);
  });

  it("a repeated Idempotency-Key on create answers the same Operation and makes one account", async () => {
    const { send, fake } = setup();
    const headers = { "idempotency-key": "5a1e0000-0000-4000-8000-000000000001" };
    const first = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "once" }, headers });
    const again = await send("POST", ACCOUNTS, { body: { folderId: FOLDER, name: "once" }, headers });
    expect(again).toEqual(first);
    expect(fake.state.serviceAccounts).toHaveLength(2);
  });

  it("update: no mask replaces every updatable field (a name must be given); a mask changes only what it names", async () => {
    const { send, createAccount } = setup();
    const { id } = await createAccount({ name: "robot", description: "d", labels: { a: "b" }, expiresAt: "2030-01-01T00:00:00Z" });
    const whole = await send("PATCH", `${ACCOUNTS}/${id}`, { body: { name: "robot" } });
    expect(whole.body.response).toEqual({
      "@type": `${TYPE}yandex.cloud.iam.v1.ServiceAccount`,
      ...(await send("GET", `${ACCOUNTS}/${id}`)).body,
    });
    expect(Object.keys(whole.body.response)).not.toEqual(expect.arrayContaining(["description"]));
    expect(whole.body.response).not.toHaveProperty("labels");
    expect(whole.body.response).not.toHaveProperty("expiresAt");
    expect(await send("PATCH", `${ACCOUNTS}/${id}`, { body: { description: "x" } })).toMatchObject({
      status: 400,
      body: { code: 3, message: expect.stringContaining("name") },
    });
    const masked = await send("PATCH", `${ACCOUNTS}/${id}`, { body: { updateMask: "expiresAt", expiresAt: "2031-01-01T00:00:00Z" } });
    expect(masked.body.response).toMatchObject({ name: "robot", expiresAt: "2031-01-01T00:00:00Z" });
  });
});

describe("a deleted account takes its keys of every kind with it", () => {
  it("API keys, authorized keys (whose JWTs then get 401) and static keys are gone; another account's stay", async () => {
    const { send, fake, createAccount, exchange } = setup();
    const doomed = await createAccount({ name: "doomed" });
    const apiKey = await send("POST", "/iam/v1/apiKeys", { body: { serviceAccountId: doomed.id } });
    secret(apiKey.body.secret);
    const keyFile = await fake.createServiceAccountKey(doomed.id);
    secret(keyFile.private_key);
    const staticKey = await send("POST", "/iam/aws-compatibility/v1/accessKeys", { body: { serviceAccountId: doomed.id } });
    secret(staticKey.body.secret);
    const kept = await send("POST", "/iam/aws-compatibility/v1/accessKeys", { body: {} });
    secret(kept.body.secret);
    const keptFile = await fake.createServiceAccountKey(SA);
    secret(keptFile.private_key);
    expect((await exchange(keyFile)).status).toBe(200);

    await send("DELETE", `${ACCOUNTS}/${doomed.id}`);
    expect(fake.state.apiKeys).toEqual([]);
    expect(fake.state.keys.map((k) => k.id)).toEqual([keptFile.id]);
    expect(fake.state.accessKeys).toEqual([kept.body.accessKey]);
    expect((await send("GET", `/iam/v1/apiKeys/${apiKey.body.apiKey.id}`)).status).toBe(404);
    expect((await send("GET", `/iam/v1/keys/${keyFile.id}`)).status).toBe(404);
    expect((await send("GET", `/iam/aws-compatibility/v1/accessKeys/${staticKey.body.accessKey.id}`)).status).toBe(404);
    expect(await exchange(keyFile)).toMatchObject({ status: 401, body: { code: 16, message: expect.stringContaining("unknown key id") } });
    expect((await exchange(keptFile)).status).toBe(200);
  });

  it("two deletes of one account in flight together: the second changes nothing once done, and other accounts stay", async () => {
    const { send, fake, createAccount } = setup();
    const doomed = await createAccount({ name: "doomed" });
    const other = await createAccount({ name: "other" });
    fake.progress({ polls: 1 });
    const deletes = [await send("DELETE", `${ACCOUNTS}/${doomed.id}`), await send("DELETE", `${ACCOUNTS}/${doomed.id}`)];
    for (const { body } of deletes) expect((await send("GET", `/operations/${body.id}`)).body).toMatchObject({ done: true, response: {} });
    expect(fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "other"]);
    const key = await send("POST", "/iam/v1/apiKeys", { body: { serviceAccountId: other.id } });
    expect(key.status).toBe(200);
    secret(key.body.secret);
    expect((await send("POST", "/iam/v1/apiKeys", { body: { serviceAccountId: SA } })).status).toBe(200);
  });

  it("an IAM token minted for the account before it was deleted is refused afterwards", async () => {
    const { send, fake, createAccount, exchange } = setup();
    const doomed = await createAccount({ name: "doomed" });
    const token = (await exchange(await fake.createServiceAccountKey(doomed.id))).body.iamToken;
    expect((await send("GET", "/iam/v1/apiKeys", { token })).status).toBe(200);
    await send("DELETE", `${ACCOUNTS}/${doomed.id}`);
    expect(await send("GET", `/iam/v1/apiKeys?serviceAccountId=${SA}`, { token })).toMatchObject({ status: 401, body: { code: 16 } });
  });
});

describe("suspend and reactivate", () => {
  it("a suspended account's bearer tokens are UNAUTHENTICATED and its JWT exchanges PERMISSION_DENIED; after reactivate both work", async () => {
    const { send, fake, createAccount, exchange } = setup();
    const robot = await createAccount({ name: "robot" });
    const keyFile = await fake.createServiceAccountKey(robot.id);
    secret(keyFile.private_key);
    const token = (await exchange(keyFile)).body.iamToken;
    expect((await send("GET", "/iam/v1/apiKeys", { token })).status).toBe(200);

    const suspended = await send("POST", `${ACCOUNTS}/${robot.id}:suspend`, { body: { reason: "leak" } });
    expect(suspended.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.SuspendServiceAccountMetadata`, serviceAccountId: robot.id },
      response: { "@type": `${TYPE}yandex.cloud.iam.v1.SuspendServiceAccountResponse` },
    });
    expect((await send("GET", `${ACCOUNTS}/${robot.id}`)).body.status).toBe("SUSPENDED");
    expect(await send("GET", "/iam/v1/apiKeys", { token })).toMatchObject({
      status: 401,
      body: { code: 16, message: expect.stringContaining(`service account ${robot.id} is suspended`) },
    });
    expect(await exchange(keyFile)).toMatchObject({ status: 403, body: { code: 7, message: expect.stringContaining("suspended") } });
    expect(await send("POST", "/iam/v1/tokens:createForServiceAccount", { body: { serviceAccountId: robot.id } })).toMatchObject({
      status: 403,
      body: { code: 7 },
    });
    // Note: other accounts are not touched.
    expect((await send("GET", "/iam/v1/apiKeys")).status).toBe(200);

    const reactivated = await send("POST", `${ACCOUNTS}/${robot.id}:reactivate`, { body: {} });
    expect(reactivated.body).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.ReactivateServiceAccountMetadata`, serviceAccountId: robot.id },
      response: { "@type": `${TYPE}yandex.cloud.iam.v1.ReactivateServiceAccountResponse` },
    });
    expect((await send("GET", `${ACCOUNTS}/${robot.id}`)).body.status).toBe("ACTIVE");
    expect((await send("GET", "/iam/v1/apiKeys", { token })).status).toBe(200);
    expect((await exchange(keyFile)).status).toBe(200);
  });

  it("a suspension with expiresAt ends by itself then, by the fake's clock", async () => {
    let t = Date.parse("2026-11-26T00:00:00Z");
    const { send, createAccount } = setup({ now: () => t });
    const { id } = await createAccount({ name: "robot" });
    await send("POST", `${ACCOUNTS}/${id}:suspend`, { body: { expiresAt: "2026-11-26T01:00:00Z" } });
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("SUSPENDED");
    t = Date.parse("2026-11-26T01:00:00Z");
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("ACTIVE");
  });

  it("suspend and reactivate progress as configured: the account changes only once the Operation is done", async () => {
    const { send, createAccount, fake } = setup();
    const { id } = await createAccount({ name: "robot" });
    fake.progress({ polls: 1 });
    const pending = await send("POST", `${ACCOUNTS}/${id}:suspend`, { body: {} });
    expect(pending.body.done).toBe(false);
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("ACTIVE");
    await send("GET", `/operations/${pending.body.id}`);
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("SUSPENDED");
    fake.progress({ polls: 0, error: { code: 9, message: "no" } });
    expect((await send("POST", `${ACCOUNTS}/${id}:reactivate`, { body: {} })).body).toMatchObject({ done: true, error: { code: 9 } });
    expect((await send("GET", `${ACCOUNTS}/${id}`)).body.status).toBe("SUSPENDED");
  });
});

describe("access bindings", () => {
  it("update answers only the deltas that change something; list pages; the @types are yandex.cloud.access's", async () => {
    const { send } = setup();
    const update = async (accessBindingDeltas: object[]) =>
      (await send("POST", `${ACCOUNTS}/${SA}:updateAccessBindings`, { body: { accessBindingDeltas } })).body;
    const added = await update([
      { action: "ADD", accessBinding: viewer },
      { action: "ADD", accessBinding: editor },
    ]);
    expect(added).toMatchObject({
      done: true,
      metadata: { "@type": `${TYPE}yandex.cloud.access.UpdateAccessBindingsMetadata`, resourceId: SA },
      response: {
        "@type": `${TYPE}yandex.cloud.access.AccessBindingsOperationResult`,
        effectiveDeltas: [
          { action: "ADD", accessBinding: viewer },
          { action: "ADD", accessBinding: editor },
        ],
      },
    });
    // Note: adding one that exists and removing one that does not change nothing, so they are no effective deltas.
    const none = await update([
      { action: "ADD", accessBinding: viewer },
      { action: "REMOVE", accessBinding: everyone },
    ]);
    expect(none.response).toEqual({ "@type": `${TYPE}yandex.cloud.access.AccessBindingsOperationResult` });
    expect((await update([{ action: "REMOVE", accessBinding: editor }])).response.effectiveDeltas).toEqual([
      { action: "REMOVE", accessBinding: editor },
    ]);
    await update([{ action: "ADD", accessBinding: everyone }]);

    const page1 = await send("GET", `${ACCOUNTS}/${SA}:listAccessBindings?pageSize=1`);
    expect(page1.body.accessBindings).toEqual([viewer]);
    const page2 = await send("GET", `${ACCOUNTS}/${SA}:listAccessBindings?pageSize=1&pageToken=${page1.body.nextPageToken}`);
    expect(page2.body).toEqual({ accessBindings: [everyone] });
    expect(await send("GET", `${ACCOUNTS}/${SA}:listAccessBindings?pageToken=${"x".repeat(101)}`)).toMatchObject({
      status: 400,
      body: { code: 3, message: expect.stringContaining("pageToken") },
    });
  });

  it("set replaces every binding and answers the removals and additions; an empty list removes them all", async () => {
    const { send, fake } = setup();
    const set = async (accessBindings: object[]) =>
      (await send("POST", `${ACCOUNTS}/${SA}:setAccessBindings`, { body: { accessBindings } })).body;
    const first = await set([viewer, editor]);
    expect(first).toMatchObject({
      metadata: { "@type": `${TYPE}yandex.cloud.access.SetAccessBindingsMetadata`, resourceId: SA },
      response: {
        "@type": `${TYPE}yandex.cloud.access.AccessBindingsOperationResult`,
        effectiveDeltas: [
          { action: "ADD", accessBinding: viewer },
          { action: "ADD", accessBinding: editor },
        ],
      },
    });
    expect((await set([editor, everyone])).response.effectiveDeltas).toEqual([
      { action: "REMOVE", accessBinding: viewer },
      { action: "ADD", accessBinding: everyone },
    ]);
    expect((await set([everyone, editor])).response).not.toHaveProperty("effectiveDeltas");
    expect(fake.state.accessBindings).toEqual({ [SA]: [editor, everyone] });
    expect((await set([])).response.effectiveDeltas).toEqual([
      { action: "REMOVE", accessBinding: editor },
      { action: "REMOVE", accessBinding: everyone },
    ]);
    expect((await send("GET", `${ACCOUNTS}/${SA}:listAccessBindings`)).body).toEqual({});
    expect(fake.state.accessBindings).toEqual({});
  });

  it("the quota of bindings per cloud is RESOURCE_EXHAUSTED for set and update, across accounts; nothing changes", async () => {
    const { send, createAccount, fake } = setup({ accessBindingQuota: 2 });
    const other = await createAccount({ name: "other" });
    await send("POST", `${ACCOUNTS}/${other.id}:setAccessBindings`, { body: { accessBindings: [viewer] } });
    const exhausted = { status: 429, body: { code: 8, message: "Quota limit of access bindings per cloud exceeded" } };
    expect(await send("POST", `${ACCOUNTS}/${SA}:setAccessBindings`, { body: { accessBindings: [viewer, editor] } })).toMatchObject(
      exhausted,
    );
    const deltas = [viewer, editor].map((accessBinding) => ({ action: "ADD", accessBinding }));
    expect(await send("POST", `${ACCOUNTS}/${SA}:updateAccessBindings`, { body: { accessBindingDeltas: deltas } })).toMatchObject(
      exhausted,
    );
    expect(fake.state.accessBindings).toEqual({ [other.id]: [viewer] });
    // Note: replacing other's binding with another keeps the count, so it passes.
    expect((await send("POST", `${ACCOUNTS}/${other.id}:setAccessBindings`, { body: { accessBindings: [editor] } })).status).toBe(200);
    expect(
      (await send("POST", `${ACCOUNTS}/${SA}:updateAccessBindings`, { body: { accessBindingDeltas: deltas.slice(0, 1) } })).status,
    ).toBe(200);
  });

  it("binding changes progress as configured: the bindings change once the Operation is done, with the deltas then", async () => {
    const { send, fake } = setup({ operations: { polls: 1 } });
    const pending = await send("POST", `${ACCOUNTS}/${SA}:updateAccessBindings`, {
      body: { accessBindingDeltas: [{ action: "ADD", accessBinding: viewer }] },
    });
    expect(pending.body).toMatchObject({ done: false, metadata: { resourceId: SA } });
    expect(fake.state.accessBindings).toEqual({});
    const done = await send("GET", `/operations/${pending.body.id}`);
    expect(done.body.response.effectiveDeltas).toEqual([{ action: "ADD", accessBinding: viewer }]);
    expect(fake.state.accessBindings).toEqual({ [SA]: [viewer] });
    fake.progress({ polls: 0, error: { code: 9, message: "no" } });
    const failed = await send("POST", `${ACCOUNTS}/${SA}:setAccessBindings`, { body: { accessBindings: [] } });
    expect(failed.body).toMatchObject({ done: true, error: { code: 9 } });
    expect(fake.state.accessBindings).toEqual({ [SA]: [viewer] });
  });

  it("the binding store's subjectBindings (for the access analyzer): every role one subject holds, on every account", async () => {
    const second = "ajesecond0account001";
    const context = fakeContext({ serviceAccounts: [SA, second] });
    const accounts = serviceAccountsService(context);
    const set = async (serviceAccountId: string, accessBindings: object[]) =>
      (await accounts.handlers.setServiceAccountAccessBindings(handlerArgs({ path: { serviceAccountId }, body: { accessBindings } })))
        .status;
    expect(await set(SA, [viewer, editor, everyone])).toBe(200);
    expect(await set(second, [viewer])).toBe(200);
    expect(context.accessBindings.subjectBindings(viewer.subject.id)).toEqual([
      { roleId: "viewer", resource: { id: SA, type: "iam.serviceAccount" }, subjectId: viewer.subject.id },
      { roleId: "editor", resource: { id: SA, type: "iam.serviceAccount" }, subjectId: viewer.subject.id },
      { roleId: "viewer", resource: { id: second, type: "iam.serviceAccount" }, subjectId: viewer.subject.id },
    ]);
    expect(context.accessBindings.subjectBindings("allAuthenticatedUsers").map((b) => b.roleId)).toEqual(["viewer"]);
    expect(context.accessBindings.subjectBindings("ajenobody00000000001")).toEqual([]);
  });

  it("a deleted account's bindings go with it: the ones on it, and every role it held on another resource", async () => {
    const { send, createAccount, fake } = setup();
    const { id } = await createAccount({ name: "robot" });
    const heldByRobot = { roleId: "editor", subject: { id, type: "serviceAccount" } };
    await send("POST", `${ACCOUNTS}/${id}:setAccessBindings`, { body: { accessBindings: [viewer] } });
    await send("POST", `${ACCOUNTS}/${SA}:setAccessBindings`, { body: { accessBindings: [viewer, heldByRobot] } });
    expect(fake.state.accessBindings).toEqual({ [id]: [viewer], [SA]: [viewer, heldByRobot] });
    await send("DELETE", `${ACCOUNTS}/${id}`);
    expect(fake.state.accessBindings).toEqual({ [SA]: [viewer] });
  });
});

describe("fake.reset()", () => {
  it("goes back to the accounts it started with: created ones, bindings and suspensions are gone", async () => {
    const { send, fake, createAccount } = setup();
    const { id } = await createAccount({ name: "robot" });
    await send("POST", `${ACCOUNTS}/${SA}:setAccessBindings`, { body: { accessBindings: [viewer] } });
    await send("POST", `${ACCOUNTS}/${SA}:suspend`, { body: {} });
    fake.reset();
    expect(fake.state.serviceAccounts).toEqual([
      { id: SA, folderId: FOLDER, createdAt: expect.any(String), name: "service-account-1", status: "ACTIVE" },
    ]);
    expect(fake.state.accessBindings).toEqual({});
    expect((await send("GET", `${ACCOUNTS}/${id}`)).status).toBe(404);
    // Note: the name is free again, and a key for the removed account is refused.
    await createAccount({ name: "robot" });
    expect((await send("POST", "/iam/aws-compatibility/v1/accessKeys", { body: { serviceAccountId: id } })).status).toBe(404);
  });
});
