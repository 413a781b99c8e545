// The lazy page walker: one request per page, only when the previous page is used up.
import { IamError } from "./errors.js";

/** A page as `list` returns it. */
export interface Page<T> {
  apiKeys: T[];
  nextPageToken?: string;
}

/** Yields every item of every page; stops on an absent or empty token and fails on a repeated one. */
export async function* paginate<T>(
  fetchPage: (pageToken?: string) => Promise<Page<T>>,
  pageToken?: string,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set([pageToken]);
  for (let page = 1; ; page++) {
    const { apiKeys, nextPageToken } = await fetchPage(pageToken);
    yield* apiKeys;
    if (!nextPageToken) return;
    // Note: a server that repeats a token would loop forever; better to fail loudly.
    if (seen.has(nextPageToken)) throw new IamError("listApiKeys", `the server repeated a nextPageToken after page ${page}`);
    seen.add((pageToken = nextPageToken));
  }
}
