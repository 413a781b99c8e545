// Audit a cloud (every folder of it) or one folder: every service account, every credential of each (API keys,
// authorized keys, static keys) and every role held on the cloud and on each folder, by whom. It reports findings, each a
// row with its reason: stale credentials, API keys that never expire, service accounts holding a broad role on the cloud,
// and roles held by service accounts that are deleted or unknown. Like a linter, it exits 1 when it reports findings.
// It only lists and gets: it creates nothing and reads no secret. It needs the role iam.auditor on the cloud.
// Reads run concurrently under one limit for the whole run (--concurrency, default 8); the client's retries honour 429.
//   npx tsx examples/audit.ts --cloud <cloudId> [--folder <folderId>] [--unused-days 90] [--never-used] [--never-expiring] [--concurrency 8] [--json]
import { type AccessBinding, type CallOptions, IamApiError, type IamClient, type ServiceAccount } from "../src/index.ts";
import {
  clientFromEnv,
  EXIT,
  isMain,
  parseArgs,
  runCommand,
  switchOf,
  table,
  textOf,
  type Usage,
  UsageError,
  wholeOf,
} from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["cloud", "folder", "unused-days", "never-used", "never-expiring", "concurrency", "json"];

const DAY = 86_400_000;
/** Reads in flight at once, for the whole run, when no --concurrency is given. */
export const DEFAULT_CONCURRENCY = 8;
/** A credential not used for more days than this is stale, when no --unused-days is given. */
export const DEFAULT_UNUSED_DAYS = 90;
/** A page as large as the lists allow: one request per list when every page fits. */
const PAGE_SIZE = 1000;
/** The exit code when the audit reports findings, as a linter's (0: none; a failure is 1 too, with its reason on stderr). */
export const FINDINGS_EXIT = EXIT.findings;
/** The least role that reads everything the audit reads, on the cloud (Yandex's role reference, as the document's 403 answer says). */
export const LEAST_ROLE = "iam.auditor";
/** The roles that let their holder change, or own, everything on the resource and under it: a finding on a service account. */
export const BROAD_ROLES = ["admin", "editor", "resource-manager.clouds.owner"];

/** What a kind of credential's list answers, of the fields the audit reads. */
interface Listed {
  id: string;
  description?: string | undefined;
  createdAt?: string | undefined;
  lastUsedAt?: string | undefined;
  expiresAt?: string | undefined;
}

/** One kind of credential: its name, whether it can expire, and how its credentials of one account are listed. */
export interface CredentialKind {
  kind: string;
  /** Whether Yandex gives it an expiry (`expiresAt`); one without is never reported for lacking it, only when stale. */
  expires: boolean;
  list(iam: IamClient, request: { serviceAccountId: string; pageSize: number }, options: CallOptions): AsyncIterable<Listed>;
}

/** The kinds of credential the audit reads, each a list per account: a new kind (federated credentials, say) is one entry. */
export const CREDENTIAL_KINDS = [
  { kind: "API key", expires: true, list: (iam, request, options): AsyncIterable<Listed> => iam.apiKeys.listAll(request, options) },
  { kind: "authorized key", expires: false, list: (iam, request, options): AsyncIterable<Listed> => iam.keys.listAll(request, options) },
  { kind: "static key", expires: false, list: (iam, request, options): AsyncIterable<Listed> => iam.accessKeys.listAll(request, options) },
] as const satisfies readonly CredentialKind[];

export type Kind = (typeof CREDENTIAL_KINDS)[number]["kind"];

/** A cloud or a folder: where accounts live and roles are held. */
export interface Place {
  type: "cloud" | "folder";
  id: string;
  /** Absent where the audit did not list it (a folder audited alone). */
  name?: string | undefined;
}

/** One credential of one account, as the audit reports it. */
export interface Credential {
  kind: Kind;
  id: string;
  accountId: string;
  accountName: string;
  folderId: string;
  description?: string | undefined;
  /** Absent when the answer left it out (proto3 JSON may). */
  createdAt?: string | undefined;
  /** Absent: never used (as far as Yandex records it). */
  lastUsedAt?: string | undefined;
  /** Absent: never expires (authorized and static keys never do). */
  expiresAt?: string | undefined;
}

