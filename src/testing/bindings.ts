// Access bindings as the fake keeps them, for every resource kind that has them (service accounts, folders, clouds): one
// store made by fake.ts and handed to the services in their context, with the list, set and update handlers each kind
// serves under its own operationIds, the quota, the role check, effective deltas as Yandex answers them in
// AccessBindingsOperationResult, and a subject's bindings as the access analyzer answers them.
import type { components } from "../../generated/schema.js";
import { answer, failure, failureOf, TYPE } from "./answers.js";
import { places } from "./data.js";
import { placedPage } from "./lists.js";
import { OperationFailure } from "./services/operations.js";
import type { AccessBindingStore, BoundKind, FakeContext } from "./types.js";

type AccessBinding = components["schemas"]["AccessBinding"];
type AccessBindingDelta = components["schemas"]["AccessBindingDelta"];

/** A binding as one comparable text: its role and subject. */
const bindingKey = (b: AccessBinding): string => JSON.stringify([b.roleId, b.subject.id, b.subject.type]);

/** The effective deltas of replacing `current` with `next`: each binding removed, then each added. */
function replacement(current: AccessBinding[], next: AccessBinding[]): AccessBindingDelta[] {
  const [before, after] = [new Set(current.map(bindingKey)), new Set(next.map(bindingKey))];
  return [
    ...current.filter((b) => !after.has(bindingKey(b))).map((b) => ({ action: "REMOVE" as const, accessBinding: b })),
    ...next
      .filter((b, i) => !before.has(bindingKey(b)) && next.findIndex((o) => bindingKey(o) === bindingKey(b)) === i)
      .map((b) => ({ action: "ADD" as const, accessBinding: b })),
  ];
}

/** The bindings after `deltas`, in order, and the deltas that changed something (adding one that exists, or removing one that does not, changes nothing). */
function applied(current: AccessBinding[], deltas: AccessBindingDelta[]): { bindings: AccessBinding[]; effective: AccessBindingDelta[] } {
  const bindings = new Map(current.map((b) => [bindingKey(b), b]));
  const effective = deltas.filter(({ action, accessBinding }) => {
    const key = bindingKey(accessBinding);
    if (action === "ADD" ? bindings.has(key) : !bindings.has(key)) return false;
    if (action === "ADD") bindings.set(key, accessBinding);
    else bindings.delete(key);
    return true;
  });
  return { bindings: [...bindings.values()], effective };
}

/** What a binding quota refusal says: the quota is per cloud at Yandex; the fake counts every binding it holds. */
const QUOTA = { code: 8, message: "Quota limit of access bindings per cloud exceeded" };

