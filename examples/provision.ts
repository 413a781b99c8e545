// Provision a robot that can act: find or create a service account in a folder by name, grant it the roles named on the
// folder (and on the folder's cloud, and on other service accounts: --role-on-account, such as iam.serviceAccounts.user on
// an account to act as it), optionally give a subject a role on the account itself (who may use it), create one
// credential for it unless it has one of that kind (a scoped API key; --static: a static access key; --authorized-key: an
// authorized key file), write the secret to a new file only you can read, and wait until each role granted is recorded
// in its resource's bindings. A binding is recorded once its Operation is done; Yandex may take about 5 seconds more to
// apply it (Yandex's documentation of access management), so the first call that needs the role should be retried.
// Run again with the same flags, it changes nothing; --dry-run prints the plan and sends reads alone.
//   npx tsx examples/provision.ts --folder <folderId> --name <name> --role editor [--role ROLE[,ROLE…]] [--cloud-role ROLE]
//     [--role-on-account <accountId>:iam.serviceAccounts.user]
//     [--account-role iam.serviceAccounts.user --subject <id> [--subject-type serviceAccount]]
//     [--scope yc.ai.foundationModels.execute] [--expires-in-days N] [--static | --authorized-key] [--new-key]
//     [--secret-file PATH] [--wait-seconds 30] [--dry-run] [--json]
import { readFileSync } from "node:fs";
import { type AccessBinding, type AccessBindings, type IamClient, keyFile, type ServiceAccount, type SubjectInput } from "../src/index.ts";
import { checkRoles } from "./check-roles.ts";
import { clientFromEnv, isMain, parseArgs, runCommand, switchOf, textOf, type Usage, UsageError, wholeOf } from "./client-from-env.ts";
import { secretFile } from "./secret-file.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = [
  "folder",
  "name",
  "role",
  "cloud-role",
  "role-on-account",
  "account-role",
  "subject",
  "subject-type",
  "scope",
  "expires-in-days",
  "static",
  "authorized-key",
  "new-key",
  "secret-file",
  "wait-seconds",
  "dry-run",
  "json",
];

const DAY = 86_400_000;
/** The role `--subject` gets on the account when no `--account-role` is given: the subject may use the account. */
export const DEFAULT_ROLE = "iam.serviceAccounts.user";
/** The API key's scope when none is given. */
export const DEFAULT_SCOPE = "yc.ai.foundationModels.execute";
/** How long it waits for the roles it granted to be recorded in the bindings, when `--wait-seconds` is not given. */
export const DEFAULT_WAIT_SECONDS = 30;
/** How often it reads the bindings again while a role it granted is not recorded there yet. */
export const POLL_MS = 1000;
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

/** Why `id` (given to `--flag`) is no subject of `type`, by the document's rule for that type; undefined when it is one. */
function subjectProblem(flag: string, type: string, id: string): string | undefined {
  const branch = SUBJECT.oneOf.find(({ properties: { type: t } }) => t.const === type || t.enum?.includes(type));
  const rule = branch?.properties.id;
  return rule && !new RegExp(rule.pattern).test(id) ? `--${flag} ${JSON.stringify(id)}: ${rule["x-pattern-description"]}` : undefined;
}

export type CredentialKind = "apiKey" | "staticKey" | "authorizedKey";

/**
 * Where a role is granted: on the folder or on its cloud, to the account (what the robot may do there); on the account
 * itself, to `--subject` (who may use the robot: attach it to a VM or a function, act as it); or on another service
 * account, to the robot (`--role-on-account`: what the robot may do with that account, such as act as it).
 */
export type Place = "folder" | "cloud" | "account" | "otherAccount";

/** What the flags ask for. */
export interface Asked {
  folderId: string;
  name: string;
  /** The roles the account gets on the folder (`--role`) and on its cloud (`--cloud-role`), each once. */
  roles: { folder: string[]; cloud: string[] };
  /** The roles the account gets on other service accounts (`--role-on-account ACCOUNT_ID:ROLE`), each once. */
  onOtherAccounts: { accountId: string; roleId: string }[];
  /** Who gets roles on the account itself, and which (`--subject`, `--account-role`). */
  onAccount?: { subject: SubjectInput; roles: string[] } | undefined;
  kind: CredentialKind;
  scopes: string[];
  expiresInDays?: number | undefined;
  /** Create a credential even when the account has one of the kind. */
  newKey: boolean;
  /** How long to wait for a granted role to be recorded in the bindings. */
  waitSeconds: number;
  /** Where the secret goes; undefined: a new private directory under the temp dir. */
  secretFile?: string | undefined;
  dryRun: boolean;
  json: boolean;
}

