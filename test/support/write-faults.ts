// The faults every write of a change is driven through (test/unit/fault-*.test.ts): drops before and after the server
// acts, each status the writes are retried on and each that may have acted (from the generated table), broken and late
// answers, time-outs, the caller's abort, failed operations and polls; each with the ending an honest client gives.

import { clientStatusesThatMayHaveActed, idempotentRetry, serverStatusesThatDidNotAct } from "../../generated/contract.ts";
import type { IamClientOptions } from "../../src/index.ts";
import type { OperationProgress } from "../../src/testing/index.ts";
import type { ChaosFault } from "./chaos.ts";

/** The client's retries in a drive: three attempts, no waits between them. */
export const RETRY = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };
const { maxAttempts } = RETRY;
/** The per-attempt time of a call where a fault makes an attempt time out; other calls get ample time. */
export const SHORT_MS = 60;
export const AMPLE_MS = 5_000;

/** How a call ended: resolved, or its error's class, outcome, whether it names its operation, attempts. */
export type Ending = "resolved" | { error: string; outcomeUnknown: boolean; operationId: boolean; attempts: number };
export const failed = (error: string, outcomeUnknown: boolean, operationId: boolean, attempts: number): Ending => ({
  error,
  outcomeUnknown,
  operationId,
  attempts,
});

/** A fault scenario: the faults in the order they meet requests (on the write's own request, or on a poll), and what it ends as. */
export interface Scenario {
  name: string;
  faults: ["write" | "poll", ChaosFault][];
  progress?: OperationProgress;
  client?: Partial<IamClientOptions>;
  timeoutMs?: number;
  maxWaitMs?: number;
  ending: Ending;
  /** The requests of the write itself that the client sent. */
  sent: number;
}

/** Every status the writes are retried on, and every status below 500 that may have acted, from the generated table. */
export const DRIVEN = [...new Set([...idempotentRetry.statuses, ...clientStatusesThatMayHaveActed])].sort();
export const mayHaveActed = (status: number) =>
  status >= 500 ? !serverStatusesThatDidNotAct.includes(status) : clientStatusesThatMayHaveActed.includes(status);

export const statusScenarios: Scenario[] = DRIVEN.flatMap((status) => {
  const retried = idempotentRetry.statuses.includes(status);
  const once: Scenario = {
    name: `HTTP ${status} once`,
    faults: [["write", { status }]],
    ending: retried ? "resolved" : failed("IamApiError", mayHaveActed(status), false, 1),
    sent: retried ? 2 : 1,
  };
  const always: Scenario = {
    name: `HTTP ${status} on every attempt`,
    faults: Array.from({ length: maxAttempts }, () => ["write", { status }] as ["write", ChaosFault]),
    ending: failed("IamApiError", mayHaveActed(status), false, maxAttempts),
    sent: maxAttempts,
  };
  return retried ? [once, always] : [once];
});

/** `fault` on each attempt of the write. */
const everyAttempt = (fault: ChaosFault): ["write", ChaosFault][] => Array.from({ length: maxAttempts }, () => ["write", fault]);
/** `fault` on each attempt of one poll. */
const everyPoll = (fault: ChaosFault): ["poll", ChaosFault][] => Array.from({ length: maxAttempts }, () => ["poll", fault]);

