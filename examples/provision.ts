// Provision a robot: find or create a service account in a folder by name, grant a subject a role on it, create one
// credential for it (a scoped API key; --static: a static access key; --authorized-key: an authorized key file), and
// write the secret to a new file only you can read. The path is printed; of the secret, only its masked form (an API key's).
//   npx tsx examples/provision.ts --folder <folderId> --name <name> --subject <id> [--subject-type serviceAccount]
//     [--role iam.serviceAccounts.user] [--scope yc.ai.foundationModels.execute] [--expires-in-days N]
//     [--static | --authorized-key] [--secret-file PATH]
// Note: the role is bound on the account itself (who may use it: attach it to a VM or a function, act as it); roles on
// the folder are the Resource Manager's bindings, outside this client.
import { readFileSync } from "node:fs";
import { type IamClient, keyFile, type ServiceAccount, type SubjectInput } from "../src/index.ts";
import { clientFromEnv, isMain, parseArgs, runCommand, switchOf, textOf, type Usage, UsageError, wholeOf } from "./client-from-env.ts";
import { secretFile } from "./secret-file.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["folder", "name", "subject", "subject-type", "role", "scope", "expires-in-days", "static", "authorized-key", "secret-file"];

const DAY = 86_400_000;
/** The role given when none is: the subject may use the account (attach it, act as it). */
export const DEFAULT_ROLE = "iam.serviceAccounts.user";
/** The API key's scope when none is given. */
export const DEFAULT_SCOPE = "yc.ai.foundationModels.execute";
// Note: the rules come from the document the package ships (yc-iam-api-keys/openapi.json), so the list by name is never
// sent with a name the create would refuse (nor a `"` that would break the filter), and no account is created for a
// subject the grant would refuse.
const SCHEMAS = JSON.parse(readFileSync(new URL("../generated/openapi.json", import.meta.url), "utf8")).components.schemas;
const NAME: { pattern: string; "x-pattern-description": string } = SCHEMAS.ServiceAccountName;
/** A subject as the document takes it: the types, and for each branch its types (`const` or `enum`) and its id's rule. */
const SUBJECT: {
  properties: { type: { enum: string[] } };
  oneOf: { properties: { type: { const?: string; enum?: string[] }; id: { pattern: string; "x-pattern-description": string } } }[];
} = SCHEMAS.SubjectInput;
const SUBJECT_TYPES = SUBJECT.properties.type.enum;

/** Why `id` is no subject of `type`, by the document's rule for that type; undefined when it is one. */
function subjectProblem(type: string, id: string): string | undefined {
  const branch = SUBJECT.oneOf.find(({ properties: { type: t } }) => t.const === type || t.enum?.includes(type));
  const rule = branch?.properties.id;
  return rule && !new RegExp(rule.pattern).test(id) ? `--subject ${JSON.stringify(id)}: ${rule["x-pattern-description"]}` : undefined;
}

export type CredentialKind = "apiKey" | "staticKey" | "authorizedKey";

/** What to provision, as the flags say it. */
export interface Plan {
  folderId: string;
  name: string;
  roleId: string;
  subject: SubjectInput;
  kind: CredentialKind;
  scopes: string[];
  expiresInDays?: number | undefined;
}

/** What was made (or found): the account, whether it was there already, the effective grant, and the credential's public ids. */
export interface Provisioned {
  account: ServiceAccount;
  found: boolean;
  granted: boolean;
  credential: { kind: CredentialKind; id: string; keyId?: string | undefined; maskedSecret?: string | undefined };
}

export const USAGE: Usage = {
  name: "provision",
  synopsis:
    "--folder ID --name NAME --subject ID [--subject-type TYPE] [--role ROLE] [--scope S[,S…]] [--expires-in-days N] [--static | --authorized-key] [--secret-file PATH]",
  about:
    "Finds or creates a service account by name in a folder, grants a subject a role on it, creates one credential for it\nand writes the secret to a new file only you can read. Of the secret, only the masked form of an API key's is printed.",
  flags: [
    ["--folder ID", "the folder of the account (required)"],
    ["--name NAME", "the account's name, found or created (required)"],
    ["--subject ID", "who gets the role on the account (required)"],
    ["--subject-type TYPE", `${SUBJECT_TYPES.join(", ")} (default serviceAccount)`],
    ["--role ROLE", `the role (default ${DEFAULT_ROLE})`],
    ["--scope S[,S…]", `the API key's scopes (default ${DEFAULT_SCOPE})`],
    ["--expires-in-days N", "the API key expires in N whole days (default: never)"],
    ["--static", "a static access key instead of an API key"],
    ["--authorized-key", "an authorized key (a key.json file) instead of an API key"],
    ["--secret-file PATH", "where the secret goes (default: a new private directory under the temp dir)"],
  ],
};

