// The Operation service of the fake: long-running operations that other services start, and getOperation.
// They progress as `OperationProgress` says, like moto's state transitions.
import type { components } from "../../../generated/schema.js";
import { answer, type FakeStatus, failure, TYPE } from "../answers.js";
import { newId, notBefore, timestamp } from "../data.js";
import type { FakeService } from "../router.js";

type Operation = components["schemas"]["Operation"];

/** How every Operation the fake starts progresses (updates, deletes, service-account create, suspend, bindings…), like moto's state transitions. */
export interface OperationProgress {
  /** How many getOperation calls answer `done: false` first; 0 (the default): done in the answer to the call that started it. */
  polls?: number;
  /** Finish with this error instead of a response (nothing changes). */
  error?: FakeStatus;
}

/** What starts an operation: its description, its metadata (`@type` and ids), and the resource it acts on. */
export interface OperationStart {
  description: string;
  /** The metadata message's type name, as `yandex.cloud.iam.v1.UpdateApiKeyMetadata`. */
  metadataType: string;
  metadata: Record<string, string>;
  resourceId: string;
}

/** The Operation service; `initial` is how operations progress until `progress` says otherwise; `now` is the fake's clock. */
export function operationsService(initial: OperationProgress | undefined, owner: string, now: () => number) {
  initial ??= {};
  let ops = new Map<string, { operation: Operation; pollsLeft: number; finish: () => Operation }>();
  let byResource = new Map<string, string[]>();
  let progression = initial;

  const service = {
    handlers: {
      getOperation({ path }) {
        const entry = ops.get(path.operationId);
        if (!entry) return failure(5, `Operation ${path.operationId} not found`);
        if (!entry.operation.done && --entry.pollsLeft <= 0) entry.finish();
        return answer(200, entry.operation);
      },
    },
    /** Starts an Operation: done at once, or after some polls; `apply` makes its effect and gives its response, `abandon` runs instead if it fails. */
    start({ description, metadataType, metadata, resourceId }: OperationStart, apply: () => object, abandon?: () => void): Operation {
      const { polls = 0, error } = progression;
      const createdAt = timestamp(now());
      const operation: Operation = {
        id: newId(),
        description,
        createdAt,
        createdBy: owner,
        modifiedAt: createdAt,
        done: false,
        metadata: { "@type": `${TYPE}${metadataType}`, ...metadata },
      };
      const finish = () => {
        if (error) abandon?.();
        Object.assign(
          operation,
          { done: true, modifiedAt: notBefore(operation.modifiedAt as string, now()) },
          error ? { error: { ...error, details: [] } } : { response: apply() },
        );
        return operation;
      };
      ops.set(operation.id, { operation, pollsLeft: polls, finish });
      byResource.set(resourceId, [...(byResource.get(resourceId) ?? []), operation.id]);
      // Note: answer() serializes at once, so handlers hand it live objects; only what is kept for later is copied.
      return polls > 0 ? operation : finish();
    },
    /**
     * How a service starts the changes of one kind of resource: `changes("API key", "yandex.cloud.iam.v1", "ApiKey", "apiKeyId")`
     * gives `(kind, id, apply, abandon?)` that starts "Update API key" with `{ apiKeyId }` as its `…UpdateApiKeyMetadata`.
     */
    changes(noun: string, pkg: string, message: string, field: string) {
      return (kind: string, id: string, apply: () => object, abandon?: () => void): Operation =>
        service.start(
          { description: `${kind} ${noun}`, metadataType: `${pkg}.${kind}${message}Metadata`, metadata: { [field]: id }, resourceId: id },
          apply,
          abandon,
        );
    },
    /** The operations started on a resource, oldest first. */
    of(resourceId: string): Operation[] {
      return (byResource.get(resourceId) ?? []).flatMap((id) => ops.get(id)?.operation ?? []);
    },
    /** How operations started from now on progress. */
    progress(next: OperationProgress) {
      progression = next;
    },
    state: () => ({ operations: [...ops.values()].map((o) => structuredClone(o.operation)) }),
    /** No operations; the progression is the initial one. */
    reset() {
      ops = new Map();
      byResource = new Map();
      progression = initial;
    },
  } satisfies FakeService & Record<string, unknown>;
  return service;
}

/** The Operation service of one fake. */
export type Operations = ReturnType<typeof operationsService>;
