// Waiting for an Operation: poll getOperation until it is done, backing off to a cap, within a total time.
import { getOperation, type OperationId } from "../../generated/contract.js";
import {
  IamApiError,
  IamError,
  IamWaitError,
  IamWaitTimeoutError,
  OK,
  operationError,
  rejectBrokenAnswer,
  stillRunning,
} from "./errors.js";
import { ON_SENT, sleep } from "./retry.js";
import type { Call, CallOptions, Operation, Wait, WaitOptions } from "./types.js";
import { problems } from "./validate.js";

// Note: the types the resource modules import from here live in types.ts, which call.ts imports too.
export type { Operation, WaitOptions } from "./types.js";

/** How operations are polled. */
export interface PollingOptions {
  /** The first wait before asking again; each later wait doubles, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long to wait for `done` in all, before an IamWaitTimeoutError that names the operation. */
  maxWaitMs: number;
}

export const DEFAULT_POLLING: PollingOptions = { initialDelayMs: 100, maxDelayMs: 3_000, maxWaitMs: 300_000 };

/** Asks getOperation, backing off, until the operation is done, the deadline passes or the caller aborts. */
async function poll(
  call: Call,
  operation: Operation,
  polling: PollingOptions,
  name: OperationId,
  { signal, timeoutMs, headers }: WaitOptions,
  maxWaitMs: number,
  seen: boolean,
) {
  const { id } = operation;
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new IamWaitTimeoutError(name, `operation ${id} is not done after ${maxWaitMs} ms${stillRunning(id)}`, {
          operationId: id,
          outcomeUnknown: true,
        }),
      ),
    maxWaitMs,
  );
  // The requests the polls sent, every attempt of each (ON_SENT tells of each one).
  let polls = 0;
  // Note: each poll is a call of its own, with the caller's per-attempt time and headers.
  const callOptions: CallOptions = {
    signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
    timeoutMs,
    headers,
    [ON_SENT]: () => polls++,
  } as CallOptions;
  try {
    // Note: an operation known only by its id (operations.wait("…")) is read at once, then as any other.
    for (
      let delay = seen ? polling.initialDelayMs : 0;
      !operation.done;
      delay = Math.min(delay ? delay * 2 : polling.initialDelayMs, polling.maxDelayMs)
    ) {
      await sleep(delay, callOptions.signal);
      operation = await call(getOperation, { path: { operationId: id } }, callOptions);
    }
    return { operation, polls };
  } catch (e) {
    // Note: an operation known only by the caller's id that the server refuses to show (404: no such operation, 403) is
    // no change that may still finish: the refusal goes to the caller as it is.
    if (!seen && e instanceof IamApiError && e.status < 500 && !e.retryable) throw e;
    throw waitFailed(name, id, e, polls, signal?.aborted === true && e === signal.reason);
  } finally {
    clearTimeout(timer);
  }
}

/** How a wait that ended before the operation was done fails: always our error, with the operation that may still finish. */
function waitFailed(name: OperationId, id: string, cause: unknown, polls: number, byCaller: boolean): IamWaitError {
  // Note: the deadline's own error, and a wait that failed inside a wait, are already what the caller needs.
  const error =
    cause instanceof IamWaitError
      ? cause
      : new IamWaitError(
          name,
          `waiting for operation ${id} failed: ${cause instanceof IamError ? cause.message : byCaller ? "aborted by the caller" : "the poll failed (see cause)"}${stillRunning(id)}`,
          { operationId: id, outcomeUnknown: true },
          cause,
        );
  error.attempts = polls;
  return error;
}

/**
 * How the client waits: polls `operation` until done and returns it, its `response` checked against what `startedBy` declares.
 * A failed operation throws an IamOperationError; a wait that cannot go on (a poll's failure, the caller's abort, `maxWaitMs`
 * passed) an IamWaitError (IamWaitTimeoutError for the time) with the operation's id.
 */
export const waiter =
  (polling: PollingOptions): Wait =>
  async (call, startedBy, operation, options, seen = true) => {
    const { maxWaitMs = polling.maxWaitMs } = options;
    const { id } = operation;
    const name = startedBy.id;
    let polls = 0;
    if (!operation.done) ({ operation, polls } = await poll(call, operation, polling, name, options, maxWaitMs, seen));
    if (operation.error) throw Object.assign(operationError(name, id, operation.error), { attempts: polls });
    const { result } = startedBy;
    // Note: an Operation done when it came was checked whole with its call's 200 schema, whose response is `result` (an
    // allOf part); one that a poll brought came as getOperation's, whose response may be any message.
    const broken = !operation.response
      ? [{ path: "response", message: "is missing from a done operation without an error" }]
      : result && polls
        ? problems(result, operation.response, "response")
        : [];
    // Note: the change is done, but what it made cannot be read: the caller finds out with a get or a list.
    if (broken.length) rejectBrokenAnswer(name, OK, broken, `operation ${id}`, { outcomeUnknown: true, operationId: id, done: true });
    return operation;
  };
