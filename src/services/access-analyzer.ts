// The AccessAnalyzer service: every access binding one subject holds, on any resource of an organization.
import { listSubjectAccessBindings } from "../../generated/contract.js";
import type { operations } from "../../generated/schema.js";
import type { Call, CallOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Loose, Named as Schema } from "../core/types.js";

/** A role a subject holds on a resource (`{ id, type }`, such as a folder's), as the analyzer answers it. */
export interface SubjectAccessBinding extends Schema<"SubjectAccessBinding"> {}
export type ListSubjectAccessBindingsRequest = Loose<NonNullable<operations["listSubjectAccessBindings"]["parameters"]["query"]>>;
export type ListSubjectAccessBindingsResponse = Page<SubjectAccessBinding, "subjectAccessBindings">;

/** `iam.accessAnalyzer`: the AccessAnalyzer service, what a subject holds the other way round from a resource's bindings. */
export interface AccessAnalyzer {
  /** One page of the roles `subjectId` holds in the organization; `subjectAccessBindings` is always an array. */
  listSubjectAccessBindings(request: ListSubjectAccessBindingsRequest, options?: CallOptions): Promise<ListSubjectAccessBindingsResponse>;
  /** Every role `subjectId` holds in the organization, page by page; a page is fetched only when the previous one is used up. */
  listAllSubjectAccessBindings(
    request: ListSubjectAccessBindingsRequest,
    options?: CallOptions,
  ): AsyncGenerator<SubjectAccessBinding, void, undefined>;
}

/** Makes `iam.accessAnalyzer` over the call loop (it has no change to wait for). */
export default function accessAnalyzerResource(call: Call): AccessAnalyzer {
  return {
    listSubjectAccessBindings: (request, options) => call(listSubjectAccessBindings, { query: request }, options),
    listAllSubjectAccessBindings: (request, options) => pages(call, listSubjectAccessBindings, { query: request }, options),
  };
}