/**
 * What the audit learnt of a role's subject: a service account it audited, one elsewhere (`getServiceAccount` found it),
 * one deleted or unknown (404), one the token may not see (403), or a subject of another type, not checked.
 */
export type SubjectCheck = "audited account" | "account elsewhere" | "deleted or unknown" | "not visible" | "not checked";

/** A role held on the cloud or a folder, by whom. */
export interface HeldRole {
  on: Place;
  roleId: string;
  subject: { type: string; id: string };
  check: SubjectCheck;
  /** The account's name, when the subject is a service account that was found. */
  name?: string | undefined;
}

/** Everything the audit read. */
export interface Audited {
  /** The cloud audited, or the folder audited alone. */
  top: Place;
  folders: Place[];
  accounts: ServiceAccount[];
  credentials: Credential[];
  roles: HeldRole[];
}

/** How far the audit is: folders and accounts read of those known so far (the accounts' total grows as folders are listed). */
export interface Progress {
  folders: { done: number; total: number };
  accounts: { done: number; total: number };
}

export interface AuditOptions {
  /** The cloud to audit, every folder of it; with `folderId` too, only that folder of it, with the roles held on the cloud. */
  cloudId?: string | undefined;
  /** The folder to audit (alone, or of `cloudId`). */
  folderId?: string | undefined;
  /** Reads in flight at once for the whole run (each read sends its pages one at a time). */
  concurrency?: number | undefined;
  /** Told each time a folder or an account is done, or more are found. */
  onProgress?: ((progress: Progress) => void) | undefined;
}

/**
 * A limit on tasks running at once: `run(task)` starts the task when fewer than `limit` run, else when one ends, first
 * come first served. One limiter serves a whole audit and each task sends its requests one at a time, so the requests in
 * flight never pass the limit however folders, accounts and kinds fan out; a task never waits for another, so a task
 * that starts others cannot deadlock.
 */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Note: the slot passes straight to the first task waiting, which `running` still counts.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Every item of a list, page by page. */
async function drained<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

/** A place in words: `cloud b1g…`, `folder prod (b1g…)`. */
export const placeText = (place: Place): string => `${place.type} ${place.name ? `${place.name} (${place.id})` : place.id}`;

/** A failure as the audit reports it: a 403 names the call, what it read, and the role to ask for; any other as it is. */
function refusal(error: unknown, what: string, top: Place): unknown {
  if (!(error instanceof IamApiError && error.status === 403)) return error;
  return new Error(
    `${error.operation} (${what}) was refused with 403 PERMISSION_DENIED: the audit needs the role ${LEAST_ROLE} on ${placeText(top)}; ask for it and run the audit again`,
    { cause: error },
  );
}

/**
 * Reads a cloud (every folder of it) or one folder: its service accounts, their credentials kind by kind, the roles held
 * on the cloud and on each folder, and, for a role held by a service account the audit did not find, that account.
 * Every read goes through one limiter of `concurrency`; the first failure aborts the reads in flight and is thrown.
 */
