// The yc-iam command (bin/yc-iam.ts), in this process over a served fake: the dispatch, --help everywhere, --json on
// stdout alone, exit codes a script can test (0 done, 1 failed or findings, 2 usage), and no secret on stdout; in a
// process of its own, what an interrupt does (130, nothing sent after the call in flight, no empty secret file left).
// The bundle it is built into runs from an installed tarball in test/package/package.test.ts.
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { JOBS, yciam } from "../../bin/yc-iam.ts";
import { EXIT, EXIT_CODES_TEXT, INTERRUPTED_LINE, interruptible, runByCommand, untilInterrupted } from "../../examples/client-from-env.ts";
import { removeUnsavedSync, secretFile } from "../../examples/secret-file.ts";
import { root } from "../../scripts/root.ts";
import { VERSION } from "../../src/client.ts";
import { createFakeIam, type FakeIam } from "../../src/testing/index.ts";
import { type ServedFake, serveFake } from "../../src/testing/node.ts";

const DAY = 86_400_000;
/** What the command says on stderr of the credentials it acts with, as the chain chose them from this test's environment. */
const CREDENTIALS = "credentials: YC_IAM_TOKEN: an IAM token, used as it is (it lives 12 hours at most)";
const ACCOUNT = "ajeg2b2et02f3tl2c1pj";

/** The examples with a main: each is a job of the command. */
const EXAMPLES = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".ts") && readFileSync(join(root, "examples", f), "utf8").includes("export async function main("))
  .map((f) => f.slice(0, -3));

let fake: FakeIam;
let served: ServedFake;

beforeAll(async () => {
  fake = createFakeIam({ serviceAccounts: [ACCOUNT] });
  served = await serveFake(fake);
});
afterAll(async () => {
  await served?.close();
  // Note: the unit tests share their worker (isolate: false): the mark the command sets (runByCommand) goes with them.
  runByCommand(false);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  fake.reset();
});

/** Runs the command in this process, with the environment a user would set: its exit code and what it printed where. */
async function command(...argv: string[]) {
  vi.stubEnv("YC_IAM_TOKEN", "any");
  vi.stubEnv("YC_IAM_BASE_URL", served.url);
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...line) => void stdout.push(line.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...line) => void stderr.push(line.join(" ")));
  const code = await yciam(argv);
  vi.restoreAllMocks();
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

