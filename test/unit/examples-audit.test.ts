// The audit example against the stateful fake, through a client whose every answer is held to the document: a seeded
// cloud of a few folders, accounts and credentials, every finding kind with its reason (stale by an injected clock), the
// one limit on requests in flight, one request per page and none twice, no call that creates or shows a secret, a 403
// naming the call and the role to ask for, a 429 retried by the client, the JSON, the table, progress and exit codes.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  audit,
  BROAD_ROLES,
  CREDENTIAL_KINDS,
  DEFAULT_CONCURRENCY,
  FINDINGS_EXIT,
  type Finding,
  findingsOf,
  LEAST_ROLE,
  main,
  type Progress,
  progressText,
} from "../../examples/audit.ts";
import { oneLine } from "../../examples/client-from-env.ts";
import { operations } from "../../generated/contract.ts";
import { demoFake } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { createIamClient, type IamClient, type RetryOptions } from "../../src/index.ts";
import { createFakeIam, DEFAULT_CLOUD_ID, type FakeIam, type FakeIamOptions } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { checkedFake, violationCheck } from "../support/checked-fake.ts";
import { logged } from "../support/logged.ts";
import { TOKEN } from "../support/secrets.ts";

const DAY = 86_400_000;
/** The audit's clock and the fake's: every time in the seeded cloud is days before it. */
const NOW = Date.parse("2026-06-01T00:00:00Z");
const iso = (days: number) => new Date(NOW + days * DAY).toISOString();

const CLOUD = "b1gaudit0cloud000001";
const OTHER_CLOUD = "b1gaudit0cloud000002";
const PROD = "b1gaudit0folder00001";
const STAGING = "b1gaudit0folder00002";
const EMPTY = "b1gaudit0folder00003";
const ELSEWHERE = "b1gaudit0folder00009";
/** The fake's first account, in prod: it holds nothing. */
const OWNER = "ajeaudit0owner000001";
/** A service account that never existed, holding a role on prod. */
const GHOST = "ajeaudit0ghost000001";
const USER = "ajeaudit0user0000001";

const track = violationCheck();

/** A checked fake (every answer held to the document after each test) with `options`, and a client that sets it up. */
function checked(options: FakeIamOptions) {
  const { fake, fetch } = track(checkedFake(options));
  return { fake, fetch, iam: clientOver(fake, fetch) };
}

/** A client over `fetch` that polls at once; no retries unless given. */
const clientOver = (fake: FakeIam, fetch: typeof globalThis.fetch, retry: Partial<RetryOptions> | false = false): IamClient =>
  createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch, retry, polling: { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: 5_000 } });

/**
 * A fetch over `fetch` that records each request (method and URL) and the most in flight at once; each waits `delayMs`
 * first, so that concurrent ones overlap.
 */
function watched(fetch: typeof globalThis.fetch, delayMs = 0) {
  const seen = { inFlight: 0, max: 0, sent: [] as string[] };
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.sent.push(`${request.method} ${request.url}`);
    seen.max = Math.max(seen.max, ++seen.inFlight);
    try {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return await fetch(request);
    } finally {
      seen.inFlight--;
    }
  }) as typeof globalThis.fetch;
  return { fetch: wrapped, seen };
}

/**
 * The audited cloud: prod (the owner; deployer with a stale API key without expiry and a never-used authorized key),
 * staging (importer with a fresh expiring API key, a new and an old static key; admin-bot, editor on the cloud), an empty
 * folder, and a folder of another cloud (outsider, viewer on staging). Roles: on the cloud, admin-bot's editor, deployer's
 * viewer, a user's ownership and everyone's admin; on prod, a role held by an account that never existed and importer's
 * admin. Each made on the fake's clock, set back while it is made.
 */
