// Requests are checked as strictly as Yandex checks them, by the client before sending and by the fake (the same generated
// checks): a subject's type and id form, a service account's name (the documentation's 3 to 63), and an update's `null`
// only where the field can be reset.
import { describe, expect, it } from "vitest";
import { createIamClient, IamInputError } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const SA = "ajeg2b2et02f3tl2c1pj";
const FOLDER = "b1gvmob95yysaplct532";
const BASE = "http://127.0.0.1:9";

/** A client over a script that answers a pending Operation to anything, and the requests it was sent. */
function client() {
  const stub = scriptedFetch(json(200, { id: "op1" }));
  const iam = createIamClient({ token: TOKEN, baseUrl: BASE, fetch: stub.fetch, retry: false });
  return { iam, ...stub };
}

/** Sends `body` to the fake as a raw request (no client check in the way): its status and Status body. */
async function toFake(method: string, path: string, body: unknown) {
  const fake = createFakeIam({ operations: { polls: 0 } });
  const response = await fake.handle(
    new Request(`${fake.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json(), fake };
}

/** [what, the subject, the problem's path under the binding, the words of its message]. */
const BAD_SUBJECTS: [string, unknown, string, RegExp][] = [
  ["a type Yandex does not know", { id: SA, type: "robot" }, "subject.type", /must be one of userAccount, serviceAccount/],
  ["a service-account id one character short", { id: SA.slice(1), type: "serviceAccount" }, "subject.id", /20 characters of a-z and 0-9/],
  ["a service-account id with its type as a prefix", { id: `serviceAccount:${SA}`, type: "serviceAccount" }, "subject.id", /20 characters/],
  ["a user id in capitals", { id: SA.toUpperCase(), type: "userAccount" }, "subject.id", /20 characters/],
  ["a system group as a user", { id: "allUsers", type: "userAccount" }, "subject.id", /20 characters/],
  ["an account id as a system group", { id: SA, type: "system" }, "subject.id", /allUsers, allAuthenticatedUsers or group:/],
  ["a system group Yandex does not have", { id: "everyone", type: "system" }, "subject.id", /allUsers, allAuthenticatedUsers/],
  ["an organization group with a malformed id", { id: "group:organization:bad:users", type: "system" }, "subject.id", /group:/],
];

const GOOD_SUBJECTS = [
  { id: SA, type: "serviceAccount" },
  { id: "ajeuser0000000000001", type: "userAccount" },
  { id: "ajefed00000000000001", type: "federatedUser" },
  { id: "ajegroup000000000001", type: "group" },
  { id: "allUsers", type: "system" },
  { id: "allAuthenticatedUsers", type: "system" },
  { id: "group:organization:bpf00000000000000001:users", type: "system" },
  { id: "group:federation:bpf00000000000000002:users", type: "system" },
];

describe("a subject is checked as Yandex checks it (its type, and the id form of that type)", () => {
  it.each(BAD_SUBJECTS)("the client refuses %s before sending", async (_, subject, path, message) => {
    const { iam, requests } = client();
    const error = await rejection(iam.serviceAccounts.grant(SA, "viewer", subject as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([{ path: `accessBindingDeltas[0].accessBinding.${path}`, message: expect.stringMatching(message) }]);
    const set = await rejection(iam.serviceAccounts.setAccessBindings(SA, [{ roleId: "viewer", subject } as never]));
    expect(set.problems).toEqual([{ path: `accessBindings[0].${path}`, message: expect.stringMatching(message) }]);
    expect(requests).toHaveLength(0);
  });

  it.each(BAD_SUBJECTS)("the fake refuses %s as INVALID_ARGUMENT, and stores nothing", async (_, subject, path, message) => {
    const delta = { action: "ADD", accessBinding: { roleId: "viewer", subject } };
    const { status, body, fake } = await toFake("POST", `/iam/v1/serviceAccounts/${SA}:updateAccessBindings`, {
      accessBindingDeltas: [delta],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 3, message: expect.stringContaining(`accessBindingDeltas[0].accessBinding.${path}: `) });
    expect(body.message).toMatch(message);
    expect(fake.state.accessBindings[SA] ?? []).toEqual([]);
  });

  it("every documented form passes, through the client to the fake", async () => {
    const fake = createFakeIam({ operations: { polls: 0 } });
    const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch });
    const bindings = GOOD_SUBJECTS.map((subject) => ({ roleId: "viewer", subject }) as never);
    expect(await iam.serviceAccounts.setAccessBindings(SA, bindings)).toHaveLength(GOOD_SUBJECTS.length);
    expect(fake.state.accessBindings[SA]).toEqual(GOOD_SUBJECTS.map((subject) => ({ roleId: "viewer", subject })));
  });
});

describe("a service account's name has 3 to 63 characters (the documentation's reading, stricter than the proto's 1)", () => {
  it.each(["a", "ab"])("the client refuses %j for create and update before sending", async (name) => {
    const { iam, requests } = client();
    const problem = [{ path: "name", message: `must be at least 3 characters (has ${name.length})` }];
    expect((await rejection(iam.serviceAccounts.create({ folderId: FOLDER, name }))).problems).toEqual(problem);
    expect((await rejection(iam.serviceAccounts.update(SA, { name }))).problems).toEqual(problem);
    expect(requests).toHaveLength(0);
  });

  it.each(["a", "ab"])("the fake refuses %j as INVALID_ARGUMENT and makes no account", async (name) => {
    const { status, body, fake } = await toFake("POST", "/iam/v1/serviceAccounts", { folderId: FOLDER, name });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 3, message: expect.stringContaining(`name: must be at least 3 characters (has ${name.length})`) });
    expect(fake.state.serviceAccounts.map((a) => a.name)).not.toContain(name);
    const renamed = await fake.handle(
      new Request(`${fake.baseUrl}/iam/v1/serviceAccounts/${SA}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ updateMask: "name", name }),
      }),
    );
    expect(renamed.status).toBe(400);
  });

  it("a name of 3 characters passes, to the fake", async () => {
    const { status, body } = await toFake("POST", "/iam/v1/serviceAccounts", { folderId: FOLDER, name: "abc" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ done: true, response: { name: "abc" } });
  });
});

