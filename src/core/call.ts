// The one call loop: check the arguments, send with retries and per-attempt timeouts, check the answer, throw typed errors.
// Every operation goes through here; what differs between them is read from the generated operations table.
import {
  clientStatusesThatMayHaveActed,
  type OperationId,
  type OperationSpec,
  serverStatusesThatDidNotAct,
} from "../../generated/contract.js";
import { dated, FORM_TYPE, formText } from "./body.js";
import {
  apiError,
  credentialsOf,
  type ErrorOrigin,
  IamAbortError,
  IamError,
  IamNetworkError,
  IamTimeoutError,
  IamTokenError,
  OUTCOME_UNKNOWN,
  redact,
  redactedValues,
  rejectBrokenAnswer,
  rejectInvalid,
  type SentRequest,
  scrubbedCause,
  summarize,
} from "./errors.js";
import { CALL_OPTIONS, headerProblem, optionProblems } from "./options.js";
import { attemptTimer, delayMs, ON_SENT, onAbort, type RetryOptions, sleep } from "./retry.js";
import type { Call, CallInput, CallOptions, ChangeOptions, GetToken, Operation, Row, Wait } from "./types.js";
import { type Problem, problems } from "./validate.js";

// Note: the types the resource modules import from here live in types.ts, which poll.ts imports too.
export type { Call, CallOptions, ChangeOptions, GetToken, Wait } from "./types.js";

/** What the call loop needs from the client. */
export interface CallSettings {
  /** The fetch the client was given, if any (it gets a Request); else the global one, as it is when a call is made. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Headers of every request, names in lower case (the client's own, its User-Agent). */
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
  retry: RetryOptions;
  /** The base URL for an operation's own server, as the document names it, or for the document's first when undefined; without a trailing slash. */
  baseUrl(server: string | undefined): string;
  /** Credentials seen so far, scrubbed from error bodies that might echo them. */
  secrets: Set<string>;
  /**
   * The bearer token of every call that needs one, or a function asked for it before every attempt (and asked again, to
   * refresh it, after a 401, which a fixed string cannot be); absent, calls carry none.
   */
  token?: string | GetToken | undefined;
  /** How to wait for an Operation; absent (the token exchanges answer none), an Operation is returned as it is. */
  wait?: Wait | undefined;
}

/**
 * The global fetch as this module found it, where it is Node's own (undici), which ends an aborted fetch's body too (a
 * test holds it); elsewhere (browsers, Bun and Deno have fetches of their own), or once replaced (a test's stub, a
 * polyfill), the global fetch is raced as a caller's is. Note: Node's own is told by its source, which loads Node's copy
 * of undici (Node 20 to 24): a fetch put in its place before this module loaded (a mocking library, a polyfill, a wrapper
 * set up first) may ignore its signal, and unraced, its call would never end (the shared timer holding the process open).
 */
const NODE_FETCH =
  (globalThis as { process?: { versions?: { undici?: string } } }).process?.versions?.undici &&
  typeof globalThis.fetch === "function" &&
  Function.prototype.toString.call(globalThis.fetch).includes("internal/deps/undici")
    ? globalThis.fetch
    : undefined;

// Note: connection errors that prove the request never left, so even `create` may be retried.
const NEVER_SENT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/;
// Note: a port the Fetch standard blocks (9, 25, 6000…): Node's fetch refuses it before connecting, with this message and no code.
const BAD_PORT = "bad port";

/** What a value is, never what it holds (an object a token function gave may hold a secret): "undefined", "an empty string", "a number". */
const kindOf = (value: unknown): string =>
  value === ""
    ? "an empty string"
    : value === null || value === undefined
      ? String(value)
      : `a${typeof value === "object" ? "n" : ""} ${typeof value}`;

