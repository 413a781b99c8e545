// The lazy page walker: one request per page, only when the previous page is used up.

import type { components } from "../../generated/schema.js";
import { rejectBrokenAnswer } from "./errors.js";

const NO_HEADERS = { status: 200, headers: new Headers() };

import type { Row } from "./types.js";

/** The paging arguments of a list: how many items a page may hold (0 to 1000; 0 means 100), and where to go on. */
export interface PageRequest {
  pageSize?: components["parameters"]["PageSize"] | undefined;
  pageToken?: components["parameters"]["PageToken"] | undefined;
}

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
      rejectBrokenAnswer(id, NO_HEADERS, [{ path: "nextPageToken", message: "repeats an earlier page's token" }], `page ${page}`);
    seen.add((pageToken = next));
  }
}