describe("the dispatch", () => {
  it("has a job for every example with a main, each under its own name or a shorter one", async () => {
    const names = await Promise.all(Object.values(JOBS).map(async (load) => (await load()).USAGE.name));
    expect(names.sort()).toEqual([...EXAMPLES].sort());
  });

  it("--help names every job with what it does, the credentials and the exit codes, on stdout; exit 0", async () => {
    const help = await command("--help");
    expect([help.code, help.stderr]).toEqual([0, ""]);
    for (const [name, load] of Object.entries(JOBS)) {
      const about = (await load()).USAGE.about.replace(/\s*\n\s*/g, " ");
      const line = help.stdout.split("\n").find((l) => l.startsWith(`  ${name} `));
      expect(about.startsWith(line?.slice(name.length + 2).trim() ?? "(none)"), name).toBe(true);
    }
    expect(help.stdout).toContain(EXIT_CODES_TEXT);
    expect((await command("help")).stdout).toBe(help.stdout);
  });

  it.each(Object.keys(JOBS))("%s --help prints its usage as yc-iam runs it, every flag, and exits 0; help %s is the same", async (name) => {
    const help = await command(name, "--help");
    expect([help.code, help.stderr]).toEqual([0, ""]);
    expect(help.stdout).toMatch(new RegExp(`^usage: yc-iam ${name} `));
    for (const [flag] of (await JOBS[name]?.())?.USAGE.flags ?? []) expect(help.stdout).toContain(flag);
    expect((await command("help", name)).stdout).toBe(help.stdout);
  });

  it("no job, or one it does not know, is a usage mistake: the overview on stderr, nothing on stdout, exit 2", async () => {
    for (const argv of [[], ["rotat"]]) {
      const ran = await command(...argv);
      expect([ran.code, ran.stdout]).toEqual([EXIT.usage, ""]);
      expect(ran.stderr).toMatch(argv.length ? /^there is no job "rotat"/ : /^no job given/);
      expect(ran.stderr).toContain("usage: yc-iam <job> [flags]");
    }
  });

  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(await command("--version")).toEqual({ code: 0, stdout: VERSION, stderr: "" });
    expect(VERSION).toBe(version);
  });

  it("a flag a job does not know is exit 2 with the job's usage on stderr; an API error is one line on stderr, exit 1", async () => {
    const wrong = await command("revoke-unused", "--dayz", "3");
    expect([wrong.code, wrong.stdout]).toEqual([EXIT.usage, ""]);
    expect(wrong.stderr).toMatch(/^unknown flag --dayz;[\s\S]*\n\nusage: yc-iam revoke-unused /);
    const missing = await command("rotate", "ajeapikey00000000000");
    expect([missing.code, missing.stdout]).toEqual([EXIT.failed, ""]);
    // Note: whose credentials it acted with, then the failure in one line; no stack.
    expect(missing.stderr.split("\n")).toEqual([CREDENTIALS, expect.stringMatching(/^error: .*404/)]);
  });

  it("a job that cannot be loaded fails as a job does: one line on stderr, exit 1, no stack", async () => {
    const broken = "broken-job-of-this-test";
    JOBS[broken] = () => Promise.reject(new Error("Cannot find module '../generated/openapi.json'"));
    try {
      const ran = await command(broken);
      expect(ran).toEqual({ code: EXIT.failed, stdout: "", stderr: "error: Cannot find module '../generated/openapi.json'" });
    } finally {
      delete JOBS[broken];
    }
  });

  it("listens to SIGINT and SIGTERM only while a job runs: not at import, not for --help, not after it", async () => {
    const listening = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const before = listening();
    const job = "listening-job-of-this-test";
    let during: number[] = [];
    JOBS[job] = async () => ({
      USAGE: { name: job, synopsis: "", about: "A job of this test.", flags: [] },
      main: async () => void (during = listening()),
    });
    try {
      expect((await command(job, "--help")).code).toBe(0);
      expect([during, listening()]).toEqual([[], before]);
      expect((await command(job)).code).toBe(0);
      expect([during, listening()]).toEqual([before.map((n) => n + 1), before]);
    } finally {
      delete JOBS[job];
    }
  });

  // Note: in a process of its own, as the signal goes to the whole process.
  it("an interrupt that comes while a token is being got refuses that token, though Node runs its handler a turn later", async () => {
    const script = `
      const { interruptible, untilInterrupted } = await import("./examples/client-from-env.ts");
      const token = untilInterrupted(async () => {
        process.kill(process.pid, "SIGINT");
        return "t";
      });
      const code = await interruptible(async () => {
        const got = await token({}).then((value) => value, (e) => e.message);
        console.log(JSON.stringify(got));
        return 0;
      });
      console.log(code);
    `;
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    expect(run.stdout.trim().split("\n")).toEqual([
      JSON.stringify("defaultCredentials: the command was interrupted (SIGINT), so nothing more is sent"),
      String(EXIT.interrupted.SIGINT),
    ]);
  });

  it("runs as a script (node bin/yc-iam.ts), setting the exit code", async () => {
    const ran = await promisify(execFile)(process.execPath, ["--import", "tsx", "bin/yc-iam.ts", "nope"], { cwd: root }).catch((e) => e);
    expect([ran.code, ran.stdout]).toEqual([EXIT.usage, ""]);
    expect(ran.stderr).toMatch(/^there is no job "nope"/);
  });
});

