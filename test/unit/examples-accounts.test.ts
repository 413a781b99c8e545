// The service-account examples against the stateful fake: provision (account, role, credential, a 0600 file, idempotent
// by name) and audit (every credential of a folder, filters, JSON, bounded concurrency, 429 honoured).

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { audit, main as auditMain, type Credential, filtered } from "../../examples/audit.ts";
import { DEFAULT_ROLE, main as provisionMain } from "../../examples/provision.ts";
import { argumentsOf, DEMO_ACCOUNT, DEMO_FOLDER, demoFake } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { serviceAccountKey } from "../../src/auth/index.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam, type FakeIam } from "../../src/testing/index.ts";
import { logged, privateSecret } from "../support/logged.ts";
import { unsavableFile } from "../support/secret-files.ts";
import { caught } from "../support/secrets.ts";

const FOLDER = "b1gfolder0provision1";
const ADMIN = "ajeadmin0account0sa1";
const run = promisify(execFile);
const mode = (path: string) => statSync(path).mode & 0o777;

const client = (fake: FakeIam, fetch: typeof globalThis.fetch = fake.fetch) =>
  createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });

/** A fake with one account, and a client that also hands back every create's answer (where the secrets are). */
function provisionFake() {
  const fake = createFakeIam({ serviceAccounts: [ADMIN], folderId: FOLDER, operations: { polls: 1 } });
  const answers: { path: string; body: any }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const response = await fake.fetch(request);
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && /^\/iam\/(v1\/(apiKeys|keys)|aws-compatibility\/v1\/accessKeys)$/.test(path) && response.ok)
      answers.push({ path, body: await response.clone().json() });
    return response;
  }) as typeof globalThis.fetch;
  return { fake, iam: client(fake, fetch), answers };
}

/** The one create's answer. */
function created(answers: { body: any }[]) {
  expect(answers).toHaveLength(1);
  return (answers[0] as { body: any }).body;
}

