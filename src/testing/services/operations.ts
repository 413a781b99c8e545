// The Operation service of the fake: long-running operations that other services start, and getOperation.
// They progress as `OperationProgress` says, like moto's state transitions.
import type { components } from "../../../generated/schema.js";
import { answer, type FakeStatus, failure, TYPE } from "../answers.js";
import { newId, notBefore, places, timestamp } from "../data.js";
import { placedPage } from "../lists.js";
import type { FakeContext, FakeService, OperationProgress, OperationStart, Operations, PageQuery } from "../types.js";

type Operation = components["schemas"]["Operation"];

/**
 * What an operation's `apply` throws when the change cannot be made when the operation finishes (its service account
 * deleted in the meantime, a quota reached by another change): the operation fails with this Status and nothing changes.
 */
export class OperationFailure extends Error {
  constructor(readonly status: FakeStatus) {
    super(status.message);
  }
}

/**
 * The Operation service, made before the other services (their context holds it): `options.operations` is how operations
 * progress until `progress` says otherwise, `now` the fake's clock.
 */
export default function operationsService({ options, owner, now }: Pick<FakeContext, "options" | "owner" | "now">) {
  const initial = options.operations ?? {};
  let ops = new Map<string, { operation: Operation; pollsLeft: number; finish: () => Operation }>();
  let byResource = new Map<string, string[]>();
  let progression = initial;
  /** The operations' places in the lists of a resource's operations, oldest first. */
  const order = places();

  const service = {
    handlers: {
      getOperation({ path }) {
        const entry = ops.get(path.operationId);
        if (!entry) return failure(5, `Operation ${path.operationId} not found`);
        if (!entry.operation.done && --entry.pollsLeft <= 0) entry.finish();
        return answer(200, entry.operation);
      },
    },
    /**
     * Starts an Operation: done after some polls, or at once; `apply` makes its effect and gives its response (or throws
     * an OperationFailure: the operation fails with its Status), `abandon` runs if the operation fails.
     */
    start({ description, metadataType, metadata, resourceId }: OperationStart, apply: () => object, abandon?: () => void): Operation {
      const { polls = 1, error } = progression;
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
        let outcome: { error: FakeStatus & { details: [] } } | { response: object };
        if (error) outcome = { error: { ...error, details: [] } };
        else {
          try {
            outcome = { response: apply() };
          } catch (failure) {
            if (!(failure instanceof OperationFailure)) throw failure;
            outcome = { error: { ...failure.status, details: [] } };
          }
        }
        if ("error" in outcome) abandon?.();
        Object.assign(operation, { done: true, modifiedAt: notBefore(operation.modifiedAt as string, now()) }, outcome);
        return operation;
      };
      ops.set(operation.id, { operation, pollsLeft: polls, finish });
      order.put(operation.id);
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
    /** Finishes an operation not done yet at once, as the server carries on with a change whose answer was lost. */
    complete(operationId: string) {
      const entry = ops.get(operationId);
      if (entry && !entry.operation.done) entry.finish();
    },
    /** The operations started on a resource, oldest first. */
    of(resourceId: string): Operation[] {
      return (byResource.get(resourceId) ?? []).flatMap((id) => ops.get(id)?.operation ?? []);
    },
    /** A page of the operations started on a resource, oldest first, as a `list…Operations` call answers it. */
    page(resourceId: string, query: PageQuery): Response {
      return placedPage("operations", service.of(resourceId), order, query, (operation) => operation.id);
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
      order.clear();
      progression = initial;
    },
  } satisfies FakeService & Operations & Record<string, unknown>;
  return service;
}
