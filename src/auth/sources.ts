// The token sources: a service account's authorized key, the metadata service, a Cloud Functions context, an OAuth token.
// Each is a TokenSource over the shared cache; the IAM exchanges go through the same call loop as every other call.
import { createIamToken, defaultServer } from "../../generated/contract.js";
import { createCall } from "../core/call.js";
import { type IamError, IamTokenError, type TokenSourceName } from "../core/errors.js";
import { DEFAULT_RETRY, raced } from "../core/retry.js";
import type { CallInput, TokenSource } from "../core/types.js";
import { type CacheOptions, type Credential, cachedToken } from "./cache.js";
import { importPrivateKey, signJwt } from "./jwt.js";

/** Where an IAM exchange goes. */
export interface ExchangeOptions extends CacheOptions {
  /** The IAM API. Default `https://iam.api.cloud.yandex.net`; tests point it at a fake. */
  baseUrl?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 10 000. */
  timeoutMs?: number | undefined;
}

/**
 * An authorized key: the file `yc iam key create` writes (snake_case, as `keyFile()` makes it), its camelCase spelling,
 * or what `iam.keys.create` answered (`{ key, privateKey }`), parsed or as text.
 */
export interface AuthorizedKey {
  id?: string | undefined;
  service_account_id?: string | undefined;
  serviceAccountId?: string | undefined;
  private_key?: string | undefined;
  privateKey?: string | undefined;
  /** The key itself, in the create answer. */
  key?: { id?: string | undefined; serviceAccountId?: string | undefined } | undefined;
}

/** One createIamToken exchange through the call loop: checks, retries, typed errors; `credential` is scrubbed from them. */
async function exchangeForIamToken(
  name: TokenSourceName,
  body: NonNullable<CallInput<"createIamToken">["body"]>,
  credential: string,
  options: ExchangeOptions,
): Promise<Credential> {
  const { baseUrl = defaultServer, fetch, timeoutMs = 10_000 } = options;
  const call = createCall({ fetch, timeoutMs, retry: DEFAULT_RETRY, baseUrl: () => baseUrl, secrets: new Set([credential]) });
  try {
    const { iamToken, expiresAt } = await call(createIamToken, { body });
    return { token: iamToken, expiresAt };
  } catch (error) {
    const { status, requestId, message, attempts } = error as IamError & { status?: number };
    // Note: the exchange's own requests are the source's attempts.
    throw new IamTokenError(name, `the token exchange failed: ${message}`, { status, requestId, attempts }, error);
  }
}

/** Tokens of a service account, from its authorized key: a PS256 JWT signed with WebCrypto, exchanged for IAM tokens. */
export function serviceAccountKey(key: AuthorizedKey | string, options: ExchangeOptions = {}): TokenSource {
  let parsed: AuthorizedKey;
  try {
    parsed = typeof key === "string" ? JSON.parse(key) : key;
  } catch {
    // Note: no cause: JSON.parse's message quotes the text, which holds the private key.
    throw new IamTokenError("serviceAccountKey", "the key file is not JSON");
  }
  const keyId = parsed?.id ?? parsed?.key?.id;
  const serviceAccountId = parsed?.service_account_id ?? parsed?.serviceAccountId ?? parsed?.key?.serviceAccountId;
  const pem = parsed?.private_key ?? parsed?.privateKey;
  if (typeof keyId !== "string" || typeof serviceAccountId !== "string" || typeof pem !== "string")
    throw new IamTokenError(
      "serviceAccountKey",
      "the key needs id, service_account_id and private_key (a user's own key cannot sign for a service account)",
    );
  let privateKey: Promise<CryptoKey> | undefined;
  return cachedToken(
    async () => {
      privateKey ??= importPrivateKey(pem).catch(() => {
        privateKey = undefined;
        throw new IamTokenError("serviceAccountKey", "the private_key is not a PKCS#8 RSA key");
      });
      const jwt = await signJwt(await privateKey, keyId, serviceAccountId, (options.now ?? Date.now)());
      return exchangeForIamToken("serviceAccountKey", { jwt }, jwt, options);
    },
    { ...options, name: "serviceAccountKey" },
  );
}

