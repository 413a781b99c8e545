// The public face of yc-iam-api-keys: exports only.

export type { OperationId } from "../generated/contract.js";
export type { components, paths } from "../generated/schema.js";
export { createIamClient, DEFAULT_BASE_URL, type IamClient, type IamClientOptions, type TokenSource } from "./client.js";
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
export type {
  AccessKey,
  AccessKeyChanges,
  AccessKeys,
  CreateAccessKeyRequest,
  CreateAccessKeyResponse,
  DeleteAccessKeyOperation,
  ListAccessKeyOperationsResponse,
  ListAccessKeysRequest,
  ListAccessKeysResponse,
  UpdateAccessKeyOperation,
} from "./services/access-keys.js";
export type {
  ApiKey,
  ApiKeyChanges,
  ApiKeys,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  DeleteApiKeyOperation,
  ListApiKeyOperationsResponse,
  ListApiKeyScopesResponse,
  ListApiKeysRequest,
  ListApiKeysResponse,
  UpdateApiKeyOperation,
} from "./services/api-keys.js";
export {
  type CreateKeyRequest,
  type CreateKeyResponse,
  type DeleteKeyOperation,
  type Key,
  type KeyAlgorithm,
  type KeyChanges,
  type KeyFile,
  type Keys,
  keyFile,
  type ListKeyOperationsResponse,
  type ListKeysRequest,
  type ListKeysResponse,
  type UpdateKeyOperation,
} from "./services/keys.js";
export type { Operations } from "./services/operations.js";
export type {
  AccessBinding,
  AccessBindingDelta,
  AccessBindingDeltaInput,
  AccessBindingInput,
  AccessBindingsOperation,
  CreateServiceAccountOperation,
  CreateServiceAccountRequest,
  DeleteServiceAccountOperation,
  Deltas,
  ListAccessBindingsResponse,
  ListServiceAccountOperationsResponse,
  ListServiceAccountsRequest,
  ListServiceAccountsResponse,
  ReactivateServiceAccountOperation,
  ServiceAccount,
  ServiceAccountChanges,
  ServiceAccounts,
  SetAccessBindingsOptions,
  Subject,
  SubjectInput,
  SuspendOptions,
  SuspendServiceAccountOperation,
  UpdateServiceAccountOperation,
} from "./services/service-accounts.js";
