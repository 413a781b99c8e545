// The ApiKey service: thin typed methods over the core; what each call may do is in the operations table.
import {
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeyOperations,
  listApiKeyScopes,
  listApiKeys,
  updateApiKey,
} from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import { masked } from "../core/body.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { type Page, type PageRequest, pages } from "../core/paginate.js";
import type { Operation } from "../core/poll.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/** A timestamp argument: a Date or an RFC 3339 string. */
type Timestamp = Date | string;

export interface ApiKey extends Schema<"ApiKey"> {}
export type CreateApiKeyRequest = Loose<Omit<components["schemas"]["CreateApiKeyRequest"], "expiresAt">> & {
  /** When the key expires: a Date or an RFC 3339 string. Absent: never. */
  expiresAt?: Timestamp | undefined;
};
export interface CreateApiKeyResponse extends Schema<"CreateApiKeyResponse"> {}
export type ListApiKeysRequest = Loose<NonNullable<operations["listApiKeys"]["parameters"]["query"]>>;
export type ListApiKeysResponse = Page<ApiKey, "apiKeys">;
/** The fields to change; a field left out keeps its value, `null` resets it (`expiresAt: null`: the key never expires). */
export interface ApiKeyChanges {
  description?: string | null | undefined;
  /** 1 to 100 unique scopes; they cannot be reset (an update takes at least one). */
  scopes?: string[] | undefined;
  expiresAt?: Timestamp | null | undefined;
}
export interface UpdateApiKeyOperation extends Schema<"UpdateApiKeyOperation"> {}
export interface DeleteApiKeyOperation extends Schema<"DeleteApiKeyOperation"> {}
export type ListApiKeyOperationsResponse = Page<Operation, "operations">;
export type ListApiKeyScopesResponse = Page<string, "scopes">;

/** `iam.apiKeys`: the ApiKey service. */
export interface ApiKeys {
  /** Creates an API key; the answer holds its secret, shown only once. A create with an unknown outcome is not retried. */
  create(request?: CreateApiKeyRequest, options?: CallOptions): Promise<CreateApiKeyResponse>;
  /** The API key with this id. */
  get(apiKeyId: string, options?: CallOptions): Promise<ApiKey>;
  /** One page of API keys (of the token's service account unless `serviceAccountId` is given); `apiKeys` is always an array. */
  list(request?: ListApiKeysRequest, options?: CallOptions): Promise<ListApiKeysResponse>;
  /** Every API key, page by page; a page is fetched only when the previous one is used up. */
  listAll(request?: ListApiKeysRequest, options?: CallOptions): AsyncGenerator<ApiKey, void, undefined>;
  /**
   * Changes only the fields given (the update mask is made of them); `null` resets a field.
   * Resolves with the updated key once the operation is done, or with the Operation at once with `wait: false`.
   */
  update<W extends boolean = true>(
    apiKeyId: string,
    changes: ApiKeyChanges,
    options?: ChangeOptions<W>,
  ): Promise<Changed<UpdateApiKeyOperation, ApiKey, W>>;
  /**
   * Deletes the key; resolves once the operation is done. With `wait: false`, resolves with the Operation at once,
   * or with undefined when a retry found the key already gone (there is no operation to wait for then).
   */
  delete<W extends boolean = true>(
    apiKeyId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteApiKeyOperation, undefined, W> | undefined>;
  /** One page of the key's operations; `operations` is always an array. */
  listOperations(apiKeyId: string, request?: PageRequest, options?: CallOptions): Promise<ListApiKeyOperationsResponse>;
  /** Every operation of the key, page by page. */
  listAllOperations(apiKeyId: string, request?: PageRequest, options?: CallOptions): AsyncGenerator<Operation, void, undefined>;
  /** One page of the scopes a key can have; `scopes` is always an array. */
  listScopes(request?: PageRequest, options?: CallOptions): Promise<ListApiKeyScopesResponse>;
  /** Every scope a key can have, page by page. */
  listAllScopes(request?: PageRequest, options?: CallOptions): AsyncGenerator<string, void, undefined>;
}

/** Makes `iam.apiKeys` over the call loop. */
export default function apiKeysResource(call: Call): ApiKeys {
  const apiKeys: ApiKeys = {
    create: (request = {}, options) => call(createApiKey, { body: request }, options),
    get: (apiKeyId, options) => call(getApiKey, { path: { apiKeyId } }, options),
    list: (request = {}, options) => call(listApiKeys, { query: request }, options),
    listAll: (request = {}, options) => pages(call, listApiKeys, { query: request }, options),
    update: (apiKeyId, changes, options) => call(updateApiKey, { path: { apiKeyId }, ...masked(updateApiKey, changes) }, options),
    delete: (apiKeyId, options) => call(deleteApiKey, { path: { apiKeyId } }, options),
    listOperations: (apiKeyId, request = {}, options) => call(listApiKeyOperations, { path: { apiKeyId }, query: request }, options),
    listAllOperations: (apiKeyId, request = {}, options) =>
      pages(call, listApiKeyOperations, { path: { apiKeyId }, query: request }, options),
    listScopes: (request = {}, options) => call(listApiKeyScopes, { query: request }, options),
    listAllScopes: (request = {}, options) => pages(call, listApiKeyScopes, { query: request }, options),
  };
  return apiKeys;
}