describe("provision", () => {
  const dirs: string[] = [];
  const filePath = (name = "secret") => {
    const dir = mkdtempSync(join(tmpdir(), "provision-test-"));
    dirs.push(dir);
    return join(dir, name);
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const args = (path: string, ...more: string[]) => [
    "--folder",
    FOLDER,
    "--name",
    "report-builder",
    "--subject",
    ADMIN,
    "--secret-file",
    path,
    ...more,
  ];

  it("creates the account, grants the role on it, creates a scoped API key and writes its secret to a new 0600 file, printing only the path", async () => {
    const { fake, iam, answers } = provisionFake();
    const path = filePath();
    const { output, error } = await logged(() => provisionMain(args(path, "--scope", "yc.postbox.send"), iam));
    expect(error).toBeUndefined();
    const account = fake.state.serviceAccounts.find((a) => a.name === "report-builder");
    expect(account).toMatchObject({ folderId: FOLDER });
    const id = account?.id as string;
    expect(fake.state.accessBindings[id]).toEqual([{ roleId: DEFAULT_ROLE, subject: { id: ADMIN, type: "serviceAccount" } }]);
    expect(answers).toHaveLength(1);
    const { apiKey, secret } = created(answers);
    expect(fake.state.apiKeys).toEqual([expect.objectContaining({ id: apiKey.id, serviceAccountId: id, scopes: ["yc.postbox.send"] })]);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(fake.state.apiKeys[0]?.maskedSecret).toBe(`****${secret.slice(-6)}`);
    expect(output).toContain(`its secret is in ${path} (mode 0600)`);
    expect(output).toContain(`created service account ${id} (report-builder)`);
    expect(output).not.toContain(secret);
  });

  it("--static: a static key whose secret is the file's and whose AWS key id is printed", async () => {
    const { fake, iam, answers } = provisionFake();
    const path = filePath();
    const { output, error } = await logged(() => provisionMain(args(path, "--static", "--role", "viewer"), iam));
    expect(error).toBeUndefined();
    const { accessKey, secret } = created(answers);
    expect(fake.state.accessKeys).toEqual([expect.objectContaining({ id: accessKey.id, keyId: accessKey.keyId })]);
    expect(fake.state.apiKeys).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(mode(path)).toBe(0o600);
    expect(output).toContain(`created static key ${accessKey.id} (AWS key id ${accessKey.keyId})`);
    expect(output).not.toContain(secret);
    const id = fake.state.serviceAccounts.find((a) => a.name === "report-builder")?.id as string;
    expect(fake.state.accessBindings[id]?.map((b) => b.roleId)).toEqual(["viewer"]);
  });

  it("--authorized-key: key.json that gets a token the fake accepts as the new account; no line of the private key printed", async () => {
    const { fake, iam, answers } = provisionFake();
    const path = filePath("key.json");
    const { output, error } = await logged(() => provisionMain(args(path, "--authorized-key"), iam));
    expect(error).toBeUndefined();
    expect(mode(path)).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, "utf8"));
    const account = fake.state.serviceAccounts.find((a) => a.name === "report-builder");
    expect(saved).toMatchObject({ id: answers[0]?.body.key.id, service_account_id: account?.id, private_key: answers[0]?.body.privateKey });
    const token = serviceAccountKey(readFileSync(path, "utf8"), { baseUrl: fake.baseUrl, fetch: fake.fetch });
    expect(await token()).toMatch(/^t1\./);
    expect(fake.state.iamTokens).toBe(1);
    const lines = (saved.private_key as string).split("\n").filter((l) => l && !l.startsWith("-----") && !l.startsWith("PLEASE"));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(output).not.toContain(line);
  });

  it("a second run finds the account by name instead of failing, and says so; the binding is not added twice", async () => {
    const { fake, iam } = provisionFake();
    await logged(() => provisionMain(args(filePath()), iam));
    const { output, error } = await logged(() => provisionMain(args(filePath()), iam));
    expect(error).toBeUndefined();
    const accounts = fake.state.serviceAccounts.filter((a) => a.name === "report-builder");
    expect(accounts).toHaveLength(1);
    expect(output).toContain(`found service account ${accounts[0]?.id} (report-builder) in folder ${FOLDER}: not created again`);
    expect(output).toContain(`already held ${DEFAULT_ROLE}`);
    expect(fake.state.accessBindings[accounts[0]?.id as string]).toHaveLength(1);
    expect(fake.requests.filter((r) => r.operation === "createServiceAccount")).toHaveLength(1);
    expect(fake.state.apiKeys).toHaveLength(2);
  });

  it("refuses a file that exists before anything is sent, and leaves it as it was", async () => {
    const { fake, iam } = provisionFake();
    const path = filePath();
    writeFileSync(path, "someone else's");
    const { error } = await logged(() => provisionMain(args(path), iam));
    expect((error as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path, "utf8")).toBe("someone else's");
    expect(fake.requests).toEqual([]);
    expect(fake.state.serviceAccounts).toHaveLength(1);
  });

  it.each([
    [["--name", "Report_Builder"], /--name "Report_Builder": 3 to 63 of a-z/],
    [["--static", "--authorized-key"], /one credential at a time/],
    [["--subject-type", "robot"], /--subject-type must be one of/],
    [["--static", "--scope", "yc.postbox.send"], /for an API key only/],
    [["--expires-in-days", "0"], /--expires-in-days must be a whole number/],
    [
      ["--statik"],
      /^unknown flag --statik; the known ones are --folder, --name, --subject, --subject-type, --role, --scope, --expires-in-days, --static, --authorized-key, --secret-file$/,
    ],
  ])("refuses %j before anything is sent or written", async (more, message) => {
    const { fake, iam } = provisionFake();
    const path = filePath();
    const { error } = await logged(() => provisionMain(args(path, ...more), iam));
    expect((error as Error).message).toMatch(message);
    expect(fake.requests).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it("a failure after the key was created keeps its secret in the file and says where", async () => {
    const { fake, iam, answers } = provisionFake();
    const path = filePath();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "getApiKey" });
    const { output, error } = await logged(() => provisionMain(args(path), iam));
    const { apiKey, secret } = created(answers);
    expect((error as Error).message).toContain(`API key ${apiKey.id} was created; its secret is kept at ${path}`);
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
    const { fake, iam, answers } = provisionFake();
    const path = filePath();
    const { output, error } = await logged(() => provisionMain(args(path, ...c.flags), iam, unsavableFile));
    const body = created(answers);
    const id = c.id(body);
    expect((error as Error).message).toBe(
      `EFBIG: file too large, write (${c.kind} ${id} was created, but its ${c.kind === "authorized key" ? "key file" : "secret"} could not be saved to ${path}, so it cannot be used: delete it, e.g. ${c.command} ${id})`,
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EFBIG");
    expect(existsSync(path)).toBe(false);
    expect(`${output}${(error as Error).message}`).not.toContain(c.secret(body));
    expect(fake.requests.at(-1)?.operation).toMatch(/^create(ApiKey|AccessKey|Key)$/);
  });

  it("a failure before any credential exists removes its empty file", async () => {
    const { fake, iam } = provisionFake();
    const path = filePath();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "updateServiceAccountAccessBindings" });
    const { error } = await logged(() => provisionMain(args(path), iam));
    // Note: the account it made is named, so the user knows it exists (the same command again finds it by name).
    const [account] = fake.state.serviceAccounts.filter((a) => a.name !== "service-account-1");
    expect((error as Error).message).toMatch(
      new RegExp(
        `PERMISSION_DENIED: Permission denied \\(service account ${account?.id} \\(${account?.name}\\) was created in folder .*; the same command again finds it and goes on\\)$`,
      ),
    );
    expect(caught((error as Error).cause)).toMatchObject({ operation: "updateServiceAccountAccessBindings" });
    expect(existsSync(path)).toBe(false);
    expect(fake.state.apiKeys).toEqual([]);
  });
});

