// An OIDC issuer for tests, as a CI platform or a Kubernetes cluster is one: it signs ID tokens (RS256) with keys of its
// own and publishes them as a JWKS, so a workload identity federation of the fake can check the tokens it signed.
import { base64url } from "../auth/jwt.js";
import { fromBase64url, jwtPart, randomText } from "./data.js";

/** What an ID token says: who it is for (`aud`), whom it names (`sub`), and for how long. */
export interface IdTokenClaims {
  sub: string;
  aud: string | string[];
  /** Seconds it lives. Default 300, as a GitHub Actions ID token. */
  lifetimeS?: number;
  /** More claims (GitHub's `repository`, `ref`…). */
  [claim: string]: unknown;
}

/** An RSA public key as a JWK (RFC 7517).
 * Note: its own type, not the DOM library's JsonWebKey, which a consumer compiling for Node alone does not have. */
export interface RsaPublicJwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: "RS256";
  use: "sig";
}

/** A JSON Web Key Set, as `jwks_uri` answers it. */
export interface Jwks {
  keys: RsaPublicJwk[];
}

/** What `createOidcIssuer` returns. */
export interface FakeOidcIssuer {
  /** The issuer (`iss`) of its tokens: the value a federation's `issuer` names. */
  issuer: string;
  /** Where it says its keys are: the value a federation's `jwksUrl` names. */
  jwksUrl: string;
  /** Its public keys. */
  jwks(): Promise<Jwks>;
  /** A signed ID token with these claims, issued now (the issuer's clock). */
  idToken(claims: IdTokenClaims): Promise<string>;
}

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/**
 * An OIDC issuer of ID tokens: `issuer` (default GitHub Actions'), `jwksUrl` (default `<issuer>/.well-known/jwks`), the
 * clock of `iat` and `exp` (epoch ms; default `Date.now`). Its key pair is made on the first token or JWKS asked for.
 */
export function createOidcIssuer({
  issuer = "https://token.actions.githubusercontent.com",
  jwksUrl = `${issuer.replace(/\/$/, "")}/.well-known/jwks`,
  now = Date.now,
}: {
  issuer?: string;
  jwksUrl?: string;
  now?: () => number;
} = {}): FakeOidcIssuer {
  const kid = randomText("abcdef0123456789", 16);
  let pair: Promise<CryptoKeyPair> | undefined;
  const keys = () =>
    (pair ??= crypto.subtle.generateKey({ ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, [
      "sign",
      "verify",
    ]) as Promise<CryptoKeyPair>);
  return {
    issuer,
    jwksUrl,
    async jwks() {
      const { kty, n, e } = await crypto.subtle.exportKey("jwk", (await keys()).publicKey);
      return { keys: [{ kty, n, e, kid, alg: "RS256", use: "sig" }] } as Jwks;
    },
    async idToken({ lifetimeS = 300, ...claims }) {
      const iat = Math.floor(now() / 1000);
      const header = base64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid }));
      const payload = base64url(JSON.stringify({ iss: issuer, iat, nbf: iat, exp: iat + lifetimeS, ...claims }));
      const signature = await crypto.subtle.sign(ALGORITHM, (await keys()).privateKey, new TextEncoder().encode(`${header}.${payload}`));
      return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
    },
  };
}

/**
 * Checks an ID token as a federation does: RS256 signed by a key of `jwks` (by `kid`), `iss` the federation's issuer, an
 * `aud` among its audiences, not expired nor used before `nbf` or `iat` (60 s of skew); its claims, or what is wrong,
 * first in a word Yandex's refusals use (`signature`, `issuer`, `audience`, `expired`) and naming no other part.
 */
