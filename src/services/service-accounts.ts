// The ServiceAccount service: the accounts, their operations and who holds which role on them (access bindings).
import {
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  listServiceAccountAccessBindings,
  listServiceAccountOperations,
  listServiceAccounts,
  reactivateServiceAccount,
  setServiceAccountAccessBindings,
  suspendServiceAccount,
  updateServiceAccount,
  updateServiceAccountAccessBindings,
} from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import { type AccessBindings, accessBindings } from "../core/access-bindings.js";
import { masked } from "../core/body.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { type Page, type PageRequest, pages } from "../core/paginate.js";
import type { Operation } from "../core/poll.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/** A timestamp argument: a Date or an RFC 3339 string. */
type Timestamp = Date | string;

export interface ServiceAccount extends Schema<"ServiceAccount"> {}
export type CreateServiceAccountRequest = Loose<Omit<components["schemas"]["CreateServiceAccountRequest"], "expiresAt">> & {
  /** When the account expires: a Date or an RFC 3339 string. Absent: never. */
  expiresAt?: Timestamp | undefined;
};
export type ListServiceAccountsRequest = Loose<NonNullable<operations["listServiceAccounts"]["parameters"]["query"]>>;
export type ListServiceAccountsResponse = Page<ServiceAccount, "serviceAccounts">;
/** The fields to change; a field left out keeps its value, `null` resets it. `labels` replaces the whole map. */
export interface ServiceAccountChanges {
  /** A new name (it cannot be reset). */
  name?: string | undefined;
  description?: string | null | undefined;
  labels?: Record<string, string> | null | undefined;
  expiresAt?: Timestamp | null | undefined;
}
export interface SuspendOptions<W extends boolean = true> extends ChangeOptions<W> {
  /** Why, for the audit log (at most 256 characters). */
  reason?: string | undefined;
  /** When the suspension ends by itself. */
  expiresAt?: Timestamp | undefined;
}
export interface CreateServiceAccountOperation extends Schema<"CreateServiceAccountOperation"> {}
export interface UpdateServiceAccountOperation extends Schema<"UpdateServiceAccountOperation"> {}
export interface DeleteServiceAccountOperation extends Schema<"DeleteServiceAccountOperation"> {}
export type ListServiceAccountOperationsResponse = Page<Operation, "operations">;
export interface SuspendServiceAccountOperation extends Schema<"SuspendServiceAccountOperation"> {}
export interface ReactivateServiceAccountOperation extends Schema<"ReactivateServiceAccountOperation"> {}
/** `iam.serviceAccounts`: the ServiceAccount service, with the accounts' access bindings (who holds which role on an account). */
export interface ServiceAccounts extends AccessBindings {
  /**
   * Creates a service account in a folder; resolves with it once created. With `wait: false`, resolves with the Operation,
   * whose `metadata.serviceAccountId` already holds the new id. A name is unique in the cloud (409 ALREADY_EXISTS).
   */
  create<W extends boolean = true>(
    request: CreateServiceAccountRequest,
    options?: ChangeOptions<W>,
  ): Promise<Changed<CreateServiceAccountOperation, ServiceAccount, W>>;
  /** The service account with this id. */
  get(serviceAccountId: string, options?: CallOptions): Promise<ServiceAccount>;
  /** One page of a folder's service accounts (`filter: 'name="…"'` finds one by name); `serviceAccounts` is always an array. */
  list(request: ListServiceAccountsRequest, options?: CallOptions): Promise<ListServiceAccountsResponse>;
  /** Every service account of a folder, page by page. */
  listAll(request: ListServiceAccountsRequest, options?: CallOptions): AsyncGenerator<ServiceAccount, void, undefined>;
  /** Changes only the fields given (the update mask is made of them); `null` resets one, `labels` replaces the whole map. */
  update<W extends boolean = true>(
    serviceAccountId: string,
    changes: ServiceAccountChanges,
    options?: ChangeOptions<W>,
  ): Promise<Changed<UpdateServiceAccountOperation, ServiceAccount, W>>;
  /** Deletes the account and every key of every kind it has; resolves once done (the Operation with `wait: false`). */
  delete<W extends boolean = true>(
    serviceAccountId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteServiceAccountOperation, undefined, W> | undefined>;
  /** One page of the account's operations; `operations` is always an array. */
  listOperations(serviceAccountId: string, request?: PageRequest, options?: CallOptions): Promise<ListServiceAccountOperationsResponse>;
  /** Every operation of the account, page by page. */
  listAllOperations(serviceAccountId: string, request?: PageRequest, options?: CallOptions): AsyncGenerator<Operation, void, undefined>;
  /** Suspends the account: it can no longer authenticate, until reactivated (or `expiresAt`); resolves once done. */
  suspend<W extends boolean = true>(
    serviceAccountId: string,
    options?: SuspendOptions<W>,
  ): Promise<Changed<SuspendServiceAccountOperation, undefined, W>>;
  /** Reactivates a suspended account; resolves once done. */
  reactivate<W extends boolean = true>(
    serviceAccountId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<ReactivateServiceAccountOperation, undefined, W>>;
}

/** Makes `iam.serviceAccounts` over the call loop. */
export default function serviceAccountsResource(call: Call): ServiceAccounts {
  return {
    ...accessBindings(call, {
      list: listServiceAccountAccessBindings,
      update: updateServiceAccountAccessBindings,
      set: setServiceAccountAccessBindings,
      idName: "serviceAccountId",
    }),
    create: (request, options) => call(createServiceAccount, { body: request }, options),
    get: (serviceAccountId, options) => call(getServiceAccount, { path: { serviceAccountId } }, options),
    list: (request, options) => call(listServiceAccounts, { query: request }, options),
    listAll: (request, options) => pages(call, listServiceAccounts, { query: request }, options),
    update: (serviceAccountId, changes, options) =>
      call(updateServiceAccount, { path: { serviceAccountId }, ...masked(updateServiceAccount, changes) }, options),
    delete: (serviceAccountId, options) => call(deleteServiceAccount, { path: { serviceAccountId } }, options),
    listOperations: (serviceAccountId, request = {}, options) =>
      call(listServiceAccountOperations, { path: { serviceAccountId }, query: request }, options),
    listAllOperations: (serviceAccountId, request = {}, options) =>
      pages(call, listServiceAccountOperations, { path: { serviceAccountId }, query: request }, options),
    suspend: (serviceAccountId, options = {}) => {
      // Note: options given as null (from JavaScript) go on to the call's own check, which refuses them as every call does.
      const { reason, expiresAt, ...rest } = options ?? {};
      return call(suspendServiceAccount, { path: { serviceAccountId }, body: { reason, expiresAt } }, options && rest);
    },
    reactivate: (serviceAccountId, options) => call(reactivateServiceAccount, { path: { serviceAccountId }, body: {} }, options),
  };
}
