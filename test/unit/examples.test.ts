// The worked examples, against the stateful fake: each does its job, and `npm run example` runs one end to end.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main as bootstrap, bootstrapKey } from "../../examples/bootstrap-key.ts";
import { EXIT } from "../../examples/client-from-env.ts";
import { expiringSoon } from "../../examples/expiring-soon.ts";
import { findUnused, revokeUnused } from "../../examples/revoke-unused.ts";
import { main, rotateKey } from "../../examples/rotate-key.ts";
import { DEMO_ACCOUNT, seedDemo } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { serviceAccountKey } from "../../src/auth/index.ts";
import { type CreateKeyResponse, createIamClient, IamApiError, IamError, IamTokenError, keyFile } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { logged, privateSecret } from "../support/logged.ts";
import { unsavableFile } from "../support/secret-files.ts";
import { caught, rejection } from "../support/secrets.ts";

const NOW = Date.parse("2026-11-26T00:00:00Z");

function demo() {
  const fake = createFakeIam({ serviceAccounts: [DEMO_ACCOUNT], operations: { polls: 2 } });
  const seeded = seedDemo(fake, NOW);
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  const byDescription = (d: string) => seeded.find((k) => k.description === d)?.id as string;
  return { fake, iam, byDescription };
}

/** A client over the fake that also hands back each secret the fake's creates answered with. */
function recordingSecrets(fake: ReturnType<typeof demo>["fake"]) {
  const created: string[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fake.fetch(input, init);
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.method === "POST" && new URL(request.url).pathname === "/iam/v1/apiKeys" && response.ok)
      created.push(((await response.clone().json()) as { secret: string }).secret);
    return response;
  };
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  return { iam, created };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("rotate-key", () => {
  const dirs: string[] = [];
  const privateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "rotate-key-test-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates a key with the old one's scopes and description, keeps its secret, then deletes the old one", async () => {
    const { fake, iam, byDescription } = demo();
    const old = byDescription("support bot");
    const kept: string[] = [];
    const { apiKey, deleted } = await rotateKey(iam, old, {
      expiresInDays: 90,
      now: NOW,
      keep: (secret) => {
        kept.push(secret);
        expect(fake.state.apiKeys.map((k) => k.id)).toContain(old); // kept before the old key goes
      },
    });
    const order = fake.requests.map((r) => r.operation).filter((o) => o !== "getOperation");
    expect(order).toEqual(["getApiKey", "createApiKey", "getApiKey", "deleteApiKey"]);
    expect(deleted).toBe(old);
    expect(apiKey).toMatchObject({
      description: "support bot",
      scopes: ["yc.ai.foundationModels.execute"],
      serviceAccountId: DEMO_ACCOUNT,
    });
    expect(apiKey.expiresAt).toBe("2027-02-24T00:00:00.000Z");
    expect(kept).toHaveLength(1);
    expect(apiKey.maskedSecret).toBe(`****${kept[0]?.slice(-6)}`);
    expect((await rejection(iam.apiKeys.get(old))).codeName).toBe("NOT_FOUND");
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(apiKey.id);
  });

  it("keeps the old key when the new one cannot be created", async () => {
    const { fake, iam, byDescription } = demo();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "createApiKey" });
    expect(await rejection(rotateKey(iam, byDescription("support bot"), { keep: () => {}, now: NOW }))).toMatchObject({
      codeName: "PERMISSION_DENIED",
    });
    expect(fake.state.apiKeys).toHaveLength(5);
  });

  it("keeps the old key when the secret cannot be kept", async () => {
    const { fake, iam, byDescription } = demo();
    const old = byDescription("support bot");
    const error = await rejection(rotateKey(iam, old, { keep: () => Promise.reject(new Error("vault down")), now: NOW }));
    expect(error.message).toBe("vault down");
    expect(fake.requests.map((r) => r.operation)).not.toContain("deleteApiKey");
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(old);
  });

  it("main writes the new secret to a new 0600 file, prints its path and never the secret", async () => {
    const { fake, byDescription } = demo();
    const { iam, created } = recordingSecrets(fake);
    const old = byDescription("support bot");
    const path = join(privateDir(), "new.secret");
    const { output, error } = await logged(() => main([old, "--secret-file", path], iam, undefined, NOW));
    expect(error).toBeUndefined();
    expect(created).toHaveLength(1);
    expect(readFileSync(path, "utf8")).toBe(created[0]);
    expect(mode(path)).toBe(0o600);
    expect(output).toContain(path);
    expect(output).not.toContain(created[0]);
    expect(fake.state.apiKeys.map((k) => k.id)).not.toContain(old);
  });

  it("main has written the secret before the delete: a failed delete leaves the file and the old key", async () => {
    const { fake, byDescription } = demo();
    const { iam, created } = recordingSecrets(fake);
    const old = byDescription("support bot");
    const path = join(privateDir(), "new.secret");
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "deleteApiKey" });
    const { output, error } = await logged(() => main([old, "--secret-file", path], iam, undefined, NOW));
    expect((caught(error) as Error).cause).toMatchObject({ operation: "deleteApiKey", codeName: "PERMISSION_DENIED" });
    expect((error as Error).message).toContain(`its secret is in ${path} (mode 0600); ${old} was not deleted`);
    expect(readFileSync(path, "utf8")).toBe(created[0]);
    expect(mode(path)).toBe(0o600);
    expect(output).toContain(path);
    expect(output).not.toContain(created[0]);
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(old);
  });

  it("main: a new key whose secret cannot be saved is named as created, with how to delete it; the old key stays", async () => {
    const { fake, byDescription } = demo();
    const { iam, created } = recordingSecrets(fake);
    const old = byDescription("support bot");
    const path = join(privateDir(), "new.secret");
    const { output, error } = await logged(() => main([old, "--secret-file", path], iam, unsavableFile, NOW));
    const successor = fake.state.apiKeys.find((k) => k.id !== old && k.description === "support bot")?.id;
    expect((error as Error).message).toBe(
      `EFBIG: file too large, write (API key ${successor} was created, but its secret could not be saved to ${path}, so it cannot be used: delete it, e.g. yc iam api-key delete ${successor}; ${old} was not deleted)`,
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EFBIG");
    expect(existsSync(path)).toBe(false);
    expect(`${output}${(error as Error).message}`).not.toContain(created[0]);
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(old);
  });

  it("main refuses a secret file that exists, before anything is sent, and leaves the file as it was", async () => {
    const { fake, iam, byDescription } = demo();
    const path = join(privateDir(), "taken");
    writeFileSync(path, "someone else's");
    const { error } = await logged(() => main([byDescription("support bot"), "--secret-file", path], iam, undefined, NOW));
    expect((error as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path, "utf8")).toBe("someone else's");
    expect(fake.requests).toEqual([]);
  });

  it("carries over a legacy scope and the old key's expiresAt, and main says what it carried over", async () => {
    const { fake, iam } = demo();
    const expiresAt = "2099-01-01T00:00:00.000000000Z";
    const [legacy] = fake.seed([{ description: "legacy bot", scope: "yc.postbox.send", expiresAt }]);
    const path = join(privateDir(), "new.secret");
    const { output, error } = await logged(() => main([legacy?.id as string, "--secret-file", path], iam, undefined, NOW));
    expect(error).toBeUndefined();
    const successor = fake.state.apiKeys.find((k) => k.description === "legacy bot");
    expect(successor).toMatchObject({ scope: "yc.postbox.send", scopes: ["yc.postbox.send"], expiresAt });
    expect(successor?.id).not.toBe(legacy?.id);
    expect(output).toContain(
      `carried over from ${legacy?.id}: description "legacy bot", legacy scope yc.postbox.send, expiresAt ${expiresAt}`,
    );
  });

  it("an old key that has expired is not carried over as one: its successor needs --expires-in-days, before anything is created", async () => {
    const { fake, iam } = demo();
    const [expired] = fake.seed([{ description: "expired", scopes: ["yc.postbox.send"], expiresAt: "2026-01-01T00:00:00Z" }]);
    const error = await rejection(rotateKey(iam, expired?.id as string, { keep: () => {}, now: NOW }));
    expect(error.message).toBe(`${expired?.id} expired at 2026-01-01T00:00:00Z; give its successor a new expiry (--expires-in-days N)`);
    expect(fake.requests.map((r) => r.operation)).toEqual(["getApiKey"]);
    const { apiKey } = await rotateKey(iam, expired?.id as string, { keep: () => {}, now: NOW, expiresInDays: 30 });
    expect(apiKey.expiresAt).toBe("2026-12-26T00:00:00.000Z");
  });

  it.each(["abc", "0", "1.5", "-3", "1e3"])(
    "main refuses --expires-in-days %s with a clear message before anything is created",
    async (days) => {
      const { fake, iam, byDescription } = demo();
      const path = join(privateDir(), "new.secret");
      const { error } = await logged(() =>
        main([byDescription("support bot"), "--expires-in-days", days, "--secret-file", path], iam, undefined, NOW),
      );
      expect((error as Error).message).toBe(`--expires-in-days must be a whole number of days from 1, not "${days}"`);
      expect(fake.requests).toEqual([]);
      expect(existsSync(path)).toBe(false);
    },
  );

  it("main refuses a flag it does not know, naming it and the known ones, before anything is sent or written", async () => {
    const { fake, iam, byDescription } = demo();
    const path = join(privateDir(), "new.secret");
    const { error } = await logged(() =>
      main([byDescription("support bot"), "--expires-in-day", "9", "--secret-file", path], iam, undefined, NOW),
    );
    expect((error as Error).message).toBe("unknown flag --expires-in-day; the known ones are --expires-in-days, --secret-file, --json");
    expect(fake.requests).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it("main removes its empty file when the rotation fails before a secret exists", async () => {
    const { fake, iam, byDescription } = demo();
    const path = join(privateDir(), "new.secret");
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "createApiKey" });
    const { error } = await logged(() => main([byDescription("support bot"), "--secret-file", path], iam, undefined, NOW));
    expect(caught(error)).toMatchObject({ operation: "createApiKey" });
    expect(existsSync(path)).toBe(false);
    expect(fake.state.apiKeys).toHaveLength(5);
  });
});

