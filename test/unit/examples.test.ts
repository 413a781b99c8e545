// The worked examples, against the stateful fake: each does its job, and `npm run example` runs one end to end.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expiringSoon } from "../../examples/expiring-soon.ts";
import { findUnused, revokeUnused } from "../../examples/revoke-unused.ts";
import { main, rotateKey } from "../../examples/rotate-key.ts";
import { DEMO_ACCOUNT, seedDemo } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
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

/** Runs `main`, returning what it logged. */
async function logged(run: () => Promise<void>): Promise<{ output: string; error?: unknown }> {
  const lines: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args));
  try {
    await run();
    return { output: lines.map((l) => l.join(" ")).join("\n") };
  } catch (error) {
    return { output: lines.map((l) => l.join(" ")).join("\n"), error };
  } finally {
    spy.mockRestore();
  }
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
    await rejection(rotateKey(iam, byDescription("support bot"), { keep: () => {} }));
    expect(fake.state.apiKeys).toHaveLength(5);
  });

  it("keeps the old key when the secret cannot be kept", async () => {
    const { fake, iam, byDescription } = demo();
    const old = byDescription("support bot");
    const error = await rejection(rotateKey(iam, old, { keep: () => Promise.reject(new Error("vault down")) }));
    expect(error.message).toBe("vault down");
    expect(fake.requests.map((r) => r.operation)).not.toContain("deleteApiKey");
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(old);
  });

  it("main writes the new secret to a new 0600 file, prints its path and never the secret", async () => {
    const { fake, byDescription } = demo();
    const { iam, created } = recordingSecrets(fake);
    const old = byDescription("support bot");
    const path = join(privateDir(), "new.secret");
    const { output, error } = await logged(() => main([old, "--secret-file", path], iam));
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
    const { output, error } = await logged(() => main([old, "--secret-file", path], iam));
    expect(caught(error)).toMatchObject({ operation: "deleteApiKey", codeName: "PERMISSION_DENIED" });
    expect(readFileSync(path, "utf8")).toBe(created[0]);
    expect(mode(path)).toBe(0o600);
    expect(output).toContain(path);
    expect(output).not.toContain(created[0]);
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(old);
  });

  it("main refuses a secret file that exists, before anything is sent, and leaves the file as it was", async () => {
    const { fake, iam, byDescription } = demo();
    const path = join(privateDir(), "taken");
    writeFileSync(path, "someone else's");
    const { error } = await logged(() => main([byDescription("support bot"), "--secret-file", path], iam));
    expect((error as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path, "utf8")).toBe("someone else's");
    expect(fake.requests).toEqual([]);
  });

  it("main removes its empty file when the rotation fails before a secret exists", async () => {
    const { fake, iam, byDescription } = demo();
    const path = join(privateDir(), "new.secret");
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "createApiKey" });
    const { error } = await logged(() => main([byDescription("support bot"), "--secret-file", path], iam));
    expect(caught(error)).toMatchObject({ operation: "createApiKey" });
    expect(existsSync(path)).toBe(false);
    expect(fake.state.apiKeys).toHaveLength(5);
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
  it("runs an example against the fake on loopback and prints its table", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/example.ts", "expiring-soon"], {
      cwd: root,
    });
    expect(stdout).toMatch(/^expiring-soon, against the stateful fake at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(
      /2 key\(s\) expire within 30 days:\nid\s+description\s+expires\s+when\n.*postbox sender.*in 3\.0 days\n.*support bot.*in 10\.0 days/,
    );
  });

  it("rotate-key, run as a user runs it, puts the secret in a private file under the temp dir and prints only its path", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/example.ts", "rotate-key"], { cwd: root });
    const path = stdout.match(/its secret is in (\S+) \(mode 0600\)/)?.[1] as string;
    try {
      expect(path.startsWith(tmpdir())).toBe(true);
      expect(mode(path)).toBe(0o600);
      expect(mode(dirname(path))).toBe(0o700);
      const secret = readFileSync(path, "utf8");
      expect(secret).toMatch(/^AQVN/);
      expect(stdout).toContain(`****${secret.slice(-6)}`);
      expect(stdout).not.toContain(secret);
      expect(stdout).toMatch(/deleted aje\w+/);
    } finally {
      if (path) rmSync(dirname(path), { recursive: true, force: true });
    }
  });

  it("names the examples when asked for one that does not exist", async () => {
    const result = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/example.ts", "nope"], { cwd: root }).catch(
      (e) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: npm run example -- <expiring-soon | revoke-unused | rotate-key>");
  });
});
