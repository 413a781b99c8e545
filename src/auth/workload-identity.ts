// Workload identity federation: a platform's OIDC token (a JWT from GitHub Actions, Kubernetes, GitLab…) exchanged for
// a service account's IAM token at Yandex's token endpoint (RFC 8693), over the shared cache; and GitHub Actions' ID token.
import { exchangeToken } from "../../generated/contract.js";
import { FORM_TYPE, formText } from "../core/body.js";
import { IamError, IamTokenError, redact, scrubbedCause, type TokenSourceName } from "../core/errors.js";
import { DEFAULT_RETRY, delayMs, raced, sleep } from "../core/retry.js";
import type { TokenSource } from "../core/types.js";
import { problems } from "../core/validate.js";
import { type CacheOptions, cachedToken } from "./cache.js";
import { fromAccessToken } from "./sources.js";

/** Yandex's token exchange (the document's `exchangeToken`): not the IAM API, and it takes no `Authorization`, only the platform's JWT. */
export const TOKEN_EXCHANGE_URL = `${exchangeToken.server}${exchangeToken.path}`;

/**
 * The platform's OIDC token (a JWT): the token itself, used as it is on every exchange (so for a job shorter than its
 * life); `{ file: path }`, read again on every exchange (a Kubernetes projected token, which the kubelet rotates); or a
 * function asked on every exchange (`githubActionsToken(env)`). A path is never a string, so it is never sent as a token.
 */
export type SubjectToken = string | { file: string } | (() => string | Promise<string>);

export interface WorkloadIdentityOptions extends CacheOptions {
  /** The service account whose IAM tokens are wanted, linked to the platform's subject by a federated credential; the exchange's `audience` (not the JWT's). */
  serviceAccountId: string;
  subjectToken: SubjectToken;
  /** What messages call where the subject token comes from: default `subjectToken`; the credential chain gives its variable. */
  subjectTokenName?: string | undefined;
  /** The token exchange. Default `TOKEN_EXCHANGE_URL`; tests point it at loopback. */
  endpoint?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 10 000. */
  timeoutMs?: number | undefined;
}

export interface GithubActionsOptions {
  /** The ID token's `aud`, one of the federation's audiences. Default `https://github.com/<owner>` (`GITHUB_REPOSITORY_OWNER`), as Yandex's tutorial sets it. */
  audience?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 10 000. */
  timeoutMs?: number | undefined;
}

const NAME = "workloadIdentity";
/** The exchange's form fields, in the document's order, as it names, fixes (`grant_type` and the token types) and limits them. */
const FIELDS = exchangeToken.body.properties ?? {};
/** A JWT, as the document's `subject_token` pattern says: a JWS (three base64url parts) or a JWE (five). Neither has a slash or a space, as a path or a text has. */
export const SUBJECT_JWT = FIELDS.subject_token?.pattern as RegExp;
/** What looks like a JWT or an IAM token in a server's words, whoever's it is. */
const TOKEN_LIKE = /\beyJ[\w-]{8,}(\.[\w-]*)*|\bt1\.[\w.-]{8,}/g;

/**
 * The parts of the platform's token the exchange checks, what to look at for each, and the words of an answer that name
 * it (the request's field names taken out first: `subject_token` names no subject).
 */
const PARTS: [part: string, words: RegExp][] = [
  ["issuer (is the token's `iss` a federation's issuer?)", /issuer|\biss\b/],
  ["audience (is the token's `aud` one of the federation's audiences?)", /audience|\baud\b/],
  ["subject (does a federated credential link the token's `sub` to the service account?)", /subject|\bsub\b|federated credential/],
  ["service account (does the exchange's audience name a service account that exists and is active?)", /invalid_target/],
  ["signature (does the federation's JWKS URL serve the key that signed the token?)", /signature|jwks|\bkid\b|signing key|public key/],
  ["expiry (has the token expired, or is it not valid yet?)", /expir|\bexp\b|\bnbf\b|\biat\b|not yet valid|too old|in the future/],
];
const FIELD_NAMES = /\b(subject_token_type|subject_token|requested_token_type|grant_type)\b/g;