async function seededCloud() {
  let clock = NOW;
  const { fake, fetch, iam } = checked({
    clouds: [
      { id: CLOUD, name: "audited" },
      { id: OTHER_CLOUD, name: "other" },
    ],
    folders: [
      { id: PROD, name: "prod", cloudId: CLOUD },
      { id: STAGING, name: "staging", cloudId: CLOUD },
      { id: EMPTY, name: "empty", cloudId: CLOUD },
      { id: ELSEWHERE, name: "elsewhere", cloudId: OTHER_CLOUD },
    ],
    folderId: PROD,
    serviceAccounts: [OWNER],
    now: () => clock,
  });
  const account = async (folderId: string, name: string) => (await iam.serviceAccounts.create({ folderId, name })).id;
  const ids = {
    deployer: await account(PROD, "deployer"),
    importer: await account(STAGING, "importer"),
    adminBot: await account(STAGING, "admin-bot"),
    outsider: await account(ELSEWHERE, "outsider"),
  };
  fake.seed([
    { serviceAccountId: ids.deployer, description: "stale deploy key", createdAt: iso(-200), lastUsedAt: iso(-120) },
    { serviceAccountId: ids.importer, description: "fresh key", createdAt: iso(-30), lastUsedAt: iso(-1), expiresAt: iso(30) },
    { serviceAccountId: ids.adminBot, description: "bot key", createdAt: iso(-5), expiresAt: iso(60) },
    { serviceAccountId: ids.outsider, description: "outsider key", createdAt: iso(-500) },
  ]);
  clock = NOW - 100 * DAY;
  await iam.keys.create({ serviceAccountId: ids.deployer, description: "never-used authorized key" });
  clock = NOW - 95 * DAY;
  await iam.accessKeys.create({ serviceAccountId: ids.importer, description: "old static key" });
  clock = NOW - 10 * DAY;
  await iam.accessKeys.create({ serviceAccountId: ids.importer, description: "new static key" });
  clock = NOW;
  const sa = (id: string) => ({ type: "serviceAccount", id }) as const;
  await iam.clouds.grant(CLOUD, "editor", sa(ids.adminBot));
  await iam.clouds.grant(CLOUD, "viewer", sa(ids.deployer));
  await iam.clouds.grant(CLOUD, "resource-manager.clouds.owner", { type: "userAccount", id: USER });
  await iam.clouds.grant(CLOUD, "admin", { type: "system", id: "allAuthenticatedUsers" });
  await iam.folders.grant(PROD, "viewer", sa(GHOST));
  await iam.folders.grant(PROD, "admin", sa(ids.importer));
  await iam.folders.grant(STAGING, "viewer", sa(ids.outsider));
  return { fake, fetch, ids };
}

/** A cloud of `folders` folders of `accounts` accounts each, each account with an API key and a static key. */
async function crowdedCloud(folders: number, accounts: number) {
  const places = Array.from({ length: folders }, (_, i) => ({ id: `b1gcrowd0folder${String(i).padStart(5, "0")}`, name: `f${i}` }));
  const { fake, fetch, iam } = checked({ folders: places, folderId: places[0]?.id as string });
  for (const [f, folder] of places.entries())
    for (let a = 0; a < accounts; a++) {
      // Note: the fake's first account is one of the first folder's.
      const serviceAccountId = f === 0 && a === 0 ? fake.state.serviceAccounts[0]?.id : undefined;
      const id = serviceAccountId ?? (await iam.serviceAccounts.create({ folderId: folder.id, name: `robot-${f}-${a}` })).id;
      fake.seed([{ serviceAccountId: id, expiresAt: new Date(Date.now() + DAY).toISOString() }]);
      await iam.accessKeys.create({ serviceAccountId: id });
    }
  return { fake, fetch };
}

/** Findings as short lines, for comparing: `<finding> <who> <what>`. */
const lines = (found: Finding[]) =>
  found.map((f) => `${f.finding} ${f.subject.name ?? f.subject.id} ${f.credential ? f.credential.kind : f.roleId} on ${f.on.id}`);

/** Runs main as the command line would, capturing stdout; its exit code, or the error it threw. */
async function run(argv: string[], iam: IamClient, progress?: (line: string) => void) {
  let code: number | undefined;
  const { output, error } = await logged(async () => {
    code = await main(argv, iam, { now: () => NOW, progress });
  });
  return { output, error, code };
}

