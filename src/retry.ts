// Which failure may be retried for which operation, which leaves a create's outcome unknown, and how long to wait first.
import type { Operation } from "./errors.js";

/** Retry settings; `maxAttempts` counts the first attempt too. */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 10_000 };

// Note: create mints a credential, so it is retried only where the server cannot have acted.
const RETRY_STATUSES: Record<Operation, readonly number[]> = {
  createApiKey: [429, 503],
  listApiKeys: [429, 500, 502, 503, 504],
};

/** Whether `operation` may be retried after an HTTP `status`. */
export const retryableStatus = (operation: Operation, status: number): boolean => RETRY_STATUSES[operation].includes(status);

/** Whether a `create` that got this `status` may still have taken effect (the server failed somewhere after accepting it). */
export const outcomeUnknownStatus = (operation: Operation, status: number): boolean =>
  operation === "createApiKey" && [500, 502, 504].includes(status);

/** The wait before attempt `attempt + 1`: `Retry-After` (seconds or an HTTP date) if readable, else full jitter; never above `maxDelayMs`. */
export function delayMs(attempt: number, { baseDelayMs, maxDelayMs }: RetryOptions, retryAfter?: string | null, now = Date.now()): number {
  const value = String(retryAfter).trim();
  const at = /^\d+$/.test(value) ? now + Number(value) * 1000 : Date.parse(value);
  return Number.isNaN(at)
    ? Math.floor(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)))
    : Math.min(Math.max(0, at - now), maxDelayMs);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      signal?.aborted ? reject(signal.reason) : resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.aborted ? done() : signal?.addEventListener("abort", done);
  });
