// Waiting for an Operation: poll getOperation until it is done, backing off to a cap, within a total time.
import { getOperation, type OperationId } from "../../generated/contract.js";
import type { components } from "../../generated/schema.js";
import type { Call, CallOptions, Wait } from "./call.js";
import { IamWaitTimeoutError, OK, operationError, rejectBrokenAnswer } from "./errors.js";
import { sleep } from "./retry.js";
import { problems } from "./validate.js";

/** A long-running operation, as update, delete and getOperation answer it. */
export type Operation = components["schemas"]["Operation"];

/** How operations are polled. */
export interface PollingOptions {
  /** The first wait before asking again; each later wait doubles, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long to wait for `done` in all, before an IamWaitTimeoutError that names the operation. */
  maxWaitMs: number;
}

export const DEFAULT_POLLING: PollingOptions = { initialDelayMs: 100, maxDelayMs: 3_000, maxWaitMs: 300_000 };

/** Options of one wait. */
export interface WaitOptions extends CallOptions {
  /** The total time to wait; overrides the client's `polling.maxWaitMs`. `timeoutMs` and `headers` apply to each poll. */
  maxWaitMs?: number | undefined;
}

/** Asks getOperation, backing off, until the operation is done, the deadline passes or the caller aborts. */
async function poll(
  call: Call,
  operation: Operation,
  polling: PollingOptions,
  name: OperationId,
  { signal, timeoutMs, headers }: WaitOptions,
  maxWaitMs: number,
) {
  const { id } = operation;
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new IamWaitTimeoutError(name, `operation ${id} is not done after ${maxWaitMs} ms; look again later with operations.wait("${id}")`, {
          operationId: id,
        }),
      ),
    maxWaitMs,
  );
  // Note: each poll is a call of its own, with the caller's per-attempt time and headers.
  const callOptions: CallOptions = { signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal, timeoutMs, headers };
  try {
    for (let delay = polling.initialDelayMs; !operation.done; delay = Math.min(delay * 2, polling.maxDelayMs)) {
      await sleep(delay, callOptions.signal);
      operation = await call(getOperation, { path: { operationId: id } }, callOptions);
    }
    return operation;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How the client waits: polls `operation` until done and returns it, its `response` checked against what `startedBy` declares.
 * A failed operation throws an IamOperationError; running out of time (`maxWaitMs`), an IamWaitTimeoutError with the operation's id.
 */
export const waiter =
  (polling: PollingOptions): Wait =>
  async (call, startedBy, operation, options) => {
    const { maxWaitMs = polling.maxWaitMs } = options;
    const { id } = operation;
    const name = startedBy.id;
    if (!operation.done) operation = await poll(call, operation, polling, name, options, maxWaitMs);
    if (operation.error) throw operationError(name, id, operation.error);
    const { result } = startedBy;
    const broken = !operation.response
      ? [{ path: "response", message: "is missing from a done operation without an error" }]
      : result
        ? problems(result, operation.response, "response")
        : [];
    rejectBrokenAnswer(name, OK, broken, `operation ${id}`);
    return operation;
  };
