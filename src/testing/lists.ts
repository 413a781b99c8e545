// The fake's list answers, shared by every list handler: which items a list selects (a service account's, a folder's,
// Yandex's `<field>="…"` filter) and one page of them, by pageSize and pageToken, as answers.ts's `page` makes it.
import { failure, page, unknownAccount } from "./answers.js";
import type { Places } from "./data.js";
import type { PageQuery } from "./types.js";

/** One page of `items` in the order of their places in `order`, each found there by `keyOf` (its id, say). */
export const placedPage = <T>(field: string, items: Iterable<T>, order: Places, query: PageQuery, keyOf: (item: T) => string): Response =>
  page(field, [...items], query, (item) => order.of(keyOf(item)));

/** One page of a catalogue that never changes: an item's place is its place in the catalogue. */
export const cataloguePage = (field: string, items: readonly unknown[], query: PageQuery): Response =>
  page(field, items, query, (_, index) => index + 1);

/**
 * One page of a service account's resources, as a list with `serviceAccountId` answers (the caller's account when it is
 * absent): NOT_FOUND for an account the fake does not know.
 */
export function ownedPage<T extends { id: string; serviceAccountId?: string }>(
  field: string,
  items: Iterable<T>,
  order: Places,
  { query, subject }: { query: PageQuery & { serviceAccountId?: string }; subject: string },
  serviceAccounts: readonly string[],
): Response {
  const owner = query.serviceAccountId || subject;
  const owned = [...items].filter((item) => item.serviceAccountId === owner);
  return unknownAccount(serviceAccounts, owner) ?? placedPage(field, owned, order, query, (item) => item.id);
}

/**
 * What a list's `filter` keeps: every item when there is none; for `<field>="<value>"` on one of `fields` (the form Yandex's
 * lists take, and the one the fake models), the items whose field is that value; any other filter, an INVALID_ARGUMENT answer.
 */
export function filtered<T>(filter: string | undefined, fields: readonly (keyof T & string)[]): ((item: T) => boolean) | Response {
  const text = filter?.trim();
  if (!text) return () => true;
  const [, field, value] = /^(\w+)\s*=\s*"([^"]*)"$/.exec(text) ?? [];
  if (field && value !== undefined && fields.includes(field as keyof T & string)) return (item) => item[field as keyof T] === value;
  const forms = fields.map((name) => `${name}="…"`).join(" or ");
  return failure(3, `Request validation error: filter: only ${forms} is supported, not ${JSON.stringify(text)}`);
}

/** One page of a folder's resources narrowed by `filter` (`name="…"`), each answered as `view` gives it. */
export function folderPage<T extends { id: string; folderId?: string; name?: string }>(
  field: string,
  items: Iterable<T>,
  order: Places,
  query: PageQuery & { folderId?: string; filter?: string },
  view: (item: T) => T = (item) => item,
): Response {
  const named = filtered<T>(query.filter, ["name"]);
  if (named instanceof Response) return named;
  const found = [...items].filter((item) => item.folderId === query.folderId && named(item));
  return placedPage(field, found.map(view), order, query, (item) => item.id);
}
