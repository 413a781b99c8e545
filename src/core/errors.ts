// The IamError family, and turning a failure into one of them without leaking credentials.
import type { OperationId } from "../../generated/contract.js";
import type { Problem } from "./validate.js";

/** The token sources of `yc-iam-api-keys/auth`, by name, as errors name them. */
export type TokenSourceName =
  | "serviceAccountKey"
  | "metadataToken"
  | "functionToken"
  | "oauthToken"
  | "workloadIdentity"
  | "githubActionsToken"
  | "defaultCredentials"
  | "cachedToken";

/** What was sent, with `Authorization` redacted to its scheme. */
export interface RequestSummary {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** A `google.protobuf.Any` from `Status.details`. */
export interface StatusDetail {
  "@type": string;
  [field: string]: unknown;
}

/** gRPC code names by number (`google.rpc.Code`). */
const CODE_NAMES =
  "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED".split(
    " ",
  );

/** Added to the message of a call that may have changed something when no answer settled what: the same words everywhere. */
export const OUTCOME_UNKNOWN = "; the outcome is unknown: it may have changed something, so get or list to find out before trying again";

/** Added to the message of a change the server accepted as an Operation that may still finish. */
export const stillRunning = (operationId: string): string =>
  `; the change was accepted as operation ${operationId} and may still finish: wait for it with operations.wait("${operationId}")`;

/** Who failed: an operation, a token source, the client's options (`createIamClient`) or a request sent through `raw`. */
export type ErrorOrigin = OperationId | TokenSourceName | "createIamClient" | "raw" | "keyFile";

/** The base of every error this client throws; `fields` become its own properties. */
export class IamError extends Error {
  override name = "IamError";
  /** How many requests were sent (0 when the call was refused before sending). */
  attempts = 0;
  /** The operationId of the call, the token source or the option check that failed. */
  declare readonly operation: ErrorOrigin;
  /** The server's `x-request-id`, when a response arrived. */
  declare requestId?: string | undefined;
  /** What the last attempt sent, every header but the harmless ones redacted. */
  declare request?: RequestSummary | undefined;
  /**
   * True when the call may have changed something and no later answer settled what (a time-out or a lost answer after
   * sending, a 500, 502 or 504, an answer that cannot be read, the caller's abort after sending): get or list to find out
   * before trying again. False when nothing was changed, or the call changes nothing.
   */
  outcomeUnknown = false;
  /** The Operation the server accepted for this change, when it did: the change may still finish (`operations.wait(operationId)`). */
  declare operationId?: string | undefined;
  constructor(operation: ErrorOrigin, message: string, fields?: object, cause?: unknown) {
    super(`${operation}: ${message}`, cause === undefined ? undefined : { cause });
    Object.assign(this, { operation }, fields);
  }
  /** A plain, credential-free record for logs. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/** The arguments (or the client's options) break the contract; thrown before any request is sent. */
export class IamInputError extends IamError {
  override name = "IamInputError";
  declare readonly problems: Problem[];
}

/** The server answered with an error status. */
export class IamApiError extends IamError {
  override name = "IamApiError";
  declare readonly status: number;
  /** The gRPC code number from the body (`Status.code`), if the body is a Status; kept even when this client does not name it. */
  declare readonly code: number | undefined;
  /** The gRPC code name, e.g. `"INVALID_ARGUMENT"`. */
  declare readonly codeName: string | undefined;
  /** `Status.details`, or an empty array. */
  declare readonly details: StatusDetail[];
  /** The server's message, or a short excerpt of a body that is not a Status. */
  declare readonly serverMessage: string;
  /** The server's `x-server-trace-id`. */
  declare readonly serverTraceId: string | undefined;
  /** Whether this operation may be retried on this status. */
  declare readonly retryable: boolean;
}

/** A 2xx answer whose body breaks the contract (or a server that breaks paging). The body itself is not kept: it may hold a secret. */
export class IamResponseError extends IamError {
  override name = "IamResponseError";
  declare readonly status: number;
  declare readonly problems: Problem[];
}

/** No response arrived; `outcomeUnknown` when the request may have reached the server. */
export class IamNetworkError extends IamError {
  override name = "IamNetworkError";
}

/** The caller aborted a change after it was sent, so it may have acted (`outcomeUnknown`); `cause` is the caller's abort reason. */
export class IamAbortError extends IamError {
  override name = "IamAbortError";
}

/** The per-attempt time (`timeoutMs`) ran out. */
export class IamTimeoutError extends IamNetworkError {
  override name = "IamTimeoutError";
}

/**
 * A wait for an accepted Operation ended before it was done: a poll failed (`cause`: its error) or the caller aborted
 * (`cause`: the abort reason). The change may still finish: wait again with `operationId`. Not a network error itself.
 */
export class IamWaitError extends IamError {
  override name = "IamWaitError";
  /** The operation that may still be running. */
  declare readonly operationId: string;
}

/** (extends IamWaitError) A wait ran past `maxWaitMs`; the operation may still finish: wait again with `operationId`. */
export class IamWaitTimeoutError extends IamWaitError {
  override name = "IamWaitTimeoutError";
}

/** A token source (or the client's `token` function) could not give a token; nothing was sent. `cause` holds the underlying error. */
export class IamTokenError extends IamError {
  override name = "IamTokenError";
  /** The HTTP status of the failed exchange, when an answer arrived. */
  declare readonly status?: number | undefined;
}

/** A finished Operation that failed: its `error` Status, with the Operation's id. The outcome is known: it did not happen. */
export class IamOperationError extends IamError {
  override name = "IamOperationError";
  declare readonly operationId: string;
  /** The gRPC code, kept as the server gave it, even one this client does not name. */
  declare readonly code: number;
  declare readonly codeName: string | undefined;
  declare readonly serverMessage: string;
  declare readonly details: StatusDetail[];
}

/** The Operation's failure as an IamOperationError. */
export function operationError(
  operation: OperationId,
  operationId: string,
  // Note: proto3 JSON leaves out an empty message, so an Operation's error may have none.
  { code, message = "", details = [] }: { code: number; message?: string; details?: StatusDetail[] },
): IamOperationError {
  const codeName = CODE_NAMES[code];
  return new IamOperationError(operation, `operation ${operationId} failed: ${codeName ?? code}: ${message}`, {
    operationId,
    code,
    codeName,
    serverMessage: message,
    details,
  });
}

/** Problems as one line: `path message; path message`. */
const listed = (problems: Problem[]): string => problems.map((p) => `${p.path} ${p.message}`).join("; ");

/** Throws an IamInputError naming every problem, if there are any; before anything is sent. */
export function rejectInvalid(operation: ErrorOrigin, problems: Problem[], what = "arguments"): void {
  if (problems.length) throw new IamInputError(operation, `invalid ${what}: ${listed(problems)}`, { problems });
}

/** A 200 without headers: what an answer's part (a page, a done Operation) breaks the contract as. */
// Note: no Headers object at load: the first one loads Node's fetch (undici), which doubles the cold import.
export const OK = { status: 200 };

/** How a broken answer's call stands: whether it may have acted, and the Operation it started, if it names one. */
export interface Outcome {
  outcomeUnknown?: boolean;
  operationId?: string | undefined;
  /** The operation is done (its result is what broke), so there is nothing to wait for. */
  done?: boolean;
}

/** The advice an error's message ends with: wait for the accepted operation, or find out what happened; nothing when settled. */
export const advice = ({ outcomeUnknown, operationId, done }: Outcome): string =>
  operationId && !done ? stillRunning(operationId) : outcomeUnknown || operationId ? OUTCOME_UNKNOWN : "";

/** Throws an IamResponseError naming every problem of a 2xx answer, if there are any. */
export function rejectBrokenAnswer(
  operation: OperationId,
  { status, headers }: { status: number; headers?: Headers },
  problems: Problem[],
  what = `HTTP ${status} answer`,
  outcome: Outcome = {},
): void {
  if (problems.length)
    throw new IamResponseError(operation, `${what} breaks the contract: ${listed(problems)}${advice(outcome)}`, {
      status,
      problems,
      outcomeUnknown: Boolean(outcome.outcomeUnknown || outcome.operationId),
      ...(outcome.operationId && { operationId: outcome.operationId }),
      requestId: headers?.get("x-request-id") ?? undefined,
    });
}

/** The parts of a `google.rpc.Status` body that are there and of the right type; any integer code is kept, named or not. */
function statusOf(body: unknown): { code?: number; message?: string; details: StatusDetail[] } {
  const { code, message, details } = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  return {
    ...(Number.isInteger(code) && { code: code as number }),
    ...(typeof message === "string" && { message }),
    details: Array.isArray(details) ? details.filter((d): d is StatusDetail => typeof d?.["@type"] === "string") : [],
  };
}

/** An error answer (its body as text, credentials already redacted) as an IamApiError; a body that is not a Status gives a short excerpt. */
export function apiError(
  operation: OperationId,
  { status, headers }: Response,
  text: string,
  retryable: boolean,
  outcomeUnknown: boolean,
): IamApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {}
  const { code, message, details } = statusOf(body);
  const flat = text.replace(/\s+/g, " ").trim();
  const serverMessage = message ?? (flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || "(empty body)");
  const codeName = code === undefined ? undefined : CODE_NAMES[code];
  const info = details.find((d) => d["@type"].endsWith("google.rpc.RequestInfo"))?.requestId;
  const named = codeName ?? (code === undefined ? "" : `code ${code}`);
  return new IamApiError(operation, `HTTP ${status}${named ? ` ${named}` : ""}: ${serverMessage}${outcomeUnknown ? OUTCOME_UNKNOWN : ""}`, {
    outcomeUnknown,
    status,
    code,
    codeName,
    details,
    serverMessage,
    retryable,
    requestId: headers.get("x-request-id") ?? (typeof info === "string" ? info : undefined),
    serverTraceId: headers.get("x-server-trace-id") ?? undefined,
  });
}

/** Replaces every credential in `text`, as it is or as JSON escapes it, with `[REDACTED]`. */
export const redact = (text: string, secrets: Iterable<string>): string => {
  // Note: a credential is long (an IAM token, an API key's secret); a few characters, such as a test's "t", would
  // only mangle the server's words. A JSON body escapes a quote or a backslash in one (a quoted cookie's value).
  for (const secret of secrets)
    if (secret.length >= 8) for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) text = text.replaceAll(form, "[REDACTED]");
  return text;
};

