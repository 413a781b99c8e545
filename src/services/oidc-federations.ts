// The OIDC FederationService (workload identity): which OIDC issuer (a CI platform, a Kubernetes cluster) Yandex trusts,
// with which audiences and keys, and who holds which role on each federation (the one binding API).
import {
  createOidcFederation,
  deleteOidcFederation,
  getOidcFederation,
  listOidcFederationAccessBindings,
  listOidcFederations,
  setOidcFederationAccessBindings,
  updateOidcFederation,
  updateOidcFederationAccessBindings,
} from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import { type AccessBindings, accessBindings } from "../core/access-bindings.js";
import { masked } from "../core/body.js";
import type { Call, CallOptions, ChangeOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Changed, Loose, Named as Schema } from "../core/types.js";

/** An OIDC federation: the issuer whose tokens it accepts, their audiences, its keys (`jwksUrl`), and whether it is `enabled`. */
export interface OidcFederation extends Schema<"OidcFederation"> {}
/** A federation to create: note `disabled` here where the resource says `enabled`. */
export type CreateOidcFederationRequest = Loose<components["schemas"]["CreateOidcFederationRequest"]>;
export type ListOidcFederationsRequest = Loose<NonNullable<operations["listOidcFederations"]["parameters"]["query"]>>;
export type ListOidcFederationsResponse = Page<OidcFederation, "federations">;
/** The fields to change; a field left out keeps its value, `null` resets `description` or `labels`. The `issuer` cannot change. */
export interface OidcFederationChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  /** `true` disables the federation (its tokens are refused), `false` enables it again. */
  disabled?: boolean | undefined;
  /** They replace every audience. */
  audiences?: string[] | undefined;
  jwksUrl?: string | undefined;
  /** They replace every label. */
  labels?: Record<string, string> | null | undefined;
}
export interface CreateOidcFederationOperation extends Schema<"CreateOidcFederationOperation"> {}
export interface UpdateOidcFederationOperation extends Schema<"UpdateOidcFederationOperation"> {}
export interface DeleteOidcFederationOperation extends Schema<"DeleteOidcFederationOperation"> {}

/** `iam.oidcFederations`: the OIDC FederationService, with the federations' access bindings. */
export interface OidcFederations extends AccessBindings {
  /** Creates a federation in a folder; resolves with it once created (the Operation with `wait: false`). */
  create<W extends boolean = true>(
    request: CreateOidcFederationRequest,
    options?: ChangeOptions<W>,
  ): Promise<Changed<CreateOidcFederationOperation, OidcFederation, W>>;
  /** The federation with this id. */
  get(federationId: string, options?: CallOptions): Promise<OidcFederation>;
  /** One page of a folder's federations; `federations` is always an array. */
  list(request: ListOidcFederationsRequest, options?: CallOptions): Promise<ListOidcFederationsResponse>;
  /** Every federation of a folder, page by page. */
  listAll(request: ListOidcFederationsRequest, options?: CallOptions): AsyncGenerator<OidcFederation, void, undefined>;
  /** Changes only the fields given (the update mask is made of them); resolves with the federation once done. */
  update<W extends boolean = true>(
    federationId: string,
    changes: OidcFederationChanges,
    options?: ChangeOptions<W>,
  ): Promise<Changed<UpdateOidcFederationOperation, OidcFederation, W>>;
  /** Deletes the federation: its tokens are exchanged no more; resolves once done (undefined when a retry found it gone). */
  delete<W extends boolean = true>(
    federationId: string,
    options?: ChangeOptions<W>,
  ): Promise<Changed<DeleteOidcFederationOperation, undefined, W> | undefined>;
}

/** Makes `iam.oidcFederations` over the call loop. */
export default function oidcFederationsResource(call: Call): OidcFederations {
  return {
    ...accessBindings(call, {
      list: listOidcFederationAccessBindings,
      update: updateOidcFederationAccessBindings,
      set: setOidcFederationAccessBindings,
      idName: "federationId",
    }),
    create: (request, options) => call(createOidcFederation, { body: request }, options),
    get: (federationId, options) => call(getOidcFederation, { path: { federationId } }, options),
    list: (request, options) => call(listOidcFederations, { query: request }, options),
    listAll: (request, options) => pages(call, listOidcFederations, { query: request }, options),
    update: (federationId, changes, options) =>
      call(updateOidcFederation, { path: { federationId }, ...masked(updateOidcFederation, changes) }, options),
    delete: (federationId, options) => call(deleteOidcFederation, { path: { federationId } }, options),
  };
}
