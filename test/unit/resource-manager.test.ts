// Resource Manager's folders and clouds, client and fake together (every answer held to the document), and the one binding
// API that service accounts, folders and clouds share: the same calls, the same refusals, the same effective deltas.
import { describe, expect, it } from "vitest";
import { getFolder, listCloudAccessBindings } from "../../generated/contract.ts";
import { createIamClient, DEFAULT_BASE_URL, IamApiError, type IamClient, IamInputError, IamOperationError } from "../../src/index.ts";
import { createFakeIam, DEFAULT_CLOUD_ID, DEFAULT_FOLDER_ID, DEFAULT_ORGANIZATION_ID } from "../../src/testing/index.ts";
import { checkedClients } from "../support/checked-fake.ts";
import { GITHUB_FEDERATION } from "../support/federations.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const client = checkedClients();
const ROBOT = "ajeg2b2et02f3tl2c1pj";
const robot = { id: ROBOT, type: "serviceAccount" } as const;
const PROD = "b1gprod0folder000001";
const OTHER_CLOUD = "b1gother0cloud000001";
const world = {
  clouds: [
    { id: DEFAULT_CLOUD_ID, name: "main" },
    { id: OTHER_CLOUD, name: "lab" },
  ],
  folders: [
    { id: DEFAULT_FOLDER_ID, name: "default" },
    { id: PROD, name: "prod", description: "production" },
    { id: "b1glab0folder0000001", name: "sandbox", cloudId: OTHER_CLOUD },
  ],
};

/** Each kind of resource with access bindings, by the client's service that holds them, and the id of one that exists (made if need be). */
const KINDS: { service: "serviceAccounts" | "folders" | "clouds" | "oidcFederations"; idIn(iam: IamClient): Promise<string> }[] = [
  { service: "serviceAccounts", idIn: async () => ROBOT },
  { service: "folders", idIn: async () => PROD },
  { service: "clouds", idIn: async () => DEFAULT_CLOUD_ID },
  {
    service: "oidcFederations",
    idIn: async (iam) => (await iam.oidcFederations.create(GITHUB_FEDERATION)).id,
  },
];

describe("the kinds with access bindings", () => {
  it("are the table's: one kind here for each list of a resource's bindings, each of the client's service that calls it", async () => {
    const { operations } = await import("../../generated/contract.ts");
    const lists = Object.values(operations as Record<string, { id: string; path: string }>).filter(
      (row) => /^list\w+AccessBindings$/.test(row.id) && row.path.includes("{"),
    );
    expect(lists.length).toBe(KINDS.length);
    // Note: each kind's client service sends its own list (the URL names its path).
    for (const { service } of KINDS) {
      const { fetch, requests } = scriptedFetch(json(200, {}));
      await createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1" })[service].listAccessBindings(ROBOT);
      const sent = new URL(requests[0]?.url ?? "").pathname;
      expect(lists.filter((row) => new RegExp(`^${row.path.replace(/\{\w+\}/, "[^/]+")}$`).test(sent)).length, service).toBe(1);
    }
  });
});

describe("the fake's seeds", () => {
  it.each([
    [
      "a folder in a cloud it does not hold",
      { folders: [...world.folders, { id: "b1gstray0folder00001", name: "stray", cloudId: "b1gnocloud0000000001" }] },
      /folder b1gstray0folder00001 is in cloud b1gnocloud0000000001, which is not among its clouds/,
    ],
    [
      "folders without the service accounts' folder",
      { folders: [{ id: PROD, name: "prod" }] },
      /the service accounts' folder b1gvmob95yysaplct532 is not among its folders/,
    ],
    [
      "two folders of one name in one cloud",
      { folders: [...world.folders, { id: "b1gtwin0folder000001", name: "prod" }] },
      /two folders are named "prod" in cloud b1gia87mbaomkfvsleds/,
    ],
    [
      "two clouds of one id",
      { clouds: [...world.clouds, { id: OTHER_CLOUD, name: "again" }] },
      /the cloud b1gother0cloud000001 is given twice/,
    ],
  ])("refuses %s, naming it", (_, options, message) => {
    expect(() => createFakeIam({ ...world, ...options })).toThrow(message);
  });

  it("takes one name in two clouds, and the defaults as they are", () => {
    const twins = { folders: [...world.folders, { id: "b1gtwin0folder000001", name: "sandbox" }] };
    expect(createFakeIam({ ...world, ...twins }).state.folders.map((f) => f.name)).toContain("sandbox");
    expect(createFakeIam().state.folders).toMatchObject([{ id: DEFAULT_FOLDER_ID, cloudId: DEFAULT_CLOUD_ID, name: "default" }]);
  });
});

