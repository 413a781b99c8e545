// How the examples get a client: YC_IAM_BASE_URL (default: Yandex Cloud), and a token from YC_IAM_TOKEN,
// a service account's key file (YC_SA_KEY_FILE), or the metadata service when neither is set (inside a VM).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { metadataToken, serviceAccountKey } from "../src/auth/index.ts";
import { createIamClient, type IamClient } from "../src/index.ts";

// Note: in your own code, import from "yc-iam-api-keys" and "yc-iam-api-keys/auth"; the examples import the sources so they run unbuilt.
export function clientFromEnv(env = process.env): IamClient {
  const baseUrl = env.YC_IAM_BASE_URL;
  const token = env.YC_IAM_TOKEN
    ? env.YC_IAM_TOKEN
    : env.YC_SA_KEY_FILE
      ? serviceAccountKey(readFileSync(env.YC_SA_KEY_FILE, "utf8"), { baseUrl })
      : metadataToken();
  return createIamClient({ token, baseUrl });
}

/** `--name value` and `--flag` arguments, and the rest in order; a flag not in `known` is refused, naming it and the known ones. */
export function parseArgs(argv: string[], known: readonly string[]): { flags: Record<string, string | true>; rest: string[] } {
  const flags: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) rest.push(arg);
    else if (argv[i + 1] && !argv[i + 1]?.startsWith("--")) flags[arg.slice(2)] = argv[++i] as string;
    else flags[arg.slice(2)] = true;
  }
  // Note: a misspelt flag would otherwise be ignored, and the example run without it (--statik making an API key).
  const unknown = Object.keys(flags).filter((name) => !known.includes(name));
  if (unknown.length)
    throw new Error(
      `unknown flag ${unknown.map((name) => `--${name}`).join(", ")}; the known ones are ${known.map((name) => `--${name}`).join(", ") || "none"}`,
    );
  return { flags, rest };
}

/** Rows as an aligned text table. */
export function table(rows: Record<string, string>[]): string {
  if (!rows.length) return "(none)";
  const columns = Object.keys(rows[0] as object);
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length));
  const line = (cells: Record<string, string>) =>
    columns
      .map((c) => (cells[c] ?? "").padEnd(width(c)))
      .join("  ")
      .trimEnd();
  return [line(Object.fromEntries(columns.map((c) => [c, c]))), ...rows.map(line)].join("\n");
}

/** Whether the module at `url` is the script node was started with. */
export const isMain = (url: string): boolean => process.argv[1] !== undefined && fileURLToPath(url) === resolve(process.argv[1]);
