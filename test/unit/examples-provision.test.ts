// The provision example against the stateful fake through a client (every answer held to the document): a robot that
// can act (roles on the folder, its cloud and other accounts, recorded in the bindings before it says so, and that
// Yandex may take about 5 seconds more to apply them), a credential in a 0600 file, idempotent by name, --dry-run with
// reads alone, roles checked before anything is created, a secret never lost, and a failure that names every change.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../../examples/client-from-env.ts";
import { type Clock, DEFAULT_ROLE, DEFAULT_WAIT_SECONDS, POLL_MS, main as provisionMain, valuesOf } from "../../examples/provision.ts";
import { operations } from "../../generated/contract.ts";
import { argumentsOf, DEMO_CLOUD, DEMO_FOLDER, demoFake, demoProvision, demoSummary } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { serviceAccountKey } from "../../src/auth/index.ts";
import { createIamClient } from "../../src/index.ts";
import type { FakeIam, FakeIamOptions, FakeRequest } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { checkedFake, violationCheck } from "../support/checked-fake.ts";
import { logged, privateSecret } from "../support/logged.ts";
import { unsavableFile } from "../support/secret-files.ts";
import { caught, TOKEN } from "../support/secrets.ts";

const FOLDER = "b1gfolder0provision1";
const CLOUD = "b1gcloud00provision1";
const ADMIN = "ajeadmin0account0sa1";
const USER = "ajeuser0000000000001";
/** Another service account of the folder, which the robot may get a role on (`--role-on-account`). */
const OTHER = "ajeother000account01";
/** What a run says once the roles it granted are recorded: a binding recorded is not yet a role Yandex applies. */
const APPLY = "Yandex may take about 5 seconds more to apply a role recorded in its bindings, so retry the first call that needs it";
const run = promisify(execFile);
const mode = (path: string) => statSync(path).mode & 0o777;

/** The operations that change something (their retry class says so): a dry run or a rerun sends none. */
const WRITES = new Set<string>(
  Object.values(operations)
    .filter((row) => row.retry.changes)
    .map((row) => row.id),
);
const writes = (requests: readonly FakeRequest[]) => requests.filter((r) => r.operation && WRITES.has(r.operation));
const track = violationCheck();

/**
 * A checked fake whose folder is in a cloud of its own, with one account, and a client over it that hands back every
 * create's answer (where the secrets are); `hide` makes the next binding reads answer no binding (a role not recorded
 * yet). `clock` is the fake's and the example's: the one time of every timestamp the fake makes and of every check
 * the example makes.
 */
function provisionFake(options: FakeIamOptions = {}) {
  const clock = testClock();
  const checked = track(
    checkedFake({
      serviceAccounts: [ADMIN, OTHER],
      folderId: FOLDER,
      clouds: [{ id: CLOUD, name: "provision" }],
      folders: [{ id: FOLDER, name: "robots", cloudId: CLOUD }],
      operations: { polls: 1 },
      now: clock.now,
      ...options,
    }),
  );
  const answers: { path: string; body: any }[] = [];
  const lag = { reads: 0, seen: 0 };
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await checked.fetch(request.clone());
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && /^\/iam\/(v1\/(apiKeys|keys)|aws-compatibility\/v1\/accessKeys)$/.test(path) && response.ok)
      answers.push({ path, body: await response.clone().json() });
    if (!path.endsWith(":listAccessBindings")) return response;
    lag.seen++;
    if (lag.reads <= 0) return response;
    lag.reads--;
    return new Response(JSON.stringify({ accessBindings: [] }), { status: 200, headers: response.headers });
  }) as typeof globalThis.fetch;
  const iam = createIamClient({
    token: TOKEN,
    baseUrl: checked.fake.baseUrl,
    fetch,
    retry: false,
    polling: { initialDelayMs: 1, maxDelayMs: 1 },
  });
  return {
    fake: checked.fake,
    iam,
    clock,
    answers,
    /** The next `reads` binding reads answer no binding (Infinity: every one). */
    hide(reads: number) {
      lag.reads = reads;
    },
    /** The binding reads so far. */
    bindingReads: () => lag.seen,
  };
}

/** A clock whose sleep moves time on at once, and what it slept. */
function testClock(): Clock & { slept: number[] } {
  let now = Date.now();
  const slept: number[] = [];
  return {
    now: () => now,
    async sleep(ms) {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

/** What the example printed on stdout (`output`) and stderr (`progress`), and what it threw. */
async function ran(work: () => Promise<void>): Promise<{ output: string; progress: string; error?: unknown }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args) => void lines.push(args.join(" ")));
  try {
    return { ...(await logged(work)), progress: lines.join("\n") };
  } finally {
    spy.mockRestore();
  }
}

/** The one create's answer. */
function created(answers: { body: any }[]) {
  expect(answers).toHaveLength(1);
  return (answers[0] as { body: any }).body;
}

/** The robot's bindings on a resource, as role ids. */
const rolesOf = (fake: FakeIam, resourceId: string, accountId: string) =>
  (fake.state.accessBindings[resourceId] ?? []).filter((b) => b.subject.id === accountId).map((b) => b.roleId);

