// How the examples get a client: YC_IAM_BASE_URL (default: Yandex Cloud), and a token from the credential chain,
// defaultCredentials: YC_TOKEN, YC_SERVICE_ACCOUNT_KEY_FILE, workload identity, or the metadata service where it answers.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DefaultCredentialsOptions, defaultCredentials, type Environment } from "../src/auth/index.ts";
import { createIamClient, type IamClient } from "../src/index.ts";

// Note: in your own code, import from "yc-iam-api-keys" and "yc-iam-api-keys/auth"; the examples import the sources so they run unbuilt.
// Note: YC_IAM_BASE_URL is this project's name: Yandex has none for a REST base URL (YC_ENDPOINT is yc's gRPC endpoint).
/** Where the examples send their calls: YC_IAM_BASE_URL, this project's name for another endpoint (a fake, a proxy), else Yandex's. */
export const baseUrlFromEnv = (env: Environment): string | undefined => env.YC_IAM_BASE_URL || undefined;

export function clientFromEnv(env: Environment = process.env, { onChoose }: Pick<DefaultCredentialsOptions, "onChoose"> = {}): IamClient {
  const baseUrl = baseUrlFromEnv(env);
  // Note: the chain's exchanges (an OAuth token's, a key's) go to the same place, so a fake answers them too.
  return createIamClient({ baseUrl, token: defaultCredentials({ env, baseUrl, onChoose }) });
}

/**
 * A failure that names what changed before `cause` failed (in `message`), with `cause`'s `outcomeUnknown` (whether the
 * failed call may have acted) carried over, so code that catches it sees it as the words say it.
 */
export function changedBefore(message: string, cause: unknown): Error & { outcomeUnknown: boolean } {
  return Object.assign(new Error(message, { cause }), { outcomeUnknown: (cause as { outcomeUnknown?: unknown })?.outcomeUnknown === true });
}

/** A mistake in the command line (a flag unknown, missing or malformed): `runCommand` prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What `--help` shows of an example: what it does, its arguments, and each flag with what it means. */
export interface Usage {
  /** The example's file name without `.ts`. */
  name: string;
  /** Its arguments on one line, as `--folder ID [--json]`. */
  synopsis: string;
  /** What it does, in a sentence or two. */
  about: string;
  /** Each flag (or argument) as written in the synopsis, and what it means. */
  flags: [flag: string, meaning: string][];
  /** For a job that looks for something: what it exits 1 with, as a linter does (`audit`: "findings"). */
  findings?: string;
}

/**
 * Exit codes of every example and of the `yc-iam` command: 0 done (and nothing found), 1 failed (the reason on stderr,
 * in one line) or, for a job that looks for something (its Usage's `findings`), found it; 2 a mistake in the command line.
 */
export const EXIT = { failed: 1, findings: 1, usage: 2 } as const;

/** The exit codes, as `--help` says them. */
export const EXIT_CODES_TEXT = `Exit codes: 0 done, nothing found; ${EXIT.failed} failed (the reason on stderr, in one line) or, for a job that looks for something, found it (its --help says what); ${EXIT.usage} a mistake in the command line (with the usage).`;

