// How the examples get a client: YC_IAM_BASE_URL (default: Yandex Cloud), and a token from the credential chain,
// defaultCredentials: YC_TOKEN, YC_SERVICE_ACCOUNT_KEY_FILE, workload identity, or the metadata service where it answers.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DefaultCredentialsOptions,
  defaultCredentials,
  type Environment,
  IamTokenError,
  type TokenSource,
  type TokenSourceName,
} from "../src/auth/index.ts";
import { createIamClient, type IamClient } from "../src/index.ts";
import { removeUnsavedSync } from "./secret-file.ts";

// Note: in your own code, import from "yc-iam-api-keys" and "yc-iam-api-keys/auth"; the examples import the sources so they run unbuilt.
// Note: YC_IAM_BASE_URL is this project's name: Yandex has none for a REST base URL (YC_ENDPOINT is yc's gRPC endpoint).
/** Where the examples send their calls: YC_IAM_BASE_URL, this project's name for another endpoint (a fake, a proxy), else Yandex's. */
export const baseUrlFromEnv = (env: Environment): string | undefined => env.YC_IAM_BASE_URL || undefined;

export function clientFromEnv(env: Environment = process.env, { onChoose }: Pick<DefaultCredentialsOptions, "onChoose"> = {}): IamClient {
  const baseUrl = baseUrlFromEnv(env);
  // Note: the chain's exchanges (an OAuth token's, a key's) go to the same place, so a fake answers them too.
  return createIamClient({ baseUrl, token: untilInterrupted(defaultCredentials({ env, baseUrl, onChoose })) });
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
 * in one line) or, for a job that looks for something (its Usage's `findings`), found it; 2 a mistake in the command line;
 * once interrupted (`interruptible`), 128 + the signal's number, the shell's convention.
 */
export const EXIT = { failed: 1, findings: 1, usage: 2, interrupted: { SIGINT: 130, SIGTERM: 143 } } as const;

/** What an interrupt does to a job, and the exit code it leaves (`interruptible`): the README's command section embeds it. */
export const INTERRUPT_TEXT = `${EXIT.interrupted.SIGINT} or ${EXIT.interrupted.SIGTERM} once interrupted (SIGINT, as Ctrl-C, or SIGTERM), whatever the job had done: the first lets the call in flight finish (a secret it brings is saved), sends nothing more, and the job says what changed; a second stops at once, removing any secret file that holds no secret yet`;

/** The exit codes, as `--help` says them. */
export const EXIT_CODES_TEXT = `Exit codes: 0 done, nothing found; ${EXIT.failed} failed (the reason on stderr, in one line) or, for a job that looks for something, found it (its --help says what); ${EXIT.usage} a mistake in the command line (with the usage); ${INTERRUPT_TEXT}.`;

/** The signals that interrupt a job's run, each with its exit code. */
export type StopSignal = keyof typeof EXIT.interrupted;
const STOP_SIGNALS = Object.keys(EXIT.interrupted) as StopSignal[];

/** What a job's run says on stderr on the first interrupt. */
export const INTERRUPTED_LINE =
  "interrupted: the call in flight finishes, so a secret it brings is kept; nothing more is sent (interrupt again to stop at once)";

/** What it says on the second, as it stops at once: the files it removed (or could not), which held no secret, and those it kept. */
export function stoppedLine({ removed, failed, kept = [] }: { removed: string[]; failed: string[]; kept?: string[] }): string {
  return [
    "interrupted again: stopped at once; a change in flight may have been made (its outcome is unknown): list what the job changes (the account's keys, its roles) before running it again",
    ...(removed.length ? [`removed ${removed.join(", ")}, which held no secret yet`] : []),
    ...(failed.length ? [`could not remove ${failed.join(", ")}, which holds no secret: delete it before running the job again`] : []),
    ...(kept.length ? [`kept ${kept.join(", ")}, whose secret was being written as it stopped (mode 0600): see that it is whole`] : []),
  ].join("; ");
}

/** The signal that interrupted the jobs running now (`interruptible`), once one has. */
let interruptedBy: StopSignal | undefined;
/** How many jobs run now under `interruptible`: they share one handler, and one interrupt. */
let running = 0;

/** The first interrupt stops every job running now from sending more; a second stops the process at once. */
function onSignal(signal: NodeJS.Signals): void {
  if (!interruptedBy) {
    interruptedBy = signal as StopSignal;
    console.error(INTERRUPTED_LINE);
    return;
  }
  console.error(stoppedLine(removeUnsavedSync()));
  process.exit(EXIT.interrupted[signal as StopSignal]);
}

/**
 * `token`, refusing once the job running now was interrupted (`interruptible`): a call not yet sent then fails with the
 * client's IamTokenError (nothing sent), a retry of the call in flight with its outcome unknown, a wait's poll with an
 * IamWaitError naming the Operation, each through the job's own error paths, which say what changed. Every client a
 * job makes has its token through this (clientFromEnv's, and any it makes of its own).
 */
export function untilInterrupted(token: TokenSource, name: TokenSourceName = "defaultCredentials"): TokenSource {
  const refusal = () => new IamTokenError(name, `the command was interrupted (${interruptedBy}), so nothing more is sent`);
  return async (options) => {
    if (interruptedBy) throw refusal();
    const value = await token(options);
    // Note: Node runs a signal's handler when its event loop next polls, never among this turn's promise jobs; two turns
    // (the first may end before the loop polls again) pass one poll, so an interrupt that came while the token was being
    // got (or before the job's first call) is seen here.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    // Note: a token the source was still getting (its exchange in flight) when the interrupt came is not used either.
    if (interruptedBy) throw refusal();
    return value;
  };
}

/**
 * Runs a job (`run` resolves with its exit code, and reports its own failure) so that an interrupt loses nothing it made.
 * On the first SIGINT or SIGTERM it says so (INTERRUPTED_LINE), and from then on untilInterrupted's tokens refuse: the
 * call in flight finishes (a secret it brings is saved), nothing more is sent, and the job fails through its own error
 * paths; the exit code is then the signal's (EXIT.interrupted), whatever the job returned. A second one stops the
 * process at once, after removing every secret file that holds no secret yet (a rerun would find it in its way), saying
 * that a change in flight may have been made. Note: the handlers are there only while `run` runs, so a program that
 * runs a job (yciam) keeps its own handling of signals before and after. Jobs run at once (yciam called twice without
 * waiting) share the handlers and the interrupt: one signal is a first interrupt for each, not a second.
 */
export async function interruptible(run: () => Promise<number>): Promise<number> {
  if (running++ === 0) for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  let by: StopSignal | undefined;
  let code: number;
  try {
    code = await run();
  } finally {
    by = interruptedBy;
    if (--running === 0) {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      interruptedBy = undefined;
    }
  }
  return by ? EXIT.interrupted[by] : code;
}

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
 * Runs a job as a command runs it (the yc-iam command, an example alone, npm run example): under `interruptible`, its
 * failure reported by `reportFailure`; resolves with its exit code (what `job` resolves with when a number, else 0).
 */
export function runJob(job: () => Promise<unknown>, usage: string): Promise<number> {
  return interruptible(async () => {
    try {
      const code = await job();
      return typeof code === "number" ? code : 0;
    } catch (error) {
      return reportFailure(error, usage);
    }
  });
}

/**
 * Runs an example's `main` as a command: `--help` prints its usage to stdout; a failure is reported by `reportFailure`
 * and sets the exit code, as an interrupt does (`runJob`). `main` itself throws, so tests call it and see the error.
 */
export async function runCommand(usage: Usage, main: (argv: string[]) => Promise<void>, argv = process.argv.slice(2)): Promise<void> {
  const text = usageText(usage);
  if (wantsHelp(argv)) {
    console.log(`${text}\n\n${ENVIRONMENT}`);
    return;
  }
  const code = await runJob(() => main(argv), text);
  // Note: 0 leaves the code a main set itself (a job that found something sets 1).
  if (code) process.exitCode = code;
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
