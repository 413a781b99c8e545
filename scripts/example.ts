// npm run example -- <name> [arguments]: runs one of examples/ against the stateful fake on loopback,
// with a few keys of a realistic history, so it can be seen working without a Yandex Cloud account: a demo fake of its
// own each run, or the one FAKE_URL names (npm start serves one and prints its URL), which keeps what each run makes.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { EXIT, EXIT_CODES_TEXT, runJob, type Usage, untilInterrupted, usageText, wantsHelp } from "../examples/client-from-env.ts";
import { serviceAccountKey } from "../src/auth/index.ts";
import { createIamClient, keyFile } from "../src/index.ts";
import {
  createFakeIam,
  createOidcIssuer,
  DEFAULT_CLOUD_ID,
  DEFAULT_FOLDER_ID,
  type FakeIam,
  type FakeOidcIssuer,
  githubActionsJob,
} from "../src/testing/index.ts";
import { serveFake } from "../src/testing/node.ts";
import { root } from "./root.ts";

const DAY = 86_400_000;
export const DEMO_ACCOUNT = "ajeg2b2et02f3tl2c1pj";

/** Keys with a past: used yesterday, idle for months, never used, expiring soon. */
export function seedDemo(fake: FakeIam, now = Date.now()) {
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  return fake.seed([
    { description: "support bot", scopes: ["yc.ai.foundationModels.execute"], createdAt: at(-200), lastUsedAt: at(-1), expiresAt: at(10) },
    { description: "nightly export", scopes: ["yc.ydb.tables.manage"], createdAt: at(-300), lastUsedAt: at(-120) },
    { description: "old CI key", scopes: ["yc.serverless.functions.invoke"], createdAt: at(-200) },
    { description: "new key", scopes: ["yc.postbox.send"], createdAt: at(-2) },
    { description: "postbox sender", scopes: ["yc.postbox.send"], createdAt: at(-40), lastUsedAt: at(-5), expiresAt: at(3) },
  ]);
}

/** The demo folder, the fake's default one: its default account lives there, and the accounts `demoFake` makes. */
export const DEMO_FOLDER = DEFAULT_FOLDER_ID;
/** The demo cloud, the fake's default one, which holds the demo folder: a role on it holds in the folder too. */
export const DEMO_CLOUD = DEFAULT_CLOUD_ID;

/** The other accounts of the demo folder and their credentials, days from now (negative: in the past). */
const DEMO_ACCOUNTS: {
  name: string;
  createdDaysAgo: number;
  apiKeys?: { description: string; scopes: string[]; created: number; lastUsed?: number; expires?: number }[];
  /** Authorized keys: when each was created and last used (a JWT exchange then), if ever. */
  authorizedKeys?: { description: string; created: number; lastUsed?: number }[];
  staticKeys?: { description: string; created: number }[];
}[] = [
  {
    name: "ci-deployer",
    createdDaysAgo: 150,
    apiKeys: [{ description: "deploy hook", scopes: ["yc.serverless.containers.invoke"], created: -150, lastUsed: -1, expires: 60 }],
    authorizedKeys: [{ description: "GitHub Actions", created: -150, lastUsed: -1 }],
    staticKeys: [{ description: "artifact bucket", created: -150 }],
  },
  {
    name: "backup-writer",
    createdDaysAgo: 400,
    authorizedKeys: [{ description: "backup VM", created: -400 }],
    staticKeys: [{ description: "backups bucket", created: -400 }],
  },
  {
    name: "metrics-reader",
    createdDaysAgo: 90,
    apiKeys: [{ description: "grafana", scopes: ["yc.monitoring.read"], created: -90, lastUsed: -2 }],
    authorizedKeys: [{ description: "exporter", created: -30, lastUsed: -29 }],
  },
  {
    name: "old-importer",
    createdDaysAgo: 500,
    apiKeys: [{ description: "import job", scopes: ["yc.ydb.tables.manage"], created: -500, lastUsed: -300 }],
    authorizedKeys: [{ description: "import VM", created: -500, lastUsed: -400 }],
    staticKeys: [{ description: "import bucket", created: -500 }],
  },
];

/**
 * The demo fake of `npm run example`, `npm start` and `npm run fake`: a cloud holding the demo folder, whose five service accounts hold
 * credentials of all three kinds with a past, made through the API (on the fake's clock, set back while it is seeded),
 * each operation then done after one poll. `keys` are the default account's API keys, as `seedDemo` made them.
 */
