// The faults the fake plays instead of answering (`fake.failNext`): what each one is, whether it can be played, and its answer.
import { answer, CODE_BY_STATUS, failure, raw } from "./answers.js";

/** What the next calls do instead of answering normally. */
export type Fault =
  /** An error with its Status body (`retryAfter` adds `Retry-After`): the HTTP `status`, the gRPC `code` (answered with the status Yandex's gateway gives it: `{ code: 1 }` is 499), or both. */
  | { status: number; code?: number; message?: string; retryAfter?: string }
  | { code: number; status?: number; message?: string; retryAfter?: string }
  /** The connection drops: the client sees a network error. `true`: before the server acts; `"after"`: the call is handled and its effect stays (a key is created, an Operation finishes unpolled), then its answer is lost. */
  | { drop: true | "after" }
  /** The answer comes this much later (then as usual). */
  | { delayMs: number }
  /** This body whatever the contract says: a string as it is (raw text: not JSON, cut short), anything else as JSON; not with a status that has no body (204, 205, 304). */
  | { body: unknown; status?: number };

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (as fetch does), leaving no timer behind. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}

/** The statuses whose answer cannot have a body (the Fetch standard's null body statuses a Response can have). */
const NO_BODY = [204, 205, 304];

/** Why a fault cannot be played (a status a Response cannot have, a body on a status without one); undefined if it can. */
export function faultProblem(fault: Fault): string | undefined {
  if ("drop" in fault && fault.drop !== true && fault.drop !== "after")
    return `drop must be true (before the server acts) or "after" (once it has), not ${JSON.stringify(fault.drop)}`;
  if ("code" in fault && fault.code !== undefined && !(Number.isInteger(fault.code) && fault.code >= 1))
    return `code must be a whole number from 1 (0 is OK, not a fault), not ${fault.code}`;
  const status = "status" in fault ? fault.status : undefined;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599))
    return `status must be a whole number from 200 to 599, not ${status}`;
  const hasBody = "body" in fault ? fault.body !== undefined : status !== undefined;
  if (status !== undefined && hasBody && NO_BODY.includes(status))
    return `an HTTP ${status} answer has no body; give a body with another status, or { body: undefined, status: ${status} }`;
  return undefined;
}

/** The network error of a dropped connection, as fetch gives it. */
export const dropped = () => new TypeError("fetch failed", { cause: new Error("socket hang up (a fault of the fake)") });

/** The answer a fault gives instead of the handler's; undefined for a delay or a drop after the call, after which the call goes on. */
export function faultAnswer(fault: Fault): Response | undefined {
  if ("drop" in fault && fault.drop !== "after") throw dropped();
  // Note: a string goes as it is, so a test can send what is not JSON at all, or JSON cut short.
  if ("body" in fault && typeof fault.body === "string") return raw(fault.status ?? 200, fault.body);
  if ("body" in fault) return fault.body === undefined ? raw(fault.status ?? 200, null) : answer(fault.status ?? 200, fault.body);
  if ("status" in fault || "code" in fault) {
    const code = fault.code ?? (fault.status === undefined ? undefined : CODE_BY_STATUS[fault.status]) ?? 2;
    const response = failure(
      code,
      fault.message ?? `Injected fault: ${fault.status !== undefined ? `HTTP ${fault.status}` : `gRPC code ${code}`}`,
      fault.retryAfter ? { "retry-after": fault.retryAfter } : {},
    );
    return new Response(response.body, { status: fault.status ?? response.status, headers: response.headers });
  }
  return undefined;
}
