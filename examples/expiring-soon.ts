// API keys whose expiresAt falls within N days, as a table (keys already expired are listed too, marked so); exits 1
// when there are any, so a scheduled job can alert.
//   npx tsx examples/expiring-soon.ts --service-account <id> [--days 30] [--json]
import type { ApiKey, IamClient } from "../src/index.ts";
import { clientFromEnv, EXIT, isMain, parseArgs, runCommand, switchOf, table, textOf, type Usage, wholeOf } from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["service-account", "days", "json"];

const DAY = 86_400_000;

export const USAGE: Usage = {
  name: "expiring-soon",
  synopsis: "[--service-account ID] [--days N] [--json]",
  about:
    "API keys whose expiry falls within N days, soonest first, as a table (keys already expired are listed too, marked so),\nso a scheduled job can alert.",
  findings: "keys that expire within the days",
  flags: [
    ["--service-account ID", "the account whose keys are read (default: the one the token belongs to)"],
    ["--days N", "how far ahead, in whole days (default 30)"],
    ["--json", "the keys as JSON on stdout"],
  ],
};

/** The keys that expire within `days` days from `now`, soonest first. */
export async function expiringSoon(
  iam: IamClient,
  { serviceAccountId, days, now = Date.now() }: { serviceAccountId?: string | undefined; days: number; now?: number },
): Promise<ApiKey[]> {
  const soon: ApiKey[] = [];
  for await (const key of iam.apiKeys.listAll({ serviceAccountId, pageSize: 1000 }))
    if (key.expiresAt && Date.parse(key.expiresAt) - now <= days * DAY) soon.push(key);
  return soon.sort((a, b) => Date.parse(a.expiresAt as string) - Date.parse(b.expiresAt as string));
}

/** Lists the keys that expire soon; returns the exit code: EXIT.findings when there are any. */
export async function main(argv = process.argv.slice(2), iam = clientFromEnv(), now = Date.now()): Promise<number> {
  const { flags } = parseArgs(argv, FLAGS);
  const days = wholeOf(flags, "days", 0) ?? 30;
  const serviceAccountId = textOf(flags, "service-account");
  const keys = await expiringSoon(iam, { serviceAccountId, days, now });
  const code = keys.length ? EXIT.findings : 0;
  if (switchOf(flags, "json")) {
    console.log(JSON.stringify({ days, keys }, null, 2));
    return code;
  }
  console.log(`${keys.length} key(s) expire within ${days} days:`);
  const inDays = (at: string) => {
    const left = (Date.parse(at) - now) / DAY;
    return left < 0 ? "expired" : `in ${left.toFixed(1)} days`;
  };
  console.log(
    table(
      keys.map((k) => ({
        id: k.id,
        description: k.description ?? "",
        expires: k.expiresAt as string,
        when: inDays(k.expiresAt as string),
      })),
    ),
  );
  return code;
}

if (isMain(import.meta.url))
  await runCommand(USAGE, async (argv) => {
    process.exitCode = await main(argv);
  });