/** A fake that accepts only the token "admin" (the demo account's) and the tokens it mints, with a second account. */
function strictDemo() {
  const other = "ajeother0account0sa1";
  const fake = createFakeIam({
    serviceAccounts: [DEMO_ACCOUNT, other],
    authenticate: (token) => (token === "admin" ? DEMO_ACCOUNT : undefined),
    operations: { polls: 2 },
  });
  seedDemo(fake, NOW);
  fake.seed([{ serviceAccountId: other, description: "other's key" }]);
  const created: CreateKeyResponse[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fake.fetch(input, init);
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.method === "POST" && new URL(request.url).pathname === "/iam/v1/keys" && response.ok)
      created.push((await response.clone().json()) as CreateKeyResponse);
    return response;
  };
  const iam = createIamClient({ token: "admin", baseUrl: fake.baseUrl, fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  /** The bearer scheme and token prefix of each request sent through `where` (the example's own client and exchange). */
  const sentThroughWhere: string[] = [];
  const whereFetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    sentThroughWhere.push(`${new URL(request.url).pathname} ${request.headers.get("authorization")?.slice(0, 10) ?? "-"}`);
    return fake.fetch(request);
  };
  return { fake, iam, other, created, sentThroughWhere, where: { baseUrl: fake.baseUrl, fetch: whereFetch } };
}