/** Tokens of a Yandex account, from its OAuth token. */
export function oauthToken(token: string, options: ExchangeOptions = {}): TokenSource {
  if (typeof token !== "string" || !token) throw new IamTokenError("oauthToken", "no OAuth token given");
  return cachedToken(() => exchangeForIamToken("oauthToken", { yandexPassportOauthToken: token }, token, options), {
    ...options,
    name: "oauthToken",
  });
}

/** The metadata service of VMs and Serverless Containers. */
export const METADATA_URL = "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token";

export interface MetadataOptions extends CacheOptions {
  url?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt; the service answers locally, so it is short. Default 1 000 ms. */
  timeoutMs?: number | undefined;
}

/** The metadata service's `{ access_token, expires_in }` (the token exchange's too), `expires_in` being the seconds left. */
interface AccessTokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
}

/**
 * Reads `{ access_token, expires_in }` as a Credential, or names what `from` (whose answer it is) lacks, never quoting
 * the token; `fields` go on the error (the answer's status).
 */
export function fromAccessToken(
  name: TokenSourceName,
  answer: unknown,
  now: number,
  from = "the answer",
  fields: { status?: number; requestId?: string | undefined; attempts?: number } = {},
): Credential {
  const { access_token: token, expires_in: seconds } = (answer ?? {}) as AccessTokenAnswer;
  const missing = [
    ...(typeof token === "string" && token ? [] : ["access_token"]),
    ...(typeof seconds === "number" ? [] : ["expires_in (the seconds it lives)"]),
  ];
  if (missing.length) throw new IamTokenError(name, `${from} has no ${missing.join(" and no ")}`, fields);
  return { token: token as string, expiresAt: now + (seconds as number) * 1000 };
}

/** Tokens of the service account linked to this VM or Serverless Container, from the metadata service. */
export function metadataToken(options: MetadataOptions = {}): TokenSource {
  const { url = METADATA_URL, timeoutMs = 1_000, now = Date.now } = options;
  const where = `metadata service at ${new URL(url).host}`;
  return cachedToken(
    async () => {
      // Note: one short attempt: a local service answers at once or is not there; the cache tries again on a later call.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      let response: Response;
      let text: string;
      try {
        // Note: both raced against the time, so neither a fetch deaf to its signal nor an answer that stops after its
        // headers holds the chain for ever.
        const init = { headers: { "Metadata-Flavor": "Google" }, signal: timeout.signal };
        response = await raced((options.fetch ?? globalThis.fetch)(url, init), timeout.signal);
        text = await raced(response.text(), timeout.signal);
      } catch (error) {
        throw new IamTokenError("metadataToken", `${where} did not answer: not inside Yandex Cloud?`, {}, error);
      } finally {
        clearTimeout(timer);
      }
      const { status, ok, headers } = response;
      const fields = { status, requestId: headers.get("x-request-id") ?? undefined };
      if (!ok)
        throw new IamTokenError(
          "metadataToken",
          status === 404 ? `${where}: no service account is linked to this VM or container` : `${where} answered HTTP ${status}`,
          fields,
        );
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new IamTokenError("metadataToken", `the answer of the ${where} is not JSON`, fields);
      }
      return fromAccessToken("metadataToken", answer, now(), `the answer of the ${where}`, fields);
    },
    { ...options, name: "metadataToken" },
  );
}

/** The `context` a Cloud Function handler gets as its second argument; `token` is there when the function has a service account. */
export interface FunctionContext {
  token?: { access_token?: string; expires_in?: number; token_type?: string } | undefined;
  [field: string]: unknown;
}

/** The token Cloud Functions puts into the handler's context (it cannot be refreshed: a new invocation brings a new one). */
export function functionToken(context: FunctionContext, options: CacheOptions = {}): TokenSource {
  const now = options.now ?? Date.now;
  const { access_token: token, expires_in: seconds = 0 } = context?.token ?? {};
  const expiresAt = now() + seconds * 1000;
  return async () => {
    if (!token) throw new IamTokenError("functionToken", "the function context has no token: give the function a service account");
    if (expiresAt <= now()) throw new IamTokenError("functionToken", "the function context's token has expired");
    return token;
  };
}
