// yc-iam, the package's command: the jobs of examples/ (provision, audit, rotate…) under one name, each the example's
// own `main` with a client from the credential chain. It adds only the dispatch: `yc-iam <job> --help`, `yc-iam --help`,
// and the examples' exit codes and handling of interrupts (EXIT_CODES_TEXT, runJob). Built into one file,
// dist/yc-iam.js (scripts/build.ts), which needs nothing but the package's own dependency.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  clientFromEnv,
  ENVIRONMENT,
  EXIT,
  reportFailure,
  runByCommand,
  runJob,
  type Usage,
  usageText,
  wantsHelp,
} from "../examples/client-from-env.ts";
import { VERSION } from "../src/client.ts";
import type { IamClient } from "../src/index.ts";

/** What each example module gives the command: its usage, and a main that resolves with an exit code (anything else: 0). */
interface Job {
  USAGE: Usage;
  main(argv: string[], iam: IamClient): Promise<unknown>;
}

/** The jobs, by the name the command gives them, each loaded only when asked for. */
export const JOBS: Record<string, () => Promise<Job>> = {
  provision: () => import("../examples/provision.ts"),
  audit: () => import("../examples/audit.ts"),
  "audit-subject": () => import("../examples/audit-subject.ts"),
  rotate: () => import("../examples/rotate-key.ts"),
  "revoke-unused": () => import("../examples/revoke-unused.ts"),
  "expiring-soon": () => import("../examples/expiring-soon.ts"),
  "bootstrap-key": () => import("../examples/bootstrap-key.ts"),
  "check-roles": () => import("../examples/check-roles.ts"),
  "keyless-ci": () => import("../examples/keyless-ci.ts"),
  token: () => import("../examples/iam-token.ts"),
};

/** The first clause of a job's `about`, on one line: up to its first full stop, colon or semicolon, which goes. */
const summary = (about: string) => (about.replace(/\s*\n\s*/g, " ").match(/^.*?(?=[.:;](\s|$))/)?.[0] ?? about).trim();

/** `yc-iam --help`: the jobs, each with what it does, and how to ask for more. */
async function overview(): Promise<string> {
  const names = Object.keys(JOBS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = await Promise.all(
    names.map(async (name) => `  ${name.padEnd(width)}  ${summary((await JOBS[name]?.())?.USAGE.about ?? "")}`),
  );
  return [
    "usage: yc-iam <job> [flags]",
    "",
    "Manage Yandex Cloud service accounts and their credentials. Jobs:",
    "",
    ...lines,
    "",
    "yc-iam <job> --help: what a job takes. yc-iam --version: the version.",
    "",
    ENVIRONMENT,
  ].join("\n");
}

/** Runs the command line `argv` (without node and the script) and returns its exit code; whatever fails, one line and 1, never a stack. */
export async function yciam(argv: string[]): Promise<number> {
  runByCommand();
  try {
    return await dispatch(argv);
  } catch (error) {
    // Note: a job that cannot even be loaded (a file of the package missing) fails as any job does.
    return reportFailure(error, "");
  }
}

/** The command line's job, run: its exit code. */
async function dispatch(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--version" || name === "-v") {
    console.log(VERSION);
    return 0;
  }
  if (name === "--help" || name === "-h" || (name === "help" && !args.length)) {
    console.log(await overview());
    return 0;
  }
  // Note: `yc-iam help rotate` is `yc-iam rotate --help`, as in gh.
  if (name === "help") return dispatch([args[0] as string, "--help"]);
  const load = name === undefined ? undefined : JOBS[name];
  if (!load) {
    console.error(`${name === undefined ? "no job given" : `there is no job ${JSON.stringify(name)}`}\n\n${await overview()}`);
    return EXIT.usage;
  }
  const job = await load();
  const text = usageText(job.USAGE, `yc-iam ${name}`);
  if (wantsHelp(args)) {
    console.log(`${text}\n\n${ENVIRONMENT}`);
    return 0;
  }
  // Note: an interrupt's handlers only while the job runs, never at import or for --help.
  return runJob(async () => {
    // Note: whose credentials a job acts with, on stderr once the chain has chosen (never a secret): a job that deletes
    // or grants should say as whom.
    const iam = clientFromEnv(process.env, { onChoose: ({ description }) => console.error(`credentials: ${description}`) });
    return job.main(args, iam);
  }, text);
}

// Note: the real path of the script node was started with, since npm links a bin (node_modules/.bin/yc-iam) to its file.
const started = process.argv[1] && realpathSync(process.argv[1]);
if (started && started === fileURLToPath(import.meta.url)) process.exitCode = await yciam(process.argv.slice(2));
