// Reads the generated constraint table: every way a value breaks the contract, each with its path.
import type { Schema } from "../../generated/contract.js";

/** One broken rule: where (`scopes[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

// Note: JSON Schema's `date-time` (RFC 3339): the shape here, the calendar by Date.parse;
// narrower rules, such as a range, come from the spec's patterns.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
// Note: ECMAScript's date format has exactly 3 fractional digits; engines differ on more (Yandex writes 9), so the rest is cut first.
export const FRACTION = /(\.\d{3})\d+/;

const SURROGATE = /[\uD800-\uDFFF]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every problem of `value` against `schema`, depth first; `path` names where `value` sits. */
export function problems(schema: Schema, value: any, path = "", out: Problem[] = []): Problem[] {
  const add = (message: string, at = path) => out.push({ path: at || "(root)", message });
  const at = (key: string) => (path ? `${path}.${key}` : key);
  const over = (size: number, max = Infinity, unit = "") =>
    size > max && add(`must be at most ${max}${unit} (${unit ? "has" : "is"} ${size})`);
  const under = (size: number, min = -Infinity, unit = "") =>
    size < min && add(`must be at least ${min}${unit} (${unit ? "has" : "is"} ${size})`);
  const type = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  for (const part of schema.all ?? []) problems(part, value, path, out);
  if (schema.one) {
    const found = schema.one.map((branch) => problems(branch, value, path));
    const passed = found.filter((list) => !list.length).length;
    // Note: when the value has the required fields of exactly one branch, that branch's problems say the most.
    const near = schema.one.filter((branch) => branch.r?.every((key) => value?.[key] !== undefined));
    if (passed !== 1 && near.length === 1 && passed === 0) out.push(...(found[schema.one.indexOf(near[0] as Schema)] ?? []));
    else if (passed !== 1) add(`must have exactly one of: ${schema.one.map((branch) => branch.r?.join(" and ")).join(", ")}`);
  }
  if (schema.c !== undefined && value !== schema.c) add(`must be ${JSON.stringify(schema.c)}`);
  else if (schema.e && !schema.e.includes(value)) add(`must be one of ${schema.e.join(", ")}`);
  else if (schema.t && schema.t !== type) add(`must be ${/^[ai]/.test(schema.t) ? "an" : "a"} ${schema.t}, not ${type}`);
  else if (type === "string") {
    // Note: limits count characters (code points), as the document says; only a string with a surrogate needs counting.
    // A string of the wrong length gets that one problem; its shape is checked once the length is right.
    const paired = SURROGATE.test(value);
    const size = paired ? [...value].length : value.length;
    const lone = paired ? value.search(LONE_SURROGATE) : -1;
    // Note: a lone surrogate cannot be sent (encodeURIComponent throws, JSON would carry U+FFFD).
    if (lone >= 0) add(`is not well-formed Unicode (a lone surrogate at index ${lone})`);
    else if (size > (schema.l ?? Infinity)) over(size, schema.l, " characters");
    else if (size < (schema.ml ?? 0)) add(value ? `must be at least ${schema.ml} characters (has ${size})` : "must not be empty");
    else if (schema.f && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(FRACTION, "$1")))))
      add("must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z");
    else if (schema.re && !schema.re.test(value)) add(schema.hint ? `must be ${schema.hint}` : `must match ${schema.re.source}`);
  } else if (type === "integer") {
    over(value, schema.hi);
    under(value, schema.lo);
  } else if (type === "array") {
    over(value.length, schema.n, " items");
    under(value.length, schema.mn, " items");
    value.forEach((item: unknown, i: number) => {
      const first = schema.u ? value.indexOf(item) : i;
      if (first < i) add(`repeats ${path}[${first}]`, `${path}[${i}]`);
      if (schema.i) problems(schema.i, item, `${path}[${i}]`, out);
    });
  } else if (type === "object") {
    for (const key of schema.r ?? []) if (value[key] === undefined) add("is required", at(key));
    for (const key of Object.keys(value)) {
      const sub = schema.p?.[key];
      if (sub && value[key] !== undefined) problems(sub, value[key], at(key), out);
      else if (!sub && schema.a === false)
        add(`is not a known field (known: ${Object.keys(schema.p ?? {}).join(", ") || "none"})`, at(key));
    }
  }
  return out;
}
