// Reads the generated constraint table: every way a value breaks the contract, each with its path.
import { checks, type Schema, schemas } from "../generated/contract.js";

/** One broken rule: where (`scopes[2]`) and what. */
export interface Problem {
  path: string;
  message: string;
}

// Note: JSON Schema's `date-time` (RFC 3339); narrower rules, such as a range, come from the spec's patterns.
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

const typeOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;

const fits = (type: string, v: unknown): boolean =>
  type === typeOf(v) || (type === "number" && typeof v === "number" && Number.isFinite(v));

/** Every problem of `value` against `schema`, depth first. */
export function problems(schema: Schema, value: unknown, path: string, out: Problem[] = []): Problem[] {
  if (schema.$ref) return problems(schemas[schema.$ref] as Schema, value, path, out);
  const add = (message: string) => out.push({ path: path || "(root)", message });
  if (schema.type && !fits(schema.type, value)) {
    add(`must be ${schema.type === "integer" || schema.type === "array" ? "an" : "a"} ${schema.type}, not ${typeOf(value)}`);
    return out;
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength)
      add(`must be at most ${schema.maxLength} characters (has ${length})`);
    if (schema.format === "date-time" && !DATE_TIME.test(value))
      add("must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z");
    else if (schema.pattern && !new RegExp(schema.pattern, "u").test(value))
      add(schema.patternHint ? `must be ${schema.patternHint}` : `must match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) add(`must be at least ${schema.minimum} (is ${value})`);
    if (schema.maximum !== undefined && value > schema.maximum) add(`must be at most ${schema.maximum} (is ${value})`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add(`must have at most ${schema.maxItems} items (has ${value.length})`);
    value.forEach((item, i) => {
      const first = value.indexOf(item);
      if (schema.uniqueItems && first < i) out.push({ path: `${path}[${i}]`, message: `repeats ${path}[${first}] (items must be unique)` });
      if (schema.items) problems(schema.items, item, `${path}[${i}]`, out);
    });
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    const at = (key: string) => (path ? `${path}.${key}` : key);
    for (const key of schema.required ?? []) if (object[key] === undefined) out.push({ path: at(key), message: "is required" });
    for (const [key, v] of Object.entries(object)) {
      const sub = schema.properties?.[key];
      if (v === undefined) continue;
      if (sub) problems(sub, v, at(key), out);
      else if (schema.additionalProperties === false)
        out.push({ path: at(key), message: `is not a known field (known: ${Object.keys(schema.properties ?? {}).join(", ")})` });
    }
  }
  return out;
}

/** Problems of `value` against one of the contract's checks. */
export const check = (name: keyof typeof checks, value: unknown): Problem[] => problems(checks[name], value, "");
