// A clock a test moves by hand, far from the real one (2031), so an expiry counted on the real clock would be found out.

/** `now()` in epoch ms, which moves only by `advance(ms)`. */
export function manualClock(start = Date.parse("2031-03-04T00:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}
