// The IamToken service of the fake: IAM tokens for a service account's JWT (signed with a key of the Key service)
// or an OAuth token, and whose a bearer token is.
import { AUDIENCE, JWT_LIFETIME_S } from "../../auth/jwt.js";
import { answer, failure, unknownAccount } from "../answers.js";
import { fromBase64url, jwtPart, randomText, timestamp } from "../data.js";
import type { FakeContext, FakeService, IssuedToken, SigningKey } from "../types.js";

/** The IamToken service: `subjectOf` is the fake's authentication. */
export default function iamTokensService({ options, serviceAccounts, owner, now, signingKeys, refusal }: FakeContext) {
  const authenticate = options.authenticate ?? ((token: string) => (token ? owner : undefined));
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 12 * 3600_000;
  /** The IAM tokens it minted: token → service account and expiry. */
  let minted = new Map<string, { serviceAccountId: string; expiresAt: number }>();

  /** A new `t1.` IAM token for a service account, accepted as a bearer until it expires. */
  function issueIamToken(serviceAccountId: string): IssuedToken {
    const part = () => randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 86);
    const iamToken = `t1.${part()}.${part()}`;
    const expiresAt = now() + tokenLifetimeMs;
    minted.set(iamToken, { serviceAccountId, expiresAt });
    return { iamToken, expiresAt };
  }

  /** createIamToken's answer: a new token and when it expires. */
  function mint(serviceAccountId: string): Response {
    const { iamToken, expiresAt } = issueIamToken(serviceAccountId);
    return answer(200, { iamToken, expiresAt: timestamp(expiresAt) });
  }

  /** Checks a JWT as Yandex does: PS256, the kid of a key that exists, its signature, the audience, the issuer and the lifetime. */
  async function jwtProblem(jwt: string): Promise<string | SigningKey> {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "JWT must have three parts";
    const [header, payload] = [jwtPart(parts[0]), jwtPart(parts[1])];
    if (!header || !payload) return "JWT header or payload is not base64url JSON";
    if (header.alg !== "PS256") return `JWT alg must be PS256, not ${header.alg}`;
    const registered = signingKeys.get(header.kid);
    if (!registered) return `unknown key id ${header.kid} (never created, or deleted)`;
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    const signature = fromBase64url(parts[2] as string) as BufferSource;
    if (!(await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, registered.publicKey, signature, signed)))
      return "JWT signature is invalid";
    if (payload.aud !== AUDIENCE) return `JWT aud must be ${AUDIENCE}`;
    if (payload.iss !== registered.serviceAccountId) return "JWT iss is not the key's service account";
    const t = now() / 1000;
    if (!(payload.exp - payload.iat <= JWT_LIFETIME_S)) return `JWT exp - iat must be at most ${JWT_LIFETIME_S}`;
    if (payload.iat > t + 300 || payload.exp < t) return "JWT is expired or not yet valid";
    return registered;
  }

  return {
    handlers: {
      async createIamToken({ body }) {
        if (body.yandexPassportOauthToken) return mint(owner);
        const checked = await jwtProblem(body.jwt);
        if (typeof checked === "string") return failure(16, `Invalid JWT: ${checked}`);
        // Note: the JWT is valid, so the caller is who it says; a suspended account is refused as not permitted (403), not unknown (401).
        const refused = refusal(checked.serviceAccountId);
        if (refused) return failure(7, `Permission denied: ${refused}`);
        checked.used();
        return mint(checked.serviceAccountId);
      },
      createIamTokenForServiceAccount({ body }) {
        const refused = refusal(body.serviceAccountId);
        return (
          unknownAccount(serviceAccounts, body.serviceAccountId) ??
          (refused ? failure(7, `Permission denied: ${refused}`) : mint(body.serviceAccountId))
        );
      },
    },
    issueIamToken,
    /** Whose a bearer token is: a token it minted while it lives, else as `options.authenticate` says. */
    subjectOf(token: string): string | undefined {
      const own = minted.get(token);
      if (own) return own.expiresAt > now() ? own.serviceAccountId : undefined;
      return authenticate(token);
    },
    state: () => ({ iamTokens: minted.size }),
    /** No minted tokens. */
    reset() {
      minted = new Map();
    },
  } satisfies FakeService & Record<string, unknown>;
}
