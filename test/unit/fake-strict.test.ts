// The fake is as strict as Yandex: every gRPC code answered with the gateway's HTTP status, no ghost bindings on a
// deleted account, quotas and unique names that hold under concurrent calls, page tokens that survive deletions,
// changes not done in their first answer, and a role catalogue.
import { describe, expect, it, vi } from "vitest";
import { IamOperationError } from "../../src/index.ts";
import { createFakeIam, DEFAULT_ROLES } from "../../src/testing/index.ts";
import rolesService from "../../src/testing/services/roles.ts";
import serviceAccountsService from "../../src/testing/services/service-accounts.ts";
import { checkedClients } from "../support/checked-fake.ts";
import { fakeContext, handlerArgs, OWNER } from "../support/fake-context.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const FOLDER = "b1gvmob95yysaplct532";
const USER = { id: "ajeuser0000000000001", type: "userAccount" } as const;
/** A checked fake and a client that polls at once and does not retry. */
const setup = checkedClients();

/** Whether each promise fulfilled (true) or rejected (false), in order. */
const outcomes = async (promises: Promise<unknown>[]) => (await Promise.allSettled(promises)).map((p) => p.status === "fulfilled");

describe("gRPC codes answer as Yandex's gateway answers them", () => {
  const GATEWAY: Record<number, number> = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
  };

  it.each(Object.entries(GATEWAY))("failNext({ code: %s }) answers HTTP %s with that code in its Status", async (code, status) => {
    const fake = createFakeIam();
    fake.failNext({ code: Number(code) });
    const response = await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ code: Number(code), message: `Injected fault: gRPC code ${code}` });
  });

  it("code 0 is OK, not a fault: failNext refuses it; a status and a code together answer both as given", async () => {
    const fake = createFakeIam();
    expect(() => fake.failNext({ code: 0 })).toThrow("code must be a whole number from 1");
    fake.failNext({ status: 503, code: 8 });
    const response = await fake.fetch(`${fake.baseUrl}/iam/v1/apiKeys`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 8 });
  });
});