export async function demoFake(now = Date.now()) {
  const at = (days: number) => now + days * DAY;
  /** The fake's clock: a day in the past while the demo is made, then the real one. */
  let pinned: number | undefined;
  const clock = () => pinned ?? Date.now();
  // Note: GitHub Actions' issuer, as the demo's own: the fake trusts its keys, so keyless-ci's job can run against it.
  const issuer = createOidcIssuer();
  const fake = createFakeIam({
    jwks: [issuer],
    serviceAccounts: [DEMO_ACCOUNT],
    folderId: DEMO_FOLDER,
    clouds: [{ id: DEMO_CLOUD, name: "demo-cloud" }],
    folders: [{ id: DEMO_FOLDER, name: "demo", cloudId: DEMO_CLOUD }],
    operations: { polls: 1 },
    now: clock,
  });
  const keys = seedDemo(fake, now);
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  for (const demo of DEMO_ACCOUNTS) {
    pinned = at(-demo.createdDaysAgo);
    const account = await iam.serviceAccounts.create({ folderId: DEMO_FOLDER, name: demo.name, description: "demo account" });
    const serviceAccountId = account.id;
    fake.seed(
      (demo.apiKeys ?? []).map((k) => ({
        serviceAccountId,
        description: k.description,
        scopes: k.scopes,
        createdAt: new Date(at(k.created)).toISOString(),
        ...(k.lastUsed !== undefined && { lastUsedAt: new Date(at(k.lastUsed)).toISOString() }),
        ...(k.expires !== undefined && { expiresAt: new Date(at(k.expires)).toISOString() }),
      })),
    );
    for (const k of demo.authorizedKeys ?? []) {
      pinned = at(k.created);
      const created = await iam.keys.create({ serviceAccountId, description: k.description });
      if (k.lastUsed === undefined) continue;
      // Note: a JWT exchange is an authorized key's use: the fake records it in lastUsedAt, at its clock.
      pinned = at(k.lastUsed);
      await serviceAccountKey(keyFile(created), { baseUrl: fake.baseUrl, fetch: fake.fetch, now: clock })();
    }
    for (const k of demo.staticKeys ?? []) {
      pinned = at(k.created);
      await iam.accessKeys.create({ serviceAccountId, description: k.description });
    }
  }
  pinned = undefined;
  return { fake, keys, issuer };
}

/** What the demo fake holds, in a few words: "5 service accounts with 15 keys (…) in folder b1g… of cloud b1g…". */
export function demoSummary(fake: FakeIam): string {
  const { serviceAccounts, apiKeys, keys, accessKeys, folders } = fake.state;
  const total = apiKeys.length + keys.length + accessKeys.length;
  const cloudId = folders.find((folder) => folder.id === DEMO_FOLDER)?.cloudId;
  return `${serviceAccounts.length} service accounts with ${total} keys (${apiKeys.length} API keys, ${keys.length} authorized keys, ${accessKeys.length} static keys) in folder ${DEMO_FOLDER} of cloud ${cloudId}`;
}

/** The command that makes a robot in the demo folder of the fake served at `url`; run again, it changes nothing. */
export const demoProvision = (url: string): string =>
  `FAKE_URL=${url} npm run example -- provision --folder ${DEMO_FOLDER} --name ci-robot --role editor`;

/** The default arguments of each example, for the demo folder and its default account. */
const defaults = (name: string, firstKey: string): string[] =>
  ({
    "rotate-key": [firstKey],
    "revoke-unused": ["--service-account", DEMO_ACCOUNT, "--days", "90"],
    "expiring-soon": ["--service-account", DEMO_ACCOUNT, "--days", "30"],
    provision: ["--folder", DEMO_FOLDER, "--name", "ci-robot", "--role", "editor"],
    audit: ["--cloud", DEMO_CLOUD],
    "keyless-ci": ["--folder", DEMO_FOLDER, "--service-account", DEMO_ACCOUNT, "--repo", DEMO_REPOSITORY, "--check"],
  })[name] ?? [];

/** The GitHub repository of keyless-ci's demo job. */
export const DEMO_REPOSITORY = "demo-org/app";

/**
 * keyless-ci's demo job: GitHub's ID token service for a job of the demo repository on main, signing with the demo
 * fake's trusted issuer, served on loopback; its variables are the job's (in the process's env, as a job has them).
 */
async function demoGithubJob(issuer: FakeOidcIssuer): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const job = githubActionsJob(issuer, { repository: DEMO_REPOSITORY });
  const served = await serveFake(job);
  return { env: job.environment(served.url), close: served.close };
}

/**
 * The arguments an example runs with: flags alone add to the defaults, a flag given replacing the default's (a flag that
 * may be repeated, as provision's `--role`, too), so `rotate-key --secret-file P` rotates the first demo key; arguments
 * with a positional one (a key's id), wherever it is, replace them.
 */
export function argumentsOf(given: string[], preset: string[]): string[] {
  if (given.some(positional)) return given;
  const kept: string[] = [];
  for (let i = 0; i < preset.length; i++) {
    const arg = preset[i] as string;
    const value = arg.startsWith("--") && preset[i + 1] !== undefined && !preset[i + 1]?.startsWith("--") ? [preset[++i] as string] : [];
    if (!given.includes(arg)) kept.push(arg, ...value);
  }
  return [...kept, ...given];
}

/** Whether the argument at `i` is a positional one: not a flag, nor the value after a flag (each example's flags with a value). */
const positional = (arg: string, i: number, all: string[]) => !arg.startsWith("-") && !all[i - 1]?.startsWith("-");

