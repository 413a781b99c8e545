// The AccessKey service of the fake: static AWS-compatible keys (an `aje…` id, a `YC…` AWS keyId and a secret shown
// once), quota per cloud, exact update masks, update and delete as Operations; a deleted account's keys go with it.
import type { components } from "../../../generated/schema.js";
import { answer, failure, TYPE, unknownAccount } from "../answers.js";
import { newId, places, randomText, timestamp } from "../data.js";
import { ownedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type AccessKey = components["schemas"]["AccessKey"];

const AWS_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A copy of a key as it is now, for what is kept or handed out beyond one answer. */
const snapshot = (key: AccessKey): AccessKey => structuredClone(key);
const notFound = (accessKeyId: string) => failure(5, `Access key ${accessKeyId} not found`);

/** The AccessKey service. */
export default function accessKeysService({ options, serviceAccounts, now, operations }: FakeContext) {
  const quota = options.quota ?? 1000;
  let keys = new Map<string, AccessKey>();
  /** The keys' places in a list, for page tokens. */
  const order = places();

  /** Starts an update or a delete of a key as an Operation. */
  const change = operations.changes("access key", "yandex.cloud.iam.v1.awscompatibility", "AccessKey", "accessKeyId");

  return {
    handlers: {
      // Note: a repeated Idempotency-Key is answered by the router with the first answer (secret included), as Yandex does.
      createAccessKey({ body, subject }) {
        const serviceAccountId = body.serviceAccountId || subject;
        const unknown = unknownAccount(serviceAccounts, serviceAccountId);
        if (unknown) return unknown;
        if (keys.size >= quota) return failure(8, "Quota limit of static access keys per cloud exceeded");
        const key: AccessKey = {
          id: newId(),
          serviceAccountId,
          createdAt: timestamp(now()),
          ...(body.description && { description: body.description }),
          keyId: `YC${randomText(AWS_CHARS, 23)}`,
        };
        keys.set(key.id, key);
        order.put(key.id);
        return answer(200, { accessKey: snapshot(key), secret: `YC${randomText(AWS_CHARS, 38)}` });
      },

      getAccessKey({ path }) {
        const key = keys.get(path.accessKeyId);
        return key ? answer(200, key) : notFound(path.accessKeyId);
      },

      listAccessKeys(args) {
        return ownedPage("accessKeys", keys.values(), order, args, serviceAccounts);
      },

      updateAccessKey({ path, body }) {
        const key = keys.get(path.accessKeyId);
        if (!key) return notFound(path.accessKeyId);
        // Note: only `description` can change, so the mask is it or absent; absent, a description left out is cleared.
        const operation = change("Update", key.id, () => {
          // Note: a key deleted while the update was in flight stays deleted; the update fails.
          if (keys.get(key.id) !== key) throw new OperationFailure({ code: 5, message: `Access key ${key.id} not found` });
          if (body.description) key.description = body.description;
          else delete key.description;
          return { "@type": `${TYPE}yandex.cloud.iam.v1.awscompatibility.AccessKey`, ...snapshot(key) };
        });
        return answer(200, operation);
      },

      deleteAccessKey({ path }) {
        if (!keys.has(path.accessKeyId)) return notFound(path.accessKeyId);
        const operation = change("Delete", path.accessKeyId, () => {
          keys.delete(path.accessKeyId);
          return { "@type": `${TYPE}google.protobuf.Empty` };
        });
        return answer(200, operation);
      },

      listAccessKeyOperations({ path, query }) {
        if (!keys.has(path.accessKeyId)) return notFound(path.accessKeyId);
        return operations.page(path.accessKeyId, query);
      },
    },
    /** A deleted service account's keys go with it. */
    deleteOwnedBy(serviceAccountId: string) {
      for (const key of keys.values()) if (key.serviceAccountId === serviceAccountId) keys.delete(key.id);
    },
    state: () => ({ accessKeys: [...keys.values()].map(snapshot) }),
    reset() {
      keys = new Map();
      order.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
