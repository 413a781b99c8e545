// The ApiKey service: thin typed methods over the core; what each call may do is in the operations table.
import {
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeyOperations,
  listApiKeyScopes,
  listApiKeys,
  updateApiKey,
} from "../generated/contract.js";
import type { components, paths } from "../generated/schema.js";
import type { Call, CallOptions } from "./core/call.js";
import { type Page, paginate } from "./core/paginate.js";
import { type Operation, type PollingOptions, waitFor } from "./core/poll.js";
import type { Problem } from "./core/validate.js";

/** Optional fields may also be given as `undefined` (e.g. `pageToken: page.nextPageToken`). */
type Loose<T> = { [K in keyof T]?: T[K] | undefined };
/** A timestamp argument: a Date or an RFC 3339 string. */
type Timestamp = Date | string;

export type ApiKey = components["schemas"]["ApiKey"];
export type CreateApiKeyRequest = Loose<Omit<components["schemas"]["CreateApiKeyRequest"], "expiresAt">> & {
  /** When the key expires: a Date or an RFC 3339 string. Absent: never. */
  expiresAt?: Timestamp | undefined;
};
export type CreateApiKeyResponse = components["schemas"]["CreateApiKeyResponse"];
export type ListApiKeysRequest = Loose<NonNullable<paths["/iam/v1/apiKeys"]["get"]["parameters"]["query"]>>;
export type ListApiKeysResponse = Page<ApiKey, "apiKeys">;
/** The fields to change; a field left out keeps its value, `null` resets it (`expiresAt: null`: the key never expires). */
export interface ApiKeyChanges {
  description?: string | null | undefined;
  /** 1 to 100 unique scopes. */
  scopes?: string[] | null | undefined;
  expiresAt?: Timestamp | null | undefined;
}
export type UpdateApiKeyOperation = components["schemas"]["UpdateApiKeyOperation"];
export type DeleteApiKeyOperation = components["schemas"]["DeleteApiKeyOperation"];
/** Paging of listOperations and listScopes. */
export type PageRequest = Loose<NonNullable<paths["/iam/v1/apiKeyScopes"]["get"]["parameters"]["query"]>>;
export type ListApiKeyOperationsResponse = Page<Operation, "operations">;
export type ListApiKeyScopesResponse = Page<string, "scopes">;

/** Options of update and delete: `wait: false` resolves with the Operation as soon as it is accepted. */
export interface ChangeOptions<W extends boolean> extends CallOptions {
  wait?: W | undefined;
}

/** A Date as its ISO string; an invalid Date becomes a problem instead. */
function timestamp(value: unknown, path: string, found: Problem[]): unknown {
  if (!(value instanceof Date)) return value;
  // Note: toJSON gives the ISO string, or null for an invalid Date.
  const text = value.toJSON();
  if (!text) found.push({ path, message: "is an invalid Date" });
  return text ?? undefined;
}

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
  ): Promise<W extends false ? UpdateApiKeyOperation : ApiKey>;
  /**
   * Deletes the key; resolves once the operation is done. With `wait: false`, resolves with the Operation at once,
   * or with undefined when a retry found the key already gone (there is no operation to wait for then).
   */
  delete<W extends boolean = true>(
    apiKeyId: string,
    options?: ChangeOptions<W>,
  ): Promise<W extends false ? DeleteApiKeyOperation | undefined : void>;
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
export function apiKeysResource(call: Call, polling: PollingOptions): ApiKeys {
  /** Sends update or delete, then waits for its Operation unless told not to. */
  async function change(
    started: Promise<unknown>,
    startedBy: typeof updateApiKey | typeof deleteApiKey,
    options: ChangeOptions<boolean> = {},
  ) {
    const operation = (await started) as Operation | undefined;
    if (!operation || options.wait === false) return operation;
    return waitFor(call, startedBy, operation, polling, { signal: options.signal });
  }

  const apiKeys: ApiKeys = {
    create(request: CreateApiKeyRequest = {}, options?: CallOptions): Promise<CreateApiKeyResponse> {
      const found: Problem[] = [];
      const date = (request as { expiresAt?: unknown } | null)?.expiresAt;
      const body = date instanceof Date ? { ...request, expiresAt: timestamp(date, "expiresAt", found) } : request;
      return call(createApiKey, { body, problems: found }, options) as Promise<CreateApiKeyResponse>;
    },

    get: (apiKeyId: string, options?: CallOptions): Promise<ApiKey> => call(getApiKey, { path: { apiKeyId } }, options) as Promise<ApiKey>,

    list: (request: ListApiKeysRequest = {}, options?: CallOptions): Promise<ListApiKeysResponse> =>
      call(listApiKeys, { query: request }, options) as Promise<ListApiKeysResponse>,

    listAll: (request: ListApiKeysRequest = {}, options?: CallOptions): AsyncGenerator<ApiKey, void, undefined> =>
      paginate(listApiKeys, (pageToken) => apiKeys.list({ ...request, pageToken }, options), request.pageToken),

    async update<W extends boolean = true>(
      apiKeyId: string,
      changes: ApiKeyChanges,
      options?: ChangeOptions<W>,
    ): Promise<W extends false ? UpdateApiKeyOperation : ApiKey> {
      const found: Problem[] = [];
      const given = Object.entries(changes ?? {}).filter(([, value]) => value !== undefined);
      if (!given.length) found.push({ path: "(changes)", message: "name no field to change (description, scopes, expiresAt)" });
      // Note: always an explicit mask, so a field the caller did not mention is never reset; null goes into the mask only.
      const body = Object.fromEntries([
        ...(given.length ? [["updateMask", given.map(([key]) => key).join(",")]] : []),
        ...given.filter(([, value]) => value !== null).map(([key, value]) => [key, timestamp(value, key, found)]),
      ]);
      const done = await change(call(updateApiKey, { path: { apiKeyId }, body, problems: found }, options), updateApiKey, options);
      if (options?.wait === false) return done as never;
      const { "@type": _, ...key } = (done as UpdateApiKeyOperation).response as components["schemas"]["ApiKeyAny"];
      return key as never;
    },

    async delete<W extends boolean = true>(
      apiKeyId: string,
      options?: ChangeOptions<W>,
    ): Promise<W extends false ? DeleteApiKeyOperation | undefined : void> {
      const operation = await change(call(deleteApiKey, { path: { apiKeyId } }, options), deleteApiKey, options);
      return (options?.wait === false ? operation : undefined) as never;
    },

    listOperations: (apiKeyId: string, request: PageRequest = {}, options?: CallOptions): Promise<ListApiKeyOperationsResponse> =>
      call(listApiKeyOperations, { path: { apiKeyId }, query: request }, options) as Promise<ListApiKeyOperationsResponse>,

    listAllOperations: (apiKeyId: string, request: PageRequest = {}, options?: CallOptions): AsyncGenerator<Operation, void, undefined> =>
      paginate(
        listApiKeyOperations,
        (pageToken) => apiKeys.listOperations(apiKeyId, { ...request, pageToken }, options),
        request.pageToken,
      ),

    listScopes: (request: PageRequest = {}, options?: CallOptions): Promise<ListApiKeyScopesResponse> =>
      call(listApiKeyScopes, { query: request }, options) as Promise<ListApiKeyScopesResponse>,

    listAllScopes: (request: PageRequest = {}, options?: CallOptions): AsyncGenerator<string, void, undefined> =>
      paginate(listApiKeyScopes, (pageToken) => apiKeys.listScopes({ ...request, pageToken }, options), request.pageToken),
  };
  return apiKeys;
}
