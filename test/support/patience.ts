// How long a test gives an attempt where it needs a loopback server's answer, or its headers, to come within the attempt's
// time: ample on a 2-core machine loaded by `npm test`, where 50 ms was not (a retry's answer came late once).
export const ANSWERS_WITHIN_MS = 500;
