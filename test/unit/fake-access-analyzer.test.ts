// The fake's AccessAnalyzer service, every answer held to the contract: every role a subject holds on the resources the fake
// models (service accounts' bindings, through the context), as they change, page by page with tokens that survive changes.
import { describe, expect, it } from "vitest";
import { DEFAULT_ORGANIZATION_ID } from "../../src/testing/data.ts";
import accessAnalyzerService from "../../src/testing/services/access-analyzer.ts";
import { checkedClient, checkedClients } from "../support/checked-fake.ts";
import { fakeContext, handlerArgs } from "../support/fake-context.ts";
import { rejection } from "../support/secrets.ts";

const ROBOT = "ajeg2b2et02f3tl2c1pj";
const ORGANIZATION = DEFAULT_ORGANIZATION_ID;
const USER = { id: "ajeuser0000000000001", type: "userAccount" } as const;
const checked = checkedClients();
const setup = () => checked({ operations: { polls: 0 } });

const onAccount = (roleId: string, id: string, subjectId: string = USER.id) => ({
  roleId,
  resource: { id, type: "iam.serviceAccount" },
  subjectId,
});

describe("listSubjectAccessBindings", () => {
  it("answers for the fake's one organization (the organizationId option) and NOT_FOUND for any other, as for one the caller cannot see", async () => {
    const { iam } = setup();
    const request = (organizationId: string) => iam.accessAnalyzer.listSubjectAccessBindings({ subjectId: USER.id, organizationId });
    expect(await request(ORGANIZATION)).toEqual({ subjectAccessBindings: [] });
    const refused = await rejection(request("bpfother000000000001"));
    expect(refused).toMatchObject({ status: 404, codeName: "NOT_FOUND", serverMessage: "Organization bpfother000000000001 not found" });
    const own = checkedClient({ organizationId: "bpfown00000000000001" }, { retry: false });
    expect(await own.iam.accessAnalyzer.listSubjectAccessBindings({ subjectId: USER.id, organizationId: "bpfown00000000000001" })).toEqual({
      subjectAccessBindings: [],
    });
    expect(
      (await rejection(own.iam.accessAnalyzer.listSubjectAccessBindings({ subjectId: USER.id, organizationId: ORGANIZATION }))).status,
    ).toBe(404);
    expect(own.violations).toEqual([]);
  });

  it("answers every role the subject holds on every account, as grants and revokes change them; none for another subject", async () => {
    const { iam } = setup();
    const held = async (subjectId: string = USER.id) => {
      const found = [];
      for await (const b of iam.accessAnalyzer.listAllSubjectAccessBindings({ subjectId, organizationId: ORGANIZATION })) found.push(b);
      return found;
    };
    expect(await held()).toEqual([]);
    const other = await iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "other-robot" });
    await iam.serviceAccounts.grant(ROBOT, "iam.serviceAccounts.user", USER);
    await iam.serviceAccounts.grant(other.id, "viewer", USER);
    await iam.serviceAccounts.grant(other.id, "editor", { id: ROBOT, type: "serviceAccount" });
    expect(await held()).toEqual([onAccount("iam.serviceAccounts.user", ROBOT), onAccount("viewer", other.id)]);
    expect(await held(ROBOT)).toEqual([onAccount("editor", other.id, ROBOT)]);
    await iam.serviceAccounts.revoke(ROBOT, "iam.serviceAccounts.user", USER);
    await iam.serviceAccounts.delete(other.id);
    expect(await held()).toEqual([]);
  });

  it("pages with tokens by place: a binding removed between pages shifts none of the rest", async () => {
    const { iam } = setup();
    const roles = ["viewer", "editor", "auditor", "admin"];
    await iam.serviceAccounts.updateAccessBindings(
      ROBOT,
      roles.map((roleId) => ({ action: "ADD", accessBinding: { roleId, subject: USER } })),
    );
    const request = { subjectId: USER.id, organizationId: ORGANIZATION, pageSize: 2 };
    const first = await iam.accessAnalyzer.listSubjectAccessBindings(request);
    expect(first.subjectAccessBindings.map((b) => b.roleId)).toEqual(["viewer", "editor"]);
    await iam.serviceAccounts.revoke(ROBOT, "viewer", USER);
    const second = await iam.accessAnalyzer.listSubjectAccessBindings({ ...request, pageToken: first.nextPageToken });
    expect(second).toEqual({ subjectAccessBindings: [onAccount("auditor", ROBOT), onAccount("admin", ROBOT)] });
    expect(await rejection(iam.accessAnalyzer.listSubjectAccessBindings({ ...request, pageToken: "mine" }))).toMatchObject({
      status: 400,
      codeName: "INVALID_ARGUMENT",
    });
  });

  it("takes what it answers from the context's subjectBindings, never from a service of its own import", async () => {
    const binding = { roleId: "editor", resource: { id: "b1gvmob95yysaplct532", type: "resource-manager.folder" }, subjectId: USER.id };
    const analyzer = accessAnalyzerService(fakeContext({ subjectBindings: (subjectId) => (subjectId === USER.id ? [binding] : []) }));
    const answer = await analyzer.handlers.listSubjectAccessBindings(
      handlerArgs({ query: { subjectId: USER.id, organizationId: ORGANIZATION } }),
    );
    expect(await answer.json()).toEqual({ subjectAccessBindings: [binding] });
  });
});
