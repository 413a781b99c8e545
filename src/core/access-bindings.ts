// Who holds which role on a resource (its access bindings): one implementation of list, grant, revoke, update and set,
// made for each resource kind that has them (service accounts, folders, clouds) from that kind's three operations.
import type { components } from "../../generated/schema.js";
import { type Page, type PageRequest, pages } from "./paginate.js";
import type { Call, CallInput, CallOptions, ChangeOptions, Row, Named as Schema, Unwrapped } from "./types.js";
import type { Problem } from "./validate.js";

/** A role held on a resource by a subject, as Yandex answers it (a subject type Yandex adds later is read as it comes). */
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
/** Options of setAccessBindings: `removeAll: true` is required to pass an empty list, which removes every binding. */
export interface SetAccessBindingsOptions<W extends boolean = true> extends ChangeOptions<W> {
  removeAll?: boolean | undefined;
}
/** What a binding call resolves with: the deltas that took effect (empty when nothing changed), or the Operation with `wait: false`. */
export type Deltas<W extends boolean> = Unwrapped<AccessBindingsOperation, AccessBindingDelta, W>;

/**
 * The access bindings of one kind of resource, each method taking the resource's id first. Yandex applies a change
 * within about 5 seconds of the Operation being done: a role just granted may be refused for that long.
 */
export interface AccessBindings {
  /** One page of who holds which role on the resource; `accessBindings` is always an array. */
  listAccessBindings(resourceId: string, request?: PageRequest, options?: CallOptions): Promise<ListAccessBindingsResponse>;
  /** Every binding on the resource, page by page. */
  listAllAccessBindings(resourceId: string, request?: PageRequest, options?: CallOptions): AsyncGenerator<AccessBinding, void, undefined>;
  /** Adds and removes bindings; resolves with the deltas that took effect (adding a binding that exists is none). */
  updateAccessBindings<W extends boolean = true>(
    resourceId: string,
    deltas: AccessBindingDeltaInput[],
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
  /**
   * Replaces EVERY binding on the resource with `bindings`; resolves with the deltas that took effect. An empty list
   * removes them all, so it is refused unless `{ removeAll: true }`. To add or remove one, use grant, revoke or updateAccessBindings.
   */
  setAccessBindings<W extends boolean = true>(
    resourceId: string,
    bindings: AccessBindingInput[],
    options?: SetAccessBindingsOptions<W>,
  ): Promise<Deltas<W>>;
  /** Gives `subject` the role `roleId` on the resource (updateAccessBindings with one ADD); resolves with the deltas. */
  grant<W extends boolean = true>(
    resourceId: string,
    roleId: string,
    subject: SubjectInput,
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
  /**
   * Takes the role `roleId` on the resource from `subject` (updateAccessBindings with one REMOVE); resolves with the deltas.
   * `subject` may be one that listAccessBindings answered: it is checked against the document before it is sent.
   */
  revoke<W extends boolean = true>(
    resourceId: string,
    roleId: string,
    subject: SubjectInput | Subject,
    options?: ChangeOptions<W>,
  ): Promise<Deltas<W>>;
}

/** The binding operations of one resource kind, and the name its paths give the resource's id (`folderId`). */
export interface BindingOperations {
  list: Row & { id: `list${string}AccessBindings`; items: "accessBindings" };
  update: Row & { id: `update${string}AccessBindings` };
  set: Row & { id: `set${string}AccessBindings` };
  idName: string;
}

/**
 * The list field `name` of what a call resolved with (an empty list when the server leaves it out, as it leaves out
 * empty fields); what it resolved with, with `wait: false`. For a result that is one list, such as the effective deltas.
 */
async function unwrap<A, T, W extends boolean>(
  done: Promise<unknown>,
  name: string,
  options: ChangeOptions<W> | undefined,
): Promise<Unwrapped<A, T, W>> {
  const result = await done;
  // Note: the cast of unwrapping: the result's shape is checked against the document before it gets here.
  return (options?.wait === false ? result : ((result as Record<string, T[]> | undefined)?.[name] ?? [])) as Unwrapped<A, T, W>;
}

/** Makes the access-binding methods of one resource kind over the call loop. */
export function accessBindings(call: Call, { list, update, set, idName }: BindingOperations): AccessBindings {
  // Note: the cast of sharing: each kind's rows take the same query and body and name the resource's id in their own path.
  const input = (resourceId: string, rest: object) => ({ path: { [idName]: resourceId }, ...rest }) as CallInput<never>;
  const deltas = <W extends boolean>(row: Row, resourceId: string, body: object, options?: ChangeOptions<W>, problems: Problem[] = []) =>
    unwrap<AccessBindingsOperation, AccessBindingDelta, W>(
      call(row, input(resourceId, { body, problems }), options),
      "effectiveDeltas",
      options,
    );
  const bindings: AccessBindings = {
    // Note: the casts of a row typed as any kind's: its answer is the shared ListAccessBindingsResponse, checked against the document.
    listAccessBindings: (resourceId, request = {}, options) =>
      call(list, input(resourceId, { query: request }), options) as Promise<ListAccessBindingsResponse>,
    listAllAccessBindings: (resourceId, request = {}, options) =>
      pages(call, list, input(resourceId, { query: request }), options) as AsyncGenerator<AccessBinding, void, undefined>,
    updateAccessBindings: (resourceId, accessBindingDeltas, options) => deltas(update, resourceId, { accessBindingDeltas }, options),
    setAccessBindings: (resourceId, accessBindings, given = {}) => {
      const { removeAll, ...options } = given ?? {};
      // Note: the same safety as the update mask: an empty list would silently remove every binding.
      // Note: a missing list is sent as {}, which removes every binding too.
      const problems: Problem[] =
        accessBindings === undefined
          ? [{ path: "bindings", message: "is required" }]
          : Array.isArray(accessBindings) && !accessBindings.length && !removeAll
            ? [{ path: "bindings", message: "is empty, which removes every binding: pass { removeAll: true } to mean it" }]
            : [];
      // Note: options given as null (from JavaScript) go on to the call's own check, which refuses them as every call does.
      return deltas(set, resourceId, { accessBindings }, given && options, problems);
    },
    grant: (resourceId, roleId, subject, options) =>
      bindings.updateAccessBindings(resourceId, [{ action: "ADD", accessBinding: { roleId, subject } }], options),
    revoke: (resourceId, roleId, subject, options) =>
      // Note: an answer's subject (its type an open enum) is checked as a request's before it is sent.
      bindings.updateAccessBindings(
        resourceId,
        [{ action: "REMOVE", accessBinding: { roleId, subject: subject as SubjectInput } }],
        options,
      ),
  };
  return bindings;
}