/** A fake whose folder holds `count` accounts (the first the default), each with an API key and a static key, and one account elsewhere. */
async function folderOf(count: number) {
  const ids = Array.from({ length: count }, (_, i) => `aje${String(i).padStart(17, "0")}`);
  const fake = createFakeIam({ serviceAccounts: ids, folderId: FOLDER });
  const iam = client(fake);
  for (const serviceAccountId of ids) {
    fake.seed([{ serviceAccountId, description: `api ${serviceAccountId}` }]);
    await iam.accessKeys.create({ serviceAccountId });
  }
  const elsewhere = await iam.serviceAccounts.create({ folderId: "b1gother0folder00001", name: "elsewhere" });
  fake.seed([{ serviceAccountId: elsewhere.id }]);
  await iam.accessKeys.create({ serviceAccountId: elsewhere.id });
  return { fake, iam, ids, elsewhere: elsewhere.id };
}

/** A fetch over the fake that holds each request 5 ms and records the most requests in flight at once. */
function inFlight(fake: FakeIam) {
  let now = 0;
  const seen = { max: 0 };
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    now++;
    seen.max = Math.max(seen.max, now);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return await fake.fetch(input, init);
    } finally {
      now--;
    }
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

/** A credential as kind, id and account, for comparing sets. */
const triple = (c: Pick<Credential, "kind" | "id" | "accountId">) => `${c.kind} ${c.id} ${c.accountId}`;

/** Every credential the fake holds in the accounts `ids`, as triples. */
const held = (fake: FakeIam, ids: string[]) =>
  [
    ...fake.state.apiKeys.map((k) => ({ kind: "API key" as const, id: k.id, accountId: k.serviceAccountId as string })),
    ...fake.state.keys.map((k) => ({ kind: "authorized key" as const, id: k.id, accountId: k.serviceAccountId as string })),
    ...fake.state.accessKeys.map((k) => ({ kind: "static key" as const, id: k.id, accountId: k.serviceAccountId as string })),
  ]
    .filter((c) => ids.includes(c.accountId))
    .map(triple)
    .sort();

