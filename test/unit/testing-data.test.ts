// The fake's data looks like Yandex's: an API key's secret and its mask.
import { describe, expect, it } from "vitest";
import { maskSecret, newSecret } from "../../src/testing/data.ts";

describe("the fake's API-key secrets", () => {
  it("are AQVN and 36 characters of base64url, as Yandex's are, and the masked tail draws on all of them, `-` included", () => {
    const secrets = Array.from({ length: 600 }, newSecret);
    for (const secret of secrets) expect(secret).toMatch(/^AQVN[A-Za-z0-9_-]{36}$/);
    // Note: 3,600 draws of 64 characters: the chance that one character never shows is below 1e-20.
    const tails = new Set(secrets.flatMap((secret) => [...maskSecret(secret).slice(4)]));
    expect(tails.size).toBe(64);
    expect(tails.has("-")).toBe(true);
    expect(maskSecret("AQVNabcdefghijklmnopqrstuvwxyz0123-_q7-b")).toBe("****-_q7-b");
  });
});