/** The token for one attempt; a failure is this call's IamTokenError, and nothing is sent. */
export async function bearer(
  operation: ErrorOrigin,
  token: GetToken,
  options: { forceRefresh?: boolean; signal?: AbortSignal },
  secrets: Set<string>,
  outcomeUnknown = false,
): Promise<string> {
  // Note: an earlier attempt of this call may have acted, which a token that fails now does not settle.
  const unsettled = outcomeUnknown ? { outcomeUnknown } : {};
  const after = outcomeUnknown ? OUTCOME_UNKNOWN : "";
  const notSent = outcomeUnknown ? "so this attempt was not sent" : "so nothing was sent";
  let value: unknown;
  let cause: unknown;
  try {
    value = await token(options);
  } catch (e) {
    // Note: a token function's failure may quote a token it gave before.
    cause = causeOf(e, [...secrets]);
  }
  // Note: a token source's own IamTokenError is shared by every call waiting on it, so each call gets one of its own.
  if (cause instanceof IamError) throw new IamTokenError(operation, `the token source failed: ${cause.message}${after}`, unsettled, cause);
  if (cause !== undefined)
    throw new IamTokenError(operation, `the token function failed, ${notSent} (see cause)${after}`, unsettled, cause);
  if (typeof value !== "string" || !value)
    throw new IamTokenError(operation, `the token function gave ${kindOf(value)}, not a token, ${notSent}${after}`, unsettled);
  const problem = headerProblem("Authorization", `Bearer ${value}`);
  if (problem) throw new IamTokenError(operation, `the token function gave a token that ${problem}, ${notSent}${after}`, unsettled);
  secrets.add(value);
  return value;
}

// Note: the options of a call given none, which need no check.
const NO_OPTIONS: ChangeOptions = {};

// Note: a done Operation's response of this type is no value at all.
const EMPTY = "/google.protobuf.Empty";

// Note: the call loop sends with fetch itself, not through openapi-fetch: one request path for every wrapped call, and
// openapi-fetch's own work on each (its serializers, two Headers objects, a Request that fetch then copies, the middleware
// chain) was most of what the client cost over it (BENCHMARKS.md, call overhead). `raw` stays openapi-fetch, for what
// the wrapper does not cover; middleware added to it applies to its own requests.
/** Makes the call loop: every operation's request is built and sent here, with fetch. */
export function createCall(settings: CallSettings): Call {
  const { wait } = settings;
  const send = sender(settings);
  /** The body to send (Dates as ISO strings) once every argument is checked; every problem at once, as an IamInputError. */
  const checked = (row: Row, input: CallInput, options: ChangeOptions): unknown => {
    const found: Problem[] = [];
    const invalidDates: Problem[] = [];
    const body = dated(row.body, input.body, invalidDates);
    if (row.pathParams) problems(row.pathParams, input.path ?? {}, "", found);
    if (row.query) problems(row.query, input.query ?? {}, "", found);
    if (row.body) problems(row.body, body, "", found);
    if (options !== NO_OPTIONS) optionProblems(CALL_OPTIONS, options, "options", found);
    // Note: the list of every problem is made only when there is one (nearly every call has none).
    if (found.length || invalidDates.length || input.problems?.length)
      rejectInvalid(row.id, found.concat(invalidDates, input.problems ?? []));
    return body;
  };
  /** What an Operation's call gives once it is done: the value it made, or nothing. */
  const waited = async (wait: Wait, row: Row, answer: Operation, options: ChangeOptions): Promise<unknown> => {
    const { response } = await wait(call as Call, row, answer, options);
    if ((response as { "@type"?: string })["@type"]?.endsWith(EMPTY)) return undefined;
    const { "@type": _, ...value } = response as { "@type"?: string };
    // Note: a message without fields (SuspendServiceAccountResponse) is no value either.
    return Object.keys(value).length ? value : undefined;
  };
  // Note: no async function: a call that answers no Operation (every read) gives the sender's own promise, not one more around it.
  const call = (row: Row, input: CallInput = {}, options: ChangeOptions = NO_OPTIONS): Promise<unknown> => {
    let body: unknown;
    let waits: boolean;
    // Note: the caller's options are read here once, so a getter that throws is a rejection, not a throw with a request on its way.
    try {
      body = checked(row, input, options);
      waits = !!row.result && options.wait !== false;
    } catch (e) {
      return Promise.reject(e);
    }
    const sent = send(row, input, body, options);
    if (!waits || !wait) return sent;
    return sent.then((answer) => answer && waited(wait, row, answer as Operation, options));
  };
  // Note: the one cast between the table and the types: the row's id links the two, which TypeScript cannot see in a body.
  return call as Call;
}

/** The parts of one request as the call loop sends them: header names in lower case, as fetch sends them. */
type Sent = SentRequest & { headers: Record<string, string> };

/** `headers` with each name in lower case, so a caller's own spelling replaces a header rather than joining it. */
export const lowerCased = (headers: Record<string, string> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name] as string;
  return out;
};

/** Each path template's parts, split once: the text around its parameters, and each parameter's name between them. */
const templates = new Map<string, string[]>();