describe("an update's null resets a field only where the field can be reset (x-yc-clearable)", () => {
  it("apiKeys.update({ scopes: null }) is refused before sending: an update takes 1 to 100 scopes", async () => {
    const { iam, requests } = client();
    const error = await rejection(iam.apiKeys.update("aje3ho9atbhf4aq6c2ok", { scopes: null } as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems).toEqual([{ path: "scopes", message: "cannot be reset (null): give it a value instead" }]);
    expect(error.message).toContain("scopes");
    // Note: with another field beside it, still refused: nothing of the update is sent.
    expect((await rejection(iam.apiKeys.update("aje3ho9atbhf4aq6c2ok", { description: "x", scopes: null } as never))).problems).toEqual([
      { path: "scopes", message: "cannot be reset (null): give it a value instead" },
    ]);
    expect(requests).toHaveLength(0);
  });

  it("serviceAccounts.update({ name: null }) is refused before sending: a name must match its pattern", async () => {
    const { iam, requests } = client();
    const error = await rejection(iam.serviceAccounts.update(SA, { name: null } as never));
    expect(error.problems).toEqual([{ path: "name", message: "cannot be reset (null): give it a value instead" }]);
    expect(requests).toHaveLength(0);
  });

  it("the fields that can be reset are sent as a mask without a value, for every update", async () => {
    const { iam, bodies } = client();
    await iam.apiKeys.update("aje3ho9atbhf4aq6c2ok", { description: null, expiresAt: null }, { wait: false });
    await iam.keys.update("ajek0000000000000001", { description: null }, { wait: false });
    await iam.accessKeys.update("ajea0000000000000001", { description: null }, { wait: false });
    await iam.serviceAccounts.update(SA, { description: null, labels: null, expiresAt: null }, { wait: false });
    expect(await bodies()).toEqual([
      { updateMask: "description,expiresAt" },
      { updateMask: "description" },
      { updateMask: "description" },
      { updateMask: "description,labels,expiresAt" },
    ]);
  });
});
