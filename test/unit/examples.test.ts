// The worked examples, against the stateful fake: each does its job, and `npm run example` runs one end to end.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { expiringSoon } from "../../examples/expiring-soon.ts";
import { findUnused, revokeUnused } from "../../examples/revoke-unused.ts";
import { rotateKey } from "../../examples/rotate-key.ts";
import { DEMO_ACCOUNT, seedDemo } from "../../scripts/example.ts";
import { root } from "../../scripts/root.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { rejection } from "../support/secrets.ts";

const NOW = Date.parse("2026-11-26T00:00:00Z");

function demo() {
  const fake = createFakeIam({ serviceAccounts: [DEMO_ACCOUNT], operations: { polls: 2 } });
  const seeded = seedDemo(fake, NOW);
  const iam = createIamClient({ token: "any", baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
  const byDescription = (d: string) => seeded.find((k) => k.description === d)?.id as string;
  return { fake, iam, byDescription };
}

describe("rotate-key", () => {
  it("creates a key with the old one's scopes and description, then deletes the old one", async () => {
    const { fake, iam, byDescription } = demo();
    const old = byDescription("support bot");
    const { apiKey, secret, deleted } = await rotateKey(iam, old, { expiresInDays: 90, now: NOW });
    const order = fake.requests.map((r) => r.operation).filter((o) => o !== "getOperation");
    expect(order).toEqual(["getApiKey", "createApiKey", "getApiKey", "deleteApiKey"]);
    expect(deleted).toBe(old);
    expect(apiKey).toMatchObject({
      description: "support bot",
      scopes: ["yc.ai.foundationModels.execute"],
      serviceAccountId: DEMO_ACCOUNT,
    });
    expect(apiKey.expiresAt).toBe("2027-02-24T00:00:00.000Z");
    expect(secret).toMatch(/^AQVN/);
    expect((await rejection(iam.apiKeys.get(old))).codeName).toBe("NOT_FOUND");
    expect(fake.state.apiKeys.map((k) => k.id)).toContain(apiKey.id);
  });

  it("keeps the old key when the new one cannot be created", async () => {
    const { fake, iam, byDescription } = demo();
    fake.failNext({ status: 403, message: "Permission denied" }, { operation: "createApiKey" });
    await rejection(rotateKey(iam, byDescription("support bot")));
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

  it("names the examples when asked for one that does not exist", async () => {
    const result = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/example.ts", "nope"], { cwd: root }).catch(
      (e) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: npm run example -- <expiring-soon | revoke-unused | rotate-key>");
  });
});
