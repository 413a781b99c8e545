// The testing entry's OIDC issuer: ID tokens a federation can check, verified here by jose (a verifier of its own), and
// checkIdToken, which says what a federation would refuse in the word Yandex's refusals use.
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { checkIdToken, createOidcIssuer } from "../../src/testing/index.ts";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const AUDIENCE = "https://github.com/example";
const SUBJECT = "repo:example/app:ref:refs/heads/main";

describe("createOidcIssuer", () => {
  it("signs RS256 ID tokens that jose verifies against its JWKS, with iss, sub, aud and a lifetime on its clock", async () => {
    const issuer = createOidcIssuer({ now: () => NOW });
    const token = await issuer.idToken({ sub: SUBJECT, aud: AUDIENCE, repository: "example/app" });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await issuer.jwks()), {
      issuer: "https://token.actions.githubusercontent.com",
      audience: AUDIENCE,
      currentDate: new Date(NOW + 1000),
    });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({ sub: SUBJECT, aud: AUDIENCE, repository: "example/app", iat: NOW / 1000, exp: NOW / 1000 + 300 });
    expect(issuer.jwksUrl).toBe("https://token.actions.githubusercontent.com/.well-known/jwks");
  });

  it("two issuers have keys of their own: one's token does not verify against the other's JWKS", async () => {
    const [one, other] = [createOidcIssuer({ now: () => NOW }), createOidcIssuer({ now: () => NOW })];
    const token = await one.idToken({ sub: SUBJECT, aud: AUDIENCE });
    await expect(jwtVerify(token, createLocalJWKSet(await other.jwks()), { currentDate: new Date(NOW) })).rejects.toThrow();
  });
});

describe("checkIdToken", () => {
  const issuer = createOidcIssuer({ now: () => NOW });
  const check = async (token: string, overrides: Partial<Parameters<typeof checkIdToken>[1]> = {}) =>
    checkIdToken(token, { jwks: await issuer.jwks(), issuer: issuer.issuer, audiences: [AUDIENCE], now: NOW, ...overrides });

  it("passes a token of the federation's issuer and audience, with its claims", async () => {
    expect(await check(await issuer.idToken({ sub: SUBJECT, aud: [AUDIENCE, "other"] }))).toMatchObject({ claims: { sub: SUBJECT } });
  });

  it.each([
    ["another issuer's key", async () => createOidcIssuer({ now: () => NOW }).idToken({ sub: SUBJECT, aud: AUDIENCE }), {}, /^signature:/],
    ["a changed payload", async () => tampered(await issuer.idToken({ sub: SUBJECT, aud: AUDIENCE })), {}, /^signature:/],
    ["another issuer", async () => issuer.idToken({ sub: SUBJECT, aud: AUDIENCE }), { issuer: "https://gitlab.com" }, /^issuer:/],
    ["an audience the federation lacks", async () => issuer.idToken({ sub: SUBJECT, aud: "https://github.com/other" }), {}, /^audience:/],
    ["an expired token", async () => issuer.idToken({ sub: SUBJECT, aud: AUDIENCE }), { now: NOW + 3_600_000 }, /^expired:/],
    ["no JWT at all", async () => "not.a-jwt", {}, /^malformed:/],
  ])("refuses %s, in the word a refusal uses", async (_, make, overrides, problem) => {
    const result = await check(await make(), overrides);
    expect("problem" in result && result.problem).toMatch(problem);
  });
});

/** The token with its payload's `sub` changed and its signature kept. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  return [
    header,
    Buffer.from(JSON.stringify({ ...claims, sub: "repo:evil/app:ref:refs/heads/main" })).toString("base64url"),
    signature,
  ].join(".");
}
