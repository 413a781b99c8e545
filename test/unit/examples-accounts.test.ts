// The service-account examples against the stateful fake: audit (every credential of a folder, filters, JSON, bounded
// concurrency, 429 honoured). Provision has its own file, examples-provision.test.ts.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { audit, main as auditMain, type Credential, filtered } from "../../examples/audit.ts";
import { argumentsOf, DEMO_FOLDER, demoFake } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam, type FakeIam } from "../../src/testing/index.ts";
import { logged } from "../support/logged.ts";

const FOLDER = "b1gfolder0provision1";
const run = promisify(execFile);

const client = (fake: FakeIam, fetch: typeof globalThis.fetch = fake.fetch) =>
  createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });

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
  it("flags alone add to the defaults (a flag given replaces the default's); arguments that start with a positional one replace them", () => {
    expect(argumentsOf([], ["--folder", "f"])).toEqual(["--folder", "f"]);
    expect(argumentsOf(["--json"], ["--folder", "f"])).toEqual(["--folder", "f", "--json"]);
    expect(argumentsOf(["--folder", "g"], ["--folder", "f"])).toEqual(["--folder", "g"]);
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
});
