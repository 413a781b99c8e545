// Workload identity federation, client and fake together (every answer held to the document): OIDC federations in a
// folder and the federated credentials that let a federation's subject act as a service account.
import { describe, expect, it } from "vitest";
import { IamApiError, IamInputError } from "../../src/index.ts";
import { DEFAULT_FOLDER_ID } from "../../src/testing/index.ts";
import { checkedClients } from "../support/checked-fake.ts";
import { GITHUB_FEDERATION, GITHUB_SUBJECT } from "../support/federations.ts";
import { rejection } from "../support/secrets.ts";

const client = checkedClients();
const ROBOT = "ajeg2b2et02f3tl2c1pj";

describe("iam.oidcFederations against the fake", () => {
  it("create, get, list by folder; `disabled` in the request is `enabled` in the resource", async () => {
    const { iam } = client();
    const on = await iam.oidcFederations.create(GITHUB_FEDERATION);
    expect(on).toMatchObject({ name: "github", folderId: DEFAULT_FOLDER_ID, enabled: true, issuer: GITHUB_FEDERATION.issuer });
    const off = await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "gitlab", disabled: true });
    // Note: proto3 JSON leaves a false `enabled` out: a disabled federation's answer has none.
    expect(off.enabled).toBeUndefined();
    expect(await iam.oidcFederations.get(on.id)).toEqual(on);
    const names = [];
    for await (const federation of iam.oidcFederations.listAll({ folderId: DEFAULT_FOLDER_ID, pageSize: 1 })) names.push(federation.name);
    expect(names).toEqual(["github", "gitlab"]);
    expect((await iam.oidcFederations.list({ folderId: DEFAULT_FOLDER_ID })).federations.map((f) => f.id)).toEqual([on.id, off.id]);
  });

  it("a name is unique in its folder (409); a folder the fake does not hold is NOT_FOUND", async () => {
    const { iam } = client();
    await iam.oidcFederations.create(GITHUB_FEDERATION);
    expect(await rejection(iam.oidcFederations.create(GITHUB_FEDERATION))).toMatchObject({ status: 409, code: 6 });
    const elsewhere = await rejection(iam.oidcFederations.create({ ...GITHUB_FEDERATION, folderId: "b1gnofolder000000001" }));
    expect(elsewhere).toBeInstanceOf(IamApiError);
    expect(elsewhere).toMatchObject({ status: 404 });
  });

  it("update changes only the fields given (disabled, audiences), and the issuer cannot be sent", async () => {
    const { iam } = client();
    const federation = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const changed = await iam.oidcFederations.update(federation.id, { disabled: true, audiences: ["https://github.com/other"] });
    expect(changed).toMatchObject({ name: "github", audiences: ["https://github.com/other"], issuer: GITHUB_FEDERATION.issuer });
    expect(changed.enabled).toBeUndefined();
    expect((await iam.oidcFederations.update(federation.id, { disabled: false })).enabled).toBe(true);
    const issuer = await rejection(iam.oidcFederations.update(federation.id, { issuer: "https://evil.example" } as never));
    expect(issuer).toBeInstanceOf(IamInputError);
  });

  it("delete: it is gone, and its bindings with it", async () => {
    const { iam, fake } = client();
    const federation = await iam.oidcFederations.create(GITHUB_FEDERATION);
    await iam.oidcFederations.grant(federation.id, "viewer", { id: ROBOT, type: "serviceAccount" });
    await iam.oidcFederations.delete(federation.id);
    expect(await rejection(iam.oidcFederations.get(federation.id))).toMatchObject({ status: 404 });
    expect(await rejection(iam.oidcFederations.listAccessBindings(federation.id))).toMatchObject({ status: 404 });
    expect(fake.state.oidcFederations).toEqual([]);
    expect(fake.state.accessBindings).toEqual({});
  });
});

describe("iam.federatedCredentials against the fake", () => {
  it("create links a federation's subject to an account; list per account; delete", async () => {
    const { iam, fake } = client();
    const federation = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const credential = await iam.federatedCredentials.create({
      serviceAccountId: ROBOT,
      federationId: federation.id,
      externalSubjectId: GITHUB_SUBJECT,
    });
    expect(credential).toMatchObject({ serviceAccountId: ROBOT, federationId: federation.id, externalSubjectId: GITHUB_SUBJECT });
    expect(await iam.federatedCredentials.get(credential.id)).toEqual(credential);
    expect((await iam.federatedCredentials.list({ serviceAccountId: ROBOT })).federatedCredentials).toEqual([credential]);
    await iam.federatedCredentials.delete(credential.id);
    expect(fake.state.federatedCredentials).toEqual([]);
  });

  it("an unknown account or federation is NOT_FOUND; a deleted account's credentials go with it", async () => {
    const { iam, fake } = client();
    const federation = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const missing = (serviceAccountId: string, federationId: string) =>
      rejection(iam.federatedCredentials.create({ serviceAccountId, federationId, externalSubjectId: GITHUB_SUBJECT }));
    expect(await missing("ajenoaccount00000001", federation.id)).toMatchObject({ status: 404 });
    expect(await missing(ROBOT, "ajenofederation00001")).toMatchObject({ status: 404 });
    const robot = await iam.serviceAccounts.create({ folderId: DEFAULT_FOLDER_ID, name: "ci-robot" });
    await iam.federatedCredentials.create({ serviceAccountId: robot.id, federationId: federation.id, externalSubjectId: GITHUB_SUBJECT });
    await iam.serviceAccounts.delete(robot.id);
    expect(fake.state.federatedCredentials).toEqual([]);
  });
});
