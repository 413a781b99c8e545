// Revoke unused API keys: keys not used for N days (by lastUsedAt), and never-used keys older than N days.
// A dry run by default, which exits 1 when it finds any (as a linter); --apply deletes them.
//   npx tsx examples/revoke-unused.ts --service-account <id> [--days 90] [--apply] [--json]
import type { ApiKey, IamClient, IamError } from "../src/index.ts";
import {
  changedBefore,
  clientFromEnv,
  EXIT,
  isMain,
  parseArgs,
  runCommand,
  switchOf,
  table,
  textOf,
  type Usage,
  wholeOf,
} from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["service-account", "days", "apply", "json"];

const DAY = 86_400_000;

export const USAGE: Usage = {
  name: "revoke-unused",
  synopsis: "[--service-account ID] [--days N] [--apply] [--json]",
  about:
    "API keys not used for N days (never-used ones count from their creation): a dry run that lists them, unless --apply,\nwhich deletes them.",
  findings: "unused keys, in a dry run",
  flags: [
    ["--service-account ID", "the account whose keys are read (default: the one the token belongs to)"],
    ["--days N", "unused for this many whole days, at least 1 (default 90)"],
    ["--apply", "delete them"],
    ["--json", "the keys (and whether they were deleted) as JSON on stdout"],
  ],
};

/** The keys of a service account not used in the last `days` days (never-used ones count from their creation). */
export async function findUnused(
  iam: IamClient,
  { serviceAccountId, days, now = Date.now() }: { serviceAccountId?: string | undefined; days: number; now?: number },
): Promise<ApiKey[]> {
  const unused: ApiKey[] = [];
  for await (const key of iam.apiKeys.listAll({ serviceAccountId, pageSize: 1000 })) {
    // Note: a key whose answer has neither time (proto3 may leave both out) is never counted unused: nothing proves it is.
    const lastSeen = key.lastUsedAt ?? key.createdAt;
    if (lastSeen && now - Date.parse(lastSeen) > days * DAY) unused.push(key);
  }
  return unused;
}

/** Finds the unused keys and, with `apply`, deletes them; returns what it found. */
export async function revokeUnused(
  iam: IamClient,
  options: { serviceAccountId?: string | undefined; days: number; apply?: boolean; now?: number },
): Promise<ApiKey[]> {
  const unused = await findUnused(iam, options);
  if (!options.apply) return unused;
  const deleted: string[] = [];
  for (const key of unused)
    try {
      await iam.apiKeys.delete(key.id);
      deleted.push(key.id);
    } catch (error) {
      // Note: what is gone already is named, and whether this one may be gone too: the rest were not touched.
      const maybe = (error as IamError)?.outcomeUnknown ? ` (it may have been deleted)` : "";
      const done = deleted.length ? `; deleted before it: ${deleted.join(", ")}` : "; none was deleted before it";
      const left = unused.length - deleted.length - 1;
      throw changedBefore(
        `${(error as Error).message}: deleting ${key.id} failed${maybe}${done}${left ? `; ${left} more not tried` : ""}`,
        error,
      );
    }
  return unused;
}

/** Lists (or, with --apply, deletes) the unused keys; returns the exit code: EXIT.findings when a dry run found any. */
export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<number> {
  const { flags } = parseArgs(argv, FLAGS);
  // Note: at least a day: --days 0 with --apply would delete every key not in use this very moment.
  const days = wholeOf(flags, "days", 1) ?? 90;
  const serviceAccountId = textOf(flags, "service-account");
  const apply = switchOf(flags, "apply");
  const keys = await revokeUnused(iam, { serviceAccountId, days, apply });
  const code = keys.length && !apply ? EXIT.findings : 0;
  if (switchOf(flags, "json")) {
    console.log(JSON.stringify({ days, applied: apply, deleted: apply ? keys.length : 0, keys }, null, 2));
    return code;
  }
  console.log(`${keys.length} key(s) unused for ${days} days${apply ? ", deleted:" : " (a dry run; --apply deletes them):"}`);
  console.log(
    table(
      keys.map((k) => ({
        id: k.id,
        description: k.description ?? "",
        "last used": k.lastUsedAt ?? "never",
        created: k.createdAt ?? "unknown",
      })),
    ),
  );
  return code;
}

if (isMain(import.meta.url))
  await runCommand(USAGE, async (argv) => {
    process.exitCode = await main(argv);
  });