/** One role to hold, where and by whom, and whether its subject holds it already (as the bindings read say). */
export interface PlannedGrant {
  place: Place;
  roleId: string;
  /** The resource the role is on; undefined: the account itself, whose id is known once it is found or created. */
  resourceId?: string | undefined;
  /** Who gets the role; undefined: the account itself. */
  subject?: SubjectInput | undefined;
  held: boolean;
}

/** A credential the account has already: its id, and what is shown of it (an API key's scopes, a static key's AWS key id). */
export interface ExistingCredential {
  id: string;
  keyId?: string | undefined;
  scopes?: string[] | undefined;
}

/** What a run does, from reads alone: `--dry-run` prints it, a run carries it out. */
export interface Plan {
  asked: Asked;
  /** The folder's cloud, read when a role on the folder or the cloud is asked (the answer may leave it out). */
  cloudId?: string | undefined;
  /** The account found by name; undefined: it is to be created. */
  account?: ServiceAccount | undefined;
  grants: PlannedGrant[];
  /** The credentials of the asked kind the account has (an API key that has expired not counted). */
  existing: ExistingCredential[];
}

/**
 * A grant as done: where, to whom, and whether it was new; `recorded` once its binding was read back (Yandex may take
 * about 5 seconds more to apply it).
 */
export interface DoneGrant {
  place: Place;
  roleId: string;
  resourceId: string;
  subject: SubjectInput;
  state: "granted" | "already held";
  recorded: boolean;
}

/** What was made (or found): the account, the grants, and the credential's public ids. */
export interface Provisioned {
  account: ServiceAccount;
  found: boolean;
  cloudId?: string | undefined;
  grants: DoneGrant[];
  credential: {
    kind: CredentialKind;
    id: string;
    state: "created" | "kept";
    keyId?: string | undefined;
    maskedSecret?: string | undefined;
    scopes?: string[] | undefined;
  };
}