export async function audit(
  iam: IamClient,
  { cloudId, folderId, concurrency = DEFAULT_CONCURRENCY, onProgress }: AuditOptions,
): Promise<Audited> {
  const top: Place | undefined =
    cloudId !== undefined ? { type: "cloud", id: cloudId } : folderId !== undefined ? { type: "folder", id: folderId } : undefined;
  if (!top) throw new Error("audit needs a cloudId or a folderId");
  const slot = limiter(concurrency);
  const stop = new AbortController();
  const options: CallOptions = { signal: stop.signal };
  const page = { pageSize: PAGE_SIZE };
  const progress: Progress = { folders: { done: 0, total: 0 }, accounts: { done: 0, total: 0 } };
  const tell = () => onProgress?.({ folders: { ...progress.folders }, accounts: { ...progress.accounts } });

  /** One read, in one slot of the limit; the first failure stops the audit and is what every read then rejects with. */
  const read = <T>(what: string, task: () => Promise<T>): Promise<T> =>
    slot(async () => {
      stop.signal.throwIfAborted();
      try {
        return await task();
      } catch (error) {
        if (!stop.signal.aborted) stop.abort(refusal(error, what, top));
        throw stop.signal.reason;
      }
    });
  const held = (on: Place) => (binding: AccessBinding) => ({ on, roleId: binding.roleId, subject: { ...binding.subject } });

  const cloudRoles =
    cloudId === undefined
      ? []
      : read(`the roles held on cloud ${cloudId}`, () => drained(iam.clouds.listAllAccessBindings(cloudId, page, options)));
  const folders: Promise<Place[]> =
    cloudId === undefined
      ? Promise.resolve([top])
      : read(`the folders of cloud ${cloudId}`, async () => {
          const listed = (await drained(iam.folders.listAll({ cloudId, ...page }, options))).map(
            (folder): Place => ({ type: "folder", id: folder.id, name: folder.name }),
          );
          const kept = listed.filter((folder) => folderId === undefined || folder.id === folderId);
          if (!kept.length) throw new Error(`folder ${folderId} is not a folder of cloud ${cloudId}`);
          return kept;
        });

  /** Every credential of one account, a read per kind. */
  async function credentialsOf(folder: Place, account: ServiceAccount): Promise<Credential[]> {
    const request = { serviceAccountId: account.id, ...page };
    const of = { accountId: account.id, accountName: account.name ?? "(no name)", folderId: folder.id };
    const kinds = await Promise.all(
      CREDENTIAL_KINDS.map(async ({ kind, list }) => {
        const items = await read(`the ${kind}s of service account ${account.id} in ${placeText(folder)}`, () =>
          drained(list(iam, request, options)),
        );
        return items.map(
          ({ id, description, createdAt, lastUsedAt, expiresAt }): Credential => ({
            kind,
            id,
            ...of,
            description,
            createdAt,
            lastUsedAt,
            expiresAt,
          }),
        );
      }),
    );
    progress.accounts.done++;
    tell();
    return kinds.flat();
  }

  /** One folder: its roles, its accounts, and every credential of each. */
  async function folderOf(folder: Place) {
    const roles = read(`the roles held on ${placeText(folder)}`, () =>
      drained(iam.folders.listAllAccessBindings(folder.id, page, options)),
    );
    const accounts = read(`the service accounts of ${placeText(folder)}`, () =>
      drained(iam.serviceAccounts.listAll({ folderId: folder.id, ...page }, options)),
    );
    const credentials = accounts.then((listed) => {
      progress.accounts.total += listed.length;
      tell();
      return Promise.all(listed.map((account) => credentialsOf(folder, account)));
    });
    const [bindings, listed, perAccount] = await Promise.all([roles, accounts, credentials]);
    progress.folders.done++;
    tell();
    return { roles: bindings.map(held(folder)), accounts: listed, credentials: perAccount.flat() };
  }

  const [onCloud, perFolder] = await Promise.all([
    cloudRoles,
    folders.then((places) => {
      progress.folders.total = places.length;
      tell();
      return Promise.all(places.map(folderOf));
    }),
  ]);
  const accounts = perFolder.flatMap((folder) => folder.accounts);
  const audited = new Map(accounts.map((account) => [account.id, account]));
  const roles = [...onCloud.map(held(top)), ...perFolder.flatMap((folder) => folder.roles)];

  // Note: a role held by a service account not among the audited ones: one get per account, 404 meaning deleted or unknown.
  const others = [
    ...new Set(roles.filter((r) => r.subject.type === "serviceAccount" && !audited.has(r.subject.id)).map((r) => r.subject.id)),
  ];
  const lookedUp = new Map(
    await Promise.all(
      others.map((id) =>
        read(
          `service account ${id}, which holds a role`,
          async (): Promise<[string, { check: SubjectCheck; name?: string | undefined }]> => {
            try {
              const account = await iam.serviceAccounts.get(id, options);
              return [id, { check: "account elsewhere", name: account.name }];
            } catch (error) {
              // Note: a 403 is an account the token may not read (of another cloud): not checked, and not a reason to stop.
              if (error instanceof IamApiError && (error.status === 404 || error.status === 403))
                return [id, { check: error.status === 404 ? "deleted or unknown" : "not visible" }];
              throw error;
            }
          },
        ),
      ),
    ),
  );
  return {
    top,
    folders: await folders,
    accounts,
    credentials: perFolder.flatMap((folder) => folder.credentials),
    roles: roles.map((role): HeldRole => {
      if (role.subject.type !== "serviceAccount") return { ...role, check: "not checked" };
      const account = audited.get(role.subject.id);
      return account
        ? { ...role, check: "audited account", name: account.name }
        : { ...role, ...(lookedUp.get(role.subject.id) ?? { check: "not checked" }) };
    }),
  };
}

