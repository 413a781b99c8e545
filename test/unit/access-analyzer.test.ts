// iam.accessAnalyzer against an injected fetch: the subject and organization (both required, 100 and 50 characters at most),
// one page or every page, answers read as they come but for what an audit cannot do without (a role and its resource).
import { describe, expect, it } from "vitest";
import { listSubjectAccessBindings } from "../../generated/contract.ts";
import { IamInputError, type SubjectAccessBinding } from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection } from "../support/secrets.ts";

const URL_BASE = "http://127.0.0.1:9/iam/v1/listSubjectAccessBindings";
const SUBJECT = "ajeg2b2et02f3tl2c1pj";
const ORGANIZATION = "bpf3crucp1v28b74p3rk";
const ON_FOLDER: SubjectAccessBinding = {
  roleId: "editor",
  resource: { id: "b1gvmob95yysaplct532", type: "resource-manager.folder" },
  subjectId: SUBJECT,
};
const ON_ACCOUNT: SubjectAccessBinding = {
  roleId: "iam.serviceAccounts.user",
  resource: { id: "aje9k2m4p6r8t0v1x3zq", type: "iam.serviceAccount" },
};

describe("iam.accessAnalyzer", () => {
  it("listSubjectAccessBindings sends the subject and the organization, and resolves with the page, its items always an array", async () => {
    const { iam, requests } = scriptedClient([json(200, { subjectAccessBindings: [ON_FOLDER], nextPageToken: "next" }), json(200, {})]);
    const request = { subjectId: SUBJECT, organizationId: ORGANIZATION, pageSize: 1 };
    expect(await iam.accessAnalyzer.listSubjectAccessBindings(request)).toEqual({
      subjectAccessBindings: [ON_FOLDER],
      nextPageToken: "next",
    });
    expect(await iam.accessAnalyzer.listSubjectAccessBindings(request)).toEqual({ subjectAccessBindings: [] });
    expect(urls(requests)[0]).toBe(`GET ${URL_BASE}?subjectId=${SUBJECT}&organizationId=${ORGANIZATION}&pageSize=1`);
  });

  it("listAllSubjectAccessBindings walks every page with each next token", async () => {
    const { iam, requests } = scriptedClient([
      json(200, { subjectAccessBindings: [ON_FOLDER], nextPageToken: "ajeh8k0l2m4n6p8q0r2s" }),
      json(200, { subjectAccessBindings: [ON_ACCOUNT] }),
    ]);
    const held: SubjectAccessBinding[] = [];
    for await (const binding of iam.accessAnalyzer.listAllSubjectAccessBindings({ subjectId: SUBJECT, organizationId: ORGANIZATION }))
      held.push(binding);
    expect(held).toEqual([ON_FOLDER, ON_ACCOUNT]);
    expect(new URL(requests[1]?.url ?? "").searchParams.get("pageToken")).toBe("ajeh8k0l2m4n6p8q0r2s");
  });

  it("refuses a missing subject or organization, or either over the document's limit, sending nothing", async () => {
    const { iam, requests } = scriptedClient([json(200, {})]);
    const missing = await rejection(iam.accessAnalyzer.listSubjectAccessBindings({} as never));
    expect(missing).toBeInstanceOf(IamInputError);
    expect(missing.problems.map((p: { path: string }) => p.path).sort()).toEqual(["organizationId", "subjectId"]);
    const subject = listSubjectAccessBindings.query.properties.subjectId.maxLength;
    const organization = listSubjectAccessBindings.query.properties.organizationId.maxLength;
    const long = await rejection(
      iam.accessAnalyzer.listSubjectAccessBindings({ subjectId: "s".repeat(subject + 1), organizationId: "o".repeat(organization + 1) }),
    );
    expect(long.problems).toEqual([
      { path: "subjectId", message: `must be at most ${subject} characters (has ${subject + 1})` },
      { path: "organizationId", message: `must be at most ${organization} characters (has ${organization + 1})` },
    ]);
    await iam.accessAnalyzer.listSubjectAccessBindings({ subjectId: "s".repeat(subject), organizationId: "o".repeat(organization) });
    expect(requests).toHaveLength(1);
  });

  it("reads a resource type it does not know as it comes; a binding without its role or resource breaks the contract", async () => {
    const other = { roleId: "viewer", resource: { id: "fd8x", type: "compute.snapshot" }, extra: true };
    const { iam } = scriptedClient([json(200, { subjectAccessBindings: [other] })]);
    const request = { subjectId: SUBJECT, organizationId: ORGANIZATION };
    expect((await iam.accessAnalyzer.listSubjectAccessBindings(request)).subjectAccessBindings).toEqual([other]);
    const { iam: broken } = scriptedClient([json(200, { subjectAccessBindings: [{ roleId: "viewer" }] })]);
    expect((await rejection(broken.accessAnalyzer.listSubjectAccessBindings(request))).name).toBe("IamResponseError");
  });
});