/** The account the example made. */
const robot = (fake: FakeIam, name = "ci-robot") => fake.state.serviceAccounts.find((a) => a.name === name);

const dirs: string[] = [];
const filePath = (name = "secret") => {
  const dir = mkdtempSync(join(tmpdir(), "provision-test-"));
  dirs.push(dir);
  return join(dir, name);
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The arguments of a robot with `editor` on the folder, its secret at `path`. */
const args = (path: string, ...more: string[]) => [
  "--folder",
  FOLDER,
  "--name",
  "ci-robot",
  "--role",
  "editor",
  "--secret-file",
  path,
  ...more,
];

describe("provision: a robot that can act", () => {
  it("grants the roles on the folder and its cloud to the new account, says each is recorded in the bindings and that Yandex may take about 5 s more to apply them, and writes an API key's secret to a new 0600 file", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath();
    const more = ["--role", "storage.uploader,viewer", "--cloud-role", "resource-manager.viewer", "--scope", "yc.postbox.send"];
    const { output, error } = await ran(() => provisionMain(args(path, ...more), iam, undefined, clock));
    expect(error).toBeUndefined();
    const account = robot(fake);
    expect(account).toMatchObject({ folderId: FOLDER });
    const id = account?.id as string;
    expect(rolesOf(fake, FOLDER, id).sort()).toEqual(["editor", "storage.uploader", "viewer"]);
    expect(rolesOf(fake, CLOUD, id)).toEqual(["resource-manager.viewer"]);
    expect(fake.state.accessBindings[FOLDER]?.every((b) => b.subject.type === "serviceAccount")).toBe(true);
    for (const [role, where] of [
      ["editor", `folder ${FOLDER}`],
      ["storage.uploader", `folder ${FOLDER}`],
      ["viewer", `folder ${FOLDER}`],
      ["resource-manager.viewer", `cloud ${CLOUD}`],
    ]) {
      expect(output).toContain(`serviceAccount:${id} now holds ${role} on ${where}`);
      expect(output).toContain(`${role} on ${where} is recorded in its bindings`);
    }
    // Note: a binding is in the bindings once its Operation is done; Yandex applies it up to about 5 seconds later, so
    // the run says so once, after the last role is recorded, and never that a role is visible or applied.
    expect(
      output
        .split("\n")
        .filter((line) => line.includes("recorded in its bindings"))
        .at(-1),
    ).toBe(APPLY);
    expect(output).not.toMatch(/visible|applied/);
    const { apiKey, secret } = created(answers);
    expect(fake.state.apiKeys).toEqual([expect.objectContaining({ id: apiKey.id, serviceAccountId: id, scopes: ["yc.postbox.send"] })]);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(output).toContain(`created API key ${apiKey.id} (secret ****${secret.slice(-6)})`);
    expect(output).toContain(`its secret is in ${path} (mode 0600)`);
    expect(output).toContain(`created service account ${id} (ci-robot) in folder ${FOLDER}`);
    expect(output).not.toContain(secret);
  });

  it("--account-role with --subject gives the subject a role on the account (who may use it); --subject alone gives it DEFAULT_ROLE, as the first form did", async () => {
    const { fake, iam, clock } = provisionFake();
    const given = ["--folder", FOLDER, "--name", "ci-robot", "--account-role", "iam.serviceAccounts.tokenCreator", "--subject", USER];
    const typed = [...given, "--subject-type", "userAccount", "--secret-file", filePath()];
    const first = await ran(() => provisionMain(typed, iam, undefined, clock));
    expect(first.error).toBeUndefined();
    const id = robot(fake)?.id as string;
    expect(fake.state.accessBindings[id]).toEqual([
      { roleId: "iam.serviceAccounts.tokenCreator", subject: { id: USER, type: "userAccount" } },
    ]);
    expect(first.output).toContain(`userAccount:${USER} now holds iam.serviceAccounts.tokenCreator on service account ${id}`);
    expect(first.output).toContain(`iam.serviceAccounts.tokenCreator on service account ${id} is recorded in its bindings`);
    // Note: no folder role asked, so Resource Manager is not asked anything (the first form needed no right there).
    expect(fake.requests.filter((r) => r.url.includes("/resource-manager/"))).toEqual([]);
    const old = ["--folder", FOLDER, "--name", "report-builder", "--subject", ADMIN, "--secret-file", filePath()];
    expect((await ran(() => provisionMain(old, iam, undefined, clock))).error).toBeUndefined();
    expect(fake.state.accessBindings[robot(fake, "report-builder")?.id as string]).toEqual([
      { roleId: DEFAULT_ROLE, subject: { id: ADMIN, type: "serviceAccount" } },
    ]);
  });

  it("waits: a role not yet recorded is read again every POLL_MS until it is, said on stderr while it waits", async () => {
    const { fake, iam, hide, bindingReads, clock } = provisionFake();
    const late = 3;
    hide(late);
    const { output, progress, error } = await ran(() => provisionMain(args(filePath()), iam, undefined, clock));
    expect(error).toBeUndefined();
    expect(clock.slept).toEqual(Array(late).fill(POLL_MS));
    // Note: the new account's plan reads no binding: every read is the wait's.
    expect(bindingReads()).toBe(late + 1);
    expect(progress).toMatch(
      new RegExp(`^waiting for editor on folder ${FOLDER} to be recorded in the bindings \\(at most ${DEFAULT_WAIT_SECONDS} s\\)$`),
    );
    expect(output).toContain(`editor on folder ${FOLDER} is recorded in its bindings\n${APPLY}`);
    expect(output).not.toContain("waiting");
    expect(rolesOf(fake, FOLDER, robot(fake)?.id as string)).toEqual(["editor"]);
  });

  it("--wait-seconds N: a role still not recorded after N s fails naming it, and every change is named, the key with its file kept", async () => {
    const { fake, iam, answers, hide, clock } = provisionFake();
    hide(Number.POSITIVE_INFINITY);
    const path = filePath();
    const seconds = 3;
    const { output, error } = await ran(() => provisionMain(args(path, "--wait-seconds", String(seconds)), iam, undefined, clock));
    const { apiKey, secret } = created(answers);
    const id = robot(fake)?.id;
    expect((error as Error).message).toBe(
      `editor on folder ${FOLDER}: not recorded in the bindings after ${seconds} s (--wait-seconds), though each grant's Operation is done; read the bindings again later, or run the same command again (it grants nothing twice) (changed before the failure: service account ${id} (ci-robot) was created in folder ${FOLDER}; editor on folder ${FOLDER} was granted to serviceAccount:${id}; API key ${apiKey.id} was created, its secret kept at ${path}; the same command again finds the account and grants nothing twice)`,
    );
    expect(clock.slept.reduce((sum, ms) => sum + ms, 0)).toBe(seconds * 1000);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(mode(path)).toBe(0o600);
    expect(`${output}${(error as Error).message}`).not.toContain(secret);
  });

  it("--wait-seconds 0 looks once and does not sleep", async () => {
    const { iam, hide, bindingReads, clock } = provisionFake();
    hide(1);
    const { error } = await ran(() => provisionMain(args(filePath(), "--wait-seconds", "0"), iam, undefined, clock));
    expect((error as Error).message).toMatch(/^editor on folder \S+: not recorded in the bindings after 0 s /);
    expect(clock.slept).toEqual([]);
    expect(bindingReads()).toBe(1);
  });
});

