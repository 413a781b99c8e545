// The role examples against the stateful fake: check-roles (each role read before any is granted, the roles of the same
// service named for a typo, every role granted in one change or none) and audit-subject (every role a robot holds, by
// resource, the broad ones marked).
import { describe, expect, it } from "vitest";
import { auditSubject, main as auditSubjectMain } from "../../examples/audit-subject.ts";
import { checkRoles, main as checkRolesMain } from "../../examples/check-roles.ts";
import { UsageError } from "../../examples/client-from-env.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { logged } from "../support/logged.ts";

const ROBOT = "ajeg2b2et02f3tl2c1pj";
const USER = "ajeuser0000000000001";

function setup() {
  const fake = createFakeIam({ serviceAccounts: [ROBOT] });
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  return { fake, iam };
}

describe("check-roles", () => {
  it("reads each role; the catalogue only when one is missing, naming the roles of its service", async () => {
    const { fake, iam } = setup();
    expect(await checkRoles(iam, ["viewer", "storage.uploader"])).toEqual([
      { roleId: "viewer", role: { id: "viewer" } },
      { roleId: "storage.uploader", role: { id: "storage.uploader" } },
    ]);
    expect(fake.requests.map((r) => r.operation)).toEqual(["getRole", "getRole"]);
    const [typo] = await checkRoles(iam, ["storage.uploder"]);
    expect(typo).toEqual({ roleId: "storage.uploder", sameService: expect.arrayContaining(["storage.uploader", "storage.viewer"]) });
    expect(typo?.sameService?.every((id) => id.startsWith("storage."))).toBe(true);
    expect(fake.requests.map((r) => r.operation).slice(2)).toEqual(["getRole", "listRoles"]);
  });

  it("with a subject, grants every role on the account in one change once each exists, and says what was new", async () => {
    const { fake, iam } = setup();
    await iam.serviceAccounts.grant(ROBOT, "viewer", { id: USER, type: "userAccount" });
    const argv = ["viewer", "storage.uploader", "viewer", "--service-account", ROBOT, "--subject", USER, "--subject-type", "userAccount"];
    const { output, error } = await logged(() => checkRolesMain(argv, iam));
    expect(error).toBeUndefined();
    expect(fake.state.accessBindings[ROBOT]?.map((b) => b.roleId)).toEqual(["viewer", "storage.uploader"]);
    expect(fake.requests.filter((r) => r.operation === "updateServiceAccountAccessBindings")).toHaveLength(2);
    expect(output).toContain(`userAccount:${USER} now holds viewer, storage.uploader on ${ROBOT} (1 new, 1 held already)`);
  });

  it("a role that does not exist fails the run naming it, and nothing is granted", async () => {
    const { fake, iam } = setup();
    const argv = ["viewer", "storage.uploder", "--service-account", ROBOT, "--subject", USER];
    const { output, error } = await logged(() => checkRolesMain(argv, iam));
    expect((error as Error).message).toBe("1 role(s) do not exist: storage.uploder; nothing was granted");
    expect(output).toMatch(/^storage\.uploder +NO +same service: .*storage\.uploader/m);
    expect(fake.state.accessBindings).toEqual({});
    expect(fake.requests.map((r) => r.operation)).not.toContain("updateServiceAccountAccessBindings");
  });

  it("refuses a run without a role, or an account without a subject, before anything is sent", async () => {
    const { fake, iam } = setup();
    for (const [argv, message] of [
      [[], "name at least one role to check"],
      [["viewer", "--service-account", ROBOT], "--service-account and --subject go together"],
      [["viewer", "--subject", USER], "--service-account and --subject go together"],
    ] as const) {
      const { error } = await logged(() => checkRolesMain([...argv], iam));
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe("audit-subject", () => {
  const ORGANIZATION = "bpf3crucp1v28b74p3rk";
  const robot = { id: ROBOT, type: "serviceAccount" } as const;

  /** A fake where the robot holds editor and viewer on one account and iam.serviceAccounts.user on another. */
  async function granted() {
    const { fake, iam } = setup();
    const other = await iam.serviceAccounts.create({ folderId: "b1gvmob95yysaplct532", name: "reports" });
    await iam.serviceAccounts.updateAccessBindings(other.id, [
      { action: "ADD", accessBinding: { roleId: "viewer", subject: robot } },
      { action: "ADD", accessBinding: { roleId: "editor", subject: robot } },
    ]);
    await iam.serviceAccounts.grant(ROBOT, "iam.serviceAccounts.user", robot);
    await iam.serviceAccounts.grant(ROBOT, "admin", { id: USER, type: "userAccount" });
    return { fake, iam, other: other.id };
  }

  it("lists every role the robot holds, by resource then role, and none of anyone else's", async () => {
    const { iam, other } = await granted();
    const held = await auditSubject(iam, { organizationId: ORGANIZATION, subjectId: ROBOT });
    const rows = held.map((b) => [b.resource.id, b.roleId]);
    const expected = [
      [ROBOT, "iam.serviceAccounts.user"],
      [other, "editor"],
      [other, "viewer"],
    ].sort(([a, x], [b, y]) => `${a} ${x}`.localeCompare(`${b} ${y}`));
    expect(rows).toEqual(expected);
    expect(held.every((b) => b.resource.type === "iam.serviceAccount")).toBe(true);
  });

  it("prints a table with the broad roles marked, or JSON with --json", async () => {
    const { iam, other } = await granted();
    const argv = ["--organization", ORGANIZATION, "--subject", ROBOT];
    const { output, error } = await logged(() => auditSubjectMain(argv, iam));
    expect(error).toBeUndefined();
    expect(output).toContain(`${ROBOT} holds 3 role(s) on 2 resource(s) of ${ORGANIZATION}, 1 broad:`);
    expect(output).toMatch(new RegExp(`^iam\\.serviceAccount +${other} +editor +yes$`, "m"));
    expect(output).toMatch(new RegExp(`^iam\\.serviceAccount +${other} +viewer$`, "m"));
    const json = await logged(() => auditSubjectMain([...argv, "--json"], iam));
    expect(JSON.parse(json.output)).toMatchObject({ organizationId: ORGANIZATION, subjectId: ROBOT, broad: 1 });
    expect(JSON.parse(json.output).bindings).toHaveLength(3);
  });

  it("refuses a run without --organization or --subject before anything is sent", async () => {
    const { fake, iam } = setup();
    for (const argv of [["--subject", ROBOT], ["--organization", ORGANIZATION], []]) {
      const { error } = await logged(() => auditSubjectMain(argv, iam));
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe("--organization and --subject are required");
    }
    expect(fake.requests).toEqual([]);
  });
});