/** The lines of a PEM's body: what must never be printed. */
const pemBody = (pem: string) => pem.split("\n").filter((line) => line && !line.startsWith("-----") && !line.startsWith("PLEASE"));

describe("bootstrap-key", () => {
  const dirs: string[] = [];
  const keyPath = () => {
    const dir = mkdtempSync(join(tmpdir(), "bootstrap-key-test-"));
    dirs.push(dir);
    return join(dir, "key.json");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("main saves key.json with mode 0600, exactly keyFile(created), and prints its path but no line of the private key", async () => {
    const { fake, iam, created, sentThroughWhere, where } = strictDemo();
    const path = keyPath();
    const { output, error } = await logged(() => bootstrap(["--key-file", path], iam, where));
    expect(error).toBeUndefined();
    // Note: the API keys were listed by the example's own client, with the token the key file got.
    expect(sentThroughWhere).toEqual(["/iam/v1/tokens -", "/iam/v1/apiKeys Bearer t1."]);
    expect(created).toHaveLength(1);
    const made = created[0] as CreateKeyResponse;
    expect(mode(path)).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, "utf8"));
    expect(saved).toEqual(keyFile(made));
    expect(Object.keys(saved)).toEqual(["id", "service_account_id", "created_at", "key_algorithm", "public_key", "private_key"]);
    expect(saved).toMatchObject({ service_account_id: DEMO_ACCOUNT, private_key: made.privateKey });
    expect(output).toContain(path);
    expect(output).toContain(made.key.id);
    expect(pemBody(made.privateKey).length).toBeGreaterThan(20);
    for (const line of pemBody(made.privateKey)) expect(output).not.toContain(line);
    // Note: the fake takes only "admin" and its own tokens, so the listing proves the key file's token was accepted.
    expect(fake.state.iamTokens).toBe(1);
    expect(output).toMatch(/support bot[\s\S]*nightly export[\s\S]*old CI key[\s\S]*new key[\s\S]*postbox sender/);
    expect(fake.requests.map((r) => r.operation)).toEqual(["createKey", "createIamToken", "listApiKeys"]);
  });

  it("the saved file reads back into a working token source: the fake mints a t1. token and accepts it, until the key is deleted", async () => {
    const { iam, where } = strictDemo();
    const path = keyPath();
    await logged(() => bootstrap(["--key-file", path], iam, where));
    const token = serviceAccountKey(readFileSync(path, "utf8"), where);
    expect(await token()).toMatch(/^t1\.[\w-]+\.[\w-]+$/);
    const asTheAccount = createIamClient({ token, ...where });
    expect((await asTheAccount.apiKeys.list()).apiKeys).toHaveLength(5);
    await iam.keys.delete(JSON.parse(readFileSync(path, "utf8")).id);
    const error = await rejection(serviceAccountKey(readFileSync(path, "utf8"), where)());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ status: 401 });
  });

  it("--service-account names the account: its key, its token, its API keys", async () => {
    const { fake, iam, other, where } = strictDemo();
    const path = keyPath();
    const { output, error } = await logged(() => bootstrap(["--service-account", other, "--key-file", path], iam, where));
    expect(error).toBeUndefined();
    expect(JSON.parse(readFileSync(path, "utf8")).service_account_id).toBe(other);
    expect(fake.state.keys.map((k) => k.serviceAccountId)).toEqual([other]);
    expect(output).toContain("other's key");
    expect(output).not.toContain("support bot");
  });

  it("bootstrapKey saves the key file before anything else is sent", async () => {
    const { fake, iam, where } = strictDemo();
    let text = "";
    const sentBeforeSave: (string | undefined)[] = [];
    await bootstrapKey(iam, {
      where,
      save: async (saved) => {
        text = saved;
        sentBeforeSave.push(...fake.requests.map((r) => r.operation));
      },
      load: async () => text,
    });
    expect(sentBeforeSave).toEqual(["createKey"]);
    expect(fake.requests.map((r) => r.operation)).toEqual(["createKey", "createIamToken", "listApiKeys"]);
  });

  it("main refuses a key file that exists, before any key is created, and leaves the file as it was", async () => {
    const { fake, iam, where } = strictDemo();
    const path = keyPath();
    writeFileSync(path, "someone else's");
    const { error } = await logged(() => bootstrap(["--key-file", path], iam, where));
    expect((error as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path, "utf8")).toBe("someone else's");
    expect(fake.requests).toEqual([]);
    expect(fake.state.keys).toEqual([]);
  });

  it.each(["createIamToken", "listApiKeys"] as const)(
    "a failed %s after the key was created keeps the key file and says so",
    async (operation) => {
      const { fake, iam, created, where } = strictDemo();
      const path = keyPath();
      fake.failNext({ status: 403, message: "Permission denied" }, { operation });
      const { output, error } = await logged(() => bootstrap(["--key-file", path], iam, where));
      const made = created[0] as CreateKeyResponse;
      expect((error as Error).message).toContain(`key ${made.key.id} was created; its key file is kept at ${path}`);
      expect(caught((error as Error).cause)).toBeInstanceOf(IamError);
      expect(caught((error as Error).cause)).toMatchObject({ status: 403, message: expect.stringContaining(`${operation}: HTTP 403`) });
      expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(keyFile(made));
      expect(mode(path)).toBe(0o600);
      expect(output).toContain(path);
      for (const line of pemBody(made.privateKey)) expect(`${output}${(error as Error).message}`).not.toContain(line);
    },
  );

  it.each(["writeFile", "sync"] as const)(
    "a %s that fails after the key was created: the message says the private key could not be saved and names the key to delete",
    async (step) => {
      const { fake, iam, created, where } = strictDemo();
      const path = keyPath();
      // Note: the FileHandle class is not exported; its prototype is reached through a handle.
      const probe = await open(join(dirname(path), "probe"), "w");
      const handles = Object.getPrototypeOf(probe);
      await probe.close();
      const full = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      const failing = vi.spyOn(handles, step).mockRejectedValueOnce(full);
      try {
        const { output, error } = await logged(() => bootstrap(["--key-file", path], iam, where));
        const made = created[0] as CreateKeyResponse;
        expect(fake.state.keys.map((k) => k.id)).toEqual([made.key.id]);
        expect((error as Error).message).toBe(
          `ENOSPC: no space left on device (key ${made.key.id} of ${made.key.serviceAccountId} was created, but its private key could not be saved to ${path}, so the key cannot be used: delete it, e.g. yc iam key delete ${made.key.id})`,
        );
        expect((error as Error).cause).toBe(full);
        expect(existsSync(path)).toBe(false);
        expect(output).not.toContain("its key file is in");
      } finally {
        failing.mockRestore();
      }
    },
  );

  it("main removes its empty file when the key cannot be created", async () => {
    const { fake, iam, where } = strictDemo();
    const path = keyPath();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "createKey" });
    const { error } = await logged(() => bootstrap(["--key-file", path], iam, where));
    expect(caught(error)).toBeInstanceOf(IamApiError);
    expect(caught(error)).toMatchObject({ operation: "createKey" });
    expect(existsSync(path)).toBe(false);
    expect(fake.state.keys).toEqual([]);
  });
});

