// Bodies as the caller gives them, made ready to check and send: Dates as timestamps, and an update's mask made of exactly the fields given.
import type { Schema } from "../../generated/contract.js";
import type { CallInput, Row } from "./types.js";
import type { Problem } from "./validate.js";

/** The media type of a form row's body (`row.form`: an OAuth endpoint's), as it is sent and as the fake reads it. */
export const FORM_TYPE = "application/x-www-form-urlencoded";

/** A form's text, its fields in order; a field given as undefined is left out (as JSON.stringify leaves it out), never sent as "undefined". */
export const formText = (fields: Record<string, unknown>): string =>
  new URLSearchParams(Object.entries(fields).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]]))).toString();

/** `body` with each Date the schema types as date-time turned into its ISO string; an invalid Date becomes a problem. */
export function dated(schema: Schema | undefined, body: unknown, found: Problem[]): unknown {
  if (!schema?.properties || !body || typeof body !== "object" || Array.isArray(body)) return body;
  let out: Record<string, unknown> | undefined;
  for (const key in body) {
    const value = (body as Record<string, unknown>)[key];
    if (!(value instanceof Date) || !schema.properties[key]?.format) continue;
    // Note: toJSON gives the ISO string, or null for an invalid Date; the caller's object is copied, never changed.
    out ??= { ...body };
    out[key] = value.toJSON() ?? undefined;
    if (!out[key]) found.push({ path: key, message: "is an invalid Date" });
  }
  return out ?? body;
}

/**
 * The body of an update: `updateMask` made of exactly the fields given, so a field the caller did not mention is never reset;
 * `null` resets a field (it goes into the mask, not the body) where the document says it can be reset (`x-yc-clearable`),
 * and is a problem elsewhere. No field at all is a problem naming the fields there are.
 */
export function masked<R extends Row>(row: R, changes: object | null | undefined): Pick<CallInput<R["id"]>, "body" | "problems"> {
  const given = Object.entries(changes ?? {}).filter(([, value]) => value !== undefined);
  const fields = Object.keys(row.body?.properties ?? {}).filter((key) => key !== "updateMask");
  const problems = given.length ? [] : [{ path: "(changes)", message: `must name a field to change (${fields.join(", ")})` }];
  // Note: a field the server cannot reset (scopes: 1 to 100; a name: its pattern) would be sent as a reset to its zero value.
  for (const [key, value] of given)
    if (value === null && fields.includes(key) && !row.body?.clearable?.includes(key))
      problems.push({ path: key, message: "cannot be reset (null): give it a value instead" });
  const body = Object.fromEntries([
    ...(given.length ? [["updateMask", given.map(([key]) => key).join(",")]] : []),
    ...given.filter(([, value]) => value !== null),
  ]);
  // Note: the body is checked against the row's schema before it is sent, so its type is the document's from here.
  return { body: body as NonNullable<CallInput<R["id"]>["body"]>, problems };
}
