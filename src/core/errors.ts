// The IamError family, and turning a failure into one of them without leaking credentials.
import { type OperationId, Status } from "../../generated/contract.js";
import { type Problem, problems } from "./validate.js";

/** The token sources of `yc-iam-api-keys/auth`, by name, as errors name them. */
export type TokenSourceName = "serviceAccountKey" | "metadataToken" | "functionToken" | "oauthToken" | "cachedToken";

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

/** Added to the message when a `create` may have taken effect. */
export const OUTCOME_UNKNOWN = "; the outcome is unknown: it may have been created, so list before trying again";

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
  /** What the last attempt sent, `Authorization` redacted. */
  declare request?: RequestSummary | undefined;
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
  /** The gRPC code number from the body (`Status.code`), if the body is a Status. */
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
  /** True when a `create` may still have taken effect (500, 502, 504): list the keys before trying again. */
  declare readonly outcomeUnknown: boolean;
}

/** A 2xx answer whose body breaks the contract (or a server that breaks paging). The body itself is not kept: it may hold a secret. */
export class IamResponseError extends IamError {
  override name = "IamResponseError";
  declare readonly status: number;
  declare readonly problems: Problem[];
  /** True when a `create` acted but its answer cannot be read: the resource exists, its secret is lost; list before trying again. */
  declare readonly outcomeUnknown: boolean;
}

/** No response arrived. `outcomeUnknown` is true when a `create` may still have taken effect. */
export class IamNetworkError extends IamError {
  override name = "IamNetworkError";
  declare readonly outcomeUnknown: boolean;
}

/** The per-attempt time (`timeoutMs`) ran out. */
export class IamTimeoutError extends IamNetworkError {
  override name = "IamTimeoutError";
}

/** A wait for an Operation ran past `maxWaitMs`; the operation may still finish: wait again with its id. Not a network error. */
export class IamWaitTimeoutError extends IamError {
  override name = "IamWaitTimeoutError";
  /** The operation still running. */
  declare readonly operationId: string;
}

/** A token source (or the client's `token` function) could not give a token; nothing was sent. `cause` holds the underlying error. */
export class IamTokenError extends IamError {
  override name = "IamTokenError";
  /** The HTTP status of the failed exchange, when an answer arrived. */
  declare readonly status?: number | undefined;
}

/** A finished Operation that failed: its `error` Status, with the Operation's id. */
export class IamOperationError extends IamError {
  override name = "IamOperationError";
  declare readonly operationId: string;
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
export const OK = { status: 200, headers: new Headers() };

/** Throws an IamResponseError naming every problem of a 2xx answer, if there are any. */
export function rejectBrokenAnswer(
  operation: OperationId,
  { status, headers }: Pick<Response, "status" | "headers">,
  problems: Problem[],
  what = `HTTP ${status} answer`,
  outcomeUnknown = false,
): void {
  if (problems.length)
    throw new IamResponseError(operation, `${what} breaks the contract: ${listed(problems)}${outcomeUnknown ? OUTCOME_UNKNOWN : ""}`, {
      status,
      problems,
      outcomeUnknown,
      requestId: headers.get("x-request-id") ?? undefined,
    });
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
  const {
    code,
    message,
    details = [],
  } = (problems(Status, body).length ? {} : body) as {
    code?: number;
    message?: string;
    details?: StatusDetail[];
  };
  const flat = text.replace(/\s+/g, " ").trim();
  const serverMessage = message ?? (flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || "(empty body)");
  // Note: the Status check bounds `code` to the names in the table.
  const codeName = CODE_NAMES[code as number];
  const info = details.find((d) => d["@type"].endsWith("google.rpc.RequestInfo"))?.requestId;
  return new IamApiError(
    operation,
    `HTTP ${status}${codeName ? ` ${codeName}` : ""}: ${serverMessage}${outcomeUnknown ? OUTCOME_UNKNOWN : ""}`,
    {
      outcomeUnknown,
      status,
      code,
      codeName,
      details,
      serverMessage,
      retryable,
      requestId: headers.get("x-request-id") ?? (typeof info === "string" ? info : undefined),
      serverTraceId: headers.get("x-server-trace-id") ?? undefined,
    },
  );
}

/** Replaces every credential in `text` with `[REDACTED]`. */
export const redact = (text: string, secrets: Iterable<string>): string => {
  // Note: a credential is long (an IAM token, an API key's secret); a few characters, such as a test's "t", would
  // only mangle the server's words.
  for (const secret of secrets) if (secret.length >= 8) text = text.replaceAll(secret, "[REDACTED]");
  return text;
};

/** The request headers as a plain record, `Authorization` cut down to its scheme (as octokit does). */
export function summarize({ method, url, headers }: Request): RequestSummary {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => {
    record[key] = key === "authorization" ? `${value.split(" ")[0]} [REDACTED]` : value;
  });
  return { method, url, headers: record };
}
