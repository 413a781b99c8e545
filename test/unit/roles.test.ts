// iam.roles against an injected fetch: get by the role's id (at most 50 characters, the stricter reading), list with the
// filter and its page token of at most 100, listAll page by page, the read retry class.
import { describe, expect, it } from "vitest";
import { getRole, listRoles } from "../../generated/contract.ts";
import { IamApiError, IamInputError, type Role } from "../../src/index.ts";
import { scriptedClient, urls } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const BASE = "http://127.0.0.1:9/iam/v1/roles";
const USER: Role = { id: "iam.serviceAccounts.user", description: "Lets one use a service account." };
const VIEWER: Role = { id: "viewer" };

describe("iam.roles", () => {
  it("get sends the role's id in the path and resolves with the role", async () => {
    const { iam, requests } = scriptedClient([json(200, USER)]);
    expect(await iam.roles.get(USER.id)).toEqual(USER);
    expect(urls(requests)).toEqual([`GET ${BASE}/iam.serviceAccounts.user`]);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.headers.get("idempotency-key")).toBeNull();
  });

  it("get of a role that does not exist is a 404 NOT_FOUND IamApiError, not retried", async () => {
    const { iam, requests } = scriptedClient([json(404, { code: 5, message: "Role storage.writer not found" })]);
    const error = await rejection(iam.roles.get("storage.writer"));
    expect(error).toBeInstanceOf(IamApiError);
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND", serverMessage: "Role storage.writer not found" });
    expect(requests).toHaveLength(1);
  });

  it("get refuses a role id over the document's limit (the REST reference's, stricter than the proto's) or `..`, sending nothing", async () => {
    const { iam, requests } = scriptedClient([json(200, USER)]);
    const limit = Number(getRole.pathParams.properties.roleId.maxLength);
    expect(limit).toBeGreaterThan(0);
    const long = await rejection(iam.roles.get("r".repeat(limit + 1)));
    expect(long).toBeInstanceOf(IamInputError);
    expect(long.problems).toEqual([{ path: "roleId", message: `must be at most ${limit} characters (has ${limit + 1})` }]);
    expect(await rejection(iam.roles.get(".."))).toBeInstanceOf(IamInputError);
    await iam.roles.get("r".repeat(limit));
    expect(requests).toHaveLength(1);
  });

  it("get is the read class: retried after a 503 and a dropped connection", async () => {
    const { iam, requests } = scriptedClient([json(503, { code: 14, message: "busy" }), new TypeError("fetch failed"), json(200, VIEWER)]);
    expect(await iam.roles.get("viewer")).toEqual(VIEWER);
    expect(requests).toHaveLength(3);
  });

  it("list sends the filter and the page, and resolves with roles always an array", async () => {
    const { iam, requests } = scriptedClient([json(200, {})]);
    expect(await iam.roles.list({ filter: 'id="viewer"', pageSize: 10 })).toEqual({ roles: [] });
    const sent = new URL(requests[0]?.url ?? "");
    expect([sent.pathname, sent.searchParams.get("filter"), sent.searchParams.get("pageSize")]).toEqual([
      "/iam/v1/roles",
      'id="viewer"',
      "10",
    ]);
  });

  it("list refuses a page token or a filter over the document's limits, sending nothing", async () => {
    const { iam, requests } = scriptedClient([json(200, {})]);
    const { pageToken, filter } = listRoles.query.properties;
    expect((await rejection(iam.roles.list({ pageToken: "t".repeat(pageToken.maxLength + 1) }))).problems[0].path).toBe("pageToken");
    expect((await rejection(iam.roles.list({ filter: "f".repeat(filter.maxLength + 1) }))).problems[0].path).toBe("filter");
    await iam.roles.list({ pageToken: "t".repeat(pageToken.maxLength), filter: "f".repeat(filter.maxLength) });
    expect(requests).toHaveLength(1);
  });

  it("listAll walks every page with each next token, with the request's filter on each", async () => {
    const { iam, requests } = scriptedClient([
      json(200, { roles: [USER], nextPageToken: "iam.serviceAccounts.user" }),
      json(200, { roles: [VIEWER] }),
    ]);
    const seen: Role[] = [];
    for await (const role of iam.roles.listAll({ pageSize: 1 })) seen.push(role);
    expect(seen).toEqual([USER, VIEWER]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual(["?pageSize=1", "?pageSize=1&pageToken=iam.serviceAccounts.user"]);
  });

  it("a role without its id breaks the contract; a role with an unknown field is read as it comes", async () => {
    const { iam } = scriptedClient([json(200, { description: "no id" })]);
    expect((await rejection(iam.roles.get("viewer"))).name).toBe("IamResponseError");
    const { iam: tolerant } = scriptedClient([json(200, { id: "viewer", permissions: ["x"] })]);
    expect(await tolerant.roles.get("viewer")).toEqual({ id: "viewer", permissions: ["x"] });
  });
});