/** The examples: the modules of examples/ with a main (the others, client-from-env and secret-file, serve them). */
async function exampleNames(): Promise<string[]> {
  const files = (await readdir(join(root, "examples"))).filter((f) => f.endsWith(".ts"));
  const names: string[] = [];
  for (const f of files)
    if ((await readFile(join(root, "examples", f), "utf8")).includes("export async function main(")) names.push(f.slice(0, -3));
  // Note: by name: a directory lists in the file system's order, and as file names `audit-subject.ts` sorts before `audit.ts`.
  return names.sort();
}

/** `npm run example -- <name> [arguments]`: runs the example against the demo fake; returns the exit code. */
async function runExample([name, ...args]: string[]): Promise<number> {
  const names = await exampleNames();
  const usage = `usage: npm run example -- <${names.join(" | ")}> [arguments]   (npm run example -- <name> --help: what it takes)`;
  if (name === "--help" || name === "-h") {
    console.log(usage);
    return 0;
  }
  if (!name || !names.includes(name)) {
    if (name) console.error(`there is no example ${JSON.stringify(name)}`);
    console.error(usage);
    return EXIT.usage;
  }
  const example = (await import(join(root, "examples", `${name}.ts`))) as {
    /** Resolves with the exit code when the example sets one (audit: 1 when it reports findings). */
    main(argv: string[], iam: unknown): Promise<unknown>;
    USAGE: Usage;
  };
  const text = usageText(example.USAGE, `npm run example -- ${name}`);
  if (wantsHelp(args)) {
    const preset = defaults(name, "<the first demo key>");
    console.log(text);
    console.log(
      `\nnpm run example runs it against the stateful fake on 127.0.0.1 and its demo folder${preset.length ? `; with no arguments, as: ${preset.join(" ")}` : ""}.`,
    );
    console.log(
      "Each run has a demo fake of its own; FAKE_URL=<url> runs it against a fake already served (npm start prints its URL), which keeps what each run makes.",
    );
    console.log(EXIT_CODES_TEXT);
    return 0;
  }
  // Note: FAKE_URL names a fake already served (npm start prints it): what the example makes stays there for the next
  // run; without it, each run has a demo fake of its own.
  const served = process.env.FAKE_URL || undefined;
  const local = served ? undefined : await demoFake();
  const server = local && (await serveFake(local.fake));
  const url = served ?? (server?.url as string);
  // Note: a token that stops when the example is interrupted, as the command's client does (untilInterrupted).
  const iam = createIamClient({ token: untilInterrupted(async () => "any"), baseUrl: url, polling: { initialDelayMs: 20 } });
  // Note: with --json, stdout holds the example's JSON alone; what the runner says goes to stderr.
  const say = args.includes("--json") ? console.error : console.log;
  say(
    local
      ? `${name}, against the stateful fake at ${url} (${demoSummary(local.fake)}):\n`
      : `${name}, against the fake at ${url} (FAKE_URL), which keeps what it makes between runs:\n`,
  );
  // Note: keyless-ci runs its job's side where the platform gives a token: a demo fake of its own has a GitHub job.
  const job = local && name === "keyless-ci" ? await demoGithubJob(local.issuer) : undefined;
  if (job) {
    Object.assign(process.env, job.env);
    say(`A GitHub Actions job of ${DEMO_REPOSITORY} on main runs on loopback too (its ID token service, as in a real job).\n`);
  }
  // Note: an interrupt's handlers only while the example runs, and a failure told as when it runs alone: one line (or the
  // usage), and an exit code a script can test (runJob, as in the yc-iam command).
  return runJob(async () => {
    try {
      // Note: an example that makes a client of its own (bootstrap-key, with its key file's tokens) finds the fake here too.
      process.env.YC_IAM_BASE_URL = url;
      // Note: the demo's own setup went through the fake too; only the example's requests are counted.
      const setup = local?.fake.requests.length ?? 0;
      // Note: a fake served elsewhere is asked for the first demo key (rotate-key's default), as it is now.
      const firstKey = local
        ? local.keys[0]?.id
        : name === "rotate-key" && !args.some(positional)
          ? (await iam.apiKeys.list({ serviceAccountId: DEMO_ACCOUNT })).apiKeys[0]?.id
          : undefined;
      const code = await example.main(argumentsOf(args, defaults(name, firstKey ?? "")), iam);
      if (local) {
        const { apiKeys, keys, accessKeys, serviceAccounts } = local.fake.state;
        say(
          `\nThe fake now holds ${serviceAccounts.length} service account(s), ${apiKeys.length} API key(s), ${keys.length} authorized key(s) and ${accessKeys.length} static key(s); the example sent it ${local.fake.requests.length - setup} request(s).`,
        );
      } else say(`\nThe fake at ${url} keeps its state: the next run sees what this one made.`);
      return code;
    } finally {
      await server?.close();
      await job?.close();
    }
  }, text);
}

if (process.argv[1]?.endsWith("example.ts")) process.exitCode = await runExample(process.argv.slice(2));
