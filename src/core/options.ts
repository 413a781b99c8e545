// Settling options: a field given as undefined keeps its default; a value that cannot work becomes a problem named by its path.
import { MAX_TIMER_MS } from "./retry.js";
import type { Problem } from "./validate.js";

/** An options object whose fields may be given as undefined (to keep their defaults). */
export type Settable<T> = { [K in keyof T]?: T[K] | undefined };

/** The smallest value of each numeric option; whole numbers where `whole`. */
type Bounds<T> = { [K in keyof T]: { min: number; whole?: boolean } };

/** `given` over `defaults`, field by field; unknown fields and numbers out of range are added to `found`. */
export function settle<T extends object>(name: string, given: unknown, defaults: T, bounds: Bounds<T>, found: Problem[]): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  if (given !== undefined && (!given || typeof given !== "object"))
    found.push({ path: name, message: `must be an object (is ${given === null ? "null" : typeof given})` });
  else
    for (const [key, value] of Object.entries(given ?? {})) {
      const bound = (bounds as Record<string, { min: number; whole?: boolean }>)[key];
      if (!bound) found.push({ path: `${name}.${key}`, message: `is not an option (known: ${Object.keys(defaults).join(", ")})` });
      else if (value !== undefined && duration(value, `${name}.${key}`, found, bound)) out[key] = value;
    }
  return out as T;
}

/** Whether `value` is a usable number of milliseconds (or attempts); if not, a problem names `path`. */
export function duration(value: unknown, path: string, found: Problem[], { min, whole }: { min: number; whole?: boolean }): boolean {
  const ok =
    typeof value === "number" && Number.isFinite(value) && value >= min && value <= MAX_TIMER_MS && (!whole || Number.isInteger(value));
  if (!ok)
    found.push({
      path,
      message: `must be a finite ${whole ? "whole " : ""}number from ${min} to ${MAX_TIMER_MS} (is ${typeof value === "string" ? JSON.stringify(value) : String(value)})`,
    });
  return ok;
}

/** Whether `value` is an absolute http(s) URL; if not, a problem names `path`. */
export function url(value: unknown, path: string, found: Problem[]): void {
  if (value === undefined) return;
  let protocol = "";
  try {
    protocol = new URL(value as string).protocol;
  } catch {}
  if (typeof value !== "string" || !/^https?:$/.test(protocol))
    found.push({ path, message: `must be an absolute http(s) URL such as https://iam.api.cloud.yandex.net (is ${JSON.stringify(value)})` });
}

// Note: what the Headers class accepts (RFC 9110 token names, no CR, LF or NUL and no code point above 255 in values),
// checked here so that a bad header is an IamInputError before sending, not a TypeError from inside fetch.
const HEADER_NAME = /^[!#$%&'*+.^_`|~\w-]+$/;
const HEADER_VALUE = /^[^\0\r\n\u0100-\uffff]*$/;

/** Every header that cannot be sent, as problems under `path`. */
export function headers(value: unknown, path: string, found: Problem[]): void {
  if (value === undefined) return;
  if (!value || typeof value !== "object") return void found.push({ path, message: "must be an object of header names to strings" });
  for (const [name, text] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) found.push({ path: `${path}.${name}`, message: "is not a valid header name" });
    else if (typeof text !== "string" || !HEADER_VALUE.test(text))
      found.push({ path: `${path}.${name}`, message: "must be a string without line breaks, NUL or characters above U+00FF" });
  }
}