/**
 * The path with its parameters filled in, each encoded, and the query of the parameters given (each a string, a number
 * or a boolean: generate.ts makes sure), as openapi-fetch writes them.
 */
function location(template: string, path: Record<string, string> = {}, query: Record<string, string> = {}): string {
  let parts = templates.get(template);
  // Note: `/iam/v1/serviceAccounts/{serviceAccountId}:suspend` splits into ["/iam/v1/serviceAccounts/", "serviceAccountId",
  // ":suspend"]: the names at the odd places.
  if (!parts) templates.set(template, (parts = template.split(/\{([^}]+)\}/)));
  let url = parts[0] as string;
  for (let place = 1; place < parts.length; place += 2) {
    const name = parts[place] as string;
    const value = path[name];
    url += (value === undefined ? `{${name}}` : encodeURIComponent(value)) + parts[place + 1];
  }
  let separator = "?";
  for (const name in query) {
    const value = query[name];
    if (value === undefined || value === null) continue;
    url += `${separator}${name}=${encodeURIComponent(value)}`;
    separator = "&";
  }
  return url;
}

/** The loop of attempts for one call whose arguments (its path and query, and its body, with Dates as strings) are already checked; resolves with the checked 200 body. */
function sender({ fetch, timeoutMs, retry, baseUrl, headers: common, secrets, token }: CallSettings) {
  if (typeof token === "string") secrets.add(token);
  return async (spec: Row, input: { path?: object; query?: object }, given: unknown, callOptions: CallOptions): Promise<unknown> => {
    const operation = spec.id;
    const { signal: callerSignal, timeoutMs: ms = timeoutMs } = callOptions;
    const onSent = (callOptions as { [ON_SENT]?: () => void })[ON_SENT];
    // Note: only a call that changes something (its retry class says so) can leave its outcome unknown.
    const { statuses, networkErrors, idempotencyKey, changes: writes } = spec.retry;
    const useToken = token && spec.auth !== false ? token : undefined;
    // Note: what may not listen to the attempt's signal (a token function, a fetch the caller gave or a global one replaced,
    // its answer's body) is raced against the attempt's end, its time or the caller's abort. Node's own fetch listens, for
    // the body too: with it and a fixed token, nothing is raced, as a race costs µs a call.
    const racing = typeof useToken === "function" || fetch !== undefined || globalThis.fetch !== NODE_FETCH;
    // Note: the body is serialized once per call, not per attempt: a form where the row says so (an OAuth endpoint), else JSON.
    const body = given === undefined ? undefined : spec.form ? formText(given as Record<string, unknown>) : JSON.stringify(given);
    // Note: the same request on every attempt: the same ids, so the server can tell a retry; only the token may change.
    const request: Sent = {
      method: spec.method,
      url: baseUrl(spec.server) + location(spec.path, input.path as Record<string, string>, input.query as Record<string, string>),
      headers: {
        ...(body && { "content-type": spec.form ? FORM_TYPE : "application/json" }),
        ...common,
        "x-client-request-id": crypto.randomUUID(),
        ...(idempotencyKey && { "idempotency-key": crypto.randomUUID() }),
        ...(callOptions.headers && lowerCased(callOptions.headers)),
      },
    };
    // Whether an attempt so far may have reached the server and acted on it, with no later answer to settle it.
    let mayHaveActed = false;
    let forceRefresh = false;
    let refreshed = false;
    let sent = 0;
    /** `error`, noting how many requests the call sent and, when this attempt was sent, what it was. */
    const record = (error: IamError, sentNow: boolean) => {
      error.attempts = sent;
      if (sentNow) error.request = summarize(request, credentialsOf(secrets, request));
      return error;
    };
    /** The caller's abort: its own reason, unless a change may have acted (sent now or before): then our error that says so. */
    const aborted = (reason: unknown, sentNow: boolean) =>
      writes && (mayHaveActed || sentNow)
        ? record(
            new IamAbortError(operation, `aborted by the caller after it was sent${OUTCOME_UNKNOWN}`, { outcomeUnknown: true }, reason),
            sentNow,
          )
        : reason;
    for (let attempt = 1; ; attempt++) {
      if (callerSignal?.aborted) throw aborted(callerSignal.reason, false);
      // Note: a timer cleared after each attempt, unlike AbortSignal.timeout, which lingers for the full time;
      // the caller's abort reaches the attempt through one shared listener per signal (onAbort), as AbortSignal.any costs
      // more on every call, and a listener per call makes Node warn past 10 calls sharing a signal.
      const timeout = new AbortController();
      let end = (_reason: unknown) => {};
      // Note: where there is an end, it is handled from the start, whether anything is raced against it yet or not.
      const ended = racing ? new Promise<never>((_, reject) => (end = reject)) : undefined;
      ended?.catch(() => {});
      /** `work`, or the attempt's end if that comes first. */
      const race = <T>(work: Promise<T>): Promise<T> => (ended ? Promise.race([work, ended]) : work);
      const stop = () => {
        timeout.abort();
        end(timeout.signal.reason);
      };
      // Note: the listener first: a signal that refuses it (a polyfill's) then leaves no attempt counted in flight, which
      // would hold the process open for ever (attemptTimer).
      const forget = onAbort(callerSignal, stop);
      const clearTimer = attemptTimer(stop, ms);
      // Whether this attempt was handed to fetch, and whether an answer's status and headers arrived (its body may still fail to arrive).
      let sentNow = false;
      let answered = false;
      /** This attempt's failure, told whether the call's outcome is unknown by then. */
      let failure: (outcomeUnknown: boolean) => IamError;
      let again: boolean;
      let retryAfter: string | null = null;
      try {
        if (typeof useToken === "string") request.headers.authorization = `Bearer ${useToken}`;
        else if (useToken) {
          const asking = forceRefresh ? { forceRefresh, signal: timeout.signal } : { signal: timeout.signal };
          const token = bearer(operation, useToken, asking, secrets, writes && mayHaveActed);
          request.headers.authorization = `Bearer ${await race(token)}`;
          forceRefresh = false;
        }
        sentNow = true;
        sent++;
        onSent?.();
        const { method, url, headers } = request;
        const init = { method, headers, body: body ?? null, signal: timeout.signal };
        // Note: the global fetch gets the request's parts, so it builds the one Request there is (given a Request, it would
        // copy it, a POST's body through a TransformStream: BENCHMARKS.md, "The copy of every request");
        // a fetch the caller gave gets a Request, as openapi-fetch hands it over (a wrapper may read only that).
        const response = await race(fetch ? fetch(new Request(url, init)) : globalThis.fetch(url, init));
        // Note: Response.error() (status 0), as a caller's fetch may give it, or no Response at all, is no answer either.
        if (!(response?.status >= 200)) throw new TypeError("fetch resolved with Response.error() or no Response");
        answered = true;
        const text = await race(response.text());
        if (response.ok) {
          const body = parseBody(operation, spec, text, response) as { error?: unknown } | undefined;
          // Note: a failed Operation's Status is the server's words, as an error answer's are: a credential it echoes is scrubbed too.
          // Note: string by string, not over its JSON text, which a credential that looks like JSON could break.
          if (body?.error) body.error = redactedValues(body.error, credentialsOf(secrets, request));
          return body;
        }
        // Note: whether the resource went in this call or an earlier attempt's, it is gone: the delete is done.
        if (response.status === 404 && spec.deletes && mayHaveActed) return undefined;
        // Note: the server did not act on an unauthenticated call, so asking for a new token and sending once more is safe.
        if (response.status === 401 && !refreshed && typeof useToken === "function") {
          refreshed = forceRefresh = true;
          attempt--;
          continue;
        }
        again = statuses.includes(response.status);
        mayHaveActed ||=
          response.status >= 500
            ? !serverStatusesThatDidNotAct.includes(response.status)
            : clientStatusesThatMayHaveActed.includes(response.status);
        // Note: an error body that is JSON is redacted in its canonical form, where an escaped credential (\u0074…) shows as itself.
        let canonical = text;
        try {
          canonical = JSON.stringify(JSON.parse(text));
        } catch {}
        // Note: a gateway may echo the request's headers: the caller's own (a gateway key, a cookie) are scrubbed too.
        const redacted = redact(canonical, credentialsOf(secrets, request));
        failure = (unknown) => apiError(operation, response, redacted, again, unknown);
        retryAfter = response.headers.get("retry-after");
      } catch (e) {
        if (callerSignal?.aborted) throw aborted(callerSignal.reason, sentNow);
        if (e instanceof IamError) throw record(e, sentNow);
        // Note: anything else is the network's, of any class (a caller's fetch may throw its own), or the attempt's time:
        // the only code between the token and the answer is fetch and reading the answer.
        const timedOut = timeout.signal.aborted;
        // Note: undici puts the system error's code on the cause; node-fetch on the error itself.
        const { code = (e as { cause?: { code?: unknown } })?.cause?.code } = (e ?? {}) as { code?: unknown };
        const blocked = (e as { cause?: { message?: unknown } })?.cause?.message === BAD_PORT;
        const neverSent = !sentNow || (!timedOut && !answered && (NEVER_SENT.test(String(code)) || blocked));
        mayHaveActed ||= !neverSent;
        again = networkErrors === "all" || neverSent;
        // Note: what fetch throws may quote a header it sent (a proxy's refusal): its words and its cause are scrubbed.
        const hidden = credentialsOf(secrets, request);
        const words = redact(failureWords(e), hidden);
        const what = !sentNow
          ? `no token within ${ms} ms, so this attempt was not sent`
          : timedOut
            ? `no ${answered ? "whole answer" : "answer"} within ${ms} ms`
            : `${answered ? "the answer could not be read" : "no answer"}: ${words}`;
        const Failure = timedOut ? IamTimeoutError : IamNetworkError;
        failure = (unknown) =>
          new Failure(operation, what + (unknown ? OUTCOME_UNKNOWN : ""), { outcomeUnknown: unknown }, causeOf(e, hidden));
      } finally {
        clearTimer();
        forget();
      }
      // Note: the retry class decides whether to send again; whether the outcome is known is only whether an attempt
      // may have acted, whatever the later attempts answered (a 503 or a refusal does not undo an earlier attempt).
      if (attempt >= retry.maxAttempts || !again) throw record(failure(writes && mayHaveActed), sentNow);
      try {
        await sleep(delayMs(attempt, retry, retryAfter), callerSignal);
      } catch (reason) {
        throw aborted(reason, false);
      }
    }
  };
}

