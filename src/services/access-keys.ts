// The AccessKey service (static AWS-compatible keys): thin typed methods over the core.
import {
  createAccessKey,
  deleteAccessKey,
  getAccessKey,
  listAccessKeyOperations,
  listAccessKeys,
  updateAccessKey,
} from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import { masked } from "../core/body.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { type Page, type PageRequest, pages } from "../core/paginate.js";
import type { Operation } from "../core/poll.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/**
 * A static access key for Object Storage, Message Queue, Data Streams, Postbox and the YDB document API.
 * `id` (`aje…`) names it in this API; `keyId` is the AWS access key ID those services take with the secret.
 */
export interface AccessKey extends Schema<"AccessKey"> {}
export type CreateAccessKeyRequest = Loose<components["schemas"]["CreateAccessKeyRequest"]>;
/** `accessKey` and `secret` (the AWS secret access key): shown only here, once; store it at once. */
export interface CreateAccessKeyResponse extends Schema<"CreateAccessKeyResponse"> {}
export type ListAccessKeysRequest = Loose<NonNullable<operations["listAccessKeys"]["parameters"]["query"]>>;
export type ListAccessKeysResponse = Page<AccessKey, "accessKeys">;
/** The fields to change; only `description` can change (`null` clears it). */
export interface AccessKeyChanges {
  description?: string | null | undefined;
}
export interface UpdateAccessKeyOperation extends Schema<"UpdateAccessKeyOperation"> {}
export interface DeleteAccessKeyOperation extends Schema<"DeleteAccessKeyOperation"> {}
export type ListAccessKeyOperationsResponse = Page<Operation, "operations">;

/**
 * `iam.accessKeys`: the AccessKey service. Every `accessKeyId` argument is the key's `id` (`aje…`), never its AWS `keyId`.
 */
export interface AccessKeys {
  /** Creates a static key; the answer holds its secret, shown only once. A create with an unknown outcome is not retried. */
  create(request?: CreateAccessKeyRequest, options?: CallOptions): Promise<CreateAccessKeyResponse>;
  /** The key whose `id` is `accessKeyId` (not its AWS `keyId`). */
  get(accessKeyId: string, options?: CallOptions): Promise<AccessKey>;
  /** One page of keys (of the token's service account unless `serviceAccountId` is given); `accessKeys` is always an array. */
  list(request?: ListAccessKeysRequest, options?: CallOptions): Promise<ListAccessKeysResponse>;
  /** Every key, page by page; a page is fetched only when the previous one is used up. */
  listAll(request?: ListAccessKeysRequest, options?: CallOptions): AsyncGenerator<AccessKey, void, undefined>;
  /** Changes the description (the update mask is made of the fields given); resolves with the key once done, or the Operation with `wait: false`. */
  update<W extends boolean = true>(
    accessKeyId: string,
    changes: AccessKeyChanges,
    options?: ChangeOptions<W>,
  ): Promise<Changed<UpdateAccessKeyOperation, AccessKey, W>>;
  /** Deletes the key; resolves once done (the Operation with `wait: false`; undefined when a retry found it gone). */
  delete<W extends boolean = true>(
    accessKeyId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteAccessKeyOperation, undefined, W> | undefined>;
  /** One page of the key's operations; `operations` is always an array. */
  listOperations(accessKeyId: string, request?: PageRequest, options?: CallOptions): Promise<ListAccessKeyOperationsResponse>;
  /** Every operation of the key, page by page. */
  listAllOperations(accessKeyId: string, request?: PageRequest, options?: CallOptions): AsyncGenerator<Operation, void, undefined>;
}

/** Makes `iam.accessKeys` over the call loop. */
export default function accessKeysResource(call: Call): AccessKeys {
  return {
    create: (request = {}, options) => call(createAccessKey, { body: request }, options),
    get: (accessKeyId, options) => call(getAccessKey, { path: { accessKeyId } }, options),
    list: (request = {}, options) => call(listAccessKeys, { query: request }, options),
    listAll: (request = {}, options) => pages(call, listAccessKeys, { query: request }, options),
    update: (accessKeyId, changes, options) =>
      call(updateAccessKey, { path: { accessKeyId }, ...masked(updateAccessKey, changes) }, options),
    delete: (accessKeyId, options) => call(deleteAccessKey, { path: { accessKeyId } }, options),
    listOperations: (accessKeyId, request = {}, options) =>
      call(listAccessKeyOperations, { path: { accessKeyId }, query: request }, options),
    listAllOperations: (accessKeyId, request = {}, options) =>
      pages(call, listAccessKeyOperations, { path: { accessKeyId }, query: request }, options),
  };
}
