// The Operation service: get an operation, or wait until it is done.
import { getOperation } from "../generated/contract.js";
import type { Call, CallOptions } from "./core/call.js";
import { type Operation, type PollingOptions, type WaitOptions, waitFor } from "./core/poll.js";

/** `iam.operations`: thin typed methods over the core. */
export function operationsResource(call: Call, polling: PollingOptions) {
  return {
    /** The operation with this id, as it is now. */
    get: (operationId: string, options?: CallOptions): Promise<Operation> =>
      call(getOperation, { path: { operationId } }, options) as Promise<Operation>,

    /** Polls until the operation is done and returns it; throws IamOperationError if it failed, IamTimeoutError if time runs out. */
    async wait(operationOrId: Operation | string, options: WaitOptions = {}): Promise<Operation> {
      const operation =
        typeof operationOrId === "string"
          ? ((await call(getOperation, { path: { operationId: operationOrId } }, { signal: options.signal })) as Operation)
          : operationOrId;
      return waitFor(call, getOperation, operation, polling, options);
    },
  };
}