describe("provision --role-on-account: the robot gets a role on another service account", () => {
  const flags = (...more: string[]) => ["--folder", FOLDER, "--name", "ci-robot", "--role-on-account", `${OTHER}:${DEFAULT_ROLE}`, ...more];

  it("grants it, recorded in that account's bindings; --dry-run names it first, and a rerun finds it held (--json says so)", async () => {
    const { fake, iam, clock } = provisionFake();
    const dry = await ran(() => provisionMain(flags("--dry-run"), iam, undefined, clock));
    expect(dry.output).toContain(`would grant ${DEFAULT_ROLE} on service account ${OTHER} to the new service account ci-robot`);
    expect(writes(fake.requests)).toEqual([]);
    const { output, error } = await ran(() => provisionMain(flags("--secret-file", filePath()), iam, undefined, clock));
    expect(error).toBeUndefined();
    const id = robot(fake)?.id as string;
    const subject = { id, type: "serviceAccount" };
    expect(fake.state.accessBindings[OTHER]).toEqual([{ roleId: DEFAULT_ROLE, subject }]);
    expect(output).toContain(`serviceAccount:${id} now holds ${DEFAULT_ROLE} on service account ${OTHER}`);
    expect(output).toContain(`${DEFAULT_ROLE} on service account ${OTHER} is recorded in its bindings\n${APPLY}`);
    // Note: no folder or cloud role asked, so Resource Manager is not asked anything.
    expect(fake.requests.filter((r) => r.url.includes("/resource-manager/"))).toEqual([]);
    const before = fake.requests.length;
    const again = await ran(() => provisionMain(flags("--json"), iam, undefined, clock));
    expect(again.error).toBeUndefined();
    expect(writes(fake.requests.slice(before))).toEqual([]);
    const held = { place: "otherAccount", roleId: DEFAULT_ROLE, resourceId: OTHER, subject, state: "already held" };
    expect(JSON.parse(again.output).grants).toEqual([{ ...held, recorded: true }]);
    const plan = JSON.parse((await ran(() => provisionMain(flags("--dry-run", "--json"), iam, undefined, clock))).output);
    expect(plan.grants).toEqual([held]);
  });

  it("waits on that account's bindings until the role is recorded there", async () => {
    const { fake, iam, hide, bindingReads, clock } = provisionFake();
    const late = 2;
    hide(late);
    const { output, progress, error } = await ran(() => provisionMain(flags("--secret-file", filePath()), iam, undefined, clock));
    expect(error).toBeUndefined();
    // Note: the plan reads the account's bindings once (so an account that does not exist stops it); the rest are the wait's.
    expect(bindingReads()).toBe(late + 1);
    expect(clock.slept).toEqual(Array(late - 1).fill(POLL_MS));
    const reads = fake.requests.filter((r) => r.url.endsWith(":listAccessBindings"));
    expect(reads.map((r) => new URL(r.url).pathname)).toEqual(Array(late + 1).fill(`/iam/v1/serviceAccounts/${OTHER}:listAccessBindings`));
    expect(progress).toBe(
      `waiting for ${DEFAULT_ROLE} on service account ${OTHER} to be recorded in the bindings (at most ${DEFAULT_WAIT_SECONDS} s)`,
    );
    expect(output).toContain(`${DEFAULT_ROLE} on service account ${OTHER} is recorded in its bindings`);
  });

  it("an account that does not exist, or a role that does not, stops it before anything is created", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    const missing = "ajenotthere000000001";
    const gone = await ran(() => provisionMain(args(path, "--role-on-account", `${missing}:viewer`), iam, undefined, clock));
    expect((gone.error as Error).message).toMatch(
      new RegExp(
        `^--role-on-account ${missing}:viewer: the account's bindings could not be read \\(listServiceAccountAccessBindings: HTTP 404 NOT_FOUND: .*\\): nothing was created or granted$`,
      ),
    );
    const typo = await ran(() => provisionMain(args(path, "--role-on-account", `${OTHER}:iam.serviceAccounts.usr`), iam, undefined, clock));
    expect((typo.error as Error).message).toMatch(
      /^iam\.serviceAccounts\.usr is no role \(the same service has [^)]*iam\.serviceAccounts\.user/,
    );
    expect(writes(fake.requests)).toEqual([]);
    expect(robot(fake)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });
});

