// The IamToken service of the fake: IAM tokens for a service account's JWT or an OAuth token, the authorized keys
// it verifies JWTs with, and whose a bearer token is.
import { AUDIENCE, JWT_LIFETIME_S } from "../../auth/jwt.js";
import { answer, failure, unknownAccount } from "../answers.js";
import { fromBase64url, newId, randomText, timestamp } from "../data.js";
import type { FakeContext, FakeService } from "../router.js";

/** An authorized key file, as `yc iam key create` writes it (snake_case). */
export interface FakeKeyFile {
  id: string;
  service_account_id: string;
  created_at: string;
  key_algorithm: "RSA_2048";
  public_key: string;
  private_key: string;
}

/** The JSON of a base64url part of a JWT; undefined if it is not that. */
function decodePart(part: string): any {
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64url(part)));
  } catch {
    return undefined;
  }
}

/** A key in PEM. */
async function pem(format: "pkcs8" | "spki", key: CryptoKey, label: string): Promise<string> {
  const der = new Uint8Array(await crypto.subtle.exportKey(format, key));
  const base64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

/** The IamToken service: `subjectOf` is the fake's authentication, `createServiceAccountKey` its key files. */
export function iamTokensService({ options, serviceAccounts, owner, now }: FakeContext) {
  const authenticate = options.authenticate ?? ((token: string) => (token ? owner : undefined));
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 12 * 3600_000;
  /** Registered authorized keys: key id → its service account and public key. */
  const publicKeys = new Map<string, { serviceAccountId: string; key: CryptoKey }>();
  /** The IAM tokens it minted: token → service account and expiry. */
  let minted = new Map<string, { serviceAccountId: string; expiresAt: number }>();

  /** A new `t1.` IAM token for a service account. */
  function mint(serviceAccountId: string): Response {
    const part = () => randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 86);
    const iamToken = `t1.${part()}.${part()}`;
    const expiresAt = now() + tokenLifetimeMs;
    minted.set(iamToken, { serviceAccountId, expiresAt });
    return answer(200, { iamToken, expiresAt: timestamp(expiresAt) });
  }

  /** Checks a JWT as Yandex does: a registered kid, PS256, its signature, the audience, the issuer and the lifetime. */
  async function jwtProblem(jwt: string): Promise<string | { serviceAccountId: string }> {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "JWT must have three parts";
    const [header, payload] = [decodePart(parts[0] as string), decodePart(parts[1] as string)];
    if (!header || !payload) return "JWT header or payload is not base64url JSON";
    if (header.alg !== "PS256") return `JWT alg must be PS256, not ${header.alg}`;
    const registered = publicKeys.get(header.kid);
    if (!registered) return `unknown key id ${header.kid}`;
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    const signature = fromBase64url(parts[2] as string) as BufferSource;
    if (!(await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, registered.key, signature, signed)))
      return "JWT signature is invalid";
    if (payload.aud !== AUDIENCE) return `JWT aud must be ${AUDIENCE}`;
    if (payload.iss !== registered.serviceAccountId) return "JWT iss is not the key's service account";
    const t = now() / 1000;
    if (!(payload.exp - payload.iat <= JWT_LIFETIME_S)) return `JWT exp - iat must be at most ${JWT_LIFETIME_S}`;
    if (payload.iat > t + 300 || payload.exp < t) return "JWT is expired or not yet valid";
    return { serviceAccountId: registered.serviceAccountId };
  }

  return {
    handlers: {
      async createIamToken({ body }) {
        if (body.yandexPassportOauthToken) return mint(owner);
        const checked = await jwtProblem(body.jwt);
        return typeof checked === "string" ? failure(16, `Invalid JWT: ${checked}`) : mint(checked.serviceAccountId);
      },
      createIamTokenForServiceAccount({ body }) {
        return unknownAccount(serviceAccounts, body.serviceAccountId) ?? mint(body.serviceAccountId);
      },
    },
    /** Whose a bearer token is: a token it minted while it lives, else as `options.authenticate` says. */
    subjectOf(token: string): string | undefined {
      const own = minted.get(token);
      if (own) return own.expiresAt > now() ? own.serviceAccountId : undefined;
      return authenticate(token);
    },
    /**
     * A real authorized key file (RSA 2048, PKCS#8 with Yandex's prefix line) for one of its service accounts;
     * the fake verifies JWTs signed with it and mints IAM tokens for that account.
     */
    async createServiceAccountKey(serviceAccountId: string = owner): Promise<FakeKeyFile> {
      const pair = (await crypto.subtle.generateKey(
        { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
        true,
        ["sign", "verify"],
      )) as CryptoKeyPair;
      const id = newId();
      publicKeys.set(id, { serviceAccountId, key: pair.publicKey });
      return {
        id,
        service_account_id: serviceAccountId,
        created_at: timestamp(),
        key_algorithm: "RSA_2048",
        public_key: await pem("spki", pair.publicKey, "PUBLIC KEY"),
        private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${id}>\n${await pem("pkcs8", pair.privateKey, "PRIVATE KEY")}`,
      };
    },
    state: () => ({ iamTokens: minted.size }),
    /** No minted tokens; the authorized keys stay registered, as the key files handed out are still held. */
    reset() {
      minted = new Map();
    },
  } satisfies FakeService & Record<string, unknown>;
}
