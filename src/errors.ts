// The IamError family, and turning a failed response into an IamApiError without leaking credentials.
import { type Problem, check } from "./validate.js";

/** The two operations, by their operationId. */
export type Operation = "createApiKey" | "listApiKeys";

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
const CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

/** The base of every error this client throws. */
export class IamError extends Error {
  override name = "IamError";
  /** How many attempts were made (0 when the call was refused before sending). */
  attempts = 0;
  /** The server's `x-request-id`, when a response arrived. */
  requestId: string | undefined;
  /** What the last attempt sent, `Authorization` redacted. */
  request: RequestSummary | undefined;
  constructor(
    readonly operation: Operation,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${message}`, options);
  }
  /** A plain, credential-free record for logs. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/** The arguments break the contract; thrown before any request is sent. */
export class IamInputError extends IamError {
  override name = "IamInputError";
  constructor(
    operation: Operation,
    readonly problems: Problem[],
  ) {
    super(operation, `invalid arguments: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`);
  }
}

/** The server answered with an error status. */
export class IamApiError extends IamError {
  override name = "IamApiError";
  /** The gRPC code number from the body (`Status.code`), if the body is a Status. */
  readonly code: number | undefined;
  /** The gRPC code name, e.g. `"INVALID_ARGUMENT"`. */
  readonly codeName: string | undefined;
  /** `Status.details`, or an empty array. */
  readonly details: StatusDetail[];
  /** The server's `x-server-trace-id`. */
  readonly serverTraceId: string | undefined;
  /** Whether this operation may be retried on this status. */
  readonly retryable: boolean;
  /** The server's message, or a short excerpt of a body that is not a Status. */
  readonly serverMessage: string;
  constructor(
    operation: Operation,
    readonly status: number,
    body: unknown,
    headers: Headers,
    retryable: boolean,
  ) {
    const isStatus = check("status", body).length === 0;
    const s = (isStatus ? body : {}) as { code?: number; message?: string; details?: StatusDetail[] };
    const serverMessage = isStatus ? String(s.message) : excerpt(body);
    const codeName = s.code === undefined ? undefined : (CODE_NAMES[s.code] ?? `CODE_${s.code}`);
    const hint = operation === "createApiKey" && [500, 502, 504].includes(status) ? outcomeHint : "";
    super(operation, `HTTP ${status}${codeName ? ` ${codeName}` : ""}: ${serverMessage}${hint}`);
    this.code = s.code;
    this.codeName = codeName;
    this.details = s.details ?? [];
    this.serverMessage = serverMessage;
    this.retryable = retryable;
    this.requestId = headers.get("x-request-id") ?? requestInfoId(this.details);
    this.serverTraceId = headers.get("x-server-trace-id") ?? undefined;
  }
}

/** A 2xx answer whose body breaks the contract. The body itself is not kept: it may hold a secret. */
export class IamResponseError extends IamError {
  override name = "IamResponseError";
  constructor(
    operation: Operation,
    readonly status: number,
    readonly problems: Problem[],
    headers: Headers,
  ) {
    super(operation, `HTTP ${status} answer breaks the contract: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}`);
    this.requestId = headers.get("x-request-id") ?? undefined;
  }
}

/** No response arrived. `outcomeUnknown` is true when a `create` may still have taken effect. */
export class IamNetworkError extends IamError {
  override name = "IamNetworkError";
  constructor(
    operation: Operation,
    message: string,
    cause: unknown,
    readonly outcomeUnknown = false,
  ) {
    super(operation, `${message}${outcomeUnknown ? outcomeHint : ""}`, { cause });
  }
}

/** The per-attempt time ran out. */
export class IamTimeoutError extends IamNetworkError {
  override name = "IamTimeoutError";
}

const outcomeHint =
  "; the outcome is unknown: the key may have been created. List the keys of the service account (apiKeys.list) before you try again";

/** The requestId of a `google.rpc.RequestInfo` detail. */
function requestInfoId(details: StatusDetail[]): string | undefined {
  const info = details.find((d) => d["@type"].endsWith("google.rpc.RequestInfo"));
  return typeof info?.requestId === "string" ? info.requestId : undefined;
}

/** A short, single-line excerpt of a body that is not a Status. */
function excerpt(body: unknown): string {
  const text = (typeof body === "string" ? body : (JSON.stringify(body) ?? "")).replace(/\s+/g, " ").trim();
  if (!text) return "(empty body)";
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Replaces every credential in `text` with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join("[REDACTED]") : t), text);
}

/** The request headers as a plain record, `Authorization` cut down to its scheme (as octokit does). */
export function summarize(request: Request): RequestSummary {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = key === "authorization" ? `${value.split(" ")[0]} [REDACTED]` : value;
  });
  return { method: request.method, url: request.url, headers };
}