describe("provision: a folder answered without its cloudId", () => {
  it("--cloud-role stops before anything is created, naming why; a folder role alone goes on without the cloud", async () => {
    const { fake, iam, clock } = provisionFake();
    // Note: Folder.cloudId is optional in the document (proto3 JSON leaves out an empty field), so this answer is valid.
    const folder = { id: FOLDER, name: "robots", createdAt: new Date(clock.now()).toISOString(), status: "ACTIVE" };
    fake.failNext({ body: folder }, { operation: "getFolder" });
    const path = filePath();
    const { error } = await ran(() => provisionMain(args(path, "--cloud-role", "viewer"), iam, undefined, clock));
    expect((error as Error).message).toBe(
      `folder ${FOLDER} was answered without its cloudId, so --cloud-role cannot be granted: nothing was created or granted`,
    );
    expect(writes(fake.requests)).toEqual([]);
    expect(robot(fake)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    fake.failNext({ body: folder }, { operation: "getFolder" });
    const alone = await ran(() => provisionMain(args(filePath(), "--json"), iam, undefined, clock));
    expect(alone.error).toBeUndefined();
    expect(JSON.parse(alone.output)).not.toHaveProperty("cloudId");
    expect(rolesOf(fake, FOLDER, robot(fake)?.id as string)).toEqual(["editor"]);
  });
});

describe("provision: idempotent by name", () => {
  it("a rerun with the same flags changes nothing: it finds the account, sends no write, makes no second key and writes no file", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    const flags = args(path, "--cloud-role", "viewer");
    expect((await ran(() => provisionMain(flags, iam, undefined, clock))).error).toBeUndefined();
    const before = { state: fake.state, requests: fake.requests.length, file: readFileSync(path, "utf8") };
    // Note: the same --secret-file, which holds the first run's secret: no key is made, so it is not opened.
    const { output, error } = await ran(() => provisionMain(flags, iam, undefined, clock));
    expect(error).toBeUndefined();
    const again = fake.requests.slice(before.requests);
    expect(again.length).toBeGreaterThan(0);
    expect(writes(again)).toEqual([]);
    expect(fake.state).toEqual(before.state);
    expect(readFileSync(path, "utf8")).toBe(before.file);
    const id = robot(fake)?.id as string;
    const [key] = fake.state.apiKeys;
    expect(output).toContain(`found service account ${id} (ci-robot) in folder ${FOLDER}: not created again`);
    expect(output).toContain(`serviceAccount:${id} already held editor on folder ${FOLDER} (in its bindings)`);
    expect(output).toContain(`serviceAccount:${id} already held viewer on cloud ${CLOUD} (in its bindings)`);
    expect(output).toContain(
      `API key ${key?.id} (scopes ${key?.scopes?.join(", ")}) exists: not created again (its secret was shown once, at its creation); --new-key makes another`,
    );
    expect(output).toContain(`--secret-file ${path}: not written, as no credential was created`);
  });

  it("a role the bindings did not show yet is granted again, and Yandex's empty effective deltas say it was already held", async () => {
    const { fake, iam, hide, clock } = provisionFake();
    expect((await ran(() => provisionMain(args(filePath()), iam, undefined, clock))).error).toBeUndefined();
    const bindings = fake.state.accessBindings;
    // Note: the plan's read shows no binding; the grant is sent, and changes nothing.
    hide(1);
    const before = fake.requests.length;
    const { output, error } = await ran(() => provisionMain(args(filePath()), iam, undefined, clock));
    expect(error).toBeUndefined();
    expect(writes(fake.requests.slice(before)).map((r) => r.operation)).toEqual(["updateFolderAccessBindings"]);
    expect(fake.state.accessBindings).toEqual(bindings);
    expect(output).toContain(`already held editor on folder ${FOLDER}\n`);
    expect(output).toContain(`editor on folder ${FOLDER} is recorded in its bindings`);
  });

  it("--new-key makes another credential of the kind, in a new file; another kind is made without it", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    expect((await ran(() => provisionMain(args(filePath()), iam, undefined, clock))).error).toBeUndefined();
    answers.length = 0;
    const path = filePath();
    const { output, error } = await ran(() => provisionMain(args(path, "--new-key"), iam, undefined, clock));
    expect(error).toBeUndefined();
    const { apiKey, secret } = created(answers);
    expect(fake.state.apiKeys.map((k) => k.id)).toHaveLength(2);
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(apiKey.id);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(output).toContain(`created API key ${apiKey.id}`);
    answers.length = 0;
    expect((await ran(() => provisionMain(args(filePath(), "--static"), iam, undefined, clock))).error).toBeUndefined();
    expect(created(answers).accessKey.id).toBe(fake.state.accessKeys[0]?.id);
  });

  it("an API key that has expired is no credential: a rerun makes one, the fake and the example on one clock", async () => {
    const { fake, iam, clock } = provisionFake();
    const day = 86_400_000;
    expect((await ran(() => provisionMain(args(filePath(), "--expires-in-days", "1"), iam, undefined, clock))).error).toBeUndefined();
    const [first] = fake.state.apiKeys;
    // Note: the example's expiresAt and the fake's createdAt are of the same clock: a day apart to the millisecond.
    expect(Date.parse(first?.expiresAt as string) - Date.parse(first?.createdAt as string)).toBe(day);
    await clock.sleep(2 * day);
    expect((await ran(() => provisionMain(args(filePath()), iam, undefined, clock))).error).toBeUndefined();
    const [, second] = fake.state.apiKeys;
    expect(Date.parse(second?.createdAt as string)).toBeGreaterThan(Date.parse(first?.expiresAt as string));
    expect(fake.state.apiKeys).toHaveLength(2);
  });
});

