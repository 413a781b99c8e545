// Access bindings as the fake keeps them: a binding's identity (its role and subject), the effective deltas of a
// change, as Yandex answers them in AccessBindingsOperationResult, and a subject's bindings as the access analyzer answers them.
import type { components } from "../../generated/schema.js";

type AccessBinding = components["schemas"]["AccessBinding"];
type AccessBindingDelta = components["schemas"]["AccessBindingDelta"];
type SubjectAccessBinding = components["schemas"]["SubjectAccessBinding"];

/** A binding as one comparable text: its role and subject. */
export const bindingKey = (b: AccessBinding): string => JSON.stringify([b.roleId, b.subject.id, b.subject.type]);

/** The effective deltas of replacing `current` with `next`: each binding removed, then each added. */
export function replacement(current: AccessBinding[], next: AccessBinding[]): AccessBindingDelta[] {
  const [before, after] = [new Set(current.map(bindingKey)), new Set(next.map(bindingKey))];
  return [
    ...current.filter((b) => !after.has(bindingKey(b))).map((b) => ({ action: "REMOVE" as const, accessBinding: b })),
    ...next
      .filter((b, i) => !before.has(bindingKey(b)) && next.findIndex((o) => bindingKey(o) === bindingKey(b)) === i)
      .map((b) => ({ action: "ADD" as const, accessBinding: b })),
  ];
}

/** The bindings after `deltas`, in order, and the deltas that changed something (adding one that exists, or removing one that does not, changes nothing). */
export function applied(
  current: AccessBinding[],
  deltas: AccessBindingDelta[],
): { bindings: AccessBinding[]; effective: AccessBindingDelta[] } {
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

/** The roles `subjectId` holds among one resource's bindings, each as the access analyzer answers it (with the resource). */
export const heldBy = (
  subjectId: string,
  resource: SubjectAccessBinding["resource"],
  bindings: readonly AccessBinding[],
): SubjectAccessBinding[] => bindings.filter((b) => b.subject.id === subjectId).map(({ roleId }) => ({ roleId, resource, subjectId }));
