// The lazy page walker: one request per page, only when the previous page is used up.

import { IamResponseError } from "./errors.js";
import type { Row } from "./types.js";

/** A page as a list method returns it: the items under their own name (`apiKeys`, `scopes`…), and the next token. */
export type Page<T, K extends string = "apiKeys"> = { [key in K]: T[] } & { nextPageToken?: string | undefined };

/** Yields every item of every page of `list` (its items field is the row's `x-yc-pagination`); stops on an absent or empty token and fails on a repeated one. */
export async function* paginate<K extends string, T>(
  list: Row & { items: K },
  fetchPage: (pageToken?: string) => Promise<Page<T, K>>,
  pageToken?: string,
): AsyncGenerator<T, void, undefined> {
  const { id, items } = list;
  const seen = new Set([pageToken]);
  for (let page = 1; ; page++) {
    const body = await fetchPage(pageToken);
    yield* body[items];
    const next = body.nextPageToken;
    if (!next) return;
    // Note: a server that repeats a token would loop forever; better to fail loudly.
    if (seen.has(next))
      throw new IamResponseError(id, `the server broke paging: page ${page} repeats an earlier nextPageToken`, {
        status: 200,
        problems: [{ path: "nextPageToken", message: "repeats an earlier page's token" }],
        outcomeUnknown: false,
      });
    seen.add((pageToken = next));
  }
}
