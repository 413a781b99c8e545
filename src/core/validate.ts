// Reads the generated constraint table: every way a value breaks the contract, each with its path.
import type { Schema } from "../../generated/contract.js";

/** One broken rule: where (`scopes[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

// Note: JSON Schema's `date-time` (RFC 3339): the shape by the pattern, the day and the leap second by RFC 3339's own rules
// in plain arithmetic (Date.UTC reads the years 0 to 99 as 1900 to 1999, and V8's Date.parse takes 2027-02-29);
// narrower rules, such as a range, come from the spec's patterns.
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d):(?:[0-5]\d|(60))(?:\.\d+)?(?:Z|([+-])([01]\d|2[0-3]):([0-5]\d))$/i;

/** The days of `month` (1 to 12) in `year`: February has 29 in a leap year (every 4th, but not every 100th unless every 400th). */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether `value` is an RFC 3339 timestamp on a day that exists; second 60 (a leap second) only in the day's last UTC minute. */
function isTimestamp(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, leap, sign, offsetHours, offsetMinutes] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysIn(Number(year), Number(month))) return false;
  if (!leap) return true;
  // Note: RFC 3339 §5.7: a leap second is added at the end of a UTC day, 23:59:60Z, which an offset shifts (02:59:60+03:00).
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) : 0;
  const utcMinute = (((Number(hour) * 60 + Number(minute) - offset) % 1440) + 1440) % 1440;
  return utcMinute === 1439;
}

// Note: ECMAScript's date format has exactly 3 fractional digits; engines differ on more (Yandex writes 9), so the rest is cut first.
export const FRACTION = /(\.\d{3})\d+/;

const SURROGATE = /[\uD800-\uDFFF]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every problem of `value` against `schema`, depth first; `path` names where `value` sits. */
export function problems(schema: Schema, value: unknown, path = "", out: Problem[] = []): Problem[] {
  // Note: a boolean walk first, which stops at the first problem and builds no path or message: a valid value (nearly
  // every call's arguments and answer) costs only that; the list is built by a second walk when something is wrong.
  if (!fits(schema, value, "")) fits(schema, value, path, out);
  return out;
}

/** Adds a problem; false, for `ok = add(…)`. */
const add = (out: Problem[], path: string, message: string): false => {
  out.push({ path: path || "(root)", message });
  return false;
};

/** Each unit a size is counted in, in the singular, for a count of one ("1 item"). */
const SINGULAR: Record<string, string> = { " items": " item", " characters": " character", " entries": " entry" };

/** `count` with its unit (" items"), in the singular for one. */
const counted = (count: number, unit: string) => `${count}${count === 1 ? (SINGULAR[unit] ?? unit) : unit}`;

const sizeProblem = (size: number, max = Infinity, min = -Infinity, unit = "") =>
  size > max
    ? `must be at most ${counted(max, unit)} (${unit ? "has" : "is"} ${size})`
    : size < min
      ? `must be at least ${counted(min, unit)} (${unit ? "has" : "is"} ${size})`
      : undefined;

/** What is wrong with a string, if anything: one problem, its length before its shape. */
function stringProblem(schema: Schema, value: string): string | undefined {
  // Note: limits count characters (code points), as the document says; only a string with a surrogate needs counting.
  const paired = SURROGATE.test(value);
  const size = paired ? [...value].length : value.length;
  // Note: a lone surrogate cannot be sent (encodeURIComponent throws, JSON would carry U+FFFD).
  if (paired && LONE_SURROGATE.test(value)) return "is not well-formed Unicode (it has a lone surrogate)";
  if (size > (schema.l ?? Infinity)) return sizeProblem(size, schema.l, undefined, " characters");
  if (size < (schema.ml ?? 0)) return value ? sizeProblem(size, undefined, schema.ml, " characters") : "must not be empty";
  if (schema.f && !isTimestamp(value)) return "must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z";
  if (schema.re && !schema.re.test(value)) return schema.hint ? `must be ${schema.hint}` : `must match ${schema.re.source}`;
}