export async function checkIdToken(
  jwt: string,
  { jwks, issuer, audiences, now }: { jwks: Jwks; issuer: string; audiences: readonly string[]; now: number },
): Promise<{ claims: Record<string, any> } | { problem: string }> {
  const parts = jwt.split(".");
  const [header, claims] = [jwtPart(parts[0]), jwtPart(parts[1])];
  if (parts.length !== 3 || !header || !claims) return { problem: "malformed: the ID token is no JWT (three base64url parts)" };
  const key = jwks.keys.find((k) => k.kid === header.kid);
  if (header.alg !== "RS256" || !key)
    return { problem: `signature: no key ${JSON.stringify(header.kid)} of the federation's JWKS signs RS256` };
  const publicKey = await crypto.subtle.importKey("jwk", key, ALGORITHM, false, ["verify"]);
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (!(await crypto.subtle.verify(ALGORITHM, publicKey, fromBase64url(parts[2] as string) as BufferSource, signed)))
    return { problem: "signature: the ID token's signature does not verify" };
  if (claims.iss !== issuer) return { problem: `issuer: ${JSON.stringify(claims.iss)} is not the federation's issuer` };
  const aud: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => audiences.includes(String(a))))
    return { problem: "audience: no aud of the ID token is among the federation's audiences" };
  const t = now / 1000;
  if (!(typeof claims.exp === "number" && claims.exp > t - 60)) return { problem: "expired: the ID token has expired" };
  // Note: a token used before its nbf, or issued later than now (iat): a clock off, or a token made for later.
  if (typeof claims.nbf === "number" && claims.nbf > t + 60) return { problem: "expired: the ID token is not valid yet (nbf)" };
  if (typeof claims.iat === "number" && claims.iat > t + 60) return { problem: "expired: the ID token is issued in the future (iat)" };
  return { claims };
}

/** What `githubActionsJob` returns: GitHub's ID token service for one job, to serve (`serveFake`), and the job's variables. */
export interface FakeGithubActionsJob {
  /** The `sub` of the job's ID tokens, `repo:<owner>/<repo>:ref:<ref>`: what a federated credential names. */
  subject: string;
  /** The audience of an ID token asked for without one: `https://github.com/<owner>`, as GitHub's own default is the owner's URL. */
  audience: string;
  /** Answers the job's requests for an ID token (`GET …?audience=…` with its bearer), as `ACTIONS_ID_TOKEN_REQUEST_URL` does. */
  handle(request: Request): Promise<Response>;
  /** The variables GitHub gives the job, with the service served at `url`: `ACTIONS_ID_TOKEN_REQUEST_URL`, `_TOKEN`, `GITHUB_REPOSITORY`… */
  environment(url: string): Record<string, string>;
}

/**
 * A GitHub Actions job of `repository` (`owner/repo`) on `ref` (default `refs/heads/main`) whose workflow has
 * `permissions: id-token: write`: GitHub's ID token service for it, which signs with `issuer`'s keys (so a fake given
 * `jwks: [issuer]` trusts them). Serve it (`serveFake(job)` of `yc-iam-api-keys/testing/node`) and give the code under
 * test `job.environment(url)`: `githubActionsToken(env)` and `defaultCredentials({ env })` then find it as in a real job.
 */
export function githubActionsJob(
  issuer: FakeOidcIssuer,
  { repository, ref = "refs/heads/main" }: { repository: string; ref?: string },
): FakeGithubActionsJob {
  const [owner] = repository.split("/");
  if (!owner || !/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new TypeError("githubActionsJob: repository must be owner/repo");
  // Note: the job's own bearer for the service, which GitHub gives it in ACTIONS_ID_TOKEN_REQUEST_TOKEN.
  const requestToken = randomText("abcdefghijklmnopqrstuvwxyz0123456789", 40);
  const subject = `repo:${repository}:ref:${ref}`;
  const audience = `https://github.com/${owner}`;
  const answer = (status: number, body: object) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  return {
    subject,
    audience,
    async handle(request) {
      if (request.headers.get("authorization") !== `Bearer ${requestToken}`)
        return answer(401, { message: "the request token is not this job's" });
      const aud = new URL(request.url).searchParams.get("audience") || audience;
      return answer(200, { value: await issuer.idToken({ sub: subject, aud, repository, repository_owner: owner, ref }) });
    },
    environment: (url) => ({
      GITHUB_ACTIONS: "true",
      ACTIONS_ID_TOKEN_REQUEST_URL: `${url.replace(/\/$/, "")}/_apis/distributedtask/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_REF: ref,
    }),
  };
}