/** The clock of the wait: what time it is, and a pause (tests give one that moves time on at once). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export const USAGE: Usage = {
  name: "provision",
  synopsis:
    "--folder ID --name NAME --role ROLE[,ROLE…] [--cloud-role ROLE] [--role-on-account ACCOUNT_ID:ROLE] [--account-role ROLE --subject ID [--subject-type TYPE]] [--scope S[,S…]] [--expires-in-days N] [--static | --authorized-key] [--new-key] [--secret-file PATH] [--wait-seconds N] [--dry-run] [--json]",
  about: [
    "Makes a robot that can act: finds or creates a service account by name in a folder, grants it the roles named on the",
    "folder (and on its cloud, and on other service accounts), creates one credential for it unless it has one of that kind,",
    "and writes the secret to a new file only you can read. Of the secret, only the masked form of an API key's is printed.",
    "Every role is checked to exist before anything is created. It then waits until each role granted is recorded in its",
    "resource's bindings and says so; Yandex may take about 5 seconds more to apply it, so the first call that needs the",
    "role should be retried. Run again with the same flags, it changes nothing. --role, --cloud-role, --role-on-account",
    "and --account-role may be repeated or take a comma-separated list; at least one role is needed. Progress goes to",
    "stderr, the results to stdout.",
  ].join("\n"),
  flags: [
    ["--folder ID", "the folder of the account, where its roles are granted (required)"],
    ["--name NAME", "the account's name, found or created (required)"],
    ["--role ROLE", "a role the account gets on the folder: what it may do there (editor, storage.uploader…)"],
    ["--cloud-role ROLE", "a role the account gets on the folder's cloud: it holds in every folder of the cloud"],
    ["--role-on-account ACCOUNT_ID:ROLE", `a role the account gets on another service account (${DEFAULT_ROLE}: it may act as it)`],
    ["--account-role ROLE", "a role --subject gets on the account: who may use it (with --subject)"],
    ["--subject ID", `who gets the account roles; alone, it gets ${DEFAULT_ROLE}`],
    ["--subject-type TYPE", `${SUBJECT_TYPES.join(", ")} (default serviceAccount)`],
    ["--scope S[,S…]", `the API key's scopes (default ${DEFAULT_SCOPE})`],
    ["--expires-in-days N", "the API key expires in N whole days (default: never)"],
    ["--static", "a static access key instead of an API key"],
    ["--authorized-key", "an authorized key (a key.json file) instead of an API key"],
    ["--new-key", "create a credential even when the account has one of the kind"],
    ["--secret-file PATH", "where the secret goes (default: a new private directory under the temp dir)"],
    [
      "--wait-seconds N",
      `how long to wait for a granted role to be recorded in the bindings (default ${DEFAULT_WAIT_SECONDS}; 0: look once)`,
    ],
    ["--dry-run", "print the plan; send reads alone, write nothing"],
    ["--json", "the result (or the plan) as JSON on stdout"],
  ],
};

/** Every value given to a repeatable flag, each comma-separated part on its own, each once; a flag given without a value is refused. */
export function valuesOf(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  argv.forEach((arg, i) => {
    if (arg !== `--${name}`) return;
    const value = argv[i + 1];
    if (!value || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    values.push(...value.split(",").filter(Boolean));
  });
  return [...new Set(values)];
}

/** `--role-on-account ACCOUNT_ID:ROLE` read: the account (an id as Yandex makes them) and the role, split at the first `:`. */
function onOtherAccountOf(value: string): { accountId: string; roleId: string } {
  const at = value.indexOf(":");
  const accountId = value.slice(0, Math.max(at, 0));
  const roleId = value.slice(at + 1);
  if (at < 0 || !accountId || !roleId)
    throw new UsageError(`--role-on-account ${JSON.stringify(value)}: ACCOUNT_ID:ROLE, such as <id>:${DEFAULT_ROLE}`);
  const bad = subjectProblem("role-on-account", "serviceAccount", accountId);
  if (bad) throw new UsageError(bad);
  return { accountId, roleId };
}

/** What the arguments ask for; a clear error for anything missing or malformed, before anything is sent or written. */
export function askedOf(argv: string[]): Asked {
  const { flags, rest } = parseArgs(argv, FLAGS);
  if (rest.length) throw new UsageError(`provision takes flags alone, not ${rest.join(" ")}`);
  const text = (name: string): string | undefined => textOf(flags, name);
  const folderId = text("folder");
  const name = text("name");
  if (!folderId || !name) throw new UsageError("--folder and --name are required");
  if (!new RegExp(NAME.pattern).test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: ${NAME["x-pattern-description"]}`);
  const roles = { folder: valuesOf(argv, "role"), cloud: valuesOf(argv, "cloud-role") };
  const onOtherAccounts = valuesOf(argv, "role-on-account").map(onOtherAccountOf);
  const accountRoles = valuesOf(argv, "account-role");
  const subjectId = text("subject");
  const subjectType = text("subject-type");
  if (!subjectId && (subjectType || accountRoles.length))
    throw new UsageError("--account-role and --subject-type need --subject: who gets the role on the account");
  // Note: --subject alone is the example's first form: the subject may use the account, as before the folder roles.
  if (subjectId && !accountRoles.length) accountRoles.push(DEFAULT_ROLE);
  if (!roles.folder.length && !roles.cloud.length && !onOtherAccounts.length && !accountRoles.length)
    throw new UsageError(
      "name at least one role: --role (on the folder), --cloud-role, --role-on-account or --account-role with --subject",
    );
  const type = subjectType ?? "serviceAccount";
  if (!SUBJECT_TYPES.includes(type)) throw new UsageError(`--subject-type must be one of ${SUBJECT_TYPES.join(", ")}`);
  const badSubject = subjectId && subjectProblem("subject", type, subjectId);
  if (badSubject) throw new UsageError(badSubject);
  const asStatic = switchOf(flags, "static");
  const asAuthorized = switchOf(flags, "authorized-key");
  if (asStatic && asAuthorized) throw new UsageError("--static and --authorized-key: one credential at a time");
  const kind: CredentialKind = asStatic ? "staticKey" : asAuthorized ? "authorizedKey" : "apiKey";
  const scope = text("scope");
  if (kind !== "apiKey" && (scope || flags["expires-in-days"]))
    throw new UsageError("--scope and --expires-in-days are for an API key only");
  return {
    folderId,
    name,
    roles,
    onOtherAccounts,
    // Note: the type and the id's form are the document's (checked above), which TypeScript cannot see in a string.
    onAccount: subjectId ? { subject: { id: subjectId, type } as SubjectInput, roles: accountRoles } : undefined,
    kind,
    scopes: (scope ?? DEFAULT_SCOPE).split(",").filter(Boolean),
    expiresInDays: wholeOf(flags, "expires-in-days", 1),
    newKey: switchOf(flags, "new-key"),
    waitSeconds: wholeOf(flags, "wait-seconds", 0) ?? DEFAULT_WAIT_SECONDS,
    secretFile: text("secret-file"),
    dryRun: switchOf(flags, "dry-run"),
    json: switchOf(flags, "json"),
  };
}

/** The binding calls of a place's resource kind. */
const bindingsOf = (iam: IamClient, place: Place): AccessBindings =>
  place === "folder" ? iam.folders : place === "cloud" ? iam.clouds : iam.serviceAccounts;

/** The account as a subject: who gets the roles on the folder, the cloud and other accounts. */
const robotSubject = (accountId: string): SubjectInput => ({ id: accountId, type: "serviceAccount" });

/** Whether a binding gives the role to the subject. */
const gives = (binding: AccessBinding, roleId: string, subject: SubjectInput) =>
  binding.roleId === roleId && binding.subject.id === subject.id && binding.subject.type === subject.type;

/** Every binding on a resource. */
async function bindingsOn(iam: IamClient, place: Place, resourceId: string): Promise<AccessBinding[]> {
  const all: AccessBinding[] = [];
  for await (const binding of bindingsOf(iam, place).listAllAccessBindings(resourceId)) all.push(binding);
  return all;
}

/** A place's resource in words: `folder b1g…`, `cloud b1g…`, `service account aje…`. */
const placeName = (place: Place, resourceId: string) =>
  `${place === "account" || place === "otherAccount" ? "service account" : place} ${resourceId}`;
const subjectName = (subject: SubjectInput) => `${subject.type}:${subject.id}`;

/** The account named `name` in the folder, if there is one. */
async function findAccount(iam: IamClient, folderId: string, name: string): Promise<ServiceAccount | undefined> {
  const { serviceAccounts } = await iam.serviceAccounts.list({ folderId, filter: `name="${name}"` });
  return serviceAccounts.find((a) => a.name === name);
}

/** The account's credentials of a kind (an API key that has expired at `now` is no credential). */
async function credentialsOf(iam: IamClient, kind: CredentialKind, serviceAccountId: string, now: number): Promise<ExistingCredential[]> {
  const found: ExistingCredential[] = [];
  if (kind === "apiKey") {
    for await (const key of iam.apiKeys.listAll({ serviceAccountId }))
      if (!key.expiresAt || Date.parse(key.expiresAt) > now) found.push({ id: key.id, scopes: key.scopes });
  } else if (kind === "staticKey") {
    for await (const key of iam.accessKeys.listAll({ serviceAccountId })) found.push({ id: key.id, keyId: key.keyId });
  } else for await (const key of iam.keys.listAll({ serviceAccountId })) found.push({ id: key.id });
  return found;
}

/**
 * The folder's cloud, for `--cloud-role`. `Folder.cloudId` is optional in the document (proto3 JSON leaves out an empty
 * field), so a folder answered without it stops the run here, before anything is created, naming why.
 */
function cloudOf(folderId: string, cloudId: string | undefined): string {
  if (!cloudId)
    throw new Error(
      `folder ${folderId} was answered without its cloudId, so --cloud-role cannot be granted: nothing was created or granted`,
    );
  return cloudId;
}

/** The roles asked for, where and to whom, in the order they are granted (undefined: the account itself). */
function wanted(asked: Asked, cloudId: string | undefined): Omit<PlannedGrant, "held">[] {
  const { onAccount } = asked;
  return [
    ...asked.roles.folder.map((roleId) => ({ place: "folder" as const, roleId, resourceId: asked.folderId })),
    ...asked.roles.cloud.map((roleId) => ({ place: "cloud" as const, roleId, resourceId: cloudOf(asked.folderId, cloudId) })),
    ...asked.onOtherAccounts.map(({ accountId, roleId }) => ({ place: "otherAccount" as const, roleId, resourceId: accountId })),
    ...(onAccount ? onAccount.roles.map((roleId) => ({ place: "account" as const, roleId, subject: onAccount.subject })) : []),
  ];
}

/**
 * What a run will do, by reads alone: every role checked to exist (one that does not stops it, naming the roles of the
 * same service), the folder's cloud, the account by name, the roles it (or `--subject`) holds already, the bindings of
 * each other account it is to get a role on (one that does not exist stops it), and its credentials of the kind.
 */
export async function planFor(iam: IamClient, asked: Asked, now = Date.now()): Promise<Plan> {
  const roleIds = [
    ...asked.roles.folder,
    ...asked.roles.cloud,
    ...asked.onOtherAccounts.map((g) => g.roleId),
    ...(asked.onAccount?.roles ?? []),
  ];
  const checked = await checkRoles(iam, [...new Set(roleIds)]);
  const missing = checked.filter((c) => !c.role);
  if (missing.length)
    throw new Error(
      `${missing.map((c) => `${c.roleId} is no role (the same service has ${c.sameService?.join(", ") || "none"})`).join("; ")}: nothing was created or granted`,
    );
  const onResourceManager = asked.roles.folder.length > 0 || asked.roles.cloud.length > 0;
  const cloudId = onResourceManager ? (await iam.folders.get(asked.folderId)).cloudId : undefined;
  const grants = wanted(asked, cloudId);
  const account = await findAccount(iam, asked.folderId, asked.name);
  const plan: Plan = { asked, cloudId, account, grants: [], existing: [] };
  const read = new Map<string, AccessBinding[]>();
  for (const grant of grants) {
    const resourceId = grant.resourceId ?? account?.id;
    const subject = grant.subject ?? (account && robotSubject(account.id));
    // Note: a new account holds nothing yet, nor does anyone hold a role on it; another account's bindings are read
    // even so, as an id that does not exist then stops the run before anything is created.
    const reads = resourceId !== undefined && (account !== undefined || grant.place === "otherAccount");
    const key = `${grant.place} ${resourceId}`;
    if (reads && !read.has(key)) read.set(key, await plannedBindings(iam, grant, resourceId));
    const held = subject !== undefined && (read.get(key) ?? []).some((b) => gives(b, grant.roleId, subject));
    plan.grants.push({ ...grant, held });
  }
  if (account) plan.existing = await credentialsOf(iam, asked.kind, account.id, now);
  return plan;
}

/** The bindings on a planned grant's resource; for another account's, a failure names `--role-on-account` and says nothing changed. */
async function plannedBindings(iam: IamClient, grant: Omit<PlannedGrant, "held">, resourceId: string): Promise<AccessBinding[]> {
  try {
    return await bindingsOn(iam, grant.place, resourceId);
  } catch (error) {
    if (grant.place !== "otherAccount") throw error;
    throw new Error(
      `--role-on-account ${resourceId}:${grant.roleId}: the account's bindings could not be read (${(error as Error).message}): nothing was created or granted`,
      { cause: error },
    );
  }
}