describe("audit", () => {
  it("lists every credential of every account of the demo folder exactly once, with its kind and account", async () => {
    const { fake } = await demoFake();
    const { accounts, credentials } = await audit(client(fake), { folderId: DEMO_FOLDER });
    const ids = fake.state.serviceAccounts.map((a) => a.id);
    expect(accounts.map((a) => a.id)).toEqual(ids);
    expect(credentials.map(triple).sort()).toEqual(held(fake, ids));
    expect(credentials).toHaveLength(15);
    expect(new Set(credentials.map((c) => c.kind))).toEqual(new Set(["API key", "authorized key", "static key"]));
    const names = new Map(fake.state.serviceAccounts.map((a) => [a.id, a.name]));
    for (const c of credentials) expect(c.accountName).toBe(names.get(c.accountId));
  });

  it("lists only the folder's accounts", async () => {
    const { fake, iam, ids, elsewhere } = await folderOf(3);
    const { accounts, credentials } = await audit(iam, { folderId: FOLDER });
    expect(accounts.map((a) => a.id)).toEqual(ids);
    expect(credentials.map(triple).sort()).toEqual(held(fake, ids));
    expect(credentials.map((c) => c.accountId)).not.toContain(elsewhere);
  });

  it("filters: not used for N days (a never-used one from its creation), never used, never expiring, and all together", async () => {
    const now = Date.parse("2026-11-26T00:00:00Z");
    const { fake } = await demoFake(now);
    const { credentials } = await audit(client(fake), { folderId: DEMO_FOLDER });
    const described = (filters: Parameters<typeof filtered>[1]) =>
      filtered(credentials, filters, now)
        .map((c) => c.description)
        .sort();
    expect(described({ unusedDays: 90 })).toEqual(
      ["artifact bucket", "backup VM", "backups bucket", "import VM", "import bucket", "import job", "nightly export", "old CI key"].sort(),
    );
    expect(described({ neverUsed: true })).toEqual(
      ["artifact bucket", "backup VM", "backups bucket", "import bucket", "new key", "old CI key"].sort(),
    );
    expect(described({ neverExpiring: true })).toHaveLength(12);
    expect(described({ neverExpiring: true })).not.toContain("support bot");
    expect(described({ unusedDays: 90, neverUsed: true, neverExpiring: true })).toEqual(
      ["artifact bucket", "backup VM", "backups bucket", "import bucket", "old CI key"].sort(),
    );
    expect(described({ unusedDays: 0 })).toHaveLength(15);
    expect(described({})).toHaveLength(15);
  });

  it("--json prints JSON alone; the flags narrow it", async () => {
    const { fake } = await demoFake();
    const all = await logged(() => auditMain(["--folder", DEMO_FOLDER, "--json"], client(fake)));
    expect(all.error).toBeUndefined();
    const parsed = JSON.parse(all.output);
    expect(parsed).toMatchObject({ folderId: DEMO_FOLDER, accounts: 5 });
    expect(parsed.credentials.map(triple).sort()).toEqual(
      held(
        fake,
        fake.state.serviceAccounts.map((a) => a.id),
      ),
    );
    const never = JSON.parse((await logged(() => auditMain(["--folder", DEMO_FOLDER, "--json", "--never-used"], client(fake)))).output);
    expect(never.credentials).toHaveLength(6);
    expect(never.credentials.every((c: Credential) => c.lastUsedAt === undefined)).toBe(true);
  });

  it("prints one table: kind, id, account, created, last used, expires", async () => {
    const { fake } = await demoFake();
    const { output, error } = await logged(() =>
      auditMain(["--folder", DEMO_FOLDER, "--never-expiring", "--unused-days", "90"], client(fake)),
    );
    expect(error).toBeUndefined();
    expect(output).toMatch(/^8 of 15 credential\(s\) of 5 service account\(s\) in folder \w+, not used for 90 days, never expiring:\n/);
    expect(output).toMatch(/\nkind\s+id\s+account\s+created\s+last used\s+expires\n/);
    expect(output).toMatch(/\nstatic key\s+aje\w+\s+old-importer\s+\d{4}-\d\d-\d\d\s+never\s+never/);
    expect(output.trim().split("\n")).toHaveLength(10);
  });

  it("refuses a missing folder and a bad number before anything is sent", async () => {
    const { fake, iam } = await folderOf(1);
    const before = fake.requests.length;
    for (const argv of [[], ["--folder", FOLDER, "--concurrency", "0"], ["--folder", FOLDER, "--unused-days", "x"]])
      expect(((await logged(() => auditMain(argv, iam))).error as Error).message).toMatch(/--folder is required|must be a whole number/);
    expect(fake.requests).toHaveLength(before);
  });

  it("refuses a flag it does not know, naming it and the known ones, before anything is sent", async () => {
    const { fake, iam } = await folderOf(1);
    const before = fake.requests.length;
    const { output, error } = await logged(() => auditMain(["--folder", FOLDER, "--unsued-days", "9999"], iam));
    expect((error as Error).message).toBe(
      "unknown flag --unsued-days; the known ones are --folder, --unused-days, --never-used, --never-expiring, --concurrency, --json",
    );
    expect(output).toBe("");
    expect(fake.requests).toHaveLength(before);
  });

  it.each([
    [1, 1],
    [3, 3],
    [8, 8],
  ])("reads the accounts concurrently, at most %i requests in flight", async (limit, expected) => {
    const { fake, ids } = await folderOf(12);
    const { fetch, seen } = inFlight(fake);
    const { credentials } = await audit(client(fake, fetch), { folderId: FOLDER, concurrency: limit });
    expect(credentials.map(triple).sort()).toEqual(held(fake, ids));
    expect(seen.max).toBe(expected);
  });

  it("reads 8 accounts at once by default, one list per account and kind when every page fits", async () => {
    const { fake, ids } = await folderOf(12);
    const { fetch, seen } = inFlight(fake);
    const before = fake.requests.length;
    const { output } = await logged(() => auditMain(["--folder", FOLDER, "--json"], client(fake, fetch)));
    expect(JSON.parse(output).credentials).toHaveLength(2 * ids.length);
    expect(seen.max).toBe(8);
    expect(fake.requests.length - before).toBe(1 + 3 * ids.length);
  });

  it("a 429 with Retry-After is retried and the audit completes", async () => {
    const { fake, iam, ids } = await folderOf(3);
    fake.failNext({ status: 429, retryAfter: "1", message: "Too many requests" }, { operation: "listKeys" });
    const before = fake.requests.length;
    const { credentials } = await audit(iam, { folderId: FOLDER });
    expect(credentials.map(triple).sort()).toEqual(held(fake, ids));
    const lists = fake.requests.slice(before).filter((r) => r.operation === "listKeys");
    expect(lists).toHaveLength(ids.length + 1);
  });
});

