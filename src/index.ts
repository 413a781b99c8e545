// The public face of yc-iam-api-keys: exports only.

export type { OperationId } from "../generated/contract.js";
export type { components, paths } from "../generated/schema.js";
export { createIamClient, DEFAULT_BASE_URL, type IamClient, type IamClientOptions, type TokenSource } from "./client.js";
export type {
  AccessBinding,
  AccessBindingDelta,
  AccessBindingDeltaInput,
  AccessBindingInput,
  AccessBindings,
  AccessBindingsOperation,
  Deltas,
  ListAccessBindingsResponse,
  SetAccessBindingsOptions,
  Subject,
  SubjectInput,
} from "./core/access-bindings.js";
export type { CallOptions, ChangeOptions } from "./core/call.js";
export {
  IamAbortError,
  IamApiError,
  IamError,
  IamInputError,
  IamNetworkError,
  IamOperationError,
  IamResponseError,
  IamTimeoutError,
  IamTokenError,
  IamWaitError,
  IamWaitTimeoutError,
  type RequestSummary,
  type StatusDetail,
} from "./core/errors.js";
export type { Page, PageRequest } from "./core/paginate.js";
export type { Operation, PollingOptions, WaitOptions } from "./core/poll.js";
export type { RetryOptions } from "./core/retry.js";
export type { Answer, Changed, Loose, Result, Unwrapped, Waited } from "./core/types.js";
export type { Problem } from "./core/validate.js";
// Note: every service module's named exports (its types, `keyFile`); the factories are default exports, so they stay private.
export * from "./services/index.js";