/** Which credentials the audit reports on; each given filter must hold. */
export interface Filters {
  neverUsed?: boolean | undefined;
  neverExpiring?: boolean | undefined;
}

/** The credentials every given filter keeps. */
export function filtered(credentials: Credential[], { neverUsed, neverExpiring }: Filters): Credential[] {
  return credentials.filter((c) => (!neverUsed || !c.lastUsedAt) && (!neverExpiring || !c.expiresAt));
}

/** What a finding is about, in the order the report lists them. */
export const FINDING_KINDS = ["broad role", "unknown subject", "stale", "never expires"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One finding: what, where, who, and why. */
export interface Finding {
  finding: FindingKind;
  /** The folder of the credential's account, or the cloud or folder the role is held on. */
  on: Place;
  /** The credential's account, or the role's holder. */
  subject: { type: string; id: string; name?: string | undefined };
  credential?: { kind: Kind; id: string } | undefined;
  roleId?: string | undefined;
  reason: string;
}

export interface FindingOptions extends Filters {
  /** Not used for more days than this (a never-used one counts from its creation): stale. Default 90. */
  unusedDays?: number | undefined;
  /** The moment "stale" is measured from, in epoch milliseconds. */
  now?: number | undefined;
}

/** A timestamp's day, or `never`. */
const day = (timestamp: string | undefined) => timestamp?.slice(0, 10) ?? "never";

/**
 * The findings of an audit: stale credentials (not used for more than `unusedDays`, or never used and created before
 * that; one with neither time is never counted: nothing proves it stale), API keys without an expiry, service accounts
 * (and `system` subjects: everyone) holding a broad role on the top of what was audited, and roles held by service
 * accounts that are deleted or unknown. The filters narrow the credentials reported on, not the roles.
 */
export function findingsOf(
  audited: Audited,
  { unusedDays = DEFAULT_UNUSED_DAYS, now = Date.now(), ...filters }: FindingOptions = {},
): Finding[] {
  const found: Finding[] = [];
  const names = new Map(audited.folders.map((folder) => [folder.id, folder.name]));
  const top = audited.top;
  for (const role of audited.roles) {
    const subject = { ...role.subject, name: role.name };
    const onTop = role.on.type === top.type && role.on.id === top.id;
    if (onTop && BROAD_ROLES.includes(role.roleId) && (role.subject.type === "serviceAccount" || role.subject.type === "system"))
      found.push({
        finding: "broad role",
        on: role.on,
        subject,
        roleId: role.roleId,
        reason: `${role.roleId} on the ${top.type} reaches everything in it${top.type === "cloud" ? ", every folder" : ""}: grant a narrower role where the work is`,
      });
    if (role.check === "deleted or unknown")
      found.push({
        finding: "unknown subject",
        on: role.on,
        subject,
        roleId: role.roleId,
        reason: `not an account of the ${top.type}, and getServiceAccount answers 404 NOT_FOUND: deleted or never existed; revoke the role`,
      });
  }
  for (const c of filtered(audited.credentials, filters)) {
    const on: Place = { type: "folder", id: c.folderId, name: names.get(c.folderId) };
    const about = { on, subject: { type: "serviceAccount", id: c.accountId, name: c.accountName }, credential: { kind: c.kind, id: c.id } };
    const seen = c.lastUsedAt ?? c.createdAt;
    const days = seen === undefined ? Number.NaN : Math.floor((now - Date.parse(seen)) / DAY);
    if (seen !== undefined && now - Date.parse(seen) > unusedDays * DAY)
      found.push({
        finding: "stale",
        ...about,
        reason: c.lastUsedAt
          ? `last used ${day(c.lastUsedAt)}, ${days} days ago (more than ${unusedDays})`
          : `never used, created ${day(c.createdAt)}, ${days} days ago (more than ${unusedDays})`,
      });
    if (CREDENTIAL_KINDS.find((k) => k.kind === c.kind)?.expires && !c.expiresAt)
      found.push({ finding: "never expires", ...about, reason: "no expiresAt: it works until it is deleted" });
  }
  // Note: a stable sort: within a kind, roles and credentials stay in the order they were read.
  return found.sort((a, b) => FINDING_KINDS.indexOf(a.finding) - FINDING_KINDS.indexOf(b.finding));
}

export const USAGE: Usage = {
  name: "audit",
  synopsis: "--cloud ID | --folder ID [--unused-days N] [--never-used] [--never-expiring] [--concurrency N] [--json]",
  about: [
    "Audits a cloud (every folder of it) or one folder: every credential of every service account (API keys, authorized",
    "keys, static keys) and every role held on the cloud and on each folder, by whom. Findings, each a row with its reason:",
    "  stale            a credential not used for more than --unused-days days (a never-used one: created before that)",
    "  never expires    an API key without expiresAt (authorized and static keys have no expiry at all: they are",
    "                   reported when stale, not for that)",
    `  broad role       ${BROAD_ROLES.slice(0, -1).join(", ")} or ${BROAD_ROLES.at(-1)} on the cloud (on the folder, with --folder alone),`,
    "                   held by a service account or by everyone (a system subject); users and groups are not reported",
    "  unknown subject  a role held by a service account that is not the cloud's and that getServiceAccount answers 404:",
    "                   deleted or never existed (a role held by a user, a group or another type of subject is not checked)",
    `It only lists and gets (no secret is read); the least role it needs is ${LEAST_ROLE} on the cloud (on the folder, with`,
    "--folder alone). A call refused with 403 stops it, naming the call, what it read and that role. It prints a table of",
    "the findings, then one of every role held, by whom (--json: all it read, and the findings).",
    "Progress goes to stderr when it is a terminal.",
  ].join("\n"),
  findings: "findings",
  flags: [
    ["--cloud ID", "the cloud audited: every folder of it, and the roles held on it"],
    ["--folder ID", "one folder (with --cloud: that folder of the cloud, with the roles held on the cloud)"],
    ["--unused-days N", `a credential not used for more than N days is stale (default ${DEFAULT_UNUSED_DAYS})`],
    ["--never-used", "report only on credentials never used"],
    ["--never-expiring", "report only on credentials without an expiry"],
    ["--concurrency N", `reads in flight at once, for the whole run (default ${DEFAULT_CONCURRENCY})`],
    ["--json", "JSON instead of the tables (of the findings, then of every role held)"],
  ],
};

/** The progress as one line. */
export const progressText = ({ folders, accounts }: Progress): string =>
  `audit: folders ${folders.done}/${folders.total}, service accounts ${accounts.done}/${accounts.total}`;

/** Progress on stderr, one line rewritten in place, when stderr is a terminal; nothing otherwise (a log or a pipe gets no noise). */
function terminalProgress(): ((line: string) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (line) => process.stderr.write(`\r\x1b[K${line}`);
}

/** Who holds a role or owns a credential, in words. */
const whoText = (subject: Finding["subject"]) => (subject.name ? `${subject.name} (${subject.id})` : `${subject.type} ${subject.id}`);

/** What the audit needs besides the client: the clock stale is measured by, and where progress lines go (undefined: none). */
export interface AuditIo {
  now?: () => number;
  progress?: ((line: string) => void) | undefined;
}

/** Runs the audit the arguments ask for, prints its report, and returns the exit code: FINDINGS_EXIT when it found any, else 0. */
export async function main(
  argv = process.argv.slice(2),
  iam = clientFromEnv(),
  io: AuditIo = { progress: terminalProgress() },
): Promise<number> {
  const { flags } = parseArgs(argv, FLAGS);
  const cloudId = textOf(flags, "cloud");
  const folderId = textOf(flags, "folder");
  if (cloudId === undefined && folderId === undefined) throw new UsageError("--cloud or --folder is required");
  const unusedDays = wholeOf(flags, "unused-days", 0) ?? DEFAULT_UNUSED_DAYS;
  const filters: Filters = { neverUsed: switchOf(flags, "never-used"), neverExpiring: switchOf(flags, "never-expiring") };
  const concurrency = wholeOf(flags, "concurrency", 1) ?? DEFAULT_CONCURRENCY;
  const json = switchOf(flags, "json");
  const { progress } = io;
  const audited = await audit(iam, {
    cloudId,
    folderId,
    concurrency,
    onProgress: progress && ((state) => progress(progressText(state))),
  }).finally(() => progress?.(""));
  const found = findingsOf(audited, { unusedDays, now: (io.now ?? Date.now)(), ...filters });
  const credentials = filtered(audited.credentials, filters);
  const unchecked = audited.roles.filter((role) => role.check === "not checked" || role.check === "not visible");
  if (json) {
    const scope = { ...(cloudId !== undefined && { cloudId }), ...(folderId !== undefined && { folderId }) };
    console.log(
      JSON.stringify(
        {
          ...scope,
          unusedDays,
          filters,
          folders: audited.folders,
          accounts: audited.accounts.length,
          credentials,
          roles: audited.roles,
          findings: found,
          unchecked: unchecked.length,
        },
        null,
        2,
      ),
    );
    return found.length ? FINDINGS_EXIT : 0;
  }
  const which = [filters.neverUsed && "never used", filters.neverExpiring && "never expiring"].filter(Boolean);
  console.log(
    `${placeText(audited.top)}: ${audited.folders.length} folder(s), ${audited.accounts.length} service account(s), ${credentials.length} credential(s)${which.length ? ` ${which.join(" and ")}` : ""}, ${audited.roles.length} role(s) held; ${found.length} finding(s), stale after ${unusedDays} days:`,
  );
  console.log(
    table(
      found.map((f) => ({
        finding: f.finding,
        where: placeText(f.on),
        who: whoText(f.subject),
        what: f.credential ? `${f.credential.kind} ${f.credential.id}` : `role ${f.roleId}`,
        reason: f.reason,
      })),
    ),
  );
  // Note: every role held, by whom, findings or not: what a robot can do is what an audit is asked first.
  console.log(`\nRoles held on ${placeText(audited.top)}${audited.top.type === "cloud" ? " and its folders" : ""}:`);
  console.log(
    table(
      audited.roles.map((r) => ({
        where: placeText(r.on),
        role: r.roleId,
        subject: `${r.subject.type} ${r.subject.id}`,
        name: r.name ?? "",
        check: r.check,
      })),
    ),
  );
  if (unchecked.length)
    console.log(
      `${unchecked.length} of them held by subjects the audit does not check (users, groups, system subjects, accounts the token may not see).`,
    );
  return found.length ? FINDINGS_EXIT : 0;
}

if (isMain(import.meta.url))
  await runCommand(USAGE, async (argv) => {
    process.exitCode = await main(argv);
  });