describe("no ghost bindings", () => {
  it.each(["update", "set"] as const)(
    "a binding change (%s) done after its account was deleted writes nothing, counts nothing and fails NOT_FOUND",
    async (kind) => {
      const { iam, fake } = setup({ accessBindingQuota: 1 });
      const doomed = await iam.serviceAccounts.create({ folderId: FOLDER, name: "doomed" });
      const binding = { roleId: "viewer", subject: USER };
      const pending =
        kind === "update"
          ? await iam.serviceAccounts.updateAccessBindings(doomed.id, [{ action: "ADD", accessBinding: binding }], { wait: false })
          : await iam.serviceAccounts.setAccessBindings(doomed.id, [binding], { wait: false });
      expect(pending?.done).toBe(false);
      await iam.serviceAccounts.delete(doomed.id);
      const error = await rejection(iam.operations.wait(pending?.id as string));
      expect(error).toBeInstanceOf(IamOperationError);
      expect(error).toMatchObject({ codeName: "NOT_FOUND" });
      expect(fake.state.accessBindings).toEqual({});
      // Note: the quota of one binding is still free: the ghost counted nothing.
      const other = await iam.serviceAccounts.create({ folderId: FOLDER, name: "survivor" });
      await iam.serviceAccounts.updateAccessBindings(other.id, [{ action: "ADD", accessBinding: binding }]);
      expect(fake.state.accessBindings).toEqual({ [other.id]: [binding] });
    },
  );

  it("an update, suspend or reactivate done after the account was deleted fails NOT_FOUND and leaves no trace", async () => {
    const { iam, fake } = setup();
    const doomed = await iam.serviceAccounts.create({ folderId: FOLDER, name: "doomed" });
    const pending = [
      await iam.serviceAccounts.update(doomed.id, { description: "late" }, { wait: false }),
      await iam.serviceAccounts.suspend(doomed.id, { wait: false }),
    ];
    await iam.serviceAccounts.delete(doomed.id);
    for (const operation of pending)
      expect(await rejection(iam.operations.wait(operation?.id as string))).toMatchObject({ codeName: "NOT_FOUND" });
    expect(fake.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1"]);
  });
});

describe("quotas and unique names hold under concurrent calls", () => {
  it("authorized keys: concurrent creates at the quota's edge make exactly the quota", async () => {
    const { iam, fake } = setup({ quota: 1 });
    // Note: a slow PEM export (as on a busy machine) widens the gap a check before it and a store after it would leave.
    const exportKey = crypto.subtle.exportKey.bind(crypto.subtle);
    const slow = vi.spyOn(crypto.subtle, "exportKey").mockImplementation((async (format: "spki", key: CryptoKey) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return exportKey(format, key);
    }) as typeof crypto.subtle.exportKey);
    try {
      const made = await outcomes([1, 2, 3, 4].map(() => iam.keys.create()));
      expect(made.filter(Boolean)).toHaveLength(1);
      expect(fake.state.keys).toHaveLength(1);
    } finally {
      slow.mockRestore();
    }
  });

  it("an authorized key whose account is deleted while its pair is made is not stored", async () => {
    const { iam, fake } = setup({ operations: { polls: 0 } });
    const doomed = await iam.serviceAccounts.create({ folderId: FOLDER, name: "doomed" });
    // Note: the key pair's export waits until the account is gone, so the delete lands while the pair is made, on any machine.
    let deleted: () => void = () => {};
    const gone = new Promise<void>((resolve) => (deleted = resolve));
    let exporting: () => void = () => {};
    const exported = new Promise<void>((resolve) => (exporting = resolve));
    const exportKey = crypto.subtle.exportKey.bind(crypto.subtle);
    const held = vi.spyOn(crypto.subtle, "exportKey").mockImplementation((async (format: "spki", key: CryptoKey) => {
      exporting();
      await gone;
      return exportKey(format, key);
    }) as typeof crypto.subtle.exportKey);
    try {
      const creating = iam.keys.create({ serviceAccountId: doomed.id });
      // Note: waits for the export itself, not a second: the pair is generated first, which on a busy machine took longer
      // than vi.waitFor's one second and failed the test.
      await exported;
      expect(held).toHaveBeenCalled();
      await iam.serviceAccounts.delete(doomed.id);
      deleted();
      expect(await rejection(creating)).toMatchObject({ codeName: "NOT_FOUND" });
      expect(fake.state.keys).toEqual([]);
    } finally {
      held.mockRestore();
    }
  });

  it("API keys and static keys: concurrent creates at the quota's edge make exactly the quota", async () => {
    const { iam, fake } = setup({ quota: 2 });
    expect((await outcomes([1, 2, 3, 4].map(() => iam.apiKeys.create()))).filter(Boolean)).toHaveLength(2);
    expect((await outcomes([1, 2, 3, 4].map(() => iam.accessKeys.create()))).filter(Boolean)).toHaveLength(2);
    expect([fake.state.apiKeys.length, fake.state.accessKeys.length]).toEqual([2, 2]);
  });

  it("service accounts: concurrent creates at the quota's edge, and concurrent creates of one name: exactly one wins each", async () => {
    const { iam, fake } = setup({ serviceAccountQuota: 3 });
    expect(
      (await outcomes(["a-1", "a-2", "a-3"].map((name) => iam.serviceAccounts.create({ folderId: FOLDER, name })))).filter(Boolean),
    ).toHaveLength(2);
    expect(fake.state.serviceAccounts).toHaveLength(3);
    const { fake: other, iam: client } = setup();
    expect(
      (await outcomes([1, 2, 3].map(() => client.serviceAccounts.create({ folderId: FOLDER, name: "same" })))).filter(Boolean),
    ).toHaveLength(1);
    expect(other.state.serviceAccounts.map((a) => a.name)).toEqual(["service-account-1", "same"]);
  });

  it("two concurrent renames of service accounts to one name: exactly one wins, and a failed rename frees the name", async () => {
    const { iam, fake } = setup({ operations: { polls: 2 } });
    const [a, b] = [
      await iam.serviceAccounts.create({ folderId: FOLDER, name: "first" }),
      await iam.serviceAccounts.create({ folderId: FOLDER, name: "second" }),
    ];
    const renamed = await outcomes([a, b].map((account) => iam.serviceAccounts.update(account?.id as string, { name: "taken" })));
    expect(renamed.filter(Boolean)).toHaveLength(1);
    const loser = renamed[0] ? b : a;
    expect(fake.state.serviceAccounts.filter((s) => s.name === "taken")).toHaveLength(1);
    expect(fake.state.serviceAccounts.find((s) => s.id === loser?.id)?.name).toBe(renamed[0] ? "second" : "first");
    fake.progress({ polls: 1, error: { code: 9, message: "no" } });
    await rejection(iam.serviceAccounts.update(loser?.id as string, { name: "free" }));
    fake.progress({ polls: 1 });
    expect((await iam.serviceAccounts.update(loser?.id as string, { name: "free" })).name).toBe("free");
  });

  it("access bindings: concurrent changes at the quota's edge leave exactly the quota; the one past it fails RESOURCE_EXHAUSTED", async () => {
    // Note: two polls, so all three are accepted before any is done.
    const { iam, fake } = setup({ accessBindingQuota: 2, operations: { polls: 2 } });
    const roles = ["viewer", "editor", "auditor"];
    const done = await outcomes(
      roles.map((roleId) => iam.serviceAccounts.grant(fake.state.serviceAccounts[0]?.id as string, roleId, USER)),
    );
    expect(done.filter(Boolean)).toHaveLength(2);
    expect(Object.values(fake.state.accessBindings).flat()).toHaveLength(2);
  });
});