/** Whether the plan creates a credential: when the account has none of the kind, or `--new-key`. */
export const createsCredential = (plan: Plan): boolean => plan.existing.length === 0 || plan.asked.newKey;

/** What is said once the roles granted are recorded: a binding recorded is not yet a role applied. */
export const APPLY_NOTE =
  "Yandex may take about 5 seconds more to apply a role recorded in its bindings, so retry the first call that needs it";

/**
 * Reads the bindings until each grant is recorded in them, every `POLL_MS`, for at most `waitSeconds`; says each one
 * recorded as it is seen, then that Yandex may take about 5 seconds more to apply them, and fails naming the ones not
 * recorded when the time is up.
 */
async function untilRecorded(
  iam: IamClient,
  grants: DoneGrant[],
  waitSeconds: number,
  { clock, say, progress }: { clock: Clock; say: (line: string) => void; progress: (line: string) => void },
): Promise<void> {
  if (!grants.length) return;
  const deadline = clock.now() + waitSeconds * 1000;
  let pending = grants;
  const name = (g: DoneGrant) => `${g.roleId} on ${placeName(g.place, g.resourceId)}`;
  for (let round = 0; ; round++) {
    const read = new Map<string, AccessBinding[]>();
    for (const g of pending) {
      const key = `${g.place} ${g.resourceId}`;
      if (!read.has(key)) read.set(key, await bindingsOn(iam, g.place, g.resourceId));
      if (!read.get(key)?.some((b) => gives(b, g.roleId, g.subject))) continue;
      g.recorded = true;
      say(`${name(g)} is recorded in its bindings`);
    }
    pending = pending.filter((g) => !g.recorded);
    if (!pending.length) {
      say(APPLY_NOTE);
      return;
    }
    const left = deadline - clock.now();
    if (left <= 0)
      throw new Error(
        `${pending.map(name).join(", ")}: not recorded in the bindings after ${waitSeconds} s (--wait-seconds), though each grant's Operation is done; read the bindings again later, or run the same command again (it grants nothing twice)`,
      );
    if (round === 0) progress(`waiting for ${pending.map(name).join(", ")} to be recorded in the bindings (at most ${waitSeconds} s)`);
    await clock.sleep(Math.min(POLL_MS, left));
  }
}