describe("audit --cloud", () => {
  it("reads every folder of the cloud, every account of each, every credential of each kind, and every role on the cloud and its folders", async () => {
    const { fake, fetch } = await seededCloud();
    const audited = await audit(clientOver(fake, fetch), { cloudId: CLOUD });
    const folders = fake.state.folders.filter((f) => f.cloudId === CLOUD).map((f) => f.id);
    expect(audited.folders.map((f) => f.id)).toEqual(folders);
    const accounts = fake.state.serviceAccounts.filter((a) => folders.includes(a.folderId as string)).map((a) => a.id);
    expect(audited.accounts.map((a) => a.id).sort()).toEqual([...accounts].sort());
    const held = [
      ...fake.state.apiKeys.map((k) => `API key ${k.id} ${k.serviceAccountId}`),
      ...fake.state.keys.map((k) => `authorized key ${k.id} ${k.serviceAccountId}`),
      ...fake.state.accessKeys.map((k) => `static key ${k.id} ${k.serviceAccountId}`),
    ].filter((c) => accounts.includes(c.split(" ").at(-1) as string));
    expect(audited.credentials.map((c) => `${c.kind} ${c.id} ${c.accountId}`).sort()).toEqual(held.sort());
    const bindings = Object.entries(fake.state.accessBindings)
      .filter(([resource]) => resource === CLOUD || folders.includes(resource))
      .flatMap(([resource, list]) => list.map((b) => `${resource} ${b.roleId} ${b.subject.type} ${b.subject.id}`));
    expect(audited.roles.map((r) => `${r.on.id} ${r.roleId} ${r.subject.type} ${r.subject.id}`).sort()).toEqual(bindings.sort());
    // Note: a negative control: the other cloud holds an account, a key and nothing the audit read.
    expect(audited.credentials.map((c) => c.description)).not.toContain("outsider key");
  });

  it("finds each kind, with its reason: broad roles on the cloud, unknown subjects, stale credentials, API keys that never expire", async () => {
    const { fake, fetch, ids } = await seededCloud();
    const audited = await audit(clientOver(fake, fetch), { cloudId: CLOUD });
    const found = findingsOf(audited, { now: NOW });
    expect(lines(found)).toEqual([
      `broad role admin-bot editor on ${CLOUD}`,
      `broad role allAuthenticatedUsers admin on ${CLOUD}`,
      `unknown subject ${GHOST} viewer on ${PROD}`,
      `stale deployer API key on ${PROD}`,
      `stale deployer authorized key on ${PROD}`,
      `stale importer static key on ${STAGING}`,
      `never expires deployer API key on ${PROD}`,
    ]);
    expect(found.map((f) => f.reason)).toEqual([
      "editor on the cloud reaches everything in it, every folder: grant a narrower role where the work is",
      "admin on the cloud reaches everything in it, every folder: grant a narrower role where the work is",
      "not an account of the cloud, and getServiceAccount answers 404 NOT_FOUND: deleted or never existed; revoke the role",
      `last used ${iso(-120).slice(0, 10)}, 120 days ago (more than 90)`,
      `never used, created ${iso(-100).slice(0, 10)}, 100 days ago (more than 90)`,
      `never used, created ${iso(-95).slice(0, 10)}, 95 days ago (more than 90)`,
      "no expiresAt: it works until it is deleted",
    ]);
    // Note: what is not a finding: a user owning the cloud, a broad role on a folder, an account of another cloud.
    const roles = new Map(audited.roles.map((r) => [`${r.subject.id} ${r.roleId}`, r.check]));
    expect(roles.get(`${USER} resource-manager.clouds.owner`)).toBe("not checked");
    expect(roles.get(`${ids.importer} admin`)).toBe("audited account");
    expect(roles.get(`${ids.outsider} viewer`)).toBe("account elsewhere");
    expect(roles.get(`${GHOST} viewer`)).toBe("deleted or unknown");
    expect(BROAD_ROLES).toContain("resource-manager.clouds.owner");
  });

  it("--unused-days moves the line of stale; --never-used and --never-expiring narrow the credentials, not the roles", async () => {
    const { fake, fetch } = await seededCloud();
    const audited = await audit(clientOver(fake, fetch), { cloudId: CLOUD });
    const of = (kind: string, found: Finding[]) => lines(found.filter((f) => f.finding === kind));
    const roleFindings = lines(findingsOf(audited, { now: NOW }).filter((f) => !f.credential));
    // Note: 100 days exactly is not more than 100.
    expect(of("stale", findingsOf(audited, { now: NOW, unusedDays: 100 }))).toEqual([`stale deployer API key on ${PROD}`]);
    const neverUsed = findingsOf(audited, { now: NOW, neverUsed: true });
    expect(lines(neverUsed.filter((f) => f.credential))).toEqual([
      `stale deployer authorized key on ${PROD}`,
      `stale importer static key on ${STAGING}`,
    ]);
    expect(lines(neverUsed.filter((f) => !f.credential))).toEqual(roleFindings);
    const neverExpiring = findingsOf(audited, { now: NOW, neverExpiring: true, unusedDays: 0 });
    expect(neverExpiring.filter((f) => f.credential?.kind === "API key").map((f) => f.finding)).toEqual(["stale", "never expires"]);
  });

  it("--cloud with --folder: that folder alone, with the roles held on the cloud; a folder of another cloud is an error", async () => {
    const { fake, fetch } = await seededCloud();
    const iam = clientOver(fake, fetch);
    const audited = await audit(iam, { cloudId: CLOUD, folderId: STAGING });
    expect(audited.folders).toEqual([{ type: "folder", id: STAGING, name: "staging" }]);
    expect(new Set(audited.roles.map((r) => r.on.id))).toEqual(new Set([CLOUD, STAGING]));
    expect(new Set(audited.credentials.map((c) => c.folderId))).toEqual(new Set([STAGING]));
    await expect(audit(iam, { cloudId: CLOUD, folderId: ELSEWHERE })).rejects.toThrow(
      `folder ${ELSEWHERE} is not a folder of cloud ${CLOUD}`,
    );
  });

  it("--folder alone: the folder's accounts and roles, a broad role reported on the folder", async () => {
    const { fake, fetch, ids } = await seededCloud();
    const audited = await audit(clientOver(fake, fetch), { folderId: PROD });
    expect(audited.top).toEqual({ type: "folder", id: PROD });
    expect(audited.accounts.map((a) => a.id).sort()).toEqual([OWNER, ids.deployer].sort());
    const broad = findingsOf(audited, { now: NOW }).filter((f) => f.finding === "broad role");
    expect(lines(broad)).toEqual([`broad role importer admin on ${PROD}`]);
    expect(broad[0]?.reason).toBe("admin on the folder reaches everything in it: grant a narrower role where the work is");
  });
});

