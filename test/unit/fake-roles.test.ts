// The fake's Role service, every answer held to the contract: getRole and listRoles serve the one catalogue the binding
// calls check (DEFAULT_ROLES and the roles option), by id, with the id="…" filter and opaque page tokens.
import { describe, expect, it } from "vitest";
import { DEFAULT_ROLES } from "../../src/testing/index.ts";
import { checkedClients } from "../support/checked-fake.ts";
import { rejection } from "../support/secrets.ts";

const USER = { id: "ajeuser0000000000001", type: "userAccount" } as const;
const setup = checkedClients();

describe("getRole", () => {
  it("answers each role of the catalogue by its id, and NOT_FOUND naming any other", async () => {
    const { iam } = setup({ roles: ["ai.languageModels.user"] });
    for (const roleId of [...DEFAULT_ROLES, "ai.languageModels.user"]) expect(await iam.roles.get(roleId)).toEqual({ id: roleId });
    expect(await rejection(iam.roles.get("storage.writer"))).toMatchObject({
      status: 404,
      codeName: "NOT_FOUND",
      serverMessage: "Role storage.writer not found",
    });
  });
});

describe("listRoles", () => {
  it("pages over the whole catalogue by id, the roles option included, each role once", async () => {
    const { iam } = setup({ roles: ["ai.languageModels.user"] });
    const first = await iam.roles.list({ pageSize: 5 });
    expect(first.roles).toHaveLength(5);
    expect(first.nextPageToken).toMatch(/\S/);
    const ids: string[] = [];
    for await (const role of iam.roles.listAll({ pageSize: 7 })) ids.push(role.id);
    expect(ids).toEqual([...DEFAULT_ROLES, "ai.languageModels.user"].sort());
    expect((await iam.roles.list()).roles.map((role) => role.id)).toEqual(ids);
  });

  it('filter id="…" keeps that role (none when no role has the id); any other filter is INVALID_ARGUMENT', async () => {
    const { iam } = setup();
    expect(await iam.roles.list({ filter: 'id="storage.uploader"' })).toEqual({ roles: [{ id: "storage.uploader" }] });
    expect(await iam.roles.list({ filter: 'id="storage.writer"' })).toEqual({ roles: [] });
    expect(await rejection(iam.roles.list({ filter: 'name="viewer"' }))).toMatchObject({
      status: 400,
      codeName: "INVALID_ARGUMENT",
      serverMessage: expect.stringContaining('only id="…" is supported'),
    });
  });

  it("a page token it did not make is INVALID_ARGUMENT", async () => {
    const { iam } = setup();
    expect(await rejection(iam.roles.list({ pageToken: "viewer" }))).toMatchObject({ status: 400, codeName: "INVALID_ARGUMENT" });
  });
});

describe("the one catalogue", () => {
  it("every role listRoles lists can be granted, and a role it does not list cannot", async () => {
    const { iam, fake } = setup({ roles: ["ai.languageModels.user"] });
    const account = fake.state.serviceAccounts[0]?.id as string;
    const listed: string[] = [];
    for await (const role of iam.roles.listAll()) listed.push(role.id);
    const deltas = listed.map((roleId) => ({ action: "ADD" as const, accessBinding: { roleId, subject: USER } }));
    expect(await iam.serviceAccounts.updateAccessBindings(account, deltas)).toHaveLength(listed.length);
    expect(listed).not.toContain("storage.writer");
    expect(await rejection(iam.serviceAccounts.grant(account, "storage.writer", USER))).toMatchObject({ status: 400 });
  });
});