/** What `provision` is told and tells as it goes. */
export interface Hooks {
  /** Keeps a credential's secret (the key file's text for an authorized key): called before anything else is sent. */
  keep(secret: string, credential: Provisioned["credential"]): Promise<void>;
  /** Told of the account as soon as it is created, so a later failure can say it exists. */
  created?: ((account: ServiceAccount) => void) | undefined;
  /** Told of each grant as it is done (or found held), so a later failure can name them. */
  granted?: ((grant: DoneGrant) => void) | undefined;
  /** Told of a credential created, once it is read back. */
  madeCredential?: ((credential: Provisioned["credential"]) => void) | undefined;
  /** A result line, as it happens (stdout). */
  say?: ((line: string) => void) | undefined;
  /** A progress line (stderr). */
  progress?: ((line: string) => void) | undefined;
  clock?: Clock | undefined;
}

/**
 * Carries out a plan: creates the account unless it was found, grants each role not held, creates the credential unless
 * the account has one of the kind (or `--new-key`) and hands its secret to `keep` before anything else is sent, reads it
 * back, then waits until each role granted is recorded in its resource's bindings (Yandex may take about 5 seconds more
 * to apply it).
 */
export async function provision(iam: IamClient, plan: Plan, hooks: Hooks): Promise<Provisioned> {
  const { asked } = plan;
  const { keep, created, granted, madeCredential, say = () => {}, progress = () => {}, clock = SYSTEM_CLOCK } = hooks;
  const account = plan.account ?? (await iam.serviceAccounts.create({ folderId: asked.folderId, name: asked.name }));
  if (plan.account) say(`found service account ${account.id} (${account.name}) in folder ${asked.folderId}: not created again`);
  else {
    created?.(account);
    say(`created service account ${account.id} (${account.name}) in folder ${asked.folderId}`);
  }
  const grants: DoneGrant[] = [];
  for (const { place, roleId, held, ...planned } of plan.grants) {
    const resourceId = planned.resourceId ?? account.id;
    const subject = planned.subject ?? robotSubject(account.id);
    // Note: a role the bindings show is recorded already; one sent is "already held" when Yandex answers no effective delta.
    const deltas = held ? [] : await bindingsOf(iam, place).grant(resourceId, roleId, subject);
    const grant: DoneGrant = { place, roleId, resourceId, subject, state: deltas.length ? "granted" : "already held", recorded: held };
    grants.push(grant);
    granted?.(grant);
    const where = placeName(place, resourceId);
    say(`${subjectName(subject)} ${deltas.length ? "now holds" : "already held"} ${roleId} on ${where}${held ? " (in its bindings)" : ""}`);
  }
  const [first, ...more] = plan.existing;
  let credential: Provisioned["credential"];
  if (first && !asked.newKey) credential = kept(asked.kind, first, more.length, say);
  else {
    credential = await create(iam, plan, account, keep, clock.now());
    madeCredential?.(credential);
  }
  await untilRecorded(
    iam,
    grants.filter((g) => !g.recorded),
    asked.waitSeconds,
    { clock, say, progress },
  );
  return { account, found: plan.account !== undefined, cloudId: plan.cloudId, grants, credential };
}

