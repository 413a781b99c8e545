// The client's and a call's options as schemas, read by the same checker as the contract's, so a bad option is an
// IamInputError naming it; a field given as undefined is no problem (it keeps its default).
import type { Schema } from "../../generated/contract.js";
import { MAX_TIMER_MS } from "./retry.js";
import { type Problem, problems } from "./validate.js";

/** An options object whose fields may be given as undefined (to keep their defaults). */
export type Settable<T> = { [K in keyof T]?: T[K] | undefined };

/** Whole milliseconds (or attempts) from `lo` up to the longest timer there is. */
const whole = (lo: number): Schema => ({ t: "integer", lo, hi: MAX_TIMER_MS });
const URL_OPTION: Schema = {
  t: "string",
  re: /^https?:\/\/[^/?#\s]+/,
  hint: "an absolute http(s) URL such as https://iam.api.cloud.yandex.net",
};
const HEADERS: Schema = { t: "object" };

/** The options every call takes. */
export const CALL_OPTIONS: Schema = { t: "object", p: { timeoutMs: whole(1), maxWaitMs: whole(0), headers: HEADERS } };

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

// Note: what the Headers class refuses (names beyond RFC 9110's token characters; CR, LF, NUL or a code point above
// U+00FF in a value), so that it is an IamInputError before sending rather than a TypeError from inside fetch.
const HEADER_NAME = /^[!#$%&'*+.^_`|~\w-]+$/;
const BAD_HEADER_VALUE = /[\0\r\n\u0100-\uffff]/;

/** Every problem of `options` against `schema`, its headers included; `path` names where the options sit. */
export function optionProblems(schema: Schema, options: unknown, path: string, found: Problem[] = []): Problem[] {
  problems(schema, options, path, found);
  const { headers } = (options ?? {}) as { headers?: unknown };
  for (const [name, value] of Object.entries(headers ?? {}))
    if (!HEADER_NAME.test(name) || typeof value !== "string" || BAD_HEADER_VALUE.test(value))
      found.push({ path: `${path ? `${path}.` : ""}headers.${name}`, message: "cannot be sent as a header" });
  return found;
}

/** `given` over `defaults`, leaving out fields given as undefined. */
export const settle = <T extends object>(defaults: T, given: Settable<T> | undefined): T => ({
  ...defaults,
  ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)),
});
