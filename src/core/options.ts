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

/** Every problem of `options` against `schema`, its headers included; `path` names where the options sit. */
export function optionProblems(schema: Schema, options: unknown, path: string, found: Problem[] = []): Problem[] {
  problems(schema, options, path, found);
  const { headers } = (options ?? {}) as { headers?: unknown };
  for (const header of Object.entries(headers ?? {}))
    try {
      // Note: the Headers class is the judge, so an unsendable header is an IamInputError before sending, not a TypeError
      // from inside fetch; its message is not kept, as it quotes the value (which may be a credential).
      new Headers([header]);
    } catch {
      found.push({ path: `${path ? `${path}.` : ""}headers.${header[0]}`, message: "cannot be sent as a header" });
    }
  return found;
}

/** `given` over `defaults`, leaving out fields given as undefined. */
export const settle = <T extends object>(defaults: T, given: Settable<T> | undefined): T => ({
  ...defaults,
  ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)),
});