describe("revoke-unused", () => {
  it("finds keys idle for N days and never-used keys older than N days; a dry run deletes nothing", async () => {
    const { fake, iam } = demo();
    const unused = await findUnused(iam, { serviceAccountId: DEMO_ACCOUNT, days: 90, now: NOW });
    expect(unused.map((k) => k.description)).toEqual(["nightly export", "old CI key"]);
    expect(await revokeUnused(iam, { days: 90, now: NOW })).toHaveLength(2);
    expect(fake.state.apiKeys).toHaveLength(5);
    expect((await findUnused(iam, { days: 3, now: NOW })).map((k) => k.description)).toEqual([
      "nightly export",
      "old CI key",
      "postbox sender",
    ]);
  });

  it("--apply deletes exactly those", async () => {
    const { fake, iam } = demo();
    await revokeUnused(iam, { days: 90, apply: true, now: NOW });
    expect(fake.state.apiKeys.map((k) => k.description).sort()).toEqual(["new key", "postbox sender", "support bot"]);
  });

  it("--apply that fails part way names the keys deleted before it, the one that failed, and what was not tried", async () => {
    const { fake } = demo();
    const [first, second] = await findUnused(createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch }), {
      days: 90,
      now: NOW,
    });
    // Note: the second delete is refused: the first is gone, the second is not.
    let deletes = 0;
    const refusing: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "DELETE" && ++deletes === 2) return Response.json({ code: 7, message: "denied" }, { status: 403 });
      return fake.fetch(request);
    };
    const polling = { initialDelayMs: 1, maxDelayMs: 1 };
    const refused = await rejection(
      revokeUnused(createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: refusing, polling }), { days: 90, apply: true, now: NOW }),
    );
    expect(refused.message).toMatch(new RegExp(`: deleting ${second?.id} failed; deleted before it: ${first?.id}$`));
    // Note: the words' outcome is the error's too, for code that catches it.
    expect(refused).toMatchObject({ outcomeUnknown: false });
    // Note: the first delete's answer is lost after the fake acted: it may be gone, and the second was not tried.
    const { fake: other } = demo();
    other.failNext({ drop: "after" }, { operation: "deleteApiKey" });
    const noRetry = createIamClient({ token: "any", baseUrl: other.baseUrl, fetch: other.fetch, retry: false, polling });
    const lost = await rejection(revokeUnused(noRetry, { days: 90, apply: true, now: NOW }));
    expect(lost.message).toMatch(/: deleting aje\w+ failed \(it may have been deleted\); none was deleted before it; 1 more not tried$/);
    expect(lost).toMatchObject({ outcomeUnknown: true });
  });
});

