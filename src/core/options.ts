// The client's and a call's options as schemas, read by the same checker as the contract's, so a bad option is an
// IamInputError naming it; a field given as undefined is no problem (it keeps its default).
import type { Schema } from "../../generated/contract.js";
import { MAX_TIMER_MS } from "./retry.js";
import { type Problem, problems } from "./validate.js";

/** An options object whose fields may be given as undefined (to keep their defaults). */
export type Settable<T> = { [K in keyof T]?: T[K] | undefined };

/** Whole milliseconds (or attempts) from `lo` up to the longest timer there is. */
const whole = (lo: number): Schema => ({ t: "integer", lo, hi: MAX_TIMER_MS });
const URL_OPTION: Schema = { t: "string" };
const HEADERS: Schema = { t: "object" };

/** The options every call takes (`wait` and `maxWaitMs` matter where it answers an Operation, and are ignored elsewhere). */
export const CALL_OPTIONS: Schema = {
  t: "object",
  a: false,
  p: { signal: {}, timeoutMs: whole(1), headers: HEADERS, wait: { t: "boolean" }, maxWaitMs: whole(0) },
};

/** The options of createIamClient. */
export const CLIENT_OPTIONS: Schema = {
  t: "object",
  a: false,
  p: {
    token: {},
    baseUrl: URL_OPTION,
    operationBaseUrl: URL_OPTION,
    fetch: {},
    timeoutMs: whole(1),
    retry: { t: "object", a: false, p: { maxAttempts: whole(1), baseDelayMs: whole(0), maxDelayMs: whole(0) } },
    polling: { t: "object", a: false, p: { initialDelayMs: whole(0), maxDelayMs: whole(0), maxWaitMs: whole(0) } },
    headers: HEADERS,
  },
};

/** Whether `value` can be sent as the header `name`; the Headers class is the judge, as fetch would be. */
export function sendable(name: string, value: unknown): boolean {
  try {
    // Note: its message is never kept: it quotes the value, which may be a credential.
    new Headers([[name, value as string]]);
    return typeof value === "string";
  } catch {
    return false;
  }
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
  for (const [name, value] of Object.entries(headers ?? {}))
    if (!sendable(name, value)) found.push({ path: at(`headers.${name}`), message: "cannot be sent as a header" });
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