describe("provision --dry-run", () => {
  it("prints the plan of a new robot and sends reads alone: no account, no grant, no key, no file", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    const { output, error } = await ran(() => provisionMain(args(path, "--cloud-role", "viewer", "--dry-run"), iam, undefined, clock));
    expect(error).toBeUndefined();
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(writes(fake.requests)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(output.split("\n")).toEqual([
      `would create service account ci-robot in folder ${FOLDER}`,
      `would grant editor on folder ${FOLDER} to the new service account ci-robot`,
      `would grant viewer on cloud ${CLOUD} to the new service account ci-robot`,
      "would create an API key (scopes yc.ai.foundationModels.execute) and write its secret to a new file only you can read",
      `would wait up to ${DEFAULT_WAIT_SECONDS} s until each role granted is recorded in the bindings; Yandex may take about 5 seconds more to apply it, so retry the first call that needs it`,
      "dry run: nothing was changed (reads alone were sent)",
    ]);
  });

  it.each([
    [["--static"], "would create a static key and write its secret to a new file only you can read"],
    [["--authorized-key"], "would create an authorized key and write its key file to a new file only you can read"],
  ])("%j: the plan names the credential", async (more, line) => {
    const { fake, iam, clock } = provisionFake();
    const { output } = await ran(() => provisionMain(args(filePath(), "--dry-run", ...more), iam, undefined, clock));
    expect(output.split("\n")).toContain(line);
    expect(writes(fake.requests)).toEqual([]);
  });

  it("on a robot that exists: each role held or to grant, the key kept; --json says the same", async () => {
    const { fake, iam, clock } = provisionFake();
    expect((await ran(() => provisionMain(args(filePath()), iam, undefined, clock))).error).toBeUndefined();
    const before = fake.requests.length;
    const id = robot(fake)?.id as string;
    const keyId = fake.state.apiKeys[0]?.id;
    const flags = args(filePath(), "--role", "viewer", "--dry-run");
    const { output } = await ran(() => provisionMain(flags, iam, undefined, clock));
    expect(output).toContain(`serviceAccount:${id} already holds editor on folder ${FOLDER}: nothing to grant`);
    expect(output).toContain(`would grant viewer on folder ${FOLDER} to serviceAccount:${id}`);
    expect(output).toContain(`API key ${keyId} exists: not created again (--new-key makes another)`);
    const json = JSON.parse((await ran(() => provisionMain([...flags, "--json"], iam, undefined, clock))).output);
    expect(json).toMatchObject({
      dryRun: true,
      folderId: FOLDER,
      cloudId: CLOUD,
      account: { id, state: "found" },
      grants: [
        { place: "folder", roleId: "editor", resourceId: FOLDER, state: "already held" },
        { place: "folder", roleId: "viewer", resourceId: FOLDER, state: "to grant" },
      ],
      credential: { kind: "apiKey", id: keyId, state: "kept" },
    });
    expect(writes(fake.requests.slice(before))).toEqual([]);
  });
});

