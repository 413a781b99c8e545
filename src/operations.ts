// The Operation service: get an operation, or wait until it is done.
import { getOperation } from "../generated/contract.js";
import type { Call, CallOptions } from "./core/call.js";
import { rejectInvalid } from "./core/errors.js";
import { type Operation, type PollingOptions, type WaitOptions, waitFor } from "./core/poll.js";

/** `iam.operations`: the Operation service. */
export interface Operations {
  /** The operation with this id, as it is now. */
  get(operationId: string, options?: CallOptions): Promise<Operation>;
  /**
   * Polls until the operation is done and returns it; throws an IamOperationError if it failed,
   * an IamWaitTimeoutError (with `operationId`) after `maxWaitMs`.
   */
  wait(operationOrId: Operation | string, options?: WaitOptions): Promise<Operation>;
}

/** Makes `iam.operations` over the call loop. */
export function operationsResource(call: Call, polling: PollingOptions): Operations {
  const get = (operationId: string, options?: CallOptions): Promise<Operation> =>
    call(getOperation, { path: { operationId } }, options) as Promise<Operation>;

  return {
    get,

    async wait(operationOrId: Operation | string, options: WaitOptions = {}): Promise<Operation> {
      // Note: JavaScript callers can pass anything (`delete(id, { wait: false })` resolves undefined when the key was already gone).
      const id = typeof operationOrId === "string" ? operationOrId : (operationOrId as Operation | undefined)?.id;
      if (typeof id !== "string" || !id)
        rejectInvalid("getOperation", [{ path: "operation", message: "must be an Operation or its id (a non-empty string)" }]);
      const operation = typeof operationOrId === "string" ? await get(operationOrId, { signal: options.signal }) : operationOrId;
      return waitFor(call, getOperation, operation, polling, options);
    },
  };
}