describe("npm run example's arguments", () => {
  it("flags alone add to the defaults (a later flag wins); arguments that start with a positional one replace them", () => {
    expect(argumentsOf([], ["--folder", "f"])).toEqual(["--folder", "f"]);
    expect(argumentsOf(["--json"], ["--folder", "f"])).toEqual(["--folder", "f", "--json"]);
    expect(argumentsOf(["--folder", "g"], ["--folder", "f"])).toEqual(["--folder", "f", "--folder", "g"]);
    expect(argumentsOf(["other"], ["aje1"])).toEqual(["other"]);
    // Note: flags alone keep the default key: `npm run example -- rotate-key --secret-file P` rotates the first demo key.
    expect(argumentsOf(["--secret-file", "/tmp/x"], ["aje1"])).toEqual(["aje1", "--secret-file", "/tmp/x"]);
    expect(argumentsOf(["other", "--expires-in-days", "5"], ["aje1"])).toEqual(["other", "--expires-in-days", "5"]);
    expect(argumentsOf(["--secret-file", "/tmp/x", "other"], ["aje1"])).toEqual(["--secret-file", "/tmp/x", "other"]);
  });

  it("npm run -s example -- audit --json, as the README says it: the demo folder as JSON alone on stdout", async () => {
    // Note: through npm itself, as a user runs it: without -s, npm's banner would go to stdout before the JSON.
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain("\nnpm run -s example -- audit --json ");
    const { stdout, stderr } = await run("npm", ["run", "-s", "example", "--", "audit", "--json"], { cwd: root });
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({ folderId: DEMO_FOLDER, accounts: 5 });
    expect(parsed.credentials).toHaveLength(15);
    expect(stderr).toMatch(/^audit, against the stateful fake at http:\/\/127\.0\.0\.1:\d+ \(5 service accounts with 15 keys/);
  });

  it("npm run example -- provision: an account of the demo folder, its secret in a private file under the temp dir, only the path printed", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/example.ts", "provision"], { cwd: root });
    const path = stdout.match(/its secret is in (\S+) \(mode 0600\)/)?.[1] as string;
    try {
      const secret = privateSecret(path);
      expect(secret).toMatch(/^AQVN/);
      expect(stdout).not.toContain(secret);
      expect(stdout).toMatch(new RegExp(`created service account aje\\w+ \\(report-builder\\) in folder ${DEMO_FOLDER}`));
      expect(stdout).toContain(`serviceAccount:${DEMO_ACCOUNT} now holds ${DEFAULT_ROLE}`);
      expect(stdout).toContain("The fake now holds 6 service account(s), 9 API key(s)");
    } finally {
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });
});
