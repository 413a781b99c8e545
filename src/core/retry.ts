// How long to wait before the next attempt. Which failure may be retried is each operation's retry class, in the document.

/** Retry settings; `maxAttempts` counts the first attempt too. */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 10_000 };

/** The wait before attempt `attempt + 1`: `Retry-After` (seconds or an HTTP date) if readable, else full jitter; never above `maxDelayMs`. */
export function delayMs(attempt: number, { baseDelayMs, maxDelayMs }: RetryOptions, retryAfter?: string | null, now = Date.now()): number {
  const value = String(retryAfter).trim();
  const at = /^\d+$/.test(value) ? now + Number(value) * 1000 : Date.parse(value);
  return Number.isNaN(at)
    ? Math.floor(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)))
    : Math.min(Math.max(0, at - now), maxDelayMs);
}

/** The longest timer there is (about 24.8 days): a longer delay fires at once in every runtime. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` (not at all for 0, NaN or less; at most MAX_TIMER_MS), or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      signal?.aborted ? reject(signal.reason) : resolve();
    };
    // Note: no timer for no wait: Node clamps a 0 ms timer to 1 ms, which would dominate a fast poll.
    // `!(ms > 0)` rather than `ms <= 0`, so that NaN settles too.
    const wait = !(ms > 0) || signal?.aborted;
    const timer = wait ? undefined : setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    wait ? done() : signal?.addEventListener("abort", done);
  });
