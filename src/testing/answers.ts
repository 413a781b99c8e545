// The fake's answers on the wire, shared by the router and every service: JSON with the real API's headers,
// errors as a `google.rpc.Status`, and pages behind opaque tokens.
import { pageOffset, pageToken } from "./data.js";

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
/** The gRPC code of an HTTP status, for injected faults. */
export const CODE_BY_STATUS: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  500: 13,
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

/** An error answer whose body is a Status with a RequestInfo detail. */
export function failure(code: number, message: string, headers?: Record<string, string>): Response {
  const requestId = crypto.randomUUID();
  return answer(
    STATUS_BY_CODE[code] ?? 500,
    { code, message, details: [{ "@type": `${TYPE}google.rpc.RequestInfo`, requestId }] },
    { "x-request-id": requestId, ...headers },
  );
}

/** One page of `items` under `field`, from an opaque token. */
export function page<T>(field: string, items: T[], query: { pageSize?: number; pageToken?: string }): Response {
  const start = query.pageToken ? pageOffset(query.pageToken) : 0;
  if (start === undefined) return failure(3, "Request validation error: pageToken: invalid page token");
  const size = query.pageSize || 100;
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? pageToken(start + size) : undefined;
  return answer(200, { ...(slice.length && { [field]: slice }), ...(next && { nextPageToken: next }) });
}

/** NOT_FOUND for a service account the fake does not know; undefined for one it does. */
export const unknownAccount = (serviceAccounts: readonly string[], serviceAccountId: string): Response | undefined =>
  serviceAccounts.includes(serviceAccountId) ? undefined : failure(5, `Service account ${serviceAccountId} not found`);
