// The Cloud service of Resource Manager: the clouds of an organization, and who holds which role on each (access bindings).
import {
  getCloud,
  listCloudAccessBindings,
  listClouds,
  setCloudAccessBindings,
  updateCloudAccessBindings,
} from "../../generated/contract.js";
import type { operations } from "../../generated/schema.js";
import { type AccessBindings, accessBindings } from "../core/access-bindings.js";
import type { Call, CallOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Loose, Named as Schema } from "../core/types.js";

/** A cloud: the top of an organization's resources, whose folders share its quotas and inherit its roles. */
export interface Cloud extends Schema<"Cloud"> {}
export type ListCloudsRequest = Loose<NonNullable<operations["listClouds"]["parameters"]["query"]>>;
export type ListCloudsResponse = Page<Cloud, "clouds">;

/**
 * `iam.clouds`: Resource Manager's Cloud service, with the clouds' access bindings: a role granted on a cloud holds for
 * every folder in it, so an audit reads them first.
 */
export interface Clouds extends AccessBindings {
  /** The cloud with this id. */
  get(cloudId: string, options?: CallOptions): Promise<Cloud>;
  /** One page of the clouds the caller can see, of one organization if `organizationId` is given (`filter: 'name="…"'`); `clouds` is always an array. */
  list(request?: ListCloudsRequest, options?: CallOptions): Promise<ListCloudsResponse>;
  /** Every cloud the caller can see (of one organization if given), page by page. */
  listAll(request?: ListCloudsRequest, options?: CallOptions): AsyncGenerator<Cloud, void, undefined>;
}

/** Makes `iam.clouds` over the call loop. */
export default function cloudsResource(call: Call): Clouds {
  return {
    ...accessBindings(call, {
      list: listCloudAccessBindings,
      update: updateCloudAccessBindings,
      set: setCloudAccessBindings,
      idName: "cloudId",
    }),
    get: (cloudId, options) => call(getCloud, { path: { cloudId } }, options),
    list: (request = {}, options) => call(listClouds, { query: request }, options),
    listAll: (request = {}, options) => pages(call, listClouds, { query: request }, options),
  };
}