/** The usage text of an example run as `command` (`npx tsx examples/audit.ts`, or `npm run example -- audit`). */
export function usageText(usage: Usage, command = `npx tsx examples/${usage.name}.ts`): string {
  const flags: Usage["flags"] = [...usage.flags, ["--help", "this text"]];
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return [
    `usage: ${command} ${usage.synopsis}`,
    "",
    usage.about,
    "",
    ...flags.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`),
    ...(usage.findings ? ["", `It exits ${EXIT.findings} when it reports ${usage.findings}, as a linter does (0: none).`] : []),
  ].join("\n");
}

/** What `--help` adds when an example talks to Yandex Cloud: where its client comes from, and the exit codes. */
export const ENVIRONMENT = [
  "Credentials, from one source (two set at once are refused): YC_TOKEN (an IAM token, or an OAuth token to exchange);",
  "YC_SERVICE_ACCOUNT_KEY_FILE (a service account's key.json, or its JSON); YC_SERVICE_ACCOUNT_ID with YC_WORKLOAD_TOKEN_FILE",
  "(an OIDC token file, as Kubernetes projects one) or in a GitHub Actions job with an ID token (workload identity); else",
  "the metadata service, where it answers (a Yandex Cloud VM). YC_IAM_TOKEN and YC_SA_KEY_FILE are aliases. None found,",
  "the error names each source and why.",
  "YC_IAM_BASE_URL points the client at another endpoint (a fake, a proxy); YC_ENDPOINT, yc's gRPC endpoint, is not read.",
  EXIT_CODES_TEXT,
].join("\n");

/** Whether the arguments ask for the usage (`--help` or `-h`). */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes("--help") || argv.includes("-h");

/** A failure as one line: its message, with any line breaks in it joined. */
export const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ").trim() || "failed";

/**
 * Reports how a run ended and returns its exit code: a `UsageError` prints its message and then `usage` to stderr (2);
 * any other error, one line to stderr (1). Note: never a stack trace: what failed is the user's to read, not the code's.
 */
export function reportFailure(error: unknown, usage: string): number {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${usage}`);
    return EXIT.usage;
  }
  console.error(`error: ${oneLine(error)}`);
  return EXIT.failed;
}

/**
 * Runs an example's `main` as a command: `--help` prints its usage to stdout; a failure is reported by `reportFailure`
 * and sets the exit code. `main` itself throws, so tests call it and see the error.
 */
export async function runCommand(usage: Usage, main: (argv: string[]) => Promise<void>, argv = process.argv.slice(2)): Promise<void> {
  const text = usageText(usage);
  if (wantsHelp(argv)) {
    console.log(`${text}\n\n${ENVIRONMENT}`);
    return;
  }
  try {
    await main(argv);
  } catch (error) {
    process.exitCode = reportFailure(error, text);
  }
}

/** A flag's value; undefined when it is absent, a `UsageError` when it is given without one. */
export function textOf(flags: Record<string, string | true>, name: string): string | undefined {
  const value = flags[name];
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** Whether a switch (a flag without a value) is given; a `UsageError` when it is given one. */
export function switchOf(flags: Record<string, string | true>, name: string): boolean {
  const value = flags[name];
  if (typeof value === "string") throw new UsageError(`--${name} takes no value, not ${JSON.stringify(value)}`);
  return value === true;
}

/** A whole-number flag, at least `min`; undefined when it is absent, a `UsageError` naming what was given otherwise. */
export function wholeOf(flags: Record<string, string | true>, name: string, min: number): number | undefined {
  const value = textOf(flags, name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min))
    throw new UsageError(`--${name} must be a whole number, at least ${min}, not ${JSON.stringify(value)}`);
  return n;
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
    throw new UsageError(
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

/** Marks the process as the `yc-iam` command's (bin/yc-iam.ts sets it before it loads a job). */
const COMMAND = Symbol.for("yc-iam-api-keys.command");

/** Says that the `yc-iam` command runs the examples (from then on, none of them runs itself as its own script), or, with `false`, that it no longer does. */
export function runByCommand(running = true): void {
  if (running) (globalThis as Record<symbol, unknown>)[COMMAND] = true;
  else delete (globalThis as Record<symbol, unknown>)[COMMAND];
}

/**
 * Whether the module at `url` is the script node was started with. Note: never inside the `yc-iam` command: bundled into
 * one file, every example's URL is the command's, and each would run itself with the command's arguments.
 */
export const isMain = (url: string): boolean =>
  !(globalThis as Record<symbol, unknown>)[COMMAND] && process.argv[1] !== undefined && fileURLToPath(url) === resolve(process.argv[1]);
