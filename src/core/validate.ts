// Reads the generated constraint table: every way a value breaks the contract, each with its path.
import type { Schema } from "../../generated/contract.js";

/** One broken rule: where (`scopes[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

// Note: JSON Schema's `date-time` (RFC 3339): the shape by the pattern, the day and the leap second by RFC 3339's own rules
// in plain arithmetic (Date.UTC reads the years 0 to 99 as 1900 to 1999, and V8's Date.parse takes 2027-02-29);
// narrower rules, such as a range, come from the spec's patterns. The year 0000 passes, as in RFC 3339's grammar
// (date-fullyear = 4DIGIT) and its leap-year rule (Appendix C); the document's own patterns say which years a field takes.
const DATE_TIME = /^\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

/** The days of `month` (1 to 12) in `year`: February has 29 in a leap year (every 4th, but not every 100th unless every 400th). */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by the digits of `text` from `start` to `end`. */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Whether `value` is an RFC 3339 timestamp on a day that exists; second 60 (a leap second) only in the day's last UTC minute. */
function isTimestamp(value: string): boolean {
  if (!DATE_TIME.test(value)) return false;
  // Note: the pattern fixed where each number sits: YYYY-MM-DDTHH:MM:SS, then the fraction and the zone (Z or ±HH:MM).
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(digits(value, 0, 4), month)) return false;
  if (digits(value, 17, 19) !== 60) return true;
  // Note: RFC 3339 §5.7: a leap second is added at the end of a UTC day, 23:59:60Z, which an offset shifts (02:59:60+03:00).
  const end = value.length;
  const sign = value[end - 6] === "+" ? 1 : value[end - 6] === "-" ? -1 : 0;
  const offset = sign * (digits(value, end - 5, end - 3) * 60 + digits(value, end - 2, end));
  const utcMinute = (((digits(value, 11, 13) * 60 + digits(value, 14, 16) - offset) % 1440) + 1440) % 1440;
  return utcMinute === 1439;
}

// Note: ECMAScript's date format has exactly 3 fractional digits; engines differ on more (Yandex writes 9), so the rest is cut first.
export const FRACTION = /(\.\d{3})\d+/;

const SURROGATE = /[\uD800-\uDFFF]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A schema's check: whether `value` fits; given `out`, every problem is added to it with its path, else the first one ends
 * the walk.
 */
type Check = (value: any, path: string, out?: Problem[]) => boolean;

// Note: each schema is compiled once into a closure that holds its own rules: a walk that read them from the table's
// objects, each of its own shape, would look up every keyword the slow way (a megamorphic load) at every value.
const compiled = new WeakMap<Schema, Check>();

/** Every problem of `value` against `schema`, depth first; `path` names where `value` sits. */
export function problems(schema: Schema, value: unknown, path = "", out: Problem[] = []): Problem[] {
  const check = checkOf(schema);
  // Note: a boolean walk first, which stops at the first problem and builds no path or message: a valid value (nearly
  // every call's arguments and answer) costs only that; the list is built by a second walk when something is wrong.
  if (!check(value, "")) check(value, path, out);
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

/** What is wrong with a size (a number, a length, a count), if anything: above `max` or below `min`. */
const sizeProblem = (size: number, max = Infinity, min = -Infinity, unit = "") =>
  size > max
    ? `must be at most ${counted(max, unit)} (${unit ? "has" : "is"} ${size})`
    : size < min
      ? `must be at least ${counted(min, unit)} (${unit ? "has" : "is"} ${size})`
      : undefined;

/** What is wrong with a string under `schema`'s string rules, if anything: one problem, its length before its shape. */
function stringRules({ minLength = 0, maxLength = Infinity, format, pattern, patternDescription }: Schema) {
  return (value: string): string | undefined => {
    // Note: limits count characters (code points), as the document says; only a string with a surrogate needs counting.
    const paired = SURROGATE.test(value);
    // Note: a lone surrogate cannot be sent (encodeURIComponent throws, JSON would carry U+FFFD).
    const lone = paired ? value.search(LONE_SURROGATE) : -1;
    if (lone >= 0) return `is not well-formed Unicode (a lone surrogate at index ${lone})`;
    const size = paired ? [...value].length : value.length;
    if (size > maxLength) return sizeProblem(size, maxLength, undefined, " characters");
    if (size < minLength) return value ? sizeProblem(size, undefined, minLength, " characters") : "must not be empty";
    if (format && !isTimestamp(value)) return "must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z";
    if (pattern && !pattern.test(value)) return patternDescription ? `must be ${patternDescription}` : `must match ${pattern.source}`;
  };
}

/** The check of `schema`, compiled on its first use. */
function checkOf(schema: Schema): Check {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = compileSchema(schema)));
  return check;
}