describe("how the audit reads", () => {
  it.each([1, 3, DEFAULT_CONCURRENCY])(
    "one limit for the whole run: at most %i requests in flight, folders, accounts and kinds together",
    async (limit) => {
      const { fake, fetch } = await crowdedCloud(3, 4);
      const { fetch: slow, seen } = watched(fetch, 5);
      const audited = await audit(clientOver(fake, slow), { cloudId: DEFAULT_CLOUD_ID, concurrency: limit });
      expect(audited.credentials).toHaveLength(fake.state.apiKeys.length + fake.state.accessKeys.length);
      // Note: equal, not only at most: the reads of every level share the limit, and there is work enough to fill it.
      expect(seen.max).toBe(limit);
    },
  );

  it("sends one request per page and none twice: the folders, a role list per resource, the accounts per folder, a list per account and kind, a get per unknown account", async () => {
    const { fake, fetch } = await seededCloud();
    const { fetch: counted, seen } = watched(fetch);
    const audited = await audit(clientOver(fake, counted), { cloudId: CLOUD });
    expect(new Set(seen.sent).size).toBe(seen.sent.length);
    const lookedUp = new Set(
      audited.roles.filter((r) => r.check === "account elsewhere" || r.check === "deleted or unknown").map((r) => r.subject.id),
    );
    expect(seen.sent).toHaveLength(
      1 + (1 + audited.folders.length) + audited.folders.length + audited.accounts.length * CREDENTIAL_KINDS.length + lookedUp.size,
    );
  });

  it("lists and gets only: no call that creates, changes or shows a secret", async () => {
    const { fake, fetch } = await seededCloud();
    const before = fake.requests.length;
    const { code } = await run(["--cloud", CLOUD, "--json"], clientOver(fake, fetch));
    expect(code).toBe(FINDINGS_EXIT);
    const called = [...new Set(fake.requests.slice(before).map((r) => r.operation))];
    for (const operation of called) {
      expect(operation, String(operation)).toBeDefined();
      const row = operations[operation as keyof typeof operations];
      expect([operation, row.method, row.retry.changes]).toEqual([operation, "GET", false]);
    }
    expect(called.filter((operation) => /^create/.test(String(operation)))).toEqual([]);
    // Note: a negative control: the setup's creates are recorded by the same fake.
    expect(fake.requests.slice(0, before).map((r) => r.operation)).toContain("createKey");
    expect(called.sort()).toEqual(
      [
        "listCloudAccessBindings",
        "listFolders",
        "listFolderAccessBindings",
        "listServiceAccounts",
        "listApiKeys",
        "listKeys",
        "listAccessKeys",
        "getServiceAccount",
      ].sort(),
    );
  });

  it("a 403 stops the audit with one line naming the call, what it read and the role to ask for", async () => {
    const { fake, fetch } = await seededCloud();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "listFolders" });
    const { error, output, code } = await run(["--cloud", CLOUD], clientOver(fake, fetch));
    expect(code).toBeUndefined();
    expect(output).toBe("");
    expect((error as Error).message).toBe(
      `listFolders (the folders of cloud ${CLOUD}) was refused with 403 PERMISSION_DENIED: the audit needs the role ${LEAST_ROLE} on cloud ${CLOUD}; ask for it and run the audit again`,
    );
    expect(oneLine(error)).toBe((error as Error).message);
  });

  it("a 403 deep in the cloud stops every read: none is sent after it, and the folder audited alone names the folder", async () => {
    const { fake, fetch } = await seededCloud();
    const start = fake.requests.length;
    await audit(clientOver(fake, fetch), { cloudId: CLOUD, concurrency: 1 });
    const whole = fake.requests.length - start;
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "listKeys" });
    const before = fake.requests.length;
    const { error } = await run(["--cloud", CLOUD, "--concurrency", "1"], clientOver(fake, fetch));
    expect((error as Error).message).toMatch(
      new RegExp(
        `^listKeys \\(the authorized keys of service account aje\\w+ in folder prod \\(${PROD}\\)\\) was refused with 403 PERMISSION_DENIED: the audit needs the role ${LEAST_ROLE} on cloud ${CLOUD}; `,
      ),
    );
    // Note: one read at a time, so the refused one is the last sent: the reads queued behind it were never sent.
    expect(fake.requests.at(-1)?.operation).toBe("listKeys");
    expect(fake.requests.length - before).toBeLessThan(whole);
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "listServiceAccounts" });
    const alone = await run(["--folder", PROD], clientOver(fake, fetch));
    expect((alone.error as Error).message).toMatch(new RegExp(`the audit needs the role ${LEAST_ROLE} on folder ${PROD};`));
  });

  it("a 403 on the get of a role's holder is no stop: that account is not visible to the token, counted as not checked", async () => {
    const { fake, fetch, ids } = await seededCloud();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "getServiceAccount", count: 2 });
    const audited = await audit(clientOver(fake, fetch), { cloudId: CLOUD });
    const looked = audited.roles.filter((r) => r.subject.id === GHOST || r.subject.id === ids.outsider);
    expect(looked.map((r) => r.check)).toEqual(["not visible", "not visible"]);
    expect(findingsOf(audited, { now: NOW }).map((f) => f.finding)).not.toContain("unknown subject");
  });

  it("a 429 with Retry-After is retried by the client (no loop of its own) and the audit completes", async () => {
    const { fake, fetch } = await seededCloud();
    const whole = await audit(clientOver(fake, fetch), { cloudId: CLOUD });
    fake.failNext({ status: 429, retryAfter: "1", message: "Too many requests" }, { operation: "listAccessKeys" });
    const before = fake.requests.length;
    const again = await audit(clientOver(fake, fetch, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2_000 }), { cloudId: CLOUD });
    expect(again.credentials.map((c) => c.id).sort()).toEqual(whole.credentials.map((c) => c.id).sort());
    expect(fake.requests.slice(before).filter((r) => r.operation === "listAccessKeys")).toHaveLength(whole.accounts.length + 1);
  });

  it("tells its progress: folders and accounts done of those known, to the end; main writes it to the progress sink, never stdout", async () => {
    const { fake, fetch } = await seededCloud();
    const told: Progress[] = [];
    const audited = await audit(clientOver(fake, fetch), { cloudId: CLOUD, onProgress: (p) => told.push(p) });
    const last = told.at(-1) as Progress;
    expect(last).toEqual({
      folders: { done: audited.folders.length, total: audited.folders.length },
      accounts: { done: audited.accounts.length, total: audited.accounts.length },
    });
    for (const [i, p] of told.entries()) {
      expect(p.accounts.done).toBeLessThanOrEqual(p.accounts.total);
      expect(p.folders.done).toBeGreaterThanOrEqual(told[i - 1]?.folders.done ?? 0);
    }
    const progress: string[] = [];
    const { output } = await run(["--cloud", CLOUD], clientOver(fake, fetch), (line) => progress.push(line));
    expect(progress.at(-2)).toBe(progressText(last));
    expect(progress.at(-1)).toBe("");
    expect(output).not.toContain("audit: folders");
  });
});

