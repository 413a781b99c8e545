// Reads the generated constraint table: every way a value breaks the contract, each with its path.
import type { Schema } from "../generated/contract.js";

/** One broken rule: where (`scopes[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

// Note: JSON Schema's `date-time` (RFC 3339): the shape here, the calendar by Date.parse;
// narrower rules, such as a range, come from the spec's patterns.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** Every problem of `value` against `schema`, depth first; `path` names where `value` sits. */
export function problems(schema: Schema, value: unknown, path = "", out: Problem[] = []): Problem[] {
  const add = (message: string, at = path) => out.push({ path: at || "(root)", message });
  const type = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
  const at = (key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (schema.type && schema.type !== type) {
    add(`must be ${/^[ai]/.test(schema.type) ? "an" : "a"} ${schema.type}, not ${type}`);
    return out;
  }
  const limit = (size: number, max: number | undefined, unit: string) =>
    max !== undefined && size > max && add(`must be at most ${max}${unit} (${unit ? "has" : "is"} ${size})`);
  if (type === "string") {
    const text = value as string;
    // Note: code points never outnumber UTF-16 units, so only a long string needs counting.
    if (text.length > (schema.maxLength ?? Infinity)) limit([...text].length, schema.maxLength, " characters");
    if (schema.format && !(DATE_TIME.test(text) && !Number.isNaN(Date.parse(text))))
      add("must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z");
    else if (schema.pattern && !schema.pattern.test(text))
      add(schema.patternHint ? `must be ${schema.patternHint}` : `must match ${schema.pattern.source}`);
  }
  if (type === "integer") {
    limit(value as number, schema.maximum, "");
    if ((value as number) < (schema.minimum ?? -Infinity)) add(`must be at least ${schema.minimum} (is ${value})`);
  }
  if (type === "array") {
    const items = value as unknown[];
    limit(items.length, schema.maxItems, " items");
    items.forEach((item, i) => {
      const first = schema.uniqueItems ? items.indexOf(item) : i;
      if (first < i) add(`repeats ${at(first)} (items must be unique)`, at(i));
      if (schema.items) problems(schema.items, item, at(i), out);
    });
  }
  if (type === "object") {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (object[key] === undefined) add("is required", at(key));
    for (const [key, v] of Object.entries(object)) {
      const sub = schema.properties?.[key];
      if (sub && v !== undefined) problems(sub, v, at(key), out);
      else if (!sub && schema.additionalProperties === false)
        add(`is not a known field (known: ${Object.keys(schema.properties ?? {}).join(", ")})`, at(key));
    }
  }
  return out;
}
