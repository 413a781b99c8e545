// The Role service: Yandex's catalogue of roles, the ones an access binding may name.
import { getRole, listRoles } from "../../generated/contract.js";
import type { operations } from "../../generated/schema.js";
import type { Call, CallOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Loose, Named as Schema } from "../core/types.js";

/** A role: what an access binding gives its subject on a resource (`viewer`, `iam.serviceAccounts.user`). */
export interface Role extends Schema<"Role"> {}
export type ListRolesRequest = Loose<NonNullable<operations["listRoles"]["parameters"]["query"]>>;
export type ListRolesResponse = Page<Role, "roles">;

/** `iam.roles`: the Role service. */
export interface Roles {
  /** The role with this id; a 404 NOT_FOUND IamApiError when no role has it (a binding naming it would be refused). */
  get(roleId: string, options?: CallOptions): Promise<Role>;
  /** One page of roles (`filter` narrows them); `roles` is always an array. */
  list(request?: ListRolesRequest, options?: CallOptions): Promise<ListRolesResponse>;
  /** Every role, page by page; a page is fetched only when the previous one is used up. */
  listAll(request?: ListRolesRequest, options?: CallOptions): AsyncGenerator<Role, void, undefined>;
}

/** Makes `iam.roles` over the call loop (it has no change to wait for). */
export default function rolesResource(call: Call): Roles {
  return {
    get: (roleId, options) => call(getRole, { path: { roleId } }, options),
    list: (request = {}, options) => call(listRoles, { query: request }, options),
    listAll: (request = {}, options) => pages(call, listRoles, { query: request }, options),
  };
}