/** The plan from the flags; a clear error for anything missing or malformed, before anything is sent or written. */
export function planOf(flags: Record<string, string | true>): Plan {
  const text = (name: string): string | undefined => textOf(flags, name);
  const folderId = text("folder");
  const name = text("name");
  const subjectId = text("subject");
  if (!folderId || !name || !subjectId) throw new UsageError("--folder, --name and --subject are required");
  if (!new RegExp(NAME.pattern).test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: ${NAME["x-pattern-description"]}`);
  const subjectType = text("subject-type") ?? "serviceAccount";
  if (!SUBJECT_TYPES.includes(subjectType)) throw new UsageError(`--subject-type must be one of ${SUBJECT_TYPES.join(", ")}`);
  const badSubject = subjectProblem(subjectType, subjectId);
  if (badSubject) throw new UsageError(badSubject);
  const asStatic = switchOf(flags, "static");
  const asAuthorized = switchOf(flags, "authorized-key");
  if (asStatic && asAuthorized) throw new UsageError("--static and --authorized-key: one credential at a time");
  const kind: CredentialKind = asStatic ? "staticKey" : asAuthorized ? "authorizedKey" : "apiKey";
  const scope = text("scope");
  if (kind !== "apiKey" && (scope || flags["expires-in-days"]))
    throw new UsageError("--scope and --expires-in-days are for an API key only");
  const expiresInDays = wholeOf(flags, "expires-in-days", 1);
  return {
    folderId,
    name,
    roleId: text("role") ?? DEFAULT_ROLE,
    // Note: the type and the id's form are the document's (checked above), which TypeScript cannot see in a string.
    subject: { id: subjectId, type: subjectType } as SubjectInput,
    kind,
    scopes: (scope ?? DEFAULT_SCOPE).split(",").filter(Boolean),
    expiresInDays,
  };
}

/** The account named `name` in the folder, if there is one. */
async function findAccount(iam: IamClient, folderId: string, name: string): Promise<ServiceAccount | undefined> {
  const { serviceAccounts } = await iam.serviceAccounts.list({ folderId, filter: `name="${name}"` });
  return serviceAccounts.find((a) => a.name === name);
}

/**
 * Finds or creates the account, grants the role, creates the credential and hands its secret (the key file's text for an
 * authorized key) to `keep` before anything else is sent; then reads the credential back.
 */
export async function provision(
  iam: IamClient,
  plan: Plan,
  {
    keep,
    now = Date.now(),
    created,
  }: {
    keep: (secret: string, credential: Provisioned["credential"]) => Promise<void>;
    now?: number;
    /** Told of the account as soon as it is created, so a later failure can say it exists. */
    created?: (account: ServiceAccount) => void;
  },
): Promise<Provisioned> {
  const existing = await findAccount(iam, plan.folderId, plan.name);
  const account = existing ?? (await iam.serviceAccounts.create({ folderId: plan.folderId, name: plan.name }));
  if (!existing) created?.(account);
  const deltas = await iam.serviceAccounts.grant(account.id, plan.roleId, plan.subject);
  const serviceAccountId = account.id;
  let credential: Provisioned["credential"];
  if (plan.kind === "apiKey") {
    const { apiKey, secret } = await iam.apiKeys.create({
      serviceAccountId,
      description: `provisioned for ${plan.name}`,
      scopes: plan.scopes,
      expiresAt: plan.expiresInDays ? new Date(now + plan.expiresInDays * DAY) : undefined,
    });
    credential = { kind: "apiKey", id: apiKey.id };
    // Note: a secret is shown only in the create's answer, so it is kept before anything else can fail.
    await keep(secret, credential);
    credential.maskedSecret = (await iam.apiKeys.get(apiKey.id)).maskedSecret;
  } else if (plan.kind === "staticKey") {
    const { accessKey, secret } = await iam.accessKeys.create({ serviceAccountId, description: `provisioned for ${plan.name}` });
    credential = { kind: "staticKey", id: accessKey.id, keyId: accessKey.keyId };
    await keep(secret, credential);
    await iam.accessKeys.get(accessKey.id);
  } else {
    const created = await iam.keys.create({ serviceAccountId, description: `provisioned for ${plan.name}` });
    credential = { kind: "authorizedKey", id: created.key.id };
    await keep(`${JSON.stringify(keyFile(created), null, 2)}\n`, credential);
    await iam.keys.get(created.key.id);
  }
  return { account, found: existing !== undefined, granted: deltas.length > 0, credential };
}

const KIND_NAMES: Record<CredentialKind, string> = { apiKey: "API key", staticKey: "static key", authorizedKey: "authorized key" };

/** The yc command that deletes a credential of each kind. */
const DELETE_COMMANDS: Record<CredentialKind, string> = {
  apiKey: "yc iam api-key delete",
  staticKey: "yc iam access-key delete",
  authorizedKey: "yc iam key delete",
};

/** `openFile` opens the file the secret goes to (tests give one that fails). */
export async function main(argv = process.argv.slice(2), iam = clientFromEnv(), openFile = secretFile): Promise<void> {
  const { flags } = parseArgs(argv, FLAGS);
  const plan = planOf(flags);
  const secretPath = textOf(flags, "secret-file");
  // Note: the file is made before anything is sent, so a path that exists or cannot be written stops it first.
  const name = plan.kind === "authorizedKey" ? "key.json" : plan.kind === "staticKey" ? "static-key.secret" : "api-key.secret";
  const file = await openFile(secretPath, name, "provision-");
  const { path } = file;
  let made: Provisioned["credential"] | undefined;
  let account: ServiceAccount | undefined;
  try {
    const done = await provision(iam, plan, {
      async keep(secret, credential) {
        made = credential;
        await file.save(secret);
      },
      created: (newAccount) => {
        account = newAccount;
      },
    });
    const { credential } = done;
    console.log(
      done.found
        ? `found service account ${done.account.id} (${done.account.name}) in folder ${plan.folderId}: not created again`
        : `created service account ${done.account.id} (${done.account.name}) in folder ${plan.folderId}`,
    );
    console.log(
      `${plan.subject.type}:${plan.subject.id} ${done.granted ? "now holds" : "already held"} ${plan.roleId} on ${done.account.id}`,
    );
    const ids = [credential.keyId && `AWS key id ${credential.keyId}`, credential.maskedSecret && `secret ${credential.maskedSecret}`];
    console.log(
      `created ${KIND_NAMES[credential.kind]} ${credential.id}${ids.some(Boolean) ? ` (${ids.filter(Boolean).join(", ")})` : ""}`,
    );
    console.log(
      `its ${plan.kind === "authorizedKey" ? "key file" : "secret"} is in ${path} (mode 0600): hand it over or move it to your secret manager, then delete the file`,
    );
  } catch (error) {
    const what = made && `${KIND_NAMES[made.kind]} ${made.id}`;
    const secretName = plan.kind === "authorizedKey" ? "key file" : "secret";
    // Note: once a credential exists, its file stays whatever failed: the secret is nowhere else, not even at Yandex.
    if (made && file.saved)
      throw new Error(`${(error as Error).message} (${what} was created; its ${secretName} is kept at ${path})`, { cause: error });
    // Note: a credential whose secret was lost is of no use: the message names it so it can be deleted.
    if (made)
      throw new Error(
        `${(error as Error).message} (${what} was created, but its ${secretName} could not be saved to ${path}, so it cannot be used: delete it, e.g. ${DELETE_COMMANDS[made.kind]} ${made.id})`,
        { cause: error },
      );
    // Note: an account made before the failure stays: the same command again finds it by name and goes on.
    if (account)
      throw new Error(
        `${(error as Error).message} (service account ${account.id} (${account.name}) was created in folder ${plan.folderId}; the same command again finds it and goes on)`,
        { cause: error },
      );
    throw error;
  } finally {
    await file.close();
  }
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