/** `text` without the credentials `hidden` (as they are or JSON-escaped) and without anything shaped like a JWT or an IAM token. */
const scrub = (text: string, hidden: readonly string[]) => redact(text, hidden).replace(TOKEN_LIKE, "[REDACTED]");

/** `e` as the cause of our error: itself, or only its words, scrubbed, when a rendering of it shows one of `hidden` or a token's shape. */
const causeOf = (e: unknown, hidden: readonly string[]): unknown => scrubbedCause(e, (text) => scrub(text, hidden));

/** A failed answer's words, scrubbed: an OAuth error's `error` and `error_description` (RFC 6749 §5.2) or a Status's `message`, else its text without tags, cut at 200 characters. */
function wordsOf(text: string, hidden: readonly string[]): string {
  let body: Record<string, unknown> = {};
  try {
    body = Object(JSON.parse(text));
    // Note: read back as JSON writes it, so a token the answer escapes (\u0065yJ…) shows as itself, and is scrubbed.
    text = JSON.stringify(body);
  } catch {}
  const said = [body.error, body.error_description ?? body.message].filter((w) => typeof w === "string" && w).join(": ");
  const flat = scrub((said || text.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim(), hidden);
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || "(empty body)";
}

/** Which parts of the token a refusal's words name, as a clause: heuristic, since Yandex documents no error body for the exchange. */
function refused(words: string): string {
  const text = words.toLowerCase().replace(FIELD_NAMES, "");
  const parts = PARTS.filter(([, named]) => named.test(text)).map(([part]) => `the ${part}`);
  return parts.length
    ? `as far as its answer tells, it refused ${parts.join(" or ")}`
    : "its answer does not tell which of issuer, audience, subject, service account, signature or expiry it refused";
}

/**
 * One request, sent again after no answer, a time-out, a 429 or a 5xx (DEFAULT_RETRY's attempts and waits): the last
 * answer with its text, or an IamTokenError when no answer came. The timeout covers reading the body too.
 */
async function send(
  name: TokenSourceName,
  where: string,
  url: string,
  init: RequestInit,
  options: { fetch?: typeof globalThis.fetch | undefined; timeoutMs?: number | undefined },
  hidden: string[],
): Promise<{ response: Response; text: string; attempts: number }> {
  const { timeoutMs = 10_000 } = options;
  for (let attempt = 1; ; attempt++) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    let retryAfter: string | null = null;
    try {
      const response = await raced((options.fetch ?? globalThis.fetch)(url, { ...init, signal: timeout.signal }), timeout.signal);
      const text = await raced(response.text(), timeout.signal);
      const { status } = response;
      if ((status !== 429 && status < 500) || attempt >= DEFAULT_RETRY.maxAttempts) return { response, text, attempts: attempt };
      retryAfter = response.headers.get("retry-after");
    } catch (error) {
      if (attempt >= DEFAULT_RETRY.maxAttempts) {
        const what = timeout.signal.aborted ? ` within ${timeoutMs} ms` : `: ${scrub(String((error as Error)?.message ?? error), hidden)}`;
        throw new IamTokenError(name, `${where} gave no answer${what}`, { attempts: attempt }, causeOf(error, hidden));
      }
    } finally {
      clearTimeout(timer);
    }
    await sleep(delayMs(attempt, DEFAULT_RETRY, retryAfter));
  }
}

// Note: node:fs is loaded only when a file is read, and by a specifier bundlers leave alone, so the entry still bundles
// for browsers and workers, which have no files; Node, Deno and Bun each serve node:fs/promises.
const FS = "node:fs/promises";
const readText = async (path: string): Promise<string> =>
  ((await import(/* @vite-ignore */ /* webpackIgnore: true */ FS)) as typeof import("node:fs/promises")).readFile(path, "utf8");

/**
 * The platform's token, as `source` gives it now; an IamTokenError that names the source (never quoting what it gave)
 * when it gives no JWT, whose cause shows none of `hidden` (the tokens of the last exchange) nor a token's shape.
 */