/** `e` as the cause of our error: itself, or only its words, scrubbed, when a rendering of it shows one of `hidden`. */
const causeOf = (e: unknown, hidden: string[]): unknown => scrubbedCause(e, (text) => redact(text, hidden), failureWords);

/** What a failure was, with its cause's words (fetch says only "fetch failed"; its cause names the host or the reset). */
function failureWords(e: unknown): string {
  const { message = String(e), cause } = (e ?? {}) as { message?: string; cause?: { message?: unknown } };
  return typeof cause?.message === "string" && cause.message ? `${message} (${cause.message})` : message;
}

/** The value at a dot-path (`key.id`) of an answer. */
const at = (body: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), body);

/**
 * Parses and checks a 2xx body against the contract; a list's items are always an array. A create's answer that holds
 * its credential (the row's `credential`: the secret, a key's id) is handed over even where the rest deviates from the
 * document, since the secret is shown only once; a 2xx answer that cannot be used after a change leaves its outcome unknown.
 */
function parseBody(operation: OperationId, spec: OperationSpec, text: string | undefined, response: Response): unknown {
  let body: Record<string, unknown> | undefined;
  let found: Problem[];
  try {
    // Note: an empty body is not JSON either; read as {}, it would be an empty page that ends a listAll early.
    body = JSON.parse(text ?? "");
    found = problems(spec.response, body);
  } catch {
    found = [{ path: "(body)", message: text ? "is not JSON" : "is empty" }];
  }
  const { credential } = spec;
  // Note: an answer that is not JSON keeps its one problem; one that is names what the credential lacks.
  if (found.length && credential && body && typeof body === "object") {
    /** Whether the answer holds a non-empty string at `path`. */
    const holds = (path: string) => {
      const value = at(body, path);
      return typeof value === "string" && value !== "";
    };
    // Note: an entry that is a list is satisfied by any one of its paths (a key's owner: a service account or a user).
    const missing = credential.filter((need) => (typeof need === "string" ? !holds(need) : !need.some(holds)));
    // Note: what the caller needs to use the credential is there; the rest is read as Yandex wrote it.
    if (!missing.length) return body;
    found = missing.map((need) => ({
      path: typeof need === "string" ? need : need.join(" or "),
      message: "is required: the credential cannot be used without it",
    }));
  }
  // Note: a 2xx means the server acted: what a change made, or the Operation it started, is now unknown to the caller.
  const operationId = spec.result && typeof body?.id === "string" && body.id ? body.id : undefined;
  if (found.length)
    rejectBrokenAnswer(operation, response, found, undefined, {
      outcomeUnknown: spec.retry.changes,
      operationId,
      done: body?.done === true,
    });
  if (spec.items && body) body[spec.items] ??= [];
  return body;
}