describe("the report", () => {
  it("--json: the scope, the threshold, the filters, the folders, the counts, the credentials, the roles and the findings; exit 1", async () => {
    const { fake, fetch } = await seededCloud();
    const iam = clientOver(fake, fetch);
    const { output, code } = await run(["--cloud", CLOUD, "--json"], iam);
    expect(code).toBe(FINDINGS_EXIT);
    const report = JSON.parse(output);
    expect(Object.keys(report)).toEqual([
      "cloudId",
      "unusedDays",
      "filters",
      "folders",
      "accounts",
      "credentials",
      "roles",
      "findings",
      "unchecked",
    ]);
    const audited = await audit(iam, { cloudId: CLOUD });
    expect(report).toEqual(
      JSON.parse(
        JSON.stringify({
          cloudId: CLOUD,
          unusedDays: 90,
          filters: { neverUsed: false, neverExpiring: false },
          folders: audited.folders,
          accounts: audited.accounts.length,
          credentials: audited.credentials,
          roles: audited.roles,
          findings: findingsOf(audited, { now: NOW }),
          unchecked: audited.roles.filter((r) => r.check === "not checked" || r.check === "not visible").length,
        }),
      ),
    );
  });

  it("a table of the findings, each with its reason, after a line that says what was read; then every role held, by whom", async () => {
    const { fake, fetch } = await seededCloud();
    const iam = clientOver(fake, fetch);
    const { output, code } = await run(["--cloud", CLOUD], iam);
    expect(code).toBe(FINDINGS_EXIT);
    const audited = await audit(iam, { cloudId: CLOUD });
    const found = findingsOf(audited, { now: NOW });
    const [findings = "", roles = ""] = output.split(`\n\nRoles held on cloud ${CLOUD} and its folders:\n`);
    const [summary, header, ...rows] = findings.split("\n");
    expect(summary).toBe(
      `cloud ${CLOUD}: ${audited.folders.length} folder(s), ${audited.accounts.length} service account(s), ${audited.credentials.length} credential(s), ${audited.roles.length} role(s) held; ${found.length} finding(s), stale after 90 days:`,
    );
    expect(header).toMatch(/^finding\s+where\s+who\s+what\s+reason$/);
    expect(rows).toHaveLength(found.length);
    expect(rows[0]).toMatch(
      new RegExp(`^broad role\\s+cloud ${CLOUD}\\s+admin-bot \\(aje\\w+\\)\\s+role editor\\s+editor on the cloud reaches`),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^stale\s+folder staging \(\w+\)\s+importer \(aje\w+\)\s+static key aje\w+\s+never used, created/),
    );
    const [roleHeader, ...held] = roles.split("\n");
    expect(roleHeader).toMatch(/^where\s+role\s+subject\s+name\s+check$/);
    const unchecked = audited.roles.filter((r) => r.check === "not checked" || r.check === "not visible");
    expect(unchecked.length).toBeGreaterThan(0);
    expect(held).toHaveLength(audited.roles.length + 1);
    expect(held.at(-1)).toBe(
      `${unchecked.length} of them held by subjects the audit does not check (users, groups, system subjects, accounts the token may not see).`,
    );
    expect(held).toContainEqual(
      expect.stringMatching(new RegExp(`^folder prod \\(${PROD}\\)\\s+viewer\\s+serviceAccount ${GHOST}\\s+deleted or unknown$`)),
    );
  });

  it("exits 0 when there is nothing to report, 1 when there is", async () => {
    const { fake, fetch } = checked({});
    expect((await run(["--cloud", DEFAULT_CLOUD_ID], clientOver(fake, fetch))).code).toBe(0);
    fake.seed([{ description: "no expiry" }]);
    expect((await run(["--cloud", DEFAULT_CLOUD_ID], clientOver(fake, fetch))).code).toBe(FINDINGS_EXIT);
  });

  it("as a command: exit 0 with nothing to report, 1 with findings (stdout the table, stderr empty when it is no terminal)", async () => {
    const fake = createFakeIam();
    const served = await serveFake(fake);
    try {
      const command = (args: string[]) =>
        promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", "examples/audit.ts", ...args], {
          cwd: root,
          env: { ...process.env, YC_IAM_TOKEN: "any", YC_IAM_BASE_URL: served.url },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
      const clean = await command(["--cloud", DEFAULT_CLOUD_ID]);
      expect([clean.code, clean.stderr]).toEqual([0, ""]);
      expect(clean.stdout).toMatch(
        /; 0 finding\(s\), stale after 90 days:\n\(none\)\n\nRoles held on cloud \w+ and its folders:\n\(none\)\n$/,
      );
      fake.seed([{ description: "no expiry" }]);
      const found = await command(["--cloud", DEFAULT_CLOUD_ID]);
      expect([found.code, found.stderr]).toEqual([FINDINGS_EXIT, ""]);
      expect(found.stdout).toMatch(/\nnever expires\s+folder default/);
    } finally {
      await served.close();
    }
  });

  it("npm run -s example -- audit --json, as the README says it: the demo cloud as JSON alone on stdout, exit 1 for its findings", async () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain("\nnpm run -s example -- audit --json ");
    const { fake } = await demoFake();
    const { apiKeys, keys, accessKeys, serviceAccounts } = fake.state;
    const ran = await promisify(execFile)("npm", ["run", "-s", "example", "--", "audit", "--json"], { cwd: root }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(ran?.code).toBe(FINDINGS_EXIT);
    const report = JSON.parse(ran?.stdout ?? "");
    expect(report).toMatchObject({ cloudId: DEFAULT_CLOUD_ID, accounts: serviceAccounts.length });
    expect(report.credentials).toHaveLength(apiKeys.length + keys.length + accessKeys.length);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(ran?.stderr).toMatch(/^audit, against the stateful fake at http:\/\/127\.0\.0\.1:\d+ /);
  });
});