async function subjectOf(source: SubjectToken, hidden: readonly string[], name: string): Promise<string> {
  let token: unknown = source;
  let from = name;
  if (typeof source === "function") {
    from = `the ${name} function`;
    try {
      token = await source();
    } catch (error) {
      // Note: a preset's own IamTokenError (githubActionsToken's) says what failed already.
      if (error instanceof IamError) throw error;
      // Note: a function's failure may quote a token it read (the one it gave before, the IAM token got with it).
      throw new IamTokenError(NAME, `${from} failed (see cause)`, {}, causeOf(error, hidden));
    }
  } else if (typeof source === "object") {
    // Note: the path is never quoted (nor Node's words, which quote it): a token given where it goes would show.
    from = `the file ${name} names`;
    try {
      token = await readText(source.file);
    } catch (error) {
      const { code } = error as { code?: string };
      throw new IamTokenError(NAME, `cannot read the subject token from ${from}${code ? ` (${code})` : ""}`);
    }
  }
  // Note: a token file written by hand often ends with a newline, which is no part of the token.
  token = typeof token === "string" ? token.trim() : token;
  if (typeof token !== "string" || !SUBJECT_JWT.test(token))
    throw new IamTokenError(NAME, `${from} gave no JWT (three or five base64url parts)`);
  return token;
}

/**
 * IAM tokens of a service account for a workload outside Yandex Cloud that its platform vouches for: the platform's OIDC
 * token, exchanged at Yandex's token endpoint (RFC 8693) through a workload identity federation whose federated
 * credential links the token's subject to `serviceAccountId`.
 */
export function workloadIdentity(options: WorkloadIdentityOptions): TokenSource {
  const { serviceAccountId, subjectToken, endpoint = TOKEN_EXCHANGE_URL, now = Date.now } = options ?? {};
  if (typeof serviceAccountId !== "string" || !serviceAccountId || /[\s/:]/.test(serviceAccountId))
    throw new IamTokenError(
      NAME,
      "serviceAccountId must be the service account's ID (sent as the exchange's audience), not the JWT's audience",
    );
  // Note: and within the limits of the exchange's audience in the document (an ID's length, not only dots).
  const [problem] = problems(FIELDS.audience ?? {}, serviceAccountId);
  if (problem) throw new IamTokenError(NAME, `serviceAccountId ${problem.message}`);
  const file = (subjectToken as { file?: unknown })?.file;
  if (typeof subjectToken !== "string" && typeof subjectToken !== "function" && (typeof file !== "string" || !file))
    throw new IamTokenError(NAME, "subjectToken must be the JWT, { file: path } or a function that gives the JWT");
  if (typeof subjectToken === "string" && !SUBJECT_JWT.test(subjectToken.trim()))
    throw new IamTokenError(
      NAME,
      "subjectToken is a string but no JWT (three or five base64url parts): a file's path goes as { file: path }",
    );
  let host: string;
  try {
    host = new URL(endpoint).host;
  } catch {
    // Note: not quoted: a URL given by mistake may hold a credential.
    throw new IamTokenError(NAME, `endpoint must be an absolute URL, as ${TOKEN_EXCHANGE_URL}`);
  }
  const where = `the token exchange at ${host}`;
  /** The platform's token (each of its parts too) and the IAM token of the last exchange: a later failure may quote them. */
  let seen: string[] = [];
  return cachedToken(
    async () => {
      const token = await subjectOf(subjectToken, seen, options.subjectTokenName ?? "subjectToken");
      // Note: each part too, so an answer that quotes the token cut short still shows none of it whole.
      const hidden = [...seen, token, ...token.split(".")];
      // Note: every field in the document's order, each it fixes with its value.
      const given: Record<string, string> = { subject_token: token, audience: serviceAccountId };
      // Note: a field the document may add later that is neither fixed nor given is left out, never sent empty.
      const body = formText(Object.fromEntries(Object.entries(FIELDS).map(([name, field]) => [name, field.const ?? given[name]])));
      const { response, text, attempts } = await send(
        NAME,
        where,
        endpoint,
        { method: exchangeToken.method, headers: { "content-type": FORM_TYPE }, body },
        options,
        hidden,
      );
      const { status, ok, headers } = response;
      const fields = { status, requestId: headers.get("x-request-id") ?? undefined, attempts };
      if (!ok) {
        const words = wordsOf(text, hidden);
        // Note: RFC 6749 §5.2 refuses with 400 (401 for the client); a 404, a 429 or a 5xx is no verdict on the token.
        throw new IamTokenError(
          NAME,
          [400, 401, 403].includes(status)
            ? `${where} refused the exchange for service account ${serviceAccountId}: HTTP ${status}: ${words}; ${refused(words)}`
            : `${where} answered HTTP ${status}: ${words}`,
          fields,
        );
      }
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new IamTokenError(NAME, `the answer of ${where} is not JSON (HTTP ${status})`, fields);
      }
      // Note: the answer has `expires_in` (seconds) and no expiry date: it is counted from when the answer came.
      const credential = fromAccessToken(NAME, answer, now(), `the answer of ${where}`, fields);
      seen = [token, ...token.split("."), credential.token];
      return credential;
    },
    { ...options, name: NAME },
  );
}