describe("the jobs, with --json: the JSON alone on stdout, and the exit code", () => {
  it("expiring-soon: 1 when a key expires within the days, 0 when none does", async () => {
    const now = Date.now();
    const [soon] = fake.seed([{ serviceAccountId: ACCOUNT, expiresAt: new Date(now + 3 * DAY).toISOString() }]);
    const found = await command("expiring-soon", "--service-account", ACCOUNT, "--days", "7", "--json");
    expect([found.code, found.stderr]).toEqual([EXIT.findings, CREDENTIALS]);
    expect(JSON.parse(found.stdout)).toMatchObject({ days: 7, keys: [{ id: soon?.id }] });
    const none = await command("expiring-soon", "--service-account", ACCOUNT, "--days", "1", "--json");
    expect([none.code, JSON.parse(none.stdout)]).toEqual([0, { days: 1, keys: [] }]);
  });

  it("revoke-unused: a dry run that finds keys exits 1 and deletes nothing; --apply deletes them and exits 0", async () => {
    const [idle] = fake.seed([{ serviceAccountId: ACCOUNT, createdAt: new Date(Date.now() - 200 * DAY).toISOString() }]);
    const dry = await command("revoke-unused", "--service-account", ACCOUNT, "--days", "90", "--json");
    expect(dry.code).toBe(EXIT.findings);
    expect(JSON.parse(dry.stdout)).toMatchObject({ days: 90, applied: false, deleted: 0, keys: [{ id: idle?.id }] });
    expect(fake.state.apiKeys).toHaveLength(1);
    const applied = await command("revoke-unused", "--service-account", ACCOUNT, "--days", "90", "--apply", "--json");
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, deleted: 1 });
    expect(fake.state.apiKeys).toHaveLength(0);
  });

  it("rotate: the new key on stdout without its secret, which is only in a file of mode 0600; the lines on stderr", async () => {
    const [old] = fake.seed([{ serviceAccountId: ACCOUNT, description: "ci", scopes: ["yc.postbox.send"] }]);
    const dir = await mkdtemp(join(tmpdir(), "yc-iam-command-"));
    try {
      const path = join(dir, "new.secret");
      const ran = await command("rotate", old?.id as string, "--secret-file", path, "--json");
      expect(ran.code, ran.stderr).toBe(0);
      const out = JSON.parse(ran.stdout);
      const secret = await readFile(path, "utf8");
      expect(secret.length).toBeGreaterThan(0);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(out).toMatchObject({ deleted: old?.id, secretFile: path, apiKey: { description: "ci", scopes: ["yc.postbox.send"] } });
      expect(ran.stdout + ran.stderr).not.toContain(secret);
      expect(ran.stderr).toContain(`deleted ${old?.id}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an interrupt, in a process of its own (node bin/yc-iam.ts) over a fake that holds the create's answer", () => {
  const interrupted = createFakeIam({ serviceAccounts: [ACCOUNT] });
  let server: ServedFake;
  /** The create's answer is held until `release`; `arrived` resolves once the fake has made the key, with its secret. */
  let gate: { arrived: Promise<string>; release: () => void };
  const holdCreate = () => {
    let arrive = (_secret: string) => {};
    let release = () => {};
    const arrived = new Promise<string>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    gate = { arrived, release };
    return { arrive, released };
  };
  let held = holdCreate();
  beforeAll(async () => {
    server = await serveFake({
      async handle(request) {
        const response = await interrupted.handle(request);
        if (request.method !== "POST" || new URL(request.url).pathname !== "/iam/v1/apiKeys") return response;
        const { arrive, released } = held;
        arrive((await response.clone().json()).secret);
        // Note: the answer goes once released, or never when the command is gone (serveFake aborts the request then).
        await new Promise<void>((resolve, reject) => {
          released.then(resolve);
          request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
        });
        return response;
      },
    });
  });
  afterAll(async () => {
    gate.release();
    await server?.close();
  });
  afterEach(() => {
    interrupted.reset();
    held = holdCreate();
  });

  /** Starts `yc-iam rotate` on the old key, its secret to `path`; `said(text)` resolves once its stderr holds `text`. */
  function rotate(oldKeyId: string, path: string) {
    const env = { ...process.env, YC_IAM_TOKEN: "any", YC_IAM_BASE_URL: server.url };
    const child = spawn(process.execPath, ["--import", "tsx", "bin/yc-iam.ts", "rotate", oldKeyId, "--secret-file", path], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const heard: (() => void)[] = [];
    child.stdout.on("data", (chunk) => void (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      for (const listener of heard) listener();
    });
    const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    const said = (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          const check = () => stderr.includes(text) && resolve();
          heard.push(check);
          check();
        }),
        exited.then((ran) => {
          if (!ran.stderr.includes(text))
            throw new Error(`the command exited (${ran.code ?? ran.signal}) without saying ${text}: ${ran.stderr}`);
        }),
      ]);
    return { child, exited, said };
  }

  it("the first SIGINT: the create in flight finishes and its secret is saved (0600), nothing more is sent, the job says what changed; exit 130", async () => {
    const [old] = interrupted.seed([{ serviceAccountId: ACCOUNT, description: "ci" }]);
    const dir = await mkdtemp(join(tmpdir(), "yc-iam-interrupt-"));
    try {
      const path = join(dir, "new.secret");
      const run = rotate(old?.id as string, path);
      const secret = await gate.arrived;
      run.child.kill("SIGINT");
      await run.said(INTERRUPTED_LINE);
      gate.release();
      const ran = await run.exited;
      expect([ran.code, ran.signal], ran.stderr).toEqual([EXIT.interrupted.SIGINT, null]);
      const created = interrupted.state.apiKeys.find((k) => k.id !== old?.id);
      // Note: the key the create made, its secret in the file, mode 0600; the old key still there, nothing sent after the create.
      expect(readFileSync(path, "utf8")).toBe(secret);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(interrupted.state.apiKeys.map((k) => k.id).sort()).toEqual([old?.id, created?.id].sort());
      expect(interrupted.requests.map((r) => r.operation)).toEqual(["getApiKey", "createApiKey"]);
      const lines = ran.stderr.trimEnd().split("\n");
      expect(lines).toEqual([
        CREDENTIALS,
        INTERRUPTED_LINE,
        expect.stringMatching(/^error: getApiKey: .*the command was interrupted \(SIGINT\)/),
      ]);
      expect(lines[2]).toContain(`API key ${created?.id} was created and its secret is in ${path} (mode 0600); ${old?.id} was not deleted`);
      expect(ran.stdout).toContain(`created ${created?.id}`);
      expect(ran.stdout + ran.stderr).not.toContain(secret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a second SIGINT: stops at once, exit 130, the reserved empty file removed, and says a change in flight may have been made", async () => {
    const [old] = interrupted.seed([{ serviceAccountId: ACCOUNT }]);
    const dir = await mkdtemp(join(tmpdir(), "yc-iam-interrupt-"));
    try {
      const path = join(dir, "new.secret");
      const run = rotate(old?.id as string, path);
      await gate.arrived;
      // Note: the file is reserved (empty) before the create is sent.
      expect(readFileSync(path, "utf8")).toBe("");
      run.child.kill("SIGINT");
      await run.said(INTERRUPTED_LINE);
      run.child.kill("SIGINT");
      const ran = await run.exited;
      expect([ran.code, ran.signal], ran.stderr).toEqual([EXIT.interrupted.SIGINT, null]);
      expect(existsSync(path)).toBe(false);
      expect(ran.stderr.trimEnd().split("\n")).toEqual([
        CREDENTIALS,
        INTERRUPTED_LINE,
        `interrupted again: stopped at once; a change in flight may have been made (its outcome is unknown): list what the job changes (the account's keys, its roles) before running it again; removed ${path}, which held no secret yet`,
      ]);
      // Note: why it says so: the fake made the key, whose secret never reached the command.
      expect(interrupted.state.apiKeys).toHaveLength(2);
      expect(interrupted.requests.map((r) => r.operation)).toEqual(["getApiKey", "createApiKey"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an interrupt, in this process (the signal emitted, process.exit refused)", () => {
  // Note: yciam called twice without waiting: each run had its own handler, and the one signal reached both, the second
  // taking it for a second interrupt: the process exited at once, removing the files, with no call in flight finished.
  it("jobs run at once share one interrupt: one signal is a first interrupt for each, and their tokens refuse", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(((code: number) => {
      throw new Error(`process.exit(${code})`);
    }) as never);
    const said = vi.spyOn(console, "error").mockImplementation(() => {});
    const listening = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const before = listening();
    try {
      const token = untilInterrupted(async () => "t");
      let interrupt = () => {};
      const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
      const job = () =>
        interruptible(async () => {
          await interrupted;
          return token().then(
            () => 0,
            (e) => (String(e.message).includes("the command was interrupted (SIGINT)") ? 1 : 2),
          );
        });
      const runs = Promise.all([job(), job()]);
      expect(listening()).toEqual(before.map((n) => n + 1));
      process.emit("SIGINT", "SIGINT");
      interrupt();
      expect(await runs).toEqual([EXIT.interrupted.SIGINT, EXIT.interrupted.SIGINT]);
      expect(exit).not.toHaveBeenCalled();
      expect(said.mock.calls).toEqual([[INTERRUPTED_LINE]]);
      expect(listening()).toEqual(before);
      // Note: after them, a token gives again.
      expect(await token()).toBe("t");
    } finally {
      exit.mockRestore();
      said.mockRestore();
    }
  });

  // Note: a second interrupt while the secret was being written and synced (saved not yet true) removed the file that
  // held the only copy of the secret, saying it held none.
  it("a second interrupt keeps a secret file whose secret has begun to be written, and removes one that holds none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yc-iam-unsaved-"));
    try {
      const writing = await secretFile(join(dir, "writing.secret"), "x", "x-");
      const empty = await secretFile(join(dir, "empty.secret"), "x", "x-");
      const saving = writing.save("the secret");
      expect(removeUnsavedSync()).toEqual({ removed: [empty.path], failed: [], kept: [writing.path] });
      await saving;
      await writing.close();
      await empty.close();
      expect([readFileSync(writing.path, "utf8"), existsSync(empty.path)]).toEqual(["the secret", false]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
