// The fake's answers on the wire, shared by the router and every service: JSON with the real API's headers,
// errors as a `google.rpc.Status`, and pages behind opaque tokens.
import { pageAfter, pageToken } from "./data.js";

/** A `google.rpc.Status`. */
export type FakeStatus = { code: number; message: string };

/**
 * The HTTP status of each of the 17 gRPC codes, as Yandex's REST gateway answers them (grpc-gateway's
 * HTTPStatusFromCode); a code outside them answers 500, as the gateway does.
 */
export const STATUS_BY_CODE: Readonly<Record<number, number>> = {
  0: 200, // OK
  1: 499, // CANCELLED
  2: 500, // UNKNOWN
  3: 400, // INVALID_ARGUMENT
  4: 504, // DEADLINE_EXCEEDED
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED
  11: 400, // OUT_OF_RANGE
  12: 501, // UNIMPLEMENTED
  13: 500, // INTERNAL
  14: 503, // UNAVAILABLE
  15: 500, // DATA_LOSS
  16: 401, // UNAUTHENTICATED
};
/**
 * The gRPC code of an HTTP status, for injected faults: a code the gateway answers with that status (the plainest where
 * several share it: 400, 409, 500); 502, which no code is answered with, as UNAVAILABLE.
 */
export const CODE_BY_STATUS: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  499: 1,
  500: 13,
  501: 12,
  502: 14,
  503: 14,
  504: 4,
};
/** The prefix of an `@type` in Any messages. */
export const TYPE = "type.googleapis.com/";

/** An answer: a JSON body with the headers every answer of the real API has. */
export function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return raw(status, JSON.stringify(body), headers);
}

/** An answer whose body is `text` as it is (null: none), with the headers every answer of the real API has. */
export function raw(status: number, text: string | null, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: {
      "content-type": "application/json",
      "x-request-id": crypto.randomUUID(),
      "x-server-trace-id": crypto.randomUUID().replace(/-/g, "").slice(0, 16),
      ...headers,
    },
  });
}

/** The error answer of a Status a service words once (its NOT_FOUND, which an Operation that fails later gives too). */
export const failureOf = ({ code, message }: FakeStatus): Response => failure(code, message);

/** An error answer whose body is a Status with a RequestInfo detail. */
export function failure(code: number, message: string, headers?: Record<string, string>): Response {
  const requestId = crypto.randomUUID();
  return answer(
    STATUS_BY_CODE[code] ?? 500,
    { code, message, details: [{ "@type": `${TYPE}google.rpc.RequestInfo`, requestId }] },
    { "x-request-id": requestId, ...headers },
  );
}

/**
 * One page of `items` under `field`: the items after the one the token names (by `placeOf`, their place in the list),
 * in the order of their places. A token the fake did not make is refused, as Yandex refuses it.
 */
export function page<T>(
  field: string,
  items: readonly T[],
  query: { pageSize?: number; pageToken?: string },
  placeOf: (item: T, index: number) => number,
): Response {
  const after = query.pageToken ? pageAfter(query.pageToken) : 0;
  if (after === undefined) return failure(3, "Request validation error: pageToken: invalid page token");
  const size = query.pageSize || 100;
  const placed = items.map((item, index) => ({ item, place: placeOf(item, index) })).sort((a, b) => a.place - b.place);
  const rest = placed.filter(({ place }) => place > after);
  const slice = rest.slice(0, size);
  const last = slice[slice.length - 1];
  const next = rest.length > size && last ? pageToken(last.place) : undefined;
  return answer(200, {
    ...(slice.length && { [field]: slice.map(({ item }) => item) }),
    ...(next && { nextPageToken: next }),
  });
}

/**
 * An OAuth error answer (RFC 6749 §5.2), as an OAuth endpoint (the token exchange) refuses: `error`, its code
 * (`invalid_request`, `invalid_target`…), and `error_description`, the words, which never quote the request's token.
 */
export const oauthFailure = (status: number, error: string, description: string): Response =>
  answer(status, { error, error_description: description });

/** NOT_FOUND for a service account the fake does not know; undefined for one it does. */
export const unknownAccount = (serviceAccounts: readonly string[], serviceAccountId: string): Response | undefined =>
  serviceAccounts.includes(serviceAccountId) ? undefined : failure(5, `Service account ${serviceAccountId} not found`);