/**
 * A GitHub Actions job's OIDC ID token, asked for anew on every call: the `subjectToken` of `workloadIdentity` in a
 * workflow with `permissions: id-token: write`. `env` holds the job's variables (the process's env in Node and Bun,
 * `Deno.env.toObject()` in Deno), read on every call: `ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN`
 * and, for the default audience, `GITHUB_REPOSITORY_OWNER`.
 */
export function githubActionsToken(env: Record<string, string | undefined>, options: GithubActionsOptions = {}): () => Promise<string> {
  const name = "githubActionsToken";
  return async () => {
    const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token, GITHUB_REPOSITORY_OWNER: owner } = env ?? {};
    if (!url || !token) {
      const missing = Object.entries({ ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token }).filter(
        ([, value]) => !value,
      );
      throw new IamTokenError(
        name,
        `${missing.map(([variable]) => variable).join(" and ")} ${missing.length > 1 ? "are" : "is"} not set: GitHub sets them only in a job whose workflow has \`permissions: id-token: write\``,
      );
    }
    const audience = options.audience ?? (owner && `https://github.com/${owner}`);
    if (!audience) throw new IamTokenError(name, "no audience: GITHUB_REPOSITORY_OWNER is not set, so give { audience }");
    // Note: the URL has a query already (`?api-version=…`); the audience is added to it as @actions/core does.
    const { response, text, attempts } = await send(
      name,
      "GitHub's ID token service",
      `${url}${url.includes("?") ? "&" : "?"}audience=${encodeURIComponent(audience)}`,
      { headers: { authorization: `Bearer ${token}`, accept: "application/json" } },
      options,
      [token],
    );
    const { status, ok } = response;
    if (!ok)
      throw new IamTokenError(name, `GitHub's ID token service answered HTTP ${status}: ${wordsOf(text, [token])}`, { status, attempts });
    let value: unknown;
    try {
      value = JSON.parse(text)?.value;
    } catch {}
    if (typeof value !== "string" || !value)
      throw new IamTokenError(name, "GitHub's answer has no value (the ID token)", { status, attempts });
    return value;
  };
}

/**
 * Where the kubelet puts a pod's own service account token, which it projects and rotates: its `aud` is the cluster's
 * API server, so the federation lists that among its audiences; a token projected for the federation's audience (a
 * `serviceAccountToken` volume source) lies wherever its `mountPath` and `path` say.
 */
export const KUBERNETES_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * A Kubernetes pod's service account token, as the `subjectToken` of `workloadIdentity`: the file at `path` (by default
 * the pod's own token, `KUBERNETES_TOKEN_FILE`), read again on every exchange, since the kubelet rotates it.
 */
export function kubernetesToken(path: string = KUBERNETES_TOKEN_FILE): { file: string } {
  return { file: path };
}

// Note: the credential chain reads a key file the same way, so it bundles for browsers too.
export { readText };
