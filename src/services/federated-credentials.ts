// The FederatedCredential service (workload identity): which external subject of which federation may act as a service
// account, with no key anywhere. A credential cannot be changed: delete it and create another.
import {
  createFederatedCredential,
  deleteFederatedCredential,
  getFederatedCredential,
  listFederatedCredentials,
} from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/** A federated credential: the federation and the external subject (a CI job's `sub`) that may act as the service account. */
export interface FederatedCredential extends Schema<"FederatedCredential"> {}
export type CreateFederatedCredentialRequest = Loose<components["schemas"]["CreateFederatedCredentialRequest"]>;
export type ListFederatedCredentialsRequest = Loose<NonNullable<operations["listFederatedCredentials"]["parameters"]["query"]>>;
export type ListFederatedCredentialsResponse = Page<FederatedCredential, "federatedCredentials">;
export interface CreateFederatedCredentialOperation extends Schema<"CreateFederatedCredentialOperation"> {}
export interface DeleteFederatedCredentialOperation extends Schema<"DeleteFederatedCredentialOperation"> {}

/** `iam.federatedCredentials`: the FederatedCredential service. */
export interface FederatedCredentials {
  /** Lets the federation's subject act as the service account; resolves with the credential once created (the Operation with `wait: false`). */
  create<W extends boolean = true>(
    request: CreateFederatedCredentialRequest,
    options?: ChangeOptions<W>,
  ): Promise<Changed<CreateFederatedCredentialOperation, FederatedCredential, W>>;
  /** The federated credential with this id. */
  get(federatedCredentialId: string, options?: CallOptions): Promise<FederatedCredential>;
  /** One page of a service account's federated credentials; `federatedCredentials` is always an array. */
  list(request: ListFederatedCredentialsRequest, options?: CallOptions): Promise<ListFederatedCredentialsResponse>;
  /** Every federated credential of a service account, page by page. */
  listAll(request: ListFederatedCredentialsRequest, options?: CallOptions): AsyncGenerator<FederatedCredential, void, undefined>;
  /** Deletes it: the subject can no longer act as the account; resolves once done (undefined when a retry found it gone). */
  delete<W extends boolean = true>(
    federatedCredentialId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteFederatedCredentialOperation, undefined, W> | undefined>;
}

/** Makes `iam.federatedCredentials` over the call loop. */
export default function federatedCredentialsResource(call: Call): FederatedCredentials {
  return {
    create: (request, options) => call(createFederatedCredential, { body: request }, options),
    get: (federatedCredentialId, options) => call(getFederatedCredential, { path: { federatedCredentialId } }, options),
    list: (request, options) => call(listFederatedCredentials, { query: request }, options),
    listAll: (request, options) => pages(call, listFederatedCredentials, { query: request }, options),
    delete: (federatedCredentialId, options) => call(deleteFederatedCredential, { path: { federatedCredentialId } }, options),
  };
}