const KIND_NAMES: Record<CredentialKind, string> = { apiKey: "API key", staticKey: "static key", authorizedKey: "authorized key" };

/** The credential the account has (the first of the kind, and how many more), kept: says so, and that its secret is not to be had again. */
function kept(kind: CredentialKind, first: ExistingCredential, more: number, say: (line: string) => void): Provisioned["credential"] {
  const shown = [first.keyId && `AWS key id ${first.keyId}`, first.scopes && `scopes ${first.scopes.join(", ") || "none"}`].filter(Boolean);
  say(
    `${KIND_NAMES[kind]} ${first.id}${shown.length ? ` (${shown.join(", ")})` : ""}${more ? ` and ${more} more` : ""} exists: not created again (its ${kind === "authorizedKey" ? "private key was shown" : "secret was shown"} once, at its creation); --new-key makes another`,
  );
  return { kind, id: first.id, state: "kept", keyId: first.keyId, scopes: first.scopes };
}

/** Creates the credential, hands its secret to `keep` before anything else is sent, then reads it back. */
async function create(
  iam: IamClient,
  { asked }: Plan,
  account: ServiceAccount,
  keep: Hooks["keep"],
  now: number,
): Promise<Provisioned["credential"]> {
  const serviceAccountId = account.id;
  const description = `provisioned for ${asked.name}`;
  if (asked.kind === "apiKey") {
    const { apiKey, secret } = await iam.apiKeys.create({
      serviceAccountId,
      description,
      scopes: asked.scopes,
      expiresAt: asked.expiresInDays ? new Date(now + asked.expiresInDays * DAY) : undefined,
    });
    const credential: Provisioned["credential"] = { kind: "apiKey", id: apiKey.id, state: "created", scopes: apiKey.scopes };
    // Note: a secret is shown only in the create's answer, so it is kept before anything else can fail.
    await keep(secret, credential);
    credential.maskedSecret = (await iam.apiKeys.get(apiKey.id)).maskedSecret;
    return credential;
  }
  if (asked.kind === "staticKey") {
    const { accessKey, secret } = await iam.accessKeys.create({ serviceAccountId, description });
    const credential: Provisioned["credential"] = { kind: "staticKey", id: accessKey.id, state: "created", keyId: accessKey.keyId };
    await keep(secret, credential);
    await iam.accessKeys.get(accessKey.id);
    return credential;
  }
  const made = await iam.keys.create({ serviceAccountId, description });
  const credential: Provisioned["credential"] = { kind: "authorizedKey", id: made.key.id, state: "created" };
  await keep(`${JSON.stringify(keyFile(made), null, 2)}\n`, credential);
  await iam.keys.get(made.key.id);
  return credential;
}