describe("provision: refused before anything is created", () => {
  it("a role that does not exist, with the roles of the same service; nothing is created or granted and no file made", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    const { error } = await ran(() =>
      provisionMain(args(path, "--role", "storage.uploder", "--cloud-role", "edtor"), iam, undefined, clock),
    );
    const message = (error as Error).message;
    expect(message).toMatch(
      /^storage\.uploder is no role \(the same service has storage\.[^)]*storage\.uploader[^)]*\); edtor is no role \(the same service has none\): nothing was created or granted$/,
    );
    expect(writes(fake.requests)).toEqual([]);
    expect(robot(fake)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it("a secret file that exists, after the reads and before any write, leaving it as it was", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    writeFileSync(path, "someone else's");
    const { error } = await ran(() => provisionMain(args(path), iam, undefined, clock));
    expect((error as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path, "utf8")).toBe("someone else's");
    expect(writes(fake.requests)).toEqual([]);
    expect(robot(fake)).toBeUndefined();
  });

  it.each([
    [["--name", "Report_Builder"], /--name "Report_Builder": 3 to 63 of a-z/],
    [["--static", "--authorized-key"], /one credential at a time/],
    [["--subject", USER, "--subject-type", "robot"], /--subject-type must be one of/],
    [["--account-role", "viewer"], /^--account-role and --subject-type need --subject/],
    [["--static", "--scope", "yc.postbox.send"], /for an API key only/],
    [["--expires-in-days", "0"], /--expires-in-days must be a whole number/],
    [["--wait-seconds", "soon"], /--wait-seconds must be a whole number, at least 0, not "soon"/],
    [["--role"], /^--role needs a value$/],
    [["--role-on-account", DEFAULT_ROLE], /^--role-on-account "iam\.serviceAccounts\.user": ACCOUNT_ID:ROLE, such as /],
    [["--role-on-account", `${OTHER}:`], /^--role-on-account "ajeother000account01:": ACCOUNT_ID:ROLE/],
    [["--role-on-account", "aje1:viewer"], /^--role-on-account "aje1": an ID of 20 characters of a-z and 0-9/],
    [["extra"], /^provision takes flags alone, not extra$/],
    [["--statik"], /^unknown flag --statik; the known ones are --folder, /],
  ])("the arguments %j: a UsageError before anything is sent or written", async (more, message) => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    const { error } = await ran(() => provisionMain(args(path, ...more), iam, undefined, clock));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(fake.requests).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it("no role at all: a UsageError naming the four flags", async () => {
    const { fake, iam } = provisionFake();
    const { error } = await ran(() => provisionMain(["--folder", FOLDER, "--name", "ci-robot"], iam));
    expect((error as Error).message).toBe(
      "name at least one role: --role (on the folder), --cloud-role, --role-on-account or --account-role with --subject",
    );
    expect(fake.requests).toEqual([]);
  });

  it("valuesOf takes each value of a repeated flag and each comma-separated part, once", () => {
    expect(valuesOf(["--role", "editor,viewer", "--name", "x", "--role", "viewer", "--role", "admin"], "role")).toEqual([
      "editor",
      "viewer",
      "admin",
    ]);
    expect(valuesOf(["--name", "role"], "role")).toEqual([]);
    expect(() => valuesOf(["--role", "--json"], "role")).toThrow("--role needs a value");
  });
});