describe("page tokens name the last item returned, so changes between pages neither skip nor repeat one", () => {
  it("API keys, authorized keys and static keys: deleting the items already returned while listAll runs", async () => {
    const { iam } = setup({ operations: { polls: 0 } });
    const kinds = [
      {
        create: () => iam.apiKeys.create().then((c) => c.apiKey.id),
        listAll: () => iam.apiKeys.listAll({ pageSize: 2 }),
        remove: (id: string) => iam.apiKeys.delete(id),
      },
      {
        create: () => iam.keys.create().then((c) => c.key.id),
        listAll: () => iam.keys.listAll({ pageSize: 2 }),
        remove: (id: string) => iam.keys.delete(id),
      },
      {
        create: () => iam.accessKeys.create().then((c) => c.accessKey.id),
        listAll: () => iam.accessKeys.listAll({ pageSize: 2 }),
        remove: (id: string) => iam.accessKeys.delete(id),
      },
    ];
    for (const kind of kinds) {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push(await kind.create());
      const seen: string[] = [];
      for await (const item of kind.listAll()) {
        seen.push(item.id);
        // Note: each item is deleted once seen; an offset would then skip the items that moved forward.
        await kind.remove(item.id);
      }
      expect(seen).toEqual(made);
    }
  });

  it("service accounts and their bindings: deleting between pages skips none that remain and repeats none", async () => {
    const { iam } = setup({ operations: { polls: 0 } });
    // Note: in a folder of their own, so the caller's account is not among them.
    const folderId = "b1gotherfolder000001";
    const made: string[] = [];
    for (const name of ["acc-a", "acc-b", "acc-c", "acc-d"]) made.push((await iam.serviceAccounts.create({ folderId, name })).id);
    const first = await iam.serviceAccounts.list({ folderId, pageSize: 2 });
    for (const account of first.serviceAccounts) await iam.serviceAccounts.delete(account.id);
    const rest = await iam.serviceAccounts.list({ folderId, pageSize: 2, pageToken: first.nextPageToken });
    expect(rest.serviceAccounts.map((a) => a.id)).toEqual(made.slice(2));

    const [owner] = made.slice(-1) as [string];
    const roles = ["viewer", "editor", "auditor", "admin"];
    await iam.serviceAccounts.setAccessBindings(
      owner,
      roles.map((roleId) => ({ roleId, subject: USER })),
    );
    const page = await iam.serviceAccounts.listAccessBindings(owner, { pageSize: 2 });
    await iam.serviceAccounts.revoke(owner, "viewer", USER);
    const next = await iam.serviceAccounts.listAccessBindings(owner, { pageSize: 2, pageToken: page.nextPageToken });
    expect(next.accessBindings.map((b) => b.roleId)).toEqual(["auditor", "admin"]);
  });

  it("every list refuses a token the fake did not issue with 400 INVALID_ARGUMENT", async () => {
    const { iam, fake } = setup({ operations: { polls: 0 } });
    const { apiKey } = await iam.apiKeys.create();
    const { key } = await iam.keys.create();
    const { accessKey } = await iam.accessKeys.create();
    const account = fake.state.serviceAccounts[0]?.id as string;
    const pageToken = "bm90LWEtdG9rZW4";
    const lists = [
      iam.apiKeys.list({ pageToken }),
      iam.apiKeys.listOperations(apiKey.id, { pageToken }),
      iam.apiKeys.listScopes({ pageToken }),
      iam.keys.list({ pageToken }),
      iam.keys.listOperations(key.id, { pageToken }),
      iam.accessKeys.list({ pageToken }),
      iam.accessKeys.listOperations(accessKey.id, { pageToken }),
      iam.serviceAccounts.list({ folderId: FOLDER, pageToken }),
      iam.serviceAccounts.listOperations(account, { pageToken }),
      iam.serviceAccounts.listAccessBindings(account, { pageToken }),
    ];
    for (const list of lists) expect(await rejection(list)).toMatchObject({ status: 400, codeName: "INVALID_ARGUMENT" });
  });
});

