// Audit a folder: every credential of every service account in it (API keys, authorized keys, static keys) in one
// table (kind, id, account, created, last used, expires), or as JSON. Filters narrow it (together, each must hold).
// Accounts are read a few at a time (--concurrency, default 8); the client's retries honour 429 and Retry-After.
//   npx tsx examples/audit.ts --folder <folderId> [--unused-days N] [--never-used] [--never-expiring] [--concurrency 8] [--json]
import type { IamClient, ServiceAccount } from "../src/index.ts";
import {
  clientFromEnv,
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
const FLAGS = ["folder", "unused-days", "never-used", "never-expiring", "concurrency", "json"];

const DAY = 86_400_000;
/** Accounts read at once when no --concurrency is given. */
export const DEFAULT_CONCURRENCY = 8;
/** A page as large as the lists allow: one request per account and kind when every page fits. */
const PAGE_SIZE = 1000;

export type Kind = "API key" | "authorized key" | "static key";

/** One credential of one account, as the audit reports it. */
export interface Credential {
  kind: Kind;
  id: string;
  accountId: string;
  accountName: string;
  description?: string | undefined;
  /** Absent when the answer left it out (proto3 JSON may). */
  createdAt?: string | undefined;
  /** Absent: never used (as far as Yandex records it). */
  lastUsedAt?: string | undefined;
  /** Absent: never expires (authorized and static keys never do). */
  expiresAt?: string | undefined;
}

/** Which credentials to keep; each given filter must hold. */
export interface Filters {
  /** Not used for this many days (a never-used one counts from its creation). */
  unusedDays?: number | undefined;
  neverUsed?: boolean | undefined;
  neverExpiring?: boolean | undefined;
}

/** Runs `task` over `items`, at most `limit` at once; the results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every credential of one account, kind by kind (one request at a time for the account). */
async function credentialsOf(iam: IamClient, account: ServiceAccount): Promise<Credential[]> {
  const of = { accountId: account.id, accountName: account.name ?? "(no name)" };
  const request = { serviceAccountId: account.id, pageSize: PAGE_SIZE };
  const found: Credential[] = [];
  for await (const k of iam.apiKeys.listAll(request))
    found.push({
      kind: "API key",
      id: k.id,
      ...of,
      description: k.description,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      expiresAt: k.expiresAt,
    });
  for await (const k of iam.keys.listAll(request))
    found.push({ kind: "authorized key", id: k.id, ...of, description: k.description, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt });
  for await (const k of iam.accessKeys.listAll(request))
    found.push({ kind: "static key", id: k.id, ...of, description: k.description, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt });
  return found;
}

/** Every credential of every service account in the folder, accounts read `concurrency` at a time, in the accounts' order. */
export async function audit(
  iam: IamClient,
  { folderId, concurrency = DEFAULT_CONCURRENCY }: { folderId: string; concurrency?: number },
): Promise<{ accounts: ServiceAccount[]; credentials: Credential[] }> {
  const accounts: ServiceAccount[] = [];
  for await (const account of iam.serviceAccounts.listAll({ folderId, pageSize: PAGE_SIZE })) accounts.push(account);
  const perAccount = await mapLimit(accounts, concurrency, (account) => credentialsOf(iam, account));
  return { accounts, credentials: perAccount.flat() };
}

/** The credentials every given filter keeps. */
export function filtered(credentials: Credential[], { unusedDays, neverUsed, neverExpiring }: Filters, now = Date.now()): Credential[] {
  return credentials.filter(
    (c) =>
      // Note: a credential with neither time (an answer may leave both out) is never counted unused: nothing proves it is.
      (unusedDays === undefined || now - Date.parse(c.lastUsedAt ?? c.createdAt ?? "") > unusedDays * DAY) &&
      (!neverUsed || !c.lastUsedAt) &&
      (!neverExpiring || !c.expiresAt),
  );
}

export const USAGE: Usage = {
  name: "audit",
  synopsis: "--folder ID [--unused-days N] [--never-used] [--never-expiring] [--concurrency N] [--json]",
  about:
    "Every credential of every service account in a folder (API keys, authorized keys, static keys), as a table or JSON.\nThe filters narrow it; each one given must hold.",
  flags: [
    ["--folder ID", "the folder whose service accounts are audited (required)"],
    ["--unused-days N", "only credentials not used for N days (a never-used one counts from its creation)"],
    ["--never-used", "only credentials never used"],
    ["--never-expiring", "only credentials without an expiry"],
    ["--concurrency N", `accounts read at once (default ${DEFAULT_CONCURRENCY})`],
    ["--json", "JSON instead of a table"],
  ],
};

/** A timestamp's day, or `never`. */
const day = (timestamp: string | undefined) => timestamp?.slice(0, 10) ?? "never";

export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<void> {
  const { flags } = parseArgs(argv, FLAGS);
  const folderId = textOf(flags, "folder");
  if (folderId === undefined) throw new UsageError("--folder is required");
  const filters: Filters = {
    unusedDays: wholeOf(flags, "unused-days", 0),
    neverUsed: switchOf(flags, "never-used"),
    neverExpiring: switchOf(flags, "never-expiring"),
  };
  const concurrency = wholeOf(flags, "concurrency", 1) ?? DEFAULT_CONCURRENCY;
  const json = switchOf(flags, "json");
  const { accounts, credentials } = await audit(iam, { folderId, concurrency });
  const shown = filtered(credentials, filters);
  if (json) {
    console.log(JSON.stringify({ folderId, accounts: accounts.length, filters, credentials: shown }, null, 2));
    return;
  }
  const which = [
    filters.unusedDays !== undefined && `not used for ${filters.unusedDays} days`,
    filters.neverUsed && "never used",
    filters.neverExpiring && "never expiring",
  ].filter(Boolean);
  console.log(
    `${shown.length} of ${credentials.length} credential(s) of ${accounts.length} service account(s) in folder ${folderId}${which.length ? `, ${which.join(", ")}` : ""}:`,
  );
  console.log(
    table(
      shown.map((c) => ({
        kind: c.kind,
        id: c.id,
        account: c.accountName,
        created: day(c.createdAt),
        "last used": day(c.lastUsedAt),
        expires: day(c.expiresAt),
      })),
    ),
  );
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