describe("provision: other credentials, and failures", () => {
  it("--static: a static key whose secret is the file's and whose AWS key id is printed", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath();
    const { output, error } = await ran(() => provisionMain(args(path, "--static"), iam, undefined, clock));
    expect(error).toBeUndefined();
    const { accessKey, secret } = created(answers);
    expect(fake.state.accessKeys).toEqual([expect.objectContaining({ id: accessKey.id, keyId: accessKey.keyId })]);
    expect(fake.state.apiKeys).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(mode(path)).toBe(0o600);
    expect(output).toContain(`created static key ${accessKey.id} (AWS key id ${accessKey.keyId})`);
    expect(output).not.toContain(secret);
  });

  it("--authorized-key: key.json that gets a token the fake accepts as the new account; no line of the private key printed", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath("key.json");
    const { output, error } = await ran(() => provisionMain(args(path, "--authorized-key"), iam, undefined, clock));
    expect(error).toBeUndefined();
    expect(mode(path)).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, "utf8"));
    expect(saved).toMatchObject({
      id: answers[0]?.body.key.id,
      service_account_id: robot(fake)?.id,
      private_key: answers[0]?.body.privateKey,
    });
    const token = serviceAccountKey(readFileSync(path, "utf8"), { baseUrl: fake.baseUrl, fetch: fake.fetch, now: clock.now });
    expect(await token()).toMatch(/^t1\./);
    const lines = (saved.private_key as string).split("\n").filter((l) => l && !l.startsWith("-----") && !l.startsWith("PLEASE"));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(output).not.toContain(line);
  });

  it("--json: the result alone on stdout, every grant recorded, the file named", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath();
    const { output, error } = await ran(() => provisionMain(args(path, "--cloud-role", "viewer", "--json"), iam, undefined, clock));
    expect(error).toBeUndefined();
    const id = robot(fake)?.id as string;
    const subject = { id, type: "serviceAccount" };
    expect(JSON.parse(output)).toEqual({
      dryRun: false,
      folderId: FOLDER,
      cloudId: CLOUD,
      account: { id, name: "ci-robot", state: "created" },
      grants: [
        { place: "folder", roleId: "editor", resourceId: FOLDER, subject, state: "granted", recorded: true },
        { place: "cloud", roleId: "viewer", resourceId: CLOUD, subject, state: "granted", recorded: true },
      ],
      credential: expect.objectContaining({ kind: "apiKey", id: created(answers).apiKey.id, state: "created", secretFile: path }),
    });
  });

  it("a failure after the key was created names every change: the account, each role granted where and to whom, and the key with its file kept", async () => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "getApiKey" });
    const more = ["--cloud-role", "viewer", "--role-on-account", `${OTHER}:${DEFAULT_ROLE}`];
    const onRobot = ["--account-role", "iam.serviceAccounts.tokenCreator", "--subject", USER, "--subject-type", "userAccount"];
    const { output, error } = await ran(() => provisionMain(args(path, ...more, ...onRobot), iam, undefined, clock));
    const { apiKey, secret } = created(answers);
    const id = robot(fake)?.id as string;
    expect((error as Error).message).toBe(
      `getApiKey: HTTP 403 PERMISSION_DENIED: Permission denied (changed before the failure: service account ${id} (ci-robot) was created in folder ${FOLDER}; editor on folder ${FOLDER} was granted to serviceAccount:${id}; viewer on cloud ${CLOUD} was granted to serviceAccount:${id}; ${DEFAULT_ROLE} on service account ${OTHER} was granted to serviceAccount:${id}; iam.serviceAccounts.tokenCreator on service account ${id} was granted to userAccount:${USER}; API key ${apiKey.id} was created, its secret kept at ${path}; the same command again finds the account and grants nothing twice)`,
    );
    // Note: the grants named are the bindings the fake holds for the robot and on it, each once.
    const where = (resourceId: string) => (resourceId === FOLDER ? "folder" : resourceId === CLOUD ? "cloud" : "service account");
    const made = Object.entries(fake.state.accessBindings).flatMap(([resourceId, bindings]) =>
      bindings
        .filter((b) => b.subject.id === id || resourceId === id)
        .map((b) => `${b.roleId} on ${where(resourceId)} ${resourceId} was granted to ${b.subject.type}:${b.subject.id}`),
    );
    expect(made.sort()).toEqual(((error as Error).message.match(/[^ ;(]+ on [^;]+ was granted to [^;]+/g) ?? []).sort());
    expect(caught((error as Error).cause)).toMatchObject({ operation: "getApiKey", status: 403 });
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(mode(path)).toBe(0o600);
    expect(`${output}${(error as Error).message}`).not.toContain(secret);
  });

  it.each([
    { flags: [], kind: "API key", id: (b: any) => b.apiKey.id, secret: (b: any) => b.secret, command: "yc iam api-key delete" },
    {
      flags: ["--static"],
      kind: "static key",
      id: (b: any) => b.accessKey.id,
      secret: (b: any) => b.secret,
      command: "yc iam access-key delete",
    },
    {
      flags: ["--authorized-key"],
      kind: "authorized key",
      id: (b: any) => b.key.id,
      secret: (b: any) => b.privateKey.split("\n")[2],
      command: "yc iam key delete",
    },
  ])("kind $kind: a credential whose secret cannot be saved is named as created, with how to delete it; the empty file goes", async (c) => {
    const { fake, iam, answers, clock } = provisionFake();
    const path = filePath();
    const { output, error } = await ran(() => provisionMain(args(path, ...c.flags), iam, unsavableFile, clock));
    const body = created(answers);
    const id = c.id(body);
    const account = robot(fake)?.id;
    expect((error as Error).message).toBe(
      `EFBIG: file too large, write (changed before the failure: service account ${account} (ci-robot) was created in folder ${FOLDER}; editor on folder ${FOLDER} was granted to serviceAccount:${account}; ${c.kind} ${id} was created, but its ${c.kind === "authorized key" ? "key file" : "secret"} could not be saved to ${path}, so it cannot be used: delete it, e.g. ${c.command} ${id}; the same command again finds the account and grants nothing twice)`,
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EFBIG");
    expect(existsSync(path)).toBe(false);
    expect(`${output}${(error as Error).message}`).not.toContain(c.secret(body));
    expect(fake.requests.at(-1)?.operation).toMatch(/^create(ApiKey|AccessKey|Key)$/);
  });

  it("a failure before any credential exists names the account it made and the roles granted, and removes the empty file", async () => {
    const { fake, iam, clock } = provisionFake();
    const path = filePath();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "updateCloudAccessBindings" });
    const { error } = await ran(() => provisionMain(args(path, "--cloud-role", "viewer"), iam, undefined, clock));
    // Note: the account it made and the role it granted are both named (the same command again finds the account by name).
    const id = robot(fake)?.id;
    expect((error as Error).message).toBe(
      `updateCloudAccessBindings: HTTP 403 PERMISSION_DENIED: Permission denied (changed before the failure: service account ${id} (ci-robot) was created in folder ${FOLDER}; editor on folder ${FOLDER} was granted to serviceAccount:${id}; the same command again finds the account and grants nothing twice)`,
    );
    expect(caught((error as Error).cause)).toMatchObject({ operation: "updateCloudAccessBindings" });
    expect(existsSync(path)).toBe(false);
    expect(fake.state.apiKeys).toEqual([]);
  });

  it("a failure after some roles were granted to an account found names them, for the same command again grants nothing twice", async () => {
    const { fake, iam, clock } = provisionFake();
    expect((await ran(() => provisionMain(args(filePath()), iam, undefined, clock))).error).toBeUndefined();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "updateCloudAccessBindings" });
    const flags = args(filePath(), "--role", "viewer", "--cloud-role", "admin");
    const { error } = await ran(() => provisionMain(flags, iam, undefined, clock));
    expect((error as Error).message).toBe(
      `updateCloudAccessBindings: HTTP 403 PERMISSION_DENIED: Permission denied (changed before the failure: viewer on folder ${FOLDER} was granted to serviceAccount:${robot(fake)?.id}; the same command again finds the account and grants nothing twice)`,
    );
  });
});