describe("operations are not done in their first answer by default", () => {
  it("a change answers done: false, the first poll finds it done; polls: 0 is done at once", async () => {
    const { iam, fake } = setup();
    const { apiKey } = await iam.apiKeys.create();
    const pending = await iam.apiKeys.update(apiKey.id, { description: "later" }, { wait: false });
    expect(pending.done).toBe(false);
    expect(fake.state.apiKeys[0]?.description).toBeUndefined();
    expect((await iam.operations.get(pending.id)).done).toBe(true);
    expect(fake.state.apiKeys[0]?.description).toBe("later");
    fake.progress({ polls: 0 });
    expect((await iam.apiKeys.update(apiKey.id, { description: "now" }, { wait: false })).done).toBe(true);
  });
});

describe("the role catalogue", () => {
  it("holds the documented primitive, IAM, Resource Manager and storage roles", () => {
    for (const role of [
      "admin",
      "editor",
      "viewer",
      "auditor",
      "iam.serviceAccounts.user",
      "iam.serviceAccounts.tokenCreator",
      "iam.admin",
      "resource-manager.clouds.owner",
      "storage.uploader",
      "storage.configViewer",
    ])
      expect(DEFAULT_ROLES).toContain(role);
  });

  it("a binding naming no role is refused with INVALID_ARGUMENT naming it, and nothing changes; the roles option adds roles", async () => {
    const { iam, fake } = setup({ roles: ["ai.languageModels.user"] });
    const account = fake.state.serviceAccounts[0]?.id as string;
    for (const refused of [
      iam.serviceAccounts.grant(account, "nonexistent.role", USER),
      iam.serviceAccounts.setAccessBindings(account, [
        { roleId: "viewer", subject: USER },
        { roleId: "storage.owner", subject: USER },
      ]),
    ])
      expect(await rejection(refused)).toMatchObject({
        status: 400,
        codeName: "INVALID_ARGUMENT",
        serverMessage: expect.stringMatching(/^Role (nonexistent\.role|storage\.owner) not found$/),
      });
    expect(fake.state.accessBindings).toEqual({});
    await iam.serviceAccounts.grant(account, "ai.languageModels.user", USER);
    expect(fake.state.accessBindings[account]?.map((b) => b.roleId)).toEqual(["ai.languageModels.user"]);
  });

  it("is the Role service's: it holds DEFAULT_ROLES and the roles option, and nothing else", () => {
    const roles = rolesService(fakeContext({ options: { roles: ["ai.languageModels.user"] } }));
    expect([...DEFAULT_ROLES, "ai.languageModels.user"].every(roles.roleExists)).toBe(true);
    expect(["storage.owner", "", "Viewer"].some(roles.roleExists)).toBe(false);
  });

  it("the ServiceAccount service asks the context which roles exist (roleExists), never a catalogue of its own", async () => {
    const accounts = serviceAccountsService(fakeContext({ roleExists: (roleId) => roleId === "custom.only" }));
    const grant = async (roleId: string) => {
      const accessBindingDeltas = [{ action: "ADD", accessBinding: { roleId, subject: USER } }];
      const args = handlerArgs({ path: { serviceAccountId: OWNER }, body: { accessBindingDeltas } });
      return (await accounts.handlers.updateServiceAccountAccessBindings(args)).status;
    };
    // Note: viewer is one of DEFAULT_ROLES, and refused all the same: the context does not hold it.
    expect(await grant("viewer")).toBe(400);
    expect(await grant("custom.only")).toBe(200);
  });
});