/** `value` with each string in it redacted, at any depth (a failed Operation's Status: its message and details are the server's words). */
export function redactedValues(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactedValues(item, secrets));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactedValues(item, secrets)]));
  return value;
}

/** Whether a walk can read `value` whole: an error, a plain object or an array; not a Headers object, a Request, a Map or bytes. */
const readable = (value: object): boolean =>
  value instanceof Error || [null, Object.prototype, Array.prototype].includes(Object.getPrototypeOf(value));

/**
 * Whether a rendering of `value` (util.inspect, structuredClone, JSON) may show one of `values` that `redact` would hide,
 * or, given a scrubber instead, anything it would change: what fetch throws may quote a header it sent (a proxy's
 * refusal), or hold the request's headers in a field (an HTTP library's `config`). A string shows what it holds; an
 * error, a plain object or an array, what its message or any own field (an error's stack and cause among them) shows;
 * anything else, or anything nested deeper than a walk goes, may show anything.
 */
export function shows(value: unknown, values: readonly string[] | ((text: string) => string), depth = 0): boolean {
  if (typeof value === "string") return (typeof values === "function" ? values(value) : redact(value, values)) !== value;
  if (!value || typeof value !== "object") return false;
  if (depth > 5 || !readable(value)) return true;
  // Note: an error's stack and cause are its own fields; a DOMException's message is its prototype's.
  return ["message", ...Reflect.ownKeys(value)].some((key) => shows((value as Record<PropertyKey, unknown>)[key], values, depth + 1));
}