describe("expiring-soon", () => {
  it("lists the keys that expire within N days, soonest first", async () => {
    const { iam } = demo();
    expect((await expiringSoon(iam, { days: 30, now: NOW })).map((k) => k.description)).toEqual(["postbox sender", "support bot"]);
    expect((await expiringSoon(iam, { days: 5, now: NOW })).map((k) => k.description)).toEqual(["postbox sender"]);
    expect(await expiringSoon(iam, { days: 1, now: NOW })).toEqual([]);
  });
});

describe("npm run example", () => {
  it("runs an example against the fake on loopback, prints its table, and exits 1 with what it found", async () => {
    // Note: expiring-soon exits 1 when keys expire soon (as a linter, for a scheduled job); the demo has two.
    const { code, stdout } = await promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", "expiring-soon"], {
      cwd: root,
    }).catch((error) => error);
    expect(code).toBe(EXIT.findings);
    expect(stdout).toMatch(/^expiring-soon, against the stateful fake at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(
      /2 key\(s\) expire within 30 days:\nid\s+description\s+expires\s+when\n.*postbox sender.*in 3\.0 days\n.*support bot.*in 10\.0 days/,
    );
    // Note: one list of the default account's keys; the demo's own setup requests are not the example's.
    expect(stdout).toMatch(/; the example sent it 1 request\(s\)\.\n$/);
  });

  it("rotate-key, run as a user runs it, puts the secret in a private file under the temp dir and prints only its path", async () => {
    const { stdout } = await promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", "rotate-key"], { cwd: root });
    const path = stdout.match(/its secret is in (\S+) \(mode 0600\)/)?.[1] as string;
    try {
      const secret = privateSecret(path);
      expect(secret).toMatch(/^AQVN/);
      expect(stdout).toContain(`****${secret.slice(-6)}`);
      expect(stdout).not.toContain(secret);
      expect(stdout).toMatch(/deleted aje\w+/);
    } finally {
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });

  it("bootstrap-key, run as a user runs it, saves key.json in a private directory under the temp dir and prints only its path", async () => {
    const { stdout } = await promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", "bootstrap-key"], {
      cwd: root,
    });
    const path = stdout.match(/its key file is in (\S+) \(mode 0600\)/)?.[1] as string;
    try {
      expect(path.endsWith("/key.json")).toBe(true);
      const saved = JSON.parse(privateSecret(path));
      expect(saved).toMatchObject({ service_account_id: DEMO_ACCOUNT, key_algorithm: "RSA_2048" });
      expect(saved.private_key).toMatch(/^PLEASE DO NOT REMOVE THIS LINE! Yandex\.Cloud SA Key ID <\w+>\n-----BEGIN PRIVATE KEY-----\n/);
      expect(stdout).toContain(`created authorized key ${saved.id} of ${DEMO_ACCOUNT} (RSA_2048)`);
      for (const line of pemBody(saved.private_key)) expect(stdout).not.toContain(line);
      expect(stdout).toMatch(/got an IAM token with the key file[^\n]*\nid\s+description\s+scopes\s+last used\n(.*\n){5}\n/);
      expect(stdout).toContain("The fake now holds 5 service account(s), 8 API key(s), 5 authorized key(s) and 3 static key(s)");
    } finally {
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });

  it("names the examples when asked for one that does not exist", async () => {
    const result = await promisify(execFile)(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/example.ts", "nope"], { cwd: root }).catch(
      (e) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^there is no example "nope"\n/);
    // Note: the examples are the modules of examples/ with a main, whatever their number.
    const examples = readdirSync(join(root, "examples")).filter((f) =>
      readFileSync(join(root, "examples", f), "utf8").includes("export async function main("),
    );
    const named = result.stderr.match(/^usage: npm run example -- <(.*)> \[arguments\]/m)?.[1]?.split(" | ");
    expect(named?.sort()).toEqual(examples.map((f) => f.slice(0, -3)).sort());
    expect(named).toContain("rotate-key");
  });
});
