// The client's and a call's options as schemas, read by the same checker as the contract's, so a bad option is an
// IamInputError naming it; a field given as undefined is no problem (it keeps its default).
import { defaultServer, type Schema, serverOptions } from "../../generated/contract.js";
import { MAX_TIMER_MS } from "./retry.js";
import { type Problem, problems } from "./validate.js";

/** An options object whose fields may be given as undefined (to keep their defaults). */
export type Settable<T> = { [K in keyof T]?: T[K] | undefined };

/** Whole milliseconds (or attempts) from `lo` up to the longest timer there is. */
const whole = (minimum: number): Schema => ({ type: "integer", minimum, maximum: MAX_TIMER_MS });
const URL_OPTION: Schema = { type: "string" };
const HEADERS: Schema = { type: "object" };

/** The options every call takes (`wait` and `maxWaitMs` matter where it answers an Operation, and are ignored elsewhere). */
export const CALL_OPTIONS: Schema = {
  type: "object",
  additionalProperties: false,
  properties: { signal: {}, timeoutMs: whole(1), headers: HEADERS, wait: { type: "boolean" }, maxWaitMs: whole(0) },
};

/** The options of createIamClient. */
export const CLIENT_OPTIONS: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    token: {},
    // Note: one URL option per server of the document (`x-yc-client-options`).
    ...Object.fromEntries(Object.keys(serverOptions).map((name) => [name, URL_OPTION])),
    fetch: {},
    timeoutMs: whole(1),
    retry: {
      type: "object",
      additionalProperties: false,
      properties: { maxAttempts: whole(1), baseDelayMs: whole(0), maxDelayMs: whole(0) },
    },
    polling: {
      type: "object",
      additionalProperties: false,
      properties: { initialDelayMs: whole(0), maxDelayMs: whole(0), maxWaitMs: whole(0) },
    },
    headers: HEADERS,
  },
};

/** Whether the Headers class takes `value` as the header `name`; its message is never kept: it quotes the value, which may be a credential. */
function accepts(name: string, value: string): boolean {
  try {
    new Headers([[name, value]]);
    return true;
  } catch {
    return false;
  }
}

/** What keeps `value` from being sent as the header `name`, if anything; the Headers class is the judge, as fetch would be. */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string to be sent as a header";
  if (!accepts(name, "")) return "cannot be sent as a header: its name must be a token (letters, digits and !#$%&'*+-.^_`|~)";
  if (!accepts(name, value)) return "cannot be sent as a header: its value holds a line break, a NUL or a character above U+00FF";
}

/** Every problem of `options` against `schema`, its headers and signal included; `path` names where the options sit. */
export function optionProblems(schema: Schema, options: unknown, path: string, found: Problem[] = []): Problem[] {
  problems(schema, options, path, found);
  const at = (name: string) => (path ? `${path}.${name}` : name);
  const { headers, signal } = (options ?? {}) as { headers?: unknown; signal?: unknown };
  // Note: a Headers object (or a Map) has no own fields to send: a plain record is what the client merges.
  if (headers instanceof Headers || headers instanceof Map || Array.isArray(headers))
    found.push({ path: at("headers"), message: 'must be a plain object of header names and values, such as { "X-Trace": "1" }' });
  // Note: by what the client uses of it, so a signal of another realm or a polyfill passes.
  const { aborted, addEventListener } = (signal ?? {}) as { aborted?: unknown; addEventListener?: unknown };
  if (signal !== undefined && (typeof aborted !== "boolean" || typeof addEventListener !== "function"))
    found.push({ path: at("signal"), message: "must be an AbortSignal" });
  for (const [name, value] of Object.entries(headers ?? {})) {
    const problem = headerProblem(name, value);
    if (problem) found.push({ path: at(`headers.${name}`), message: problem });
  }
  return found;
}

/** Adds a problem of the base URL `name` unless it parses as an http(s) URL with no user or password in it (fetch refuses those, quoting them). */
export function urlProblems(name: string, value: unknown, found: Problem[]): void {
  try {
    const { protocol, username, password } = new URL(value as string);
    if (/^https?:$/.test(protocol) && !username && !password) return;
  } catch {}
  found.push({ path: name, message: "must be an http(s) URL without credentials, such as https://iam.api.cloud.yandex.net" });
}

/** `given` over `defaults`, leaving out fields given as undefined. */
export function settle<T extends object>(defaults: T, given: Settable<T> | undefined): T {
  const out = { ...defaults };
  for (const key in given) if (given[key] !== undefined) out[key] = given[key] as T[typeof key];
  return out;
}

/**
 * The address that takes the calls of every server no option of its own sends elsewhere: a `baseUrl` other than the IAM
 * API's own (a mock, the fake, a proxy), without a trailing slash; undefined for none, or Yandex's however written.
 * Note: a call sent past such a baseUrl to Yandex by a forgotten option would carry the token (or a platform's) there.
 */
export const everyServerAt = (baseUrl: string | undefined): string | undefined =>
  baseUrl !== undefined && !sameAddress(baseUrl, defaultServer) ? baseUrl.replace(/\/$/, "") : undefined;

/** Whether two URLs are one address, however written (a default port, the host's case, a trailing slash). */
export function sameAddress(a: string, b: string): boolean {
  const normal = (url: string) => new URL(url).href.replace(/\/$/, "");
  try {
    return normal(a) === normal(b);
  } catch {
    return false;
  }
}
