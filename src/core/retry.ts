// How long to wait before the next attempt, and how attempts are counted. Which failure may be retried is each
// operation's retry class, in the document.

// Note: here, not in types.ts, which holds types only and so is no module to load at run time.
/** The internal option that is told of each request a call sends (a wait counts its polls' requests with it). */
export const ON_SENT: unique symbol = Symbol("onSent");

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
  // Note: an HTTP date has the time of day between spaces in each of its three forms (RFC 9110); Date.parse alone reads
  // nearly anything as a date ("1.5" is a day of 2001), which would send the next attempt at once.
  const at = /^\d+$/.test(value) ? now + Number(value) * 1000 : / \d\d:\d\d:\d\d /.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at)
    ? Math.floor(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)))
    : Math.min(Math.max(0, at - now), maxDelayMs);
}

/** The longest timer there is (about 24.8 days): a longer delay fires at once in every runtime. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// Note: Node's own, from its timers module where the runtime lends it (Node 20.16 on, Bun), which a test's fake timers
// never replace (they replace the global one), even when installed before this module loads (a setup file, Jest's
// `fakeTimers: { enableGlobally: true }`): the shared timer they would count and run for ever (runAllTimers throws,
// "Aborting after running 10000 timers"). Elsewhere the global one as found at import, so fake timers installed later
// never hold (or count, or run) it either.
const setIntervalAsFound: typeof setInterval =
  (
    globalThis as { process?: { getBuiltinModule?: (id: string) => { setInterval?: typeof setInterval } | undefined } }
  ).process?.getBuiltinModule?.("timers")?.setInterval ?? globalThis.setInterval;

/** The one timer that holds the process open while any attempt is in flight (made on the first), and how many are. */
let holder: { ref(): unknown; unref(): unknown } | undefined;
let inFlight = 0;

/**
 * Calls `end` after `ms` unless the function it returns is called first. While the attempt is in flight the process stays
 * open, whatever carries its request (a caller's fetch, a dispatcher, a token function), as with any timer; but its own
 * timer does not hold it: one shared timer does. Note: clearing a timer that holds the process makes Node delete its list
 * of timers of that length, which the next attempt's timer makes again (BENCHMARKS.md, costs inside a request).
 */
export function attemptTimer(end: () => void, ms: number): () => void {
  const timer = setTimeout(end, ms) as unknown as { unref?: () => unknown };
  // Note: a runtime whose timers cannot be let go of (a browser's, Deno's are numbers) keeps the attempt's own holding.
  if (typeof timer?.unref !== "function") return () => clearTimeout(timer as never);
  timer.unref();
  holder ??= setIntervalAsFound(() => {}, MAX_TIMER_MS) as unknown as typeof holder;
  if (inFlight++ === 0) holder?.ref();
  let cleared = false;
  return () => {
    if (cleared) return;
    cleared = true;
    clearTimeout(timer as never);
    if (--inFlight === 0) holder?.unref();
  };
}

/** What onAbort returns without a signal: one function for every call, not one made each time. */
const NOTHING_TO_FORGET = () => {};

/** The listeners of each signal that calls share, behind the one listener on the signal itself. */
const listening = new WeakMap<AbortSignal, { listeners: Set<() => void>; dispatch: () => void }>();

/**
 * Calls `listener` when `signal` aborts, until the function it returns is called. However many calls share a signal, it
 * holds one listener of ours (Node warns at 11, MaxListenersExceededWarning), removed once the last call is done.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return NOTHING_TO_FORGET;
  let entry = listening.get(signal);
  if (!entry) {
    const listeners = new Set<() => void>();
    const dispatch = () => {
      listening.delete(signal);
      for (const each of listeners) each();
    };
    entry = { listeners, dispatch };
    listening.set(signal, entry);
    signal.addEventListener("abort", dispatch, { once: true });
  }
  const { listeners, dispatch } = entry;
  // Note: a function of its own, so the same listener given twice is removed once each.
  const own = () => listener();
  listeners.add(own);
  return () => {
    listeners.delete(own);
    if (listeners.size || listening.get(signal)?.listeners !== listeners) return;
    listening.delete(signal);
    signal.removeEventListener("abort", dispatch);
  };
}

/** Waits `ms` (not at all for 0, NaN or less; at most MAX_TIMER_MS), or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    let forget = () => {};
    const done = () => {
      clearTimeout(timer);
      forget();
      signal?.aborted ? reject(signal.reason) : resolve();
    };
    // Note: no timer for no wait: Node clamps a 0 ms timer to 1 ms, which would dominate a fast poll.
    // `!(ms > 0)` rather than `ms <= 0`, so that NaN settles too.
    const wait = !(ms > 0) || signal?.aborted;
    const timer = wait ? undefined : setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    if (wait) done();
    else forget = onAbort(signal, done);
  });

/**
 * `work`, or `signal`'s reason once it aborts, whichever comes first. Note: for a fetch (or an answer's body) that may not
 * listen to its signal, such as a caller's own fetch: the time an attempt has then ends it all the same.
 */
export function raced<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let stop = () => {};
  const ended = new Promise<never>((_, reject) => {
    stop = onAbort(signal, () => reject(signal.reason));
  });
  return Promise.race([work, ended]).finally(stop);
}
