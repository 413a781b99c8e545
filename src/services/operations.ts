// The Operation service: get an operation, or wait until it is done.
import { getOperation } from "../../generated/contract.js";
import type { Call, CallOptions, Wait } from "../core/call.js";
import { rejectInvalid } from "../core/errors.js";
import { CALL_OPTIONS, optionProblems } from "../core/options.js";
import type { Operation, WaitOptions } from "../core/poll.js";
import type { Problem } from "../core/validate.js";

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

/** Makes `iam.operations` over the call loop and the client's way of waiting. */
export default function operationsResource(call: Call, wait: Wait): Operations {
  const get = (operationId: string, options?: CallOptions) => call(getOperation, { path: { operationId } }, options);
  return {
    get,
    async wait(operationOrId, options = {}) {
      // Note: JavaScript callers can pass anything (`delete(id, { wait: false })` resolves undefined when the key was already gone).
      const id = typeof operationOrId === "string" ? operationOrId : (operationOrId as Operation | undefined)?.id;
      const found: Problem[] = [];
      if (typeof id !== "string" || !id) found.push({ path: "operation", message: "must be an Operation or its id (a non-empty string)" });
      rejectInvalid(getOperation.id, optionProblems(CALL_OPTIONS, options, "options", found));
      // Note: an id is read within the wait (its time, headers, errors), not by a get of its own before it.
      if (typeof operationOrId === "string") return wait(call, getOperation, { id: operationOrId, done: false }, options, false);
      return wait(call, getOperation, operationOrId, options);
    },
  };
}
