// The examples as commands, run as a user runs them (a process each): --help prints the usage and exits 0; a flag
// unknown, missing or malformed prints the usage to stderr and exits 2; any other failure (an API error, an
// IamInputError) is one line on stderr and exit 1. Never a stack trace.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES_TEXT, UsageError } from "../../examples/client-from-env.ts";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { type ServedFake, serveFake } from "../../src/testing/node.ts";

/** A subject id in the form Yandex generates. */
const SUBJECT_ID = "ajeuser0000000000001";

/** The examples: the modules of examples/ with a main. */
const EXAMPLES = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".ts") && readFileSync(join(root, "examples", f), "utf8").includes("export async function main("))
  .map((f) => f.slice(0, -3))
  .sort();

/** An example's main: its arguments, and the client it uses. */
type Main = (argv: string[], iam: ReturnType<typeof createIamClient>) => Promise<void>;
/** Every example's main, by its name. */
const MAINS: Record<string, Main> = Object.fromEntries(
  await Promise.all(EXAMPLES.map(async (name) => [name, (await import(`../../examples/${name}.ts`)).main])),
);

/** A line of a stack trace, as Node prints one. */
const STACK = /^\s+at /m;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx <script> ...args` in the repository; its exit code and output, whatever it is. */
async function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  // Note: no real credentials reach an example here: the token is a placeholder and the endpoint loopback.
  const options = { cwd: root, env: { ...process.env, YC_IAM_TOKEN: "any", YC_IAM_BASE_URL: "http://127.0.0.1:9", ...env } };
  try {
    const { stdout, stderr } = await promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", script, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** A failure as the examples report it: the exit code, one line on stderr, no stack. */
function expectOneLine(ran: Ran, code: number, message: RegExp) {
  expect(ran.code, ran.stderr).toBe(code);
  expect(ran.stderr).not.toMatch(STACK);
  expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(ran.stderr).toMatch(message);
}

/** A mistake in the command line: exit 2, the message and then the usage on stderr, nothing on stdout, no stack. */
function expectUsage(ran: Ran, command: string, message: RegExp) {
  expect(ran.code, ran.stderr).toBe(2);
  expect(ran.stderr).not.toMatch(STACK);
  expect(ran.stderr).toMatch(message);
  expect(ran.stderr).toContain(`\n\nusage: ${command} `);
}

it("finds every example: each module of examples/ with a main has its USAGE, and the README links each one", () => {
  const modules = readdirSync(join(root, "examples"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .sort();
  const withUsage = modules.filter((name) => /^export const USAGE\b/m.test(readFileSync(join(root, "examples", `${name}.ts`), "utf8")));
  expect(EXAMPLES).toEqual(withUsage);
  // Note: negative controls: there are examples, and the modules that serve them are none.
  expect(EXAMPLES.length).toBeGreaterThan(1);
  expect(modules.filter((name) => !EXAMPLES.includes(name))).toContain("client-from-env");
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const linked = [...readme.matchAll(/\[`examples\/([\w-]+)\.ts`\]\(examples\/\1\.ts\)/g)].map((m) => m[1]);
  expect([...linked].sort()).toEqual(EXAMPLES);
});

// Note: concurrent: each example runs in processes of its own, and most of a test is waiting for them.
describe.concurrent.each(EXAMPLES)("examples/%s.ts run alone", (name) => {
  const script = `examples/${name}.ts`;
  const command = `npx tsx ${script}`;

  it("--help prints its usage to stdout, every flag it knows with what it means, and exits 0", async () => {
    const help = await run(script, ["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(new RegExp(`^usage: ${command.replaceAll(".", "\\.")} `));
    expect(help.stdout).toContain(EXIT_CODES_TEXT);
    // Note: the flags it knows are the ones an unknown flag's message names; each is in the help, on a line of its own.
    const refused = await run(script, ["--no-such-flag"]);
    expectUsage(refused, command, /^unknown flag --no-such-flag; the known ones are /);
    const known = refused.stderr.match(/the known ones are (.*)\n/)?.[1]?.split(", ") ?? [];
    expect(known.length).toBeGreaterThan(0);
    for (const flag of known) expect(help.stdout).toMatch(new RegExp(`^  ${flag}\\b.*\\S`, "m"));
    expect(refused.stdout).toBe("");
  });
});

describe("a missing or malformed argument", () => {
  it.each([
    ["audit", [], /^--cloud or --folder is required\n/],
    ["provision", ["--folder", "b1gvmob95yysaplct532"], /^--folder and --name are required\n/],
    ["rotate-key", [], /^the API key to rotate is missing\n/],
    ["expiring-soon", ["--days", "soon"], /^--days must be a whole number, at least 0, not "soon"\n/],
  ])("%s %j prints the message and the usage to stderr and exits 2", async (name, args, message) => {
    expectUsage(await run(`examples/${name}.ts`, args), `npx tsx examples/${name}.ts`, message);
  });

  // Note: the same checks in process, each a UsageError from main before anything is sent.
  const fake = createFakeIam();
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch });
  it.each([
    ["audit", ["--folder"], "--folder needs a value"],
    ["audit", ["--folder", "b1g", "--concurrency", "0"], '--concurrency must be a whole number, at least 1, not "0"'],
    ["audit", ["--folder", "b1g", "--json", "yes"], '--json takes no value, not "yes"'],
    ["bootstrap-key", ["--key-file"], "--key-file needs a value"],
    ["bootstrap-key", ["ajeone", "ajetwo"], "one service account at a time, not ajeone ajetwo"],
    ["expiring-soon", ["--days", "-3"], '--days must be a whole number, at least 0, not "-3"'],
    ["expiring-soon", ["--service-account"], "--service-account needs a value"],
    ["revoke-unused", ["--days", "0", "--apply"], '--days must be a whole number, at least 1, not "0"'],
    ["revoke-unused", ["--days", "1.5"], '--days must be a whole number, at least 1, not "1.5"'],
    ["revoke-unused", ["--apply", "now"], '--apply takes no value, not "now"'],
    ["provision", ["--folder", "b1g", "--name", "abc", "--subject", SUBJECT_ID, "--static", "yes"], '--static takes no value, not "yes"'],
    ["provision", ["--folder", "b1g", "--name", "abc", "--subject", SUBJECT_ID, "--secret-file"], "--secret-file needs a value"],
    [
      "provision",
      ["--folder", "b1g", "--name", "abc", "--subject", "not-a-valid-id"],
      '--subject "not-a-valid-id": an ID of 20 characters of a-z and 0-9, as Yandex generates them',
    ],
    [
      "provision",
      ["--folder", "b1g", "--name", "abc", "--subject", "everyone", "--subject-type", "system"],
      '--subject "everyone": allUsers, allAuthenticatedUsers or group:organization|federation|userpool:<id>:users for type system',
    ],
    ["rotate-key", ["aje1", "aje2"], "one key at a time, not aje1 aje2"],
    ["rotate-key", ["aje1", "--secret-file"], "--secret-file needs a value"],
  ])("%s %j: a UsageError before anything is sent (%s)", async (name, argv, message) => {
    const before = fake.requests.length;
    const error = await (MAINS[name] as Main)(argv, iam).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
    expect(fake.requests).toHaveLength(before);
  });
});

describe("a failure that is not the command line's", () => {
  let fake: ReturnType<typeof createFakeIam>;
  let served: ServedFake;
  beforeAll(async () => {
    fake = createFakeIam();
    fake.seed([{ description: "one key" }]);
    served = await serveFake(fake);
  });
  afterAll(() => served?.close());

  it("an API error (403) is one line on stderr, exit 1, no stack", async () => {
    fake.failNext({ status: 403, message: "Permission denied to list the keys" });
    const ran = await run("examples/expiring-soon.ts", [], { YC_IAM_BASE_URL: served.url });
    expectOneLine(ran, 1, /^error: listApiKeys: .*403.*Permission denied to list the keys\n$/);
  });

  it("an IamInputError (an id too long for the contract) is one line on stderr, exit 1, no stack, nothing sent", async () => {
    const before = fake.requests.length;
    const ran = await run("examples/revoke-unused.ts", ["--service-account", "a".repeat(100)], { YC_IAM_BASE_URL: served.url });
    expectOneLine(ran, 1, /^error: listApiKeys: invalid arguments: serviceAccountId must be at most 50 characters \(has 100\)\n$/);
    expect(fake.requests).toHaveLength(before);
  });
});

describe("npm run example", () => {
  const script = "scripts/example.ts";

  it("--help names the examples on stdout and exits 0; <name> --help prints that example's usage as npm run example runs it", async () => {
    const all = await run(script, ["--help"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`usage: npm run example -- <${EXAMPLES.join(" | ")}> [arguments]`);
    const one = await run(script, ["rotate-key", "--help"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^usage: npm run example -- rotate-key <apiKeyId> /);
    expect(one.stdout).toContain("with no arguments, as: <the first demo key>");
  });

  it("a malformed flag exits 2 with the usage; a key the fake does not hold is one line and exit 1; neither with a stack", async () => {
    expectUsage(
      await run(script, ["revoke-unused", "--days", "many"]),
      "npm run example -- revoke-unused",
      /^--days must be a whole number, at least 1, not "many"\n/,
    );
    const missing = await run(script, ["rotate-key", "aje00000000000000000"]);
    expectOneLine(missing, 1, /^error: getApiKey: .*404.*aje00000000000000000/);
  });
});