export const SCENARIOS: Scenario[] = [
  { name: "no fault", faults: [], ending: "resolved", sent: 1 },
  { name: "a drop before the server acts, once", faults: [["write", { drop: true }]], ending: "resolved", sent: 2 },
  {
    name: "a drop before the server acts, every attempt",
    faults: everyAttempt({ drop: true }),
    ending: failed("IamNetworkError", true, false, maxAttempts),
    sent: maxAttempts,
  },
  {
    name: "a drop after the server acted, once (the retry is answered the first Operation)",
    faults: [["write", { drop: "after" }]],
    ending: "resolved",
    sent: 2,
  },
  {
    name: "a drop after the server acted, every attempt",
    faults: everyAttempt({ drop: "after" }),
    ending: failed("IamNetworkError", true, false, maxAttempts),
    sent: maxAttempts,
  },
  {
    name: "a drop after the server acted, without retries",
    faults: [["write", { drop: "after" }]],
    client: { retry: false },
    ending: failed("IamNetworkError", true, false, 1),
    sent: 1,
  },
  ...statusScenarios,
  {
    name: "HTTP 429 with Retry-After, once",
    faults: [["write", { status: 429, retryAfter: "3600" }]],
    client: { retry: { ...RETRY, maxDelayMs: 20 } },
    ending: "resolved",
    sent: 2,
  },
  {
    name: "a gateway's 502 after the server acted, once",
    faults: [["write", { wire: "failed", status: 502 }]],
    ending: "resolved",
    sent: 2,
  },
  {
    name: "a gateway's 504 after the server acted, every attempt",
    faults: everyAttempt({ wire: "failed", status: 504 }),
    ending: failed("IamApiError", true, false, maxAttempts),
    sent: maxAttempts,
  },
  {
    name: "an answer that is not JSON",
    faults: [["write", { body: "not json", status: 200 }]],
    ending: failed("IamResponseError", true, false, 1),
    sent: 1,
  },
  {
    name: "an answer cut in half after the server acted",
    faults: [["write", { wire: "truncated" }]],
    ending: failed("IamResponseError", true, false, 1),
    sent: 1,
  },
  {
    name: "an Operation answer that breaks the contract but names its id",
    faults: [["write", { body: { id: "b1gbroken0operation1", done: "not yet" }, status: 200 }]],
    ending: failed("IamResponseError", true, true, 1),
    sent: 1,
  },
  { name: "an answer with a field a newer server sends", faults: [["write", { wire: "extra" }]], ending: "resolved", sent: 1 },
  {
    name: "the answer after timeoutMs, the server having acted, once",
    faults: [["write", { wire: "late" }]],
    timeoutMs: SHORT_MS,
    ending: "resolved",
    sent: 2,
  },
  {
    name: "no answer within timeoutMs, every attempt",
    faults: everyAttempt({ delayMs: 60_000 }),
    timeoutMs: SHORT_MS,
    ending: failed("IamTimeoutError", true, false, maxAttempts),
    sent: maxAttempts,
  },
  {
    name: "the caller's abort before the request reaches the server",
    faults: [["write", { wire: "abort before" }]],
    ending: failed("IamAbortError", true, false, 1),
    sent: 1,
  },
  {
    name: "the caller's abort after the server acted, before its answer",
    faults: [["write", { wire: "abort after" }]],
    ending: failed("IamAbortError", true, false, 1),
    sent: 1,
  },
  {
    name: "an operation that fails",
    faults: [],
    progress: { polls: 1, error: { code: 13, message: "Internal error" } },
    ending: failed("IamOperationError", false, true, 1),
    sent: 1,
  },
  {
    name: "an operation done in its first answer",
    faults: [],
    progress: { polls: 0 },
    ending: "resolved",
    sent: 1,
  },
  { name: "a poll dropped once", faults: [["poll", { drop: true }]], ending: "resolved", sent: 1 },
  { name: "a poll's 503 once", faults: [["poll", { status: 503 }]], ending: "resolved", sent: 1 },
  {
    name: "a poll that fails on every attempt",
    faults: everyPoll({ status: 503 }),
    ending: failed("IamWaitError", true, true, maxAttempts),
    sent: 1,
  },
  {
    name: "a poll answered with what is not JSON",
    faults: [["poll", { body: "not json", status: 200 }]],
    ending: failed("IamWaitError", true, true, 1),
    sent: 1,
  },
  {
    name: "a poll that hangs past maxWaitMs",
    faults: [["poll", { delayMs: 60_000 }]],
    maxWaitMs: SHORT_MS,
    ending: failed("IamWaitTimeoutError", true, true, 1),
    sent: 1,
  },
  {
    name: "the caller's abort mid-wait",
    faults: [["poll", { wire: "abort after" }]],
    ending: failed("IamWaitError", true, true, 1),
    sent: 1,
  },
];
