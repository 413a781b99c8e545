// The public face of yc-iam-api-keys: exports only.

export type { components, paths } from "../generated/schema.js";
export {
  type ApiKey,
  type CallOptions,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  createIamClient,
  DEFAULT_BASE_URL,
  type IamClient,
  type IamClientOptions,
  type ListApiKeysRequest,
  type ListApiKeysResponse,
} from "./client.js";
export {
  IamApiError,
  IamError,
  IamInputError,
  IamNetworkError,
  IamResponseError,
  IamTimeoutError,
  type Operation,
  type RequestSummary,
  type StatusDetail,
} from "./errors.js";
export type { Page } from "./paginate.js";
export type { RetryOptions } from "./retry.js";
export type { Problem } from "./validate.js";