/** `schema` compiled into its check; the schemas it holds are compiled with it. */
function compileSchema(schema: Schema): Check {
  const { type, required, additionalProperties, maxProperties, propertyNames, uniqueItems, oneOf } = schema;
  const { minimum, maximum, minItems, maxItems, enum: allowed, const: constant } = schema;
  // Note: absent rather than empty where the schema has none, so a check skips them without reading an empty list.
  const parts = schema.allOf?.map(checkOf);
  const branches = oneOf?.map(checkOf);
  // Note: a Map, so a field named like an Object method (toString, constructor) is a field like any other.
  const properties = new Map(Object.entries(schema.properties ?? {}).map(([key, rule]) => [key, checkOf(rule)]));
  const known = `is not a known field (known: ${[...properties.keys()].join(", ") || "none"})`;
  const others = typeof additionalProperties === "object" ? checkOf(additionalProperties) : undefined;
  const items = schema.items && checkOf(schema.items);
  const text = stringRules(schema);
  const nameProblem = propertyNames && stringRules(propertyNames);
  // The object's own rules: `schema` without its oneOf.
  const { oneOf: _, ...ownRules } = schema;
  const own = branches && checkOf(ownRules);

  return (value, path, out) => {
    let ok = true;
    if (parts)
      for (const part of parts)
        if (!part(value, path, out)) {
          if (!out) return false;
          ok = false;
        }
    if (branches) {
      let passed = 0;
      for (const branch of branches) if (branch(value, "")) passed++;
      if (passed !== 1) {
        if (!out) return false;
        // Note: when the value has the required fields of exactly one branch, and the fields that branch pins to a const
        // or an enum (a discriminator, such as a subject's type) hold one of its values, that branch's problems say the most.
        const near = (oneOf as Schema[]).filter(
          (branch) =>
            branch.required?.every((key) => value?.[key] !== undefined) &&
            Object.entries(branch.properties ?? {}).every(
              ([key, rule]) =>
                (rule.const === undefined || value?.[key] === rule.const) && (!rule.enum || rule.enum.includes(value?.[key])),
            ),
        );
        if (passed === 0 && near.length === 1) ok = checkOf(near[0] as Schema)(value, path, out);
        // Note: no branch is near because the object's own rules fail (an unknown subject type): those name the problem below.
        else if (passed === 0 && !near.length && !(own as Check)(value, "")) ok = false;
        else
          ok = add(
            out,
            path,
            `must have exactly one of: ${(oneOf as Schema[]).map((branch) => branch.required?.join(" and ")).join(", ")}`,
          );
      }
    }
    // The value's JSON type, as JSON Schema names it.
    const kind = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
    const problem =
      constant !== undefined && value !== constant
        ? `must be ${JSON.stringify(constant)}`
        : allowed && !allowed.includes(value)
          ? `must be one of ${allowed.join(", ")}`
          : type && type !== kind
            ? type === "integer" && kind === "number"
              ? `must be a whole number, not ${value}`
              : `must be ${/^[aeio]/.test(type) ? "an" : "a"} ${type}, not ${kind}`
            : kind === "string"
              ? text(value)
              : kind === "integer"
                ? sizeProblem(value, maximum, minimum)
                : kind === "array"
                  ? sizeProblem(value.length, maxItems, minItems, " items")
                  : undefined;
    if (problem) {
      if (!out) return false;
      ok = add(out, path, problem);
      if (kind !== "array") return ok;
    }
    if (kind === "array")
      for (let i = 0; i < value.length; i++) {
        const at = out ? `${path}[${i}]` : "";
        const first = uniqueItems ? value.indexOf(value[i]) : i;
        if (first < i) {
          if (!out) return false;
          ok = add(out, at, `repeats ${path}[${first}] (items must be unique)`);
        }
        if (items && !items(value[i], at, out)) {
          if (!out) return false;
          ok = false;
        }
      }
    else if (kind === "object") {
      if (required)
        for (const key of required)
          if (value[key] === undefined) {
            if (!out) return false;
            ok = add(out, path ? `${path}.${key}` : key, "is required");
          }
      const keys = Object.keys(value);
      if (keys.length > (maxProperties ?? Infinity)) {
        if (!out) return false;
        ok = add(out, path, sizeProblem(keys.length, maxProperties, undefined, " entries") as string);
      }
      for (const key of keys) {
        // Note: a field the schema does not name is checked by additionalProperties when that is a schema (a map's values).
        const rule = properties.get(key) ?? others;
        const at = out ? (path ? `${path}.${key}` : key) : "";
        const name = nameProblem?.(key);
        if (name) {
          if (!out) return false;
          ok = add(out, at, `key ${name}`);
        }
        if (rule ? value[key] !== undefined && !rule(value[key], at, out) : additionalProperties === false) {
          if (!out) return false;
          ok = rule ? false : add(out, at, known);
        }
      }
    }
    return ok;
  };
}