describe("provision in the demo: npm start's fake and npm run example", () => {
  it("the demo world is a cloud holding the demo folder, and the summary npm start prints names both", async () => {
    const { fake } = await demoFake();
    expect(fake.state.folders).toEqual([expect.objectContaining({ id: DEMO_FOLDER, cloudId: DEMO_CLOUD })]);
    expect(fake.state.clouds.map((c) => c.id)).toEqual([DEMO_CLOUD]);
    expect(demoSummary(fake)).toMatch(new RegExp(`in folder ${DEMO_FOLDER} of cloud ${DEMO_CLOUD}$`));
    expect(demoProvision("http://127.0.0.1:4011")).toBe(
      `FAKE_URL=http://127.0.0.1:4011 npm run example -- provision --folder ${DEMO_FOLDER} --name ci-robot --role editor`,
    );
  });

  it("a flag given replaces the default's, so provision --role viewer grants viewer alone", () => {
    const preset = ["--folder", "f", "--name", "ci-robot", "--role", "editor"];
    expect(argumentsOf(["--role", "viewer"], preset)).toEqual(["--folder", "f", "--name", "ci-robot", "--role", "viewer"]);
    expect(argumentsOf(["--dry-run"], preset)).toEqual([...preset, "--dry-run"]);
  });

  it("npm run example -- provision: a robot with editor on the demo folder, its secret in a private file under the temp dir", async () => {
    const { stdout } = await run(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", "provision"], { cwd: root });
    const path = stdout.match(/its secret is in (\S+) \(mode 0600\)/)?.[1] as string;
    try {
      const secret = privateSecret(path);
      expect(secret).toMatch(/^AQVN/);
      expect(stdout).not.toContain(secret);
      const id = stdout.match(/created service account (aje\w+) \(ci-robot\) in folder /)?.[1];
      expect(stdout).toContain(`created service account ${id} (ci-robot) in folder ${DEMO_FOLDER}`);
      expect(stdout).toContain(`serviceAccount:${id} now holds editor on folder ${DEMO_FOLDER}`);
      expect(stdout).toContain(`editor on folder ${DEMO_FOLDER} is recorded in its bindings`);
    } finally {
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });

  it("with FAKE_URL, against a fake already served: the newcomer's command makes the robot, and run again changes nothing", async () => {
    const { fake } = await demoFake();
    const served = await serveFake(fake);
    const command = demoProvision(served.url).split(" npm run example -- ")[1]?.split(" ") as string[];
    const env = { ...process.env, FAKE_URL: served.url };
    const again = () => run(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", ...command], { cwd: root, env });
    let path: string | undefined;
    try {
      const first = await again();
      path = first.stdout.match(/its secret is in (\S+) \(mode 0600\)/)?.[1];
      const id = robot(fake)?.id as string;
      expect(first.stdout).toContain(`editor on folder ${DEMO_FOLDER} is recorded in its bindings`);
      expect(rolesOf(fake, DEMO_FOLDER, id)).toEqual(["editor"]);
      const state = fake.state;
      const before = fake.requests.length;
      const second = await again();
      expect(second.stdout).toContain(`found service account ${id} (ci-robot) in folder ${DEMO_FOLDER}: not created again`);
      expect(second.stdout).toContain(`serviceAccount:${id} already held editor on folder ${DEMO_FOLDER} (in its bindings)`);
      expect(second.stdout).toContain("exists: not created again");
      expect(writes(fake.requests.slice(before))).toEqual([]);
      expect(fake.state).toEqual(state);
    } finally {
      await served.close();
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });
});