/** The store of every resource's access bindings. */
export function accessBindingStore({
  options,
  operations,
  roleExists,
}: Pick<FakeContext, "options" | "operations" | "roleExists">): AccessBindingStore {
  const quota = options.accessBindingQuota ?? 1000;
  /** Each resource's bindings, and its kind, by resource id (ids are unique across kinds). */
  let held = new Map<string, { kind: BoundKind; bindings: AccessBinding[] }>();
  /** The bindings' places (`<resource id> <binding>`), for page tokens. */
  const order = places();
  /** The service accounts deleted so far: their bindings went with them, and a change done since cannot bring one back. */
  let deleted = new Set<string>();
  const count = () => [...held.values()].reduce((sum, { bindings }) => sum + bindings.length, 0);
  const current = (resourceId: string) => held.get(resourceId)?.bindings ?? [];
  /** Whether a resource's bindings becoming `next` would pass the quota. */
  const overQuota = (resourceId: string, next: AccessBinding[]) => count() - current(resourceId).length + next.length > quota;
  /** The first role the bindings name that the role catalogue (the Role service's, through the context) does not hold. */
  const unknownRole = (named: readonly AccessBinding[]) => named.find((binding) => !roleExists(binding.roleId))?.roleId;

  /** Starts a change of a resource's bindings as an Operation whose response is the effective deltas. */
  function change(
    kind: BoundKind,
    verb: "Set" | "Update",
    resourceId: string,
    named: readonly AccessBinding[],
    apply: (current: AccessBinding[]) => { bindings: AccessBinding[]; effective: AccessBindingDelta[] },
  ): Response {
    const role = unknownRole(named);
    if (role) return failure(3, `Role ${role} not found`);
    if (overQuota(resourceId, apply(current(resourceId)).bindings)) return failure(QUOTA.code, QUOTA.message);
    const operation = operations.start(
      {
        description: `${verb} access bindings`,
        metadataType: `yandex.cloud.access.${verb}AccessBindingsMetadata`,
        metadata: { resourceId },
        resourceId,
      },
      () => {
        // Note: checked again when done: a resource deleted meanwhile gets no ghost bindings; changes in flight cannot pass the quota.
        if (!kind.exists(resourceId)) throw new OperationFailure(kind.notFound(resourceId));
        const { bindings, effective: effectiveDeltas } = apply(current(resourceId));
        // Note: a subject deleted while the change was in flight would be a ghost binding: the change fails, as one on a deleted resource.
        const ghost = effectiveDeltas.find(
          ({ action, accessBinding: { subject } }) => action === "ADD" && subject.type === "serviceAccount" && deleted.has(subject.id),
        );
        if (ghost) throw new OperationFailure({ code: 5, message: `Service account ${ghost.accessBinding.subject.id} not found` });
        if (overQuota(resourceId, bindings)) throw new OperationFailure(QUOTA);
        held.set(resourceId, { kind, bindings });
        for (const { action, accessBinding } of effectiveDeltas)
          if (action === "ADD") order.put(`${resourceId} ${bindingKey(accessBinding)}`);
        return { "@type": `${TYPE}yandex.cloud.access.AccessBindingsOperationResult`, ...(effectiveDeltas.length && { effectiveDeltas }) };
      },
    );
    return answer(200, operation);
  }

  return {
    // Note: it answers no operation of its own: each kind serves its bindings under its own operationIds (`serve`).
    handlers: {},
    serve(kind, idName) {
      const missing = (resourceId: string) => (kind.exists(resourceId) ? undefined : failureOf(kind.notFound(resourceId)));
      return {
        list({ path, query }) {
          const id: string = path[idName];
          return missing(id) ?? placedPage("accessBindings", current(id), order, query, (b) => `${id} ${bindingKey(b)}`);
        },
        set({ path, body }) {
          const id: string = path[idName];
          const next: AccessBinding[] = body.accessBindings ?? [];
          return missing(id) ?? change(kind, "Set", id, next, (now) => applied(now, replacement(now, next)));
        },
        update({ path, body }) {
          const id: string = path[idName];
          const deltas: AccessBindingDelta[] = body.accessBindingDeltas;
          const named = deltas.map((delta) => delta.accessBinding);
          return missing(id) ?? change(kind, "Update", id, named, (now) => applied(now, deltas));
        },
      };
    },
    deleteOwnedBy(serviceAccountId) {
      deleted.add(serviceAccountId);
      held.delete(serviceAccountId);
      for (const entry of held.values())
        entry.bindings = entry.bindings.filter((b) => !(b.subject.type === "serviceAccount" && b.subject.id === serviceAccountId));
    },
    subjectBindings: (subjectId) =>
      [...held].flatMap(([id, { kind, bindings }]) =>
        bindings.filter((b) => b.subject.id === subjectId).map(({ roleId }) => ({ roleId, resource: { id, type: kind.type }, subjectId })),
      ),
    state: () => ({
      accessBindings: Object.fromEntries(
        [...held].filter(([, { bindings }]) => bindings.length).map(([id, { bindings }]) => [id, structuredClone(bindings)]),
      ),
    }),
    reset() {
      held = new Map();
      deleted = new Set();
      order.clear();
    },
  };
}