describe("iam.folders and iam.clouds against the fake", () => {
  it("get, list by cloud (cloudId required), listAll and the name filter; clouds of an organization", async () => {
    const { iam } = client(world);
    expect(await iam.folders.get(PROD)).toMatchObject({ id: PROD, cloudId: DEFAULT_CLOUD_ID, name: "prod", status: "ACTIVE" });
    const names: string[] = [];
    for await (const folder of iam.folders.listAll({ cloudId: DEFAULT_CLOUD_ID, pageSize: 1 })) names.push(folder.name ?? "");
    expect(names).toEqual(["default", "prod"]);
    expect((await iam.folders.list({ cloudId: OTHER_CLOUD, filter: 'name="sandbox"' })).folders.map((f) => f.name)).toEqual(["sandbox"]);
    expect((await iam.folders.list({ cloudId: OTHER_CLOUD, filter: 'name="prod"' })).folders).toEqual([]);
    // Note: only the form every reading of the protos shares is sent; another is refused before anything is sent.
    for (const filter of ['name!="prod"', 'name IN ("prod")', "prod", 'description="x"']) {
      const refused = await rejection(iam.folders.list({ cloudId: DEFAULT_CLOUD_ID, filter }));
      expect(refused, filter).toBeInstanceOf(IamInputError);
      expect(refused.problems.map((p: { path: string }) => p.path)).toEqual(["filter"]);
    }
    const missing = await rejection(iam.folders.list({} as never));
    expect(missing).toBeInstanceOf(IamInputError);
    expect(missing.problems.map((p: { path: string }) => p.path)).toEqual(["cloudId"]);
    expect((await iam.clouds.list()).clouds.map((c) => c.id)).toEqual([DEFAULT_CLOUD_ID, OTHER_CLOUD]);
    expect((await iam.clouds.list({ organizationId: DEFAULT_ORGANIZATION_ID, filter: 'name="lab"' })).clouds).toMatchObject([
      { id: OTHER_CLOUD, organizationId: DEFAULT_ORGANIZATION_ID },
    ]);
  });

  it("an unknown folder, cloud or organization is NOT_FOUND, listing the folders of an unknown cloud too", async () => {
    const { iam } = client(world);
    for (const call of [
      iam.folders.get("b1gnofolder000000001"),
      iam.clouds.get("b1gnocloud0000000001"),
      iam.folders.list({ cloudId: "b1gnocloud0000000001" }),
      iam.clouds.list({ organizationId: "bpfnoorganization001" }),
    ]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(IamApiError);
      expect(error).toMatchObject({ status: 404, code: 5 });
    }
  });

  it("ids are held to each call's own limit: 50 in get, 64 in the binding calls (access.proto)", async () => {
    const { iam, fake } = client(world);
    const get = getFolder.pathParams.properties.folderId.maxLength as number;
    const bindings = listCloudAccessBindings.pathParams.properties.cloudId.maxLength as number;
    expect(get).toBeLessThan(bindings);
    const id = "b".repeat(get + 1);
    expect((await rejection(iam.folders.get(id))).problems).toEqual([
      { path: "folderId", message: `must be at most ${get} characters (has ${get + 1})` },
    ]);
    // Note: the same id passes the binding call's check, so it is sent, and the fake knows no such folder.
    expect(await rejection(iam.folders.listAccessBindings(id))).toMatchObject({ status: 404 });
    expect(fake.requests.map((r) => r.operation)).toEqual(["listFolderAccessBindings"]);
  });

  it("a role granted on a folder shows in its bindings and in what the account holds (the access analyzer)", async () => {
    const { iam } = client(world);
    expect(await iam.folders.grant(PROD, "editor", robot)).toEqual([
      { action: "ADD", accessBinding: { roleId: "editor", subject: robot } },
    ]);
    await iam.clouds.grant(DEFAULT_CLOUD_ID, "viewer", robot);
    const held = [];
    for await (const b of iam.accessAnalyzer.listAllSubjectAccessBindings({ subjectId: ROBOT, organizationId: DEFAULT_ORGANIZATION_ID }))
      held.push(`${b.resource.type} ${b.resource.id} ${b.roleId}`);
    expect(held.sort()).toEqual([`resource-manager.cloud ${DEFAULT_CLOUD_ID} viewer`, `resource-manager.folder ${PROD} editor`]);
  });

  it("a deleted account's roles go from the folders and clouds it held them on", async () => {
    const { iam, fake } = client(world);
    const account = await iam.serviceAccounts.create({ folderId: PROD, name: "short-lived" });
    const subject = { id: account.id, type: "serviceAccount" } as const;
    await iam.folders.grant(PROD, "editor", subject);
    await iam.clouds.grant(DEFAULT_CLOUD_ID, "viewer", subject);
    await iam.folders.grant(PROD, "viewer", robot);
    await iam.serviceAccounts.delete(account.id);
    expect(fake.state.accessBindings).toEqual({ [PROD]: [{ roleId: "viewer", subject: robot }] });
  });

  it("resourceManagerBaseUrl sends the folders and clouds there; else baseUrl, unless it is the IAM API's own address; by default, Resource Manager's host", async () => {
    const { fetch, requests } = scriptedFetch(json(200, { id: PROD }));
    const at = (options: object) => createIamClient({ token: TOKEN, fetch, ...options }).folders.get(PROD);
    await at({ baseUrl: "http://127.0.0.1:1", resourceManagerBaseUrl: "http://127.0.0.1:2/" });
    await at({ baseUrl: "http://127.0.0.1:1" });
    await at({});
    // Note: baseUrl that is the IAM API's own address serves only the IAM API; any other takes every server without an
    // option of its own, beside another server's option too (a forgotten one never sends the token on to Yandex).
    await at({ baseUrl: DEFAULT_BASE_URL });
    // Note: the IAM API's own address however written: its default port, its host's case, a trailing slash.
    await at({ baseUrl: "https://IAM.api.cloud.yandex.net:443/" });
    await at({ baseUrl: "http://127.0.0.1:1", operationBaseUrl: "http://127.0.0.1:3" });
    expect(requests.map((r) => r.url)).toEqual([
      `http://127.0.0.1:2/resource-manager/v1/folders/${PROD}`,
      `http://127.0.0.1:1/resource-manager/v1/folders/${PROD}`,
      `${getFolder.server}/resource-manager/v1/folders/${PROD}`,
      `${getFolder.server}/resource-manager/v1/folders/${PROD}`,
      `${getFolder.server}/resource-manager/v1/folders/${PROD}`,
      `http://127.0.0.1:1/resource-manager/v1/folders/${PROD}`,
    ]);
    expect(getFolder.server).toBe("https://resource-manager.api.cloud.yandex.net");
  });
});

