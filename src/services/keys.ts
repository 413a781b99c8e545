// The Key service (authorized keys): thin typed methods over the core, and the key file `yc iam key create` writes.
import { createKey, deleteKey, getKey, listKeyOperations, listKeys, updateKey } from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import { masked } from "../core/body.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { rejectInvalid } from "../core/errors.js";
import { type Page, type PageRequest, pages } from "../core/paginate.js";
import type { Operation } from "../core/poll.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/** An authorized key: its public half and who owns it. Yandex never stores the private key; only create shows it, once. */
export interface Key extends Schema<"Key"> {}
export type KeyAlgorithm = components["schemas"]["KeyAlgorithm"];
export type CreateKeyRequest = Loose<components["schemas"]["CreateKeyRequest"]>;
/** `key` and `privateKey` (PEM, after the `PLEASE DO NOT REMOVE THIS LINE!` line): save it at once, e.g. as `keyFile(created)`. */
export interface CreateKeyResponse extends Schema<"CreateKeyResponse"> {}
export type ListKeysRequest = Loose<NonNullable<operations["listKeys"]["parameters"]["query"]>>;
export type ListKeysResponse = Page<Key, "keys">;
/** The fields to change; only `description` can change (`null` clears it). */
export interface KeyChanges {
  description?: string | null | undefined;
}
export interface UpdateKeyOperation extends Schema<"UpdateKeyOperation"> {}
export interface DeleteKeyOperation extends Schema<"DeleteKeyOperation"> {}
export type ListKeyOperationsResponse = Page<Operation, "operations">;

/** The file `yc iam key create -o key.json` writes: flat snake_case, `description` only when not empty. */
export interface KeyFile {
  id: string;
  /** For a service account's key (the usual case); a user's own key has `user_account_id` instead. */
  service_account_id?: string;
  user_account_id?: string;
  // Note: the answer may leave these out (proto3 JSON omits zero values); the file then does too, as the JWT needs none.
  created_at?: string;
  description?: string;
  key_algorithm?: Key["keyAlgorithm"];
  public_key?: string;
  /** The private key, with Yandex's prefix line: a secret; write the file with mode 0600. */
  private_key: string;
}

/** `iam.keys`: the Key service, authorized keys of service accounts (their JWTs get IAM tokens: `serviceAccountKey`). */
export interface Keys {
  /**
   * Creates an authorized key; the answer holds its private key, shown only once (Yandex does not store it).
   * Save it at once, e.g. `keyFile(created)` as key.json with mode 0600. A create with an unknown outcome is not retried.
   */
  create(request?: CreateKeyRequest, options?: CallOptions): Promise<CreateKeyResponse>;
  /** The key with this id (its public half). */
  get(keyId: string, options?: CallOptions): Promise<Key>;
  /** One page of keys (of the token's service account unless `serviceAccountId` is given); `keys` is always an array. */
  list(request?: ListKeysRequest, options?: CallOptions): Promise<ListKeysResponse>;
  /** Every key, page by page; a page is fetched only when the previous one is used up. */
  listAll(request?: ListKeysRequest, options?: CallOptions): AsyncGenerator<Key, void, undefined>;
  /** Changes the description (the update mask is made of the fields given); resolves with the key once done, or the Operation with `wait: false`. */
  update<W extends boolean = true>(
    keyId: string,
    changes: KeyChanges,
    options?: ChangeOptions<W>,
  ): Promise<Changed<UpdateKeyOperation, Key, W>>;
  /** Deletes the key, so its JWTs no longer get tokens; resolves once done (the Operation with `wait: false`; undefined when a retry found it gone). */
  delete<W extends boolean = true>(
    keyId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteKeyOperation, undefined, W> | undefined>;
  /** One page of the key's operations; `operations` is always an array. */
  listOperations(keyId: string, request?: PageRequest, options?: CallOptions): Promise<ListKeyOperationsResponse>;
  /** Every operation of the key, page by page. */
  listAllOperations(keyId: string, request?: PageRequest, options?: CallOptions): AsyncGenerator<Operation, void, undefined>;
}

/** Makes `iam.keys` over the call loop. */
export default function keysResource(call: Call): Keys {
  const keys: Keys = {
    create: (request = {}, options) => call(createKey, { body: request }, options),
    get: (keyId, options) => call(getKey, { path: { keyId } }, options),
    list: (request = {}, options) => call(listKeys, { query: request }, options),
    listAll: (request = {}, options) => pages(call, listKeys, { query: request }, options),
    update: (keyId, changes, options) => call(updateKey, { path: { keyId }, ...masked(updateKey, changes) }, options),
    delete: (keyId, options) => call(deleteKey, { path: { keyId } }, options),
    listOperations: (keyId, request = {}, options) => call(listKeyOperations, { path: { keyId }, query: request }, options),
    listAllOperations: (keyId, request = {}, options) => pages(call, listKeyOperations, { path: { keyId }, query: request }, options),
  };
  return keys;
}

/**
 * The key file `yc iam key create -o key.json` writes, from what `iam.keys.create` answered: the CLI, every SDK and
 * `serviceAccountKey()` read it. It holds the private key: write it with mode 0600.
 */
export function keyFile(created: CreateKeyResponse): KeyFile {
  const { key, privateKey } = { ...created };
  if (!key?.id || !privateKey || !(key.serviceAccountId || key.userAccountId))
    rejectInvalid("keyFile", [{ path: "(created)", message: "must be what iam.keys.create answered" }]);
  const { id, serviceAccountId, userAccountId, createdAt, description, keyAlgorithm, publicKey } = key;
  return {
    id,
    ...(serviceAccountId ? { service_account_id: serviceAccountId } : { user_account_id: userAccountId as string }),
    ...(createdAt && { created_at: createdAt }),
    ...(description && { description }),
    ...(keyAlgorithm && { key_algorithm: keyAlgorithm }),
    ...(publicKey && { public_key: publicKey }),
    private_key: privateKey,
  };
}
