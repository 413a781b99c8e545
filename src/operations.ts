// The Operation service: get an operation, or wait until it is done.
import { getOperation } from "../generated/contract.js";
import type { Call, CallOptions } from "./core/call.js";
import { type Operation, type PollingOptions, type WaitOptions, waitFor } from "./core/poll.js";

/** `iam.operations`: thin typed methods over the core. */
export function operationsResource(call: Call, polling: PollingOptions) {
  /** The operation with this id, as it is now. */
  const get = (operationId: string, options?: CallOptions): Promise<Operation> =>
    call(getOperation, { path: { operationId } }, options) as Promise<Operation>;

  return {
    get,

    /** Polls until the operation is done and returns it; throws IamOperationError if it failed, IamTimeoutError if time runs out. */
    async wait(operationOrId: Operation | string, options: WaitOptions = {}): Promise<Operation> {
      const operation = typeof operationOrId === "string" ? await get(operationOrId, { signal: options.signal }) : operationOrId;
      return waitFor(call, getOperation, operation, polling, options);
    },
  };
}
