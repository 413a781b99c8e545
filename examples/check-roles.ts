// Check roles before granting them: each role is read from the Role service, and one that does not exist is named with
// the roles of the same service (a typo's likely fix). With --service-account and --subject, the roles are then granted
// on the account in one updateAccessBindings, and only when every one exists, so a typo never leaves half of them granted.
//   npx tsx examples/check-roles.ts <roleId>... [--service-account <id> --subject <id> [--subject-type serviceAccount]]
import { IamApiError, type IamClient, type Role, type SubjectInput } from "../src/index.ts";
import { clientFromEnv, isMain, parseArgs, runCommand, switchOf, table, textOf, type Usage, UsageError } from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["service-account", "subject", "subject-type", "json"];

export const USAGE: Usage = {
  name: "check-roles",
  synopsis: "ROLE... [--service-account ID --subject ID [--subject-type TYPE]] [--json]",
  about:
    "Checks that each role exists, naming the roles of the same service for one that does not. With --service-account and\n--subject, then grants them all on the account in one change, only when every one exists.",
  flags: [
    ["ROLE...", "the role ids to check, such as viewer or storage.uploader (at least one)"],
    ["--service-account ID", "the account to grant the roles on"],
    ["--subject ID", "who gets the roles (with --service-account)"],
    ["--subject-type TYPE", "the subject's type, such as userAccount or group (default serviceAccount)"],
    ["--json", "each role as checked (and what was granted) as JSON on stdout"],
  ],
};

/** One role as checked: the role when it exists; when not, the roles of the same service (its id's first part). */
export interface Checked {
  roleId: string;
  role?: Role | undefined;
  sameService?: string[] | undefined;
}

/** Checks each role (a 404 from the Role service is a role that does not exist); reads the catalogue once if one is missing. */
export async function checkRoles(iam: IamClient, roleIds: readonly string[]): Promise<Checked[]> {
  const checked = await Promise.all(
    roleIds.map(async (roleId): Promise<Checked> => {
      try {
        return { roleId, role: await iam.roles.get(roleId) };
      } catch (error) {
        if (error instanceof IamApiError && error.status === 404) return { roleId };
        throw error;
      }
    }),
  );
  if (checked.every((c) => c.role)) return checked;
  const catalogue: string[] = [];
  for await (const role of iam.roles.listAll({ pageSize: 1000 })) catalogue.push(role.id);
  const serviceOf = (roleId: string) => roleId.split(".")[0];
  return checked.map((c) => (c.role ? c : { ...c, sameService: catalogue.filter((id) => serviceOf(id) === serviceOf(c.roleId)) }));
}

export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<void> {
  const { flags, rest } = parseArgs(argv, FLAGS);
  const roleIds = [...new Set(rest)];
  const serviceAccountId = textOf(flags, "service-account");
  const subjectId = textOf(flags, "subject");
  const subjectType = textOf(flags, "subject-type") ?? "serviceAccount";
  if (!roleIds.length) throw new UsageError("name at least one role to check");
  if (Boolean(serviceAccountId) !== Boolean(subjectId)) throw new UsageError("--service-account and --subject go together");
  const json = switchOf(flags, "json");
  const checked = await checkRoles(iam, roleIds);
  const missing = checked.filter((c) => !c.role).map((c) => c.roleId);
  const failed = () => new Error(`${missing.length} role(s) do not exist: ${missing.join(", ")}; nothing was granted`);
  if (json) {
    // Note: the roles as checked, then the grant if asked: a missing role still fails (exit 1), after its JSON.
    const grant =
      missing.length || !serviceAccountId || !subjectId
        ? undefined
        : await grantAll(iam, roleIds, serviceAccountId, subjectId, subjectType);
    console.log(JSON.stringify({ roles: checked, ...(grant && { granted: grant }) }, null, 2));
    if (missing.length) throw failed();
    return;
  }
  console.log(
    table(
      checked.map((c) => ({
        role: c.roleId,
        exists: c.role ? "yes" : "NO",
        about: c.role ? (c.role.description ?? "") : `same service: ${c.sameService?.join(", ") || "none"}`,
      })),
    ),
  );
  if (missing.length) throw failed();
  if (!serviceAccountId || !subjectId) return;
  const { added } = await grantAll(iam, roleIds, serviceAccountId, subjectId, subjectType);
  console.log(
    `${subjectType}:${subjectId} now holds ${roleIds.join(", ")} on ${serviceAccountId} (${added} new, ${roleIds.length - added} held already)`,
  );
}

/** Grants every role to the subject on the account in one change; how many of them it did not hold before. */
async function grantAll(iam: IamClient, roleIds: string[], serviceAccountId: string, subjectId: string, subjectType: string) {
  // Note: the type and the id's form are checked by the client against the document before the change is sent.
  const subject = { id: subjectId, type: subjectType } as SubjectInput;
  const deltas = await iam.serviceAccounts.updateAccessBindings(
    serviceAccountId,
    roleIds.map((roleId) => ({ action: "ADD", accessBinding: { roleId, subject } })),
  );
  return { serviceAccountId, subject, roleIds, added: deltas.length };
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
