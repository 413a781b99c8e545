// The ApiKey service of the fake: keys with their secrets shown once, quota, idempotent create, exact update masks,
// update and delete as Operations, and the scopes a key can have.
import type { components } from "../../../generated/schema.js";
import { answer, failure, TYPE, unknownAccount } from "../answers.js";
import { maskSecret, newId, newSecret, places, timestamp } from "../data.js";
import { cataloguePage, ownedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type ApiKey = components["schemas"]["ApiKey"];

/** A key to start with: any ApiKey fields (a past `lastUsedAt`, say); the rest are made up. */
export type SeedKey = Partial<ApiKey>;

export const DEFAULT_SCOPES = [
  "yc.ai.foundationModels.execute",
  "yc.ai.imageGeneration.execute",
  "yc.ai.languageModels.execute",
  "yc.ai.speechkitStt.execute",
  "yc.ai.speechkitTts.execute",
  "yc.ai.translate.execute",
  "yc.ai.vision.execute",
  "yc.monitoring.manage",
  "yc.monitoring.read",
  "yc.postbox.send",
  "yc.search-api.execute",
  "yc.serverless.containers.invoke",
  "yc.serverless.functions.invoke",
  "yc.ydb.tables.manage",
  "yc.ydb.topics.manage",
];

/** A copy of a key as it is now, for what is kept or handed out beyond one answer. */
const snapshot = (key: ApiKey): ApiKey => structuredClone(key);
const notFound = (apiKeyId: string) => failure(5, `ApiKey ${apiKeyId} not found`);

/** The ApiKey service: `seed` adds keys with a past. */
export default function apiKeysService({ options, serviceAccounts, owner, now, operations }: FakeContext) {
  const knownScopes = options.scopes ?? DEFAULT_SCOPES;
  const quota = options.quota ?? 1000;
  let keys = new Map<string, ApiKey>();
  /** The keys' places in a list, for page tokens. */
  const order = places();

  const change = operations.changes("API key", "yandex.cloud.iam.v1", "ApiKey", "apiKeyId");

  return {
    handlers: {
      createApiKey({ body, subject }) {
        const serviceAccountId = body.serviceAccountId || subject;
        const unknown = unknownAccount(serviceAccounts, serviceAccountId);
        if (unknown) return unknown;
        if (keys.size >= quota) return failure(8, "Quota limit iam.apiKeys.count exceeded");
        const secret = newSecret();
        const scopes = body.scopes?.length ? body.scopes : body.scope ? [body.scope] : undefined;
        const key: ApiKey = {
          id: newId(),
          serviceAccountId,
          createdAt: timestamp(now()),
          ...(body.description && { description: body.description }),
          ...(body.scope && { scope: body.scope }),
          ...(scopes && { scopes }),
          ...(body.expiresAt && { expiresAt: body.expiresAt }),
          maskedSecret: maskSecret(secret),
        };
        keys.set(key.id, key);
        order.put(key.id);
        return answer(200, { apiKey: snapshot(key), secret });
      },

      getApiKey({ path }) {
        const key = keys.get(path.apiKeyId);
        return key ? answer(200, key) : notFound(path.apiKeyId);
      },

      listApiKeys(args) {
        return ownedPage("apiKeys", keys.values(), order, args, serviceAccounts);
      },

      updateApiKey({ path, body }) {
        const key = keys.get(path.apiKeyId);
        if (!key) return notFound(path.apiKeyId);
        // Note: as the real API, no mask means every updatable field: the ones left out are reset.
        const mask: string[] = body.updateMask ? body.updateMask.split(",") : ["description", "scopes", "expiresAt"];
        const operation = change("Update", key.id, () => {
          // Note: a key deleted while the update was in flight stays deleted; the update fails.
          if (keys.get(key.id) !== key) throw new OperationFailure({ code: 5, message: `ApiKey ${key.id} not found` });
          for (const field of mask) {
            const value = body[field];
            if (value === undefined || (Array.isArray(value) && !value.length)) delete (key as Record<string, unknown>)[field];
            else (key as Record<string, unknown>)[field] = value;
          }
          return { "@type": `${TYPE}yandex.cloud.iam.v1.ApiKey`, ...snapshot(key) };
        });
        return answer(200, operation);
      },

      deleteApiKey({ path }) {
        if (!keys.has(path.apiKeyId)) return notFound(path.apiKeyId);
        const operation = change("Delete", path.apiKeyId, () => {
          keys.delete(path.apiKeyId);
          return { "@type": `${TYPE}google.protobuf.Empty` };
        });
        return answer(200, operation);
      },

      listApiKeyOperations({ path, query }) {
        if (!keys.has(path.apiKeyId)) return notFound(path.apiKeyId);
        return operations.page(path.apiKeyId, query);
      },

      listApiKeyScopes({ query }) {
        return cataloguePage("scopes", knownScopes, query);
      },
    },
    /** Adds keys as they would be after some life (a `lastUsedAt`, an old `createdAt`); returns them. */
    seed(seeds: SeedKey[]): ApiKey[] {
      return seeds.map((seed) => {
        const key: ApiKey = {
          id: newId(),
          serviceAccountId: owner,
          createdAt: timestamp(now()),
          maskedSecret: maskSecret(newSecret()),
          ...seed,
        };
        keys.set(key.id, key);
        order.put(key.id);
        return snapshot(key);
      });
    },
    /** A deleted service account's keys go with it. */
    deleteOwnedBy(serviceAccountId: string) {
      for (const key of keys.values()) if (key.serviceAccountId === serviceAccountId) keys.delete(key.id);
    },
    state: () => ({ apiKeys: [...keys.values()].map(snapshot) }),
    reset() {
      keys = new Map();
      order.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
