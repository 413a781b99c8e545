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
import { masked } from "../core/body.js";
import { type Call, type CallOptions, type ChangeOptions, unwrap } from "../core/call.js";
import { type Page, type PageRequest, pages } from "../core/paginate.js";
import type { Operation } from "../core/poll.js";
import type { Changed, Loose, Named as Schema, Unwrapped } from "../core/types.js";

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
/** A role held on the account by a subject, as Yandex answers it (a subject type Yandex adds later is read as it comes). */
export interface AccessBinding extends Schema<"AccessBinding"> {}
/** Who holds a role, as Yandex answers it: `{ id, type }`. */
export interface Subject extends Schema<"Subject"> {}
/** A change that took effect (an effective delta), as Yandex answers it. */
export interface AccessBindingDelta extends Schema<"AccessBindingDelta"> {}
/** A role to give a subject, as a request sends it. */
export type AccessBindingInput = Schema<"AccessBindingInput">;
/**
 * Who is to hold a role, as a request names it: `type` one of `userAccount`, `serviceAccount`, `federatedUser`, `group`,
 * `invitee` with a 20-character id Yandex generated, or `system` with `allUsers`, `allAuthenticatedUsers` or
 * `group:organization:<id>:users` (federation, userpool).
 */
export type SubjectInput = Schema<"SubjectInput">;
/** A binding to ADD or REMOVE, as a request sends it. */
export type AccessBindingDeltaInput = Schema<"AccessBindingDeltaInput">;
export type ListAccessBindingsResponse = Page<AccessBinding, "accessBindings">;
export type AccessBindingsOperation =
  | components["schemas"]["SetAccessBindingsOperation"]
  | components["schemas"]["UpdateAccessBindingsOperation"];
export interface SuspendServiceAccountOperation extends Schema<"SuspendServiceAccountOperation"> {}
export interface ReactivateServiceAccountOperation extends Schema<"ReactivateServiceAccountOperation"> {}
/** Options of setAccessBindings: `removeAll: true` is required to pass an empty list, which removes every binding. */
export interface SetAccessBindingsOptions<W extends boolean = true> extends ChangeOptions<W> {
  removeAll?: boolean | undefined;
}
/** What a binding call resolves with: the deltas that took effect (empty when nothing changed), or the Operation with `wait: false`. */
export type Deltas<W extends boolean> = Unwrapped<AccessBindingsOperation, AccessBindingDelta, W>;

/** `iam.serviceAccounts`: the ServiceAccount service, with the accounts' access bindings. */
export interface ServiceAccounts {
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
  /** One page of who holds which role on the account; `accessBindings` is always an array. */
  listAccessBindings(serviceAccountId: string, request?: PageRequest, options?: CallOptions): Promise<ListAccessBindingsResponse>;
  /** Every binding on the account, page by page. */
  listAllAccessBindings(
    serviceAccountId: string,
    request?: PageRequest,
    options?: CallOptions,
  ): AsyncGenerator<AccessBinding, void, undefined>;
  /** Adds and removes bindings; resolves with the deltas that took effect (adding a binding that exists is none). */
  updateAccessBindings<W extends boolean = true>(
    serviceAccountId: string,
    deltas: AccessBindingDeltaInput[],
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
  /**
   * Replaces EVERY binding on the account with `bindings`; resolves with the deltas that took effect. An empty list
   * removes them all, so it is refused unless `{ removeAll: true }`. To add or remove one, use grant, revoke or updateAccessBindings.
   */
  setAccessBindings<W extends boolean = true>(
    serviceAccountId: string,
    bindings: AccessBindingInput[],
    options?: SetAccessBindingsOptions<W>,
  ): Promise<Deltas<W>>;
  /** Gives `subject` the role `roleId` on the account (updateAccessBindings with one ADD); resolves with the deltas. */
  grant<W extends boolean = true>(
    serviceAccountId: string,
    roleId: string,
    subject: SubjectInput,
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
  /**
   * Takes the role `roleId` on the account from `subject` (updateAccessBindings with one REMOVE); resolves with the deltas.
   * `subject` may be one that listAccessBindings answered: it is checked against the document before it is sent.
   */
  revoke<W extends boolean = true>(
    serviceAccountId: string,
    roleId: string,
    subject: SubjectInput | Subject,
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
}

/** Makes `iam.serviceAccounts` over the call loop. */
export default function serviceAccountsResource(call: Call): ServiceAccounts {
  const accounts: ServiceAccounts = {
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
    listAccessBindings: (serviceAccountId, request = {}, options) =>
      call(listServiceAccountAccessBindings, { path: { serviceAccountId }, query: request }, options),
    listAllAccessBindings: (serviceAccountId, request = {}, options) =>
      pages(call, listServiceAccountAccessBindings, { path: { serviceAccountId }, query: request }, options),
    updateAccessBindings: (serviceAccountId, accessBindingDeltas, options) =>
      unwrap(
        call(updateServiceAccountAccessBindings, { path: { serviceAccountId }, body: { accessBindingDeltas } }, options),
        "effectiveDeltas",
        options,
      ),
    setAccessBindings: (serviceAccountId, accessBindings, given = {}) => {
      const { removeAll, ...options } = given ?? {};
      // Note: the same safety as the update mask: an empty list would silently remove every binding.
      // Note: a missing list is sent as {}, which removes every binding too.
      const problems =
        accessBindings === undefined
          ? [{ path: "bindings", message: "is required" }]
          : Array.isArray(accessBindings) && !accessBindings.length && !removeAll
            ? [{ path: "bindings", message: "is empty, which removes every binding: pass { removeAll: true } to mean it" }]
            : [];
      // Note: options given as null (from JavaScript) go on to the call's own check, which refuses them as every call does.
      const sent = given && options;
      return unwrap(
        call(setServiceAccountAccessBindings, { path: { serviceAccountId }, body: { accessBindings }, problems }, sent),
        "effectiveDeltas",
        sent,
      );
    },
    grant: (serviceAccountId, roleId, subject, options) =>
      accounts.updateAccessBindings(serviceAccountId, [{ action: "ADD", accessBinding: { roleId, subject } }], options),
    revoke: (serviceAccountId, roleId, subject, options) =>
      // Note: an answer's subject (its type an open enum) is checked as a request's before it is sent.
      accounts.updateAccessBindings(
        serviceAccountId,
        [{ action: "REMOVE", accessBinding: { roleId, subject: subject as SubjectInput } }],
        options,
      ),
  };
  return accounts;
}