describe("page tokens the server issues", () => {
  it("listAll passes back a token longer than the older readings' 100 characters, as the server gave it", async () => {
    const token = "t".repeat(150);
    const { fetch, requests } = scriptedFetch(json(200, { folders: [{ id: PROD }], nextPageToken: token }), json(200, { folders: [] }));
    const iam = createIamClient({ token: TOKEN, fetch, baseUrl: "http://127.0.0.1:1" });
    const ids: string[] = [];
    for await (const folder of iam.folders.listAll({ cloudId: DEFAULT_CLOUD_ID })) ids.push(folder.id);
    expect(ids).toEqual([PROD]);
    expect(new URL(requests[1]?.url ?? "").searchParams.get("pageToken")).toBe(token);
  });
});

describe.each(KINDS)("the one binding API, on $service", ({ service, idIn }) => {
  const of = (iam: IamClient) => iam[service];

  it("grant adds one binding and resolves with the effective delta; again, with none; revoke takes it back", async () => {
    const { iam } = client(world);
    const id = await idIn(iam);
    const grant = () => of(iam).grant(id, "viewer", robot);
    expect(await grant()).toEqual([{ action: "ADD", accessBinding: { roleId: "viewer", subject: robot } }]);
    expect(await grant()).toEqual([]);
    const listed = [];
    for await (const binding of of(iam).listAllAccessBindings(id)) listed.push(binding);
    expect(listed).toEqual([{ roleId: "viewer", subject: robot }]);
    expect(await of(iam).revoke(id, "viewer", listed[0]?.subject ?? robot)).toEqual([
      { action: "REMOVE", accessBinding: { roleId: "viewer", subject: robot } },
    ]);
    expect((await of(iam).listAccessBindings(id)).accessBindings).toEqual([]);
  });

  it("setAccessBindings refuses an empty list without removeAll, sending nothing; with it, removes every binding", async () => {
    const { iam, fake } = client(world);
    const id = await idIn(iam);
    await of(iam).grant(id, "viewer", robot);
    const sentBefore = fake.requests.length;
    const refused = await rejection(of(iam).setAccessBindings(id, []));
    expect(refused).toBeInstanceOf(IamInputError);
    expect(refused.message).toContain("removeAll");
    expect(fake.requests.length).toBe(sentBefore);
    expect(await of(iam).setAccessBindings(id, [], { removeAll: true })).toEqual([
      { action: "REMOVE", accessBinding: { roleId: "viewer", subject: robot } },
    ]);
  });

  it("a role outside the catalogue is refused; the quota is one over every kind", async () => {
    const { iam } = client({ ...world, accessBindingQuota: 1 });
    const id = await idIn(iam);
    expect(await rejection(of(iam).grant(id, "no.such.role", robot))).toMatchObject({ status: 400 });
    const [elsewhere] = KINDS.filter((kind) => kind.service !== service) as [(typeof KINDS)[number]];
    await iam[elsewhere.service].grant(await elsewhere.idIn(iam), "viewer", robot);
    expect(await rejection(of(iam).grant(id, "editor", robot))).toMatchObject({ status: 429, code: 8 });
  });

  it("with wait: false, the Operation, which waits like any other; a failed one is an IamOperationError", async () => {
    const { iam, fake } = client({ ...world, operations: { polls: 2 } });
    const id = await idIn(iam);
    const operation = await of(iam).grant(id, "viewer", robot, { wait: false });
    expect(operation).toMatchObject({ done: false, metadata: { resourceId: id } });
    expect(await iam.operations.wait(operation)).toMatchObject({ done: true, response: { effectiveDeltas: [{ action: "ADD" }] } });
    fake.progress({ polls: 0, error: { code: 9, message: "concurrent change" } });
    expect(await rejection(of(iam).revoke(id, "viewer", robot))).toBeInstanceOf(IamOperationError);
  });
});