/** The plan in words, a line each: the account, each grant, the credential, the wait. */
export function planLines(plan: Plan): string[] {
  const { asked, account } = plan;
  const robot = account ? subjectName(robotSubject(account.id)) : `the new service account ${asked.name}`;
  const lines = [
    account
      ? `found service account ${account.id} (${account.name}) in folder ${asked.folderId}: not created again`
      : `would create service account ${asked.name} in folder ${asked.folderId}`,
  ];
  for (const { place, roleId, held, resourceId, subject } of plan.grants) {
    const on = resourceId ?? account?.id;
    const where = on ? placeName(place, on) : `the new service account ${asked.name}`;
    const who = subject ? subjectName(subject) : robot;
    lines.push(held ? `${who} already holds ${roleId} on ${where}: nothing to grant` : `would grant ${roleId} on ${where} to ${who}`);
  }
  const kind = KIND_NAMES[asked.kind];
  const [first] = plan.existing;
  if (first && !asked.newKey) lines.push(`${kind} ${first.id} exists: not created again (--new-key makes another)`);
  else
    lines.push(
      `would create ${asked.kind === "apiKey" ? `an API key (scopes ${asked.scopes.join(", ")})` : asked.kind === "staticKey" ? "a static key" : "an authorized key"} and write its ${asked.kind === "authorizedKey" ? "key file" : "secret"} to a new file only you can read`,
    );
  if (plan.grants.some((g) => !g.held))
    lines.push(
      `would wait up to ${asked.waitSeconds} s until each role granted is recorded in the bindings; Yandex may take about 5 seconds more to apply it, so retry the first call that needs it`,
    );
  return lines;
}

/** The plan for `--json`: the same facts as its lines, each with its state. */
function planJson(plan: Plan) {
  const { asked, account } = plan;
  return {
    dryRun: true,
    folderId: asked.folderId,
    cloudId: plan.cloudId,
    account: account ? { id: account.id, name: account.name, state: "found" } : { name: asked.name, state: "to create" },
    grants: plan.grants.map(({ place, roleId, held, resourceId, subject }) => ({
      place,
      roleId,
      resourceId: resourceId ?? account?.id,
      subject: subject ?? (account && robotSubject(account.id)),
      state: held ? "already held" : "to grant",
    })),
    credential:
      plan.existing[0] && !asked.newKey
        ? { kind: asked.kind, ...plan.existing[0], state: "kept" }
        : { kind: asked.kind, state: "to create", ...(asked.kind === "apiKey" && { scopes: asked.scopes }) },
  };
}

