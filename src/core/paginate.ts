// The lazy page walker: one request per page, only when the previous page is used up.
import type { components } from "../../generated/schema.js";
import { type IamError, OK, rejectBrokenAnswer } from "./errors.js";
import type { Answer, Call, CallInput, CallOptions, Row } from "./types.js";

/** The paging arguments of a list: how many items a page may hold (0 to 1000; 0 means 100), and where to go on. */
export interface PageRequest {
  pageSize?: components["parameters"]["PageSize"] | undefined;
  pageToken?: components["parameters"]["PageToken"] | undefined;
}

/** A page as a list method returns it: the items under their own name (`apiKeys`, `scopes`…), and the next token. */
export type Page<T, K extends string = "apiKeys"> = { [key in K]: T[] } & { nextPageToken?: string | undefined };

/** An item of the list `R`. */
type Item<R extends Row & { items: string }> =
  NonNullable<Answer<R["id"]>[R["items"] & keyof Answer<R["id"]>]> extends (infer T)[] ? T : never;

/**
 * Every item of every page of the list `row` (its items field is the row's `x-yc-pagination`), sent through `call` with each
 * next pageToken, a page only when the previous one is used up; stops on an absent or empty token, fails on a repeated one.
 */
export async function* pages<R extends Row & { items: string }>(
  call: Call,
  row: R,
  input: CallInput<R["id"]>,
  options?: CallOptions,
): AsyncGenerator<Item<R>, void, undefined> {
  const query = (input.query ?? {}) as PageRequest;
  let { pageToken } = query;
  const seen = new Set([pageToken]);
  for (let page = 1; ; page++) {
    // Note: the casts of paging: a list row takes a pageToken, and its answer holds its items under the row's own field.
    const body = (await call(
      row,
      { ...input, query: { ...query, pageToken } as unknown as NonNullable<typeof input.query> },
      options,
    )) as Record<string, unknown>;
    yield* body[row.items] as Item<R>[];
    const next = body.nextPageToken as string | undefined;
    if (!next) return;
    // Note: a server that repeats a token would loop forever; better to fail loudly.
    if (seen.has(next))
      try {
        rejectBrokenAnswer(row.id, OK, [{ path: "nextPageToken", message: "repeats an earlier page's token" }], `page ${page}`);
      } catch (error) {
        // Note: the walk sent a request per page (each call's own retries aside).
        throw Object.assign(error as IamError, { attempts: page });
      }
    seen.add((pageToken = next));
  }
}