/**
 * `e` as the cause of one of our errors: itself, or, when a rendering of it shows anything `scrub` would change, a new
 * Error of only its words (`wordsOf(e)`, by default its message), scrubbed.
 */
export const scrubbedCause = (
  e: unknown,
  scrub: (text: string) => string,
  wordsOf = (error: unknown) => String((error as Error)?.message ?? error),
): unknown => (shows(e, scrub) ? new Error(scrub(wordsOf(e))) : e);

/** The request headers known to carry no credential: shown as they are; every other header is redacted. */
export const HARMLESS_HEADERS: ReadonlySet<string> = new Set([
  "accept",
  "content-type",
  "content-length",
  "user-agent",
  "x-client-request-id",
  "x-client-trace-id",
  "x-request-id",
  "idempotency-key",
]);

/** A request as the call loop sent it (its header names in lower case) or as the fake received it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Headers | Record<string, string>;
}

/** The headers' names and values. */
const entries = (headers: SentRequest["headers"]) => (headers instanceof Headers ? [...headers] : Object.entries(headers));

/**
 * What an error of a call must not show: the credentials seen so far (`secrets`), and the values of the headers `sent`
 * that may be credentials (all but the harmless ones; `Authorization`'s token is among the secrets already).
 */
export function credentialsOf(secrets: Iterable<string>, sent: SentRequest | undefined): string[] {
  const values = [...secrets];
  for (const [key, value] of sent ? entries(sent.headers) : [])
    if (!HARMLESS_HEADERS.has(key) && key !== "authorization") values.push(value);
  return values;
}

/**
 * The request headers as a plain record, by allow-list: the harmless ones as they are, `Authorization` cut down to its
 * scheme (as octokit does), and every other header `[REDACTED]`, since a caller's own (`Cookie`, `Proxy-Authorization`,
 * `X-Gateway-Key`) may be a credential; and the URL with any of `secrets` in it scrubbed.
 */
export function summarize({ method, url, headers }: SentRequest, secrets: readonly string[] = []): RequestSummary {
  const record: Record<string, string> = {};
  for (const [key, value] of entries(headers))
    record[key] = HARMLESS_HEADERS.has(key) ? value : key === "authorization" ? `${value.split(" ")[0]} [REDACTED]` : "[REDACTED]";
  // Note: a credential given where an id goes (a token pasted as a key id) is in the URL; it is scrubbed as the server's words are.
  return { method, url: redact(url, secrets), headers: record };
}