/** The yc command that deletes a credential of each kind. */
const DELETE_COMMANDS: Record<CredentialKind, string> = {
  apiKey: "yc iam api-key delete",
  staticKey: "yc iam access-key delete",
  authorizedKey: "yc iam key delete",
};

/**
 * `openFile` opens the file the secret goes to (tests give one that fails); `clock` is the wait's (tests give one that
 * does not sleep).
 */
export async function main(
  argv = process.argv.slice(2),
  iam = clientFromEnv(),
  openFile = secretFile,
  clock: Clock = SYSTEM_CLOCK,
): Promise<void> {
  const asked = askedOf(argv);
  const say = asked.json ? () => {} : (line: string) => console.log(line);
  const progress = (line: string) => console.error(line);
  const plan = await planFor(iam, asked, clock.now());
  if (asked.dryRun) {
    if (asked.json) console.log(JSON.stringify(planJson(plan), null, 2));
    else for (const line of [...planLines(plan), "dry run: nothing was changed (reads alone were sent)"]) say(line);
    return;
  }
  const secretName = asked.kind === "authorizedKey" ? "key file" : "secret";
  // Note: the file is made after the reads and before anything is written, so a path that exists or cannot be written
  // stops it while nothing has changed; none is made when no credential is to be created.
  const file = createsCredential(plan)
    ? await openFile(
        asked.secretFile,
        asked.kind === "authorizedKey" ? "key.json" : asked.kind === "staticKey" ? "static-key.secret" : "api-key.secret",
        "provision-",
      )
    : undefined;
  let made: Provisioned["credential"] | undefined;
  let account: ServiceAccount | undefined;
  const grants: DoneGrant[] = [];
  try {
    const done = await provision(iam, plan, {
      async keep(secret, credential) {
        made = credential;
        await file?.save(secret);
      },
      madeCredential(credential) {
        const ids = [credential.keyId && `AWS key id ${credential.keyId}`, credential.maskedSecret && `secret ${credential.maskedSecret}`];
        const shown = ids.filter(Boolean).join(", ");
        say(`created ${KIND_NAMES[credential.kind]} ${credential.id}${shown ? ` (${shown})` : ""}`);
        say(`its ${secretName} is in ${file?.path} (mode 0600): hand it over or move it to your secret manager, then delete the file`);
      },
      created: (newAccount) => {
        account = newAccount;
      },
      granted: (grant) => grants.push(grant),
      say,
      progress,
      clock,
    });
    if (!file && asked.secretFile) say(`--secret-file ${asked.secretFile}: not written, as no credential was created`);
    if (asked.json)
      console.log(
        JSON.stringify(
          {
            dryRun: false,
            folderId: asked.folderId,
            cloudId: done.cloudId,
            account: { id: done.account.id, name: done.account.name, state: done.found ? "found" : "created" },
            grants: done.grants,
            credential: { ...done.credential, ...(file && { secretFile: file.path }) },
          },
          null,
          2,
        ),
      );
  } catch (error) {
    // Note: everything changed before the failure is named, so nothing is left unknown: the account (which stays: the
    // same command again finds it by name), each role granted and where, and the credential with where its secret is
    // (its file stays whatever failed: the secret is nowhere else, not even at Yandex), or, when the secret could not be
    // saved, how to delete it, as a credential whose secret was lost is of no use.
    const changes = [
      account && `service account ${account.id} (${account.name}) was created in folder ${asked.folderId}`,
      ...grants
        .filter((g) => g.state === "granted")
        .map((g) => `${g.roleId} on ${placeName(g.place, g.resourceId)} was granted to ${subjectName(g.subject)}`),
      made &&
        (file?.saved
          ? `${KIND_NAMES[made.kind]} ${made.id} was created, its ${secretName} kept at ${file.path}`
          : `${KIND_NAMES[made.kind]} ${made.id} was created, but its ${secretName} could not be saved to ${file?.path}, so it cannot be used: delete it, e.g. ${DELETE_COMMANDS[made.kind]} ${made.id}`),
    ].filter(Boolean);
    if (!changes.length) throw error;
    const again =
      account || grants.some((g) => g.state === "granted") ? "; the same command again finds the account and grants nothing twice" : "";
    throw new Error(`${(error as Error).message} (changed before the failure: ${changes.join("; ")}${again})`, { cause: error });
  } finally {
    await file?.close();
  }
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