/** `schema` without its oneOf: the object's own rules. */
function withoutOneOf({ one: _, ...own }: Schema): Schema {
  return own;
}

/** Whether `value` fits `schema`; given `out`, every problem is added to it with its path, else the first one ends the walk. */
function fits(schema: Schema, value: any, path: string, out?: Problem[]): boolean {
  let ok = true;
  if (schema.all)
    for (const part of schema.all)
      if (!fits(part, value, path, out)) {
        if (!out) return false;
        ok = false;
      }
  if (schema.one) {
    let passed = 0;
    for (const branch of schema.one) if (fits(branch, value, "")) passed++;
    if (passed !== 1) {
      if (!out) return false;
      // Note: when the value has the required fields of exactly one branch, and the fields that branch pins to a const or an
      // enum (a discriminator, such as a subject's type) hold one of its values, that branch's problems say the most.
      const near = schema.one.filter(
        (branch) =>
          branch.r?.every((key) => value?.[key] !== undefined) &&
          Object.entries(branch.p ?? {}).every(
            ([key, rule]) => (rule.c === undefined || value?.[key] === rule.c) && (!rule.e || rule.e.includes(value?.[key])),
          ),
      );
      if (passed === 0 && near.length === 1) ok = fits(near[0] as Schema, value, path, out);
      // Note: no branch is near because the object's own rules fail (an unknown subject type): those name the problem below.
      else if (passed === 0 && !near.length && !fits(withoutOneOf(schema), value, "")) ok = false;
      else ok = add(out, path, `must have exactly one of: ${schema.one.map((branch) => branch.r?.join(" and ")).join(", ")}`);
    }
  }
  const type = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  const problem =
    schema.c !== undefined && value !== schema.c
      ? `must be ${JSON.stringify(schema.c)}`
      : schema.e && !schema.e.includes(value)
        ? `must be one of ${schema.e.join(", ")}`
        : schema.t && schema.t !== type
          ? schema.t === "integer" && type === "number"
            ? `must be a whole number, not ${value}`
            : `must be ${/^[aeio]/.test(schema.t) ? "an" : "a"} ${schema.t}, not ${type}`
          : type === "string"
            ? stringProblem(schema, value)
            : type === "integer"
              ? sizeProblem(value, schema.hi, schema.lo)
              : type === "array"
                ? sizeProblem(value.length, schema.n, schema.mn, " items")
                : undefined;
  if (problem) {
    if (!out) return false;
    ok = add(out, path, problem);
    if (type !== "array") return ok;
  }
  if (type === "array")
    for (let i = 0; i < value.length; i++) {
      const at = out ? `${path}[${i}]` : "";
      const first = schema.u ? value.indexOf(value[i]) : i;
      if (first < i) {
        if (!out) return false;
        ok = add(out, at, `repeats ${path}[${first}]`);
      }
      if (schema.i && !fits(schema.i, value[i], at, out)) {
        if (!out) return false;
        ok = false;
      }
    }
  else if (type === "object") {
    for (const key of schema.r ?? [])
      if (value[key] === undefined) {
        if (!out) return false;
        ok = add(out, path ? `${path}.${key}` : key, "is required");
      }
    const keys = Object.keys(value);
    if (keys.length > (schema.np ?? Infinity)) {
      if (!out) return false;
      ok = add(out, path, sizeProblem(keys.length, schema.np, undefined, " entries") as string);
    }
    for (const key of keys) {
      // Note: a field the schema does not name is checked by additionalProperties when that is a schema (a map's values).
      const sub = schema.p?.[key] ?? (typeof schema.a === "object" ? schema.a : undefined);
      const at = out ? (path ? `${path}.${key}` : key) : "";
      const name = schema.k && stringProblem(schema.k, key);
      if (name) {
        if (!out) return false;
        ok = add(out, at, `key ${name}`);
      }
      if (sub ? value[key] !== undefined && !fits(sub, value[key], at, out) : schema.a === false) {
        if (!out) return false;
        ok = sub ? false : add(out, at, `is not a known field (known: ${Object.keys(schema.p ?? {}).join(", ") || "none"})`);
      }
    }
  }
  return ok;
}
