// The one cache every token source shares: lazy (no timers between calls), fresh for an hour, refreshed ahead
// in the background, one exchange in flight, failures not cached, and the valid token served while a refresh fails.
import { IamTokenError, type TokenSourceName } from "../core/errors.js";
import { raced, sleep } from "../core/retry.js";
import type { TokenSource } from "../core/types.js";
import { FRACTION } from "../core/validate.js";

/** What an exchange gives: the token and when it expires (a Date, an RFC 3339 string or epoch milliseconds). */
export interface Credential {
  token: string;
  expiresAt: Date | string | number;
}

export interface CacheOptions {
  /** The clock, in epoch milliseconds; tests move it. */
  now?: () => number;
  /** The first wait before trying again after a failed exchange; it doubles up to 30 s. Default 1 s. */
  retryBackoffMs?: number;
  /** The name errors give the source. */
  name?: TokenSourceName;
}

const MINUTE = 60_000;
/** Yandex advises a new token about every hour… */
export const MAX_AGE_MS = 60 * MINUTE;
/** …and the industry refreshes 5 minutes before expiry (AWS SDK v3, Google's auth library). */
export const REFRESH_AHEAD_MS = 5 * MINUTE;
/** Under a minute left, a token is too close to expiry to hand out. */
export const MIN_VALID_MS = MINUTE;
const MAX_BACKOFF_MS = 30_000;

/** Wraps any exchange in the shared caching and refresh rules; `exchange` gets no caller's signal, as callers share it. */
export function cachedToken(exchange: () => Promise<Credential>, options: CacheOptions = {}): TokenSource {
  const { now = Date.now, retryBackoffMs = 1000, name = "cachedToken" } = options;
  let current: { token: string; expiresAt: number; obtainedAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  let failures = 0;
  let failedAt = 0;
  const retryAt = () => (failures ? failedAt + Math.min(MAX_BACKOFF_MS, retryBackoffMs * 2 ** (failures - 1)) : 0);

  async function run(): Promise<string> {
    // Note: after a failure the next exchange waits out a short backoff, so a dead endpoint is not hammered.
    const wait = retryAt() - now();
    if (wait > 0) await sleep(wait);
    try {
      const { token, expiresAt } = await exchange();
      const expires = new Date(typeof expiresAt === "string" ? expiresAt.replace(FRACTION, "$1") : expiresAt).getTime();
      if (typeof token !== "string" || !token || !Number.isFinite(expires))
        throw new IamTokenError(name, "the exchange gave no token or no readable expiry");
      current = { token, expiresAt: expires, obtainedAt: now() };
      failures = 0;
      return token;
    } catch (error) {
      failures++;
      failedAt = now();
      throw error;
    }
  }

  /** The one exchange in flight, started if there is none. */
  function refresh(): Promise<string> {
    if (inflight) return inflight;
    const started = run();
    inflight = started;
    const clear = () => {
      if (inflight === started) inflight = undefined;
    };
    started.then(clear, clear);
    return started;
  }

  return async ({ forceRefresh = false, signal } = {}) => {
    signal?.throwIfAborted();
    const t = now();
    if (current && !forceRefresh) {
      const left = current.expiresAt - t;
      if (t - current.obtainedAt < MAX_AGE_MS && left > REFRESH_AHEAD_MS) return current.token;
      if (left > MIN_VALID_MS) {
        // Note: still valid: the caller does not wait; one refresh runs behind it (not during a failure's backoff).
        if (!inflight && t >= retryAt()) refresh().catch(() => {});
        return current.token;
      }
    }
    // Note: a caller's abort rejects that caller only; the shared exchange goes on for the others.
    return signal ? raced(refresh(), signal) : refresh();
  };
}
