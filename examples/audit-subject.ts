// Audit a robot: every role one subject (a service account, by default) holds on any resource of an organization, from
// the access analyzer, as a table by resource or as JSON. The primitive roles that change every service's resources
// (editor, admin) are marked broad: the first an audit asks a robot to give up.
//   npx tsx examples/audit-subject.ts --organization <organizationId> --subject <id> [--json]
import type { IamClient, SubjectAccessBinding } from "../src/index.ts";
import { clientFromEnv, isMain, parseArgs, runCommand, switchOf, table, textOf, type Usage, UsageError } from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["organization", "subject", "json"];

/** The primitive roles that let a subject change the resources of every service where they are held. */
export const BROAD_ROLES = ["editor", "admin"];

export const USAGE: Usage = {
  name: "audit-subject",
  synopsis: "--organization ID --subject ID [--json]",
  about:
    "Every role a subject (such as a service account) holds on any resource of an organization, as a table by resource or JSON.\nThe primitive roles that change every service's resources (editor, admin) are marked broad.",
  flags: [
    ["--organization ID", "the organization whose resources are searched (required)"],
    ["--subject ID", "the subject audited, such as a service account's id (required)"],
    ["--json", "JSON instead of a table"],
  ],
};

/** Every role the subject holds in the organization, by resource (its type, then its id), then by role. */
export async function auditSubject(
  iam: IamClient,
  { organizationId, subjectId }: { organizationId: string; subjectId: string },
): Promise<SubjectAccessBinding[]> {
  const held: SubjectAccessBinding[] = [];
  for await (const binding of iam.accessAnalyzer.listAllSubjectAccessBindings({ organizationId, subjectId, pageSize: 1000 }))
    held.push(binding);
  const order = (b: SubjectAccessBinding) => `${b.resource.type} ${b.resource.id} ${b.roleId}`;
  return held.sort((a, b) => order(a).localeCompare(order(b)));
}

export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<void> {
  const { flags } = parseArgs(argv, FLAGS);
  const organizationId = textOf(flags, "organization");
  const subjectId = textOf(flags, "subject");
  if (!organizationId || !subjectId) throw new UsageError("--organization and --subject are required");
  const json = switchOf(flags, "json");
  const held = await auditSubject(iam, { organizationId, subjectId });
  const broad = held.filter((b) => BROAD_ROLES.includes(b.roleId));
  if (json) {
    console.log(JSON.stringify({ organizationId, subjectId, bindings: held, broad: broad.length }, null, 2));
    return;
  }
  const resources = new Set(held.map((b) => `${b.resource.type} ${b.resource.id}`));
  console.log(`${subjectId} holds ${held.length} role(s) on ${resources.size} resource(s) of ${organizationId}, ${broad.length} broad:`);
  console.log(
    table(
      held.map((b) => ({
        resource: b.resource.type,
        id: b.resource.id,
        role: b.roleId,
        broad: BROAD_ROLES.includes(b.roleId) ? "yes" : "",
      })),
    ),
  );
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
