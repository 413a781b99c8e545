// The Key service of the fake: authorized keys with real RSA pairs made by WebCrypto, the private key shown once,
// quota, idempotent create, update and delete as Operations; the IamToken service verifies JWTs with their public keys.
import type { components } from "../../../generated/schema.js";
import { answer, failure, TYPE, unknownAccount } from "../answers.js";
import { newId, notBefore, places, timestamp } from "../data.js";
import { ownedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type Key = components["schemas"]["Key"];
type CreateKeyResponse = components["schemas"]["CreateKeyResponse"];

/** An authorized key file, as `yc iam key create -o key.json` writes it (snake_case). */
export interface FakeKeyFile {
  id: string;
  service_account_id: string;
  created_at: string;
  description?: string;
  key_algorithm: "RSA_2048" | "RSA_4096";
  public_key: string;
  private_key: string;
}

/** A key in PEM, 64 characters a line. */
async function pem(format: "pkcs8" | "spki", key: CryptoKey, label: string): Promise<string> {
  const der = new Uint8Array(await crypto.subtle.exportKey(format, key));
  const base64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

/** A new RSA pair for PS256 (RSASSA-PSS with SHA-256), of the algorithm's modulus length. */
const generatePair = (algorithm: "RSA_2048" | "RSA_4096") =>
  crypto.subtle.generateKey(
    { name: "RSA-PSS", modulusLength: algorithm === "RSA_4096" ? 4096 : 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  ) as Promise<CryptoKeyPair>;

/**
 * The pairs made so far, by algorithm: a fake's n-th key takes the n-th. Note: an RSA pair takes tens of milliseconds to
 * make (a 4096-bit one, seconds), and a test suite makes hundreds of fakes; each fake's keys stay distinct, and a key is
 * known by its id (the JWT's `kid`), so a pair another fake also holds signs for no key of this one.
 */
const PAIRS: Record<"RSA_2048" | "RSA_4096", Promise<CryptoKeyPair>[]> = { RSA_2048: [], RSA_4096: [] };
const pairAt = (algorithm: "RSA_2048" | "RSA_4096", n: number) => {
  const pairs = PAIRS[algorithm];
  // Note: a pair that failed to be made is made again by the next key that asks.
  pairs[n] ??= generatePair(algorithm).catch((error) => {
    delete pairs[n];
    throw error;
  });
  return pairs[n];
};

/** A copy of a key as it is now, for what is kept or handed out beyond one answer. */
const snapshot = (key: Key): Key => structuredClone(key);
const notFound = (keyId: string) => failure(5, `Key ${keyId} not found`);

/** The Key service: `createServiceAccountKey` makes a key through it and gives it as a key file. */
export default function keysService({ options, serviceAccounts, owner, now, operations, signingKeys }: FakeContext) {
  const quota = options.quota ?? 1000;
  let keys = new Map<string, Key>();
  /** The pairs this fake has taken, by algorithm: never reset, so a key made after a reset has a pair of its own too. */
  const taken = { RSA_2048: 0, RSA_4096: 0 };
  /** The keys' places in a list, for page tokens. */
  const order = places();

  /** Starts an update or a delete of a key as an Operation. */
  const change = operations.changes("key", "yandex.cloud.iam.v1", "Key", "keyId");

  /** Creates a key as createKey does: its answer, or the error answer. */
  async function create(
    body: { serviceAccountId?: string; description?: string; keyAlgorithm?: string },
    subject: string,
  ): Promise<CreateKeyResponse | Response> {
    const serviceAccountId = body.serviceAccountId || subject;
    const refused = () =>
      unknownAccount(serviceAccounts, serviceAccountId) ??
      (keys.size >= quota ? failure(8, "Quota limit iam.authorizedKeys.count exceeded") : undefined);
    // Note: refused before the slow part too, so a create past the quota makes no key pair.
    const early = refused();
    if (early) return early;
    const id = newId();
    const keyAlgorithm = body.keyAlgorithm === "RSA_4096" ? "RSA_4096" : "RSA_2048";
    const pair = await pairAt(keyAlgorithm, taken[keyAlgorithm]++);
    const publicKey = await pem("spki", pair.publicKey, "PUBLIC KEY");
    const privateKey = `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${id}>\n${await pem("pkcs8", pair.privateKey, "PRIVATE KEY")}`;
    // Note: checked again and stored in one step, with no await between: concurrent creates cannot pass the quota
    // together, and an account deleted while its key pair was made gets no key.
    const late = refused();
    if (late) return late;
    const key: Key & { createdAt: string } = {
      id,
      serviceAccountId,
      createdAt: timestamp(now()),
      ...(body.description && { description: body.description }),
      keyAlgorithm,
      publicKey,
    };
    keys.set(key.id, key);
    order.put(key.id);
    // Note: a JWT exchange with the key is its use, as Yandex records it in lastUsedAt.
    signingKeys.set(key.id, {
      serviceAccountId,
      publicKey: pair.publicKey,
      used: () => void (key.lastUsedAt = notBefore(key.lastUsedAt ?? key.createdAt, now())),
    });
    return { key: snapshot(key), privateKey };
  }

  return {
    handlers: {
      async createKey({ body, subject }) {
        const result = await create(body, subject);
        return result instanceof Response ? result : answer(200, result);
      },

      getKey({ path }) {
        const key = keys.get(path.keyId);
        return key ? answer(200, key) : notFound(path.keyId);
      },

      listKeys(args) {
        return ownedPage("keys", keys.values(), order, args, serviceAccounts);
      },

      updateKey({ path, body }) {
        const key = keys.get(path.keyId);
        if (!key) return notFound(path.keyId);
        // Note: as the real API, no mask means every updatable field (only `description`): left out, it is cleared.
        const mask: string[] = body.updateMask ? body.updateMask.split(",") : ["description"];
        const operation = change("Update", key.id, () => {
          // Note: a key deleted while the update was in flight stays deleted; the update fails.
          if (keys.get(key.id) !== key) throw new OperationFailure({ code: 5, message: `Key ${key.id} not found` });
          for (const field of mask) {
            if (body[field]) (key as Record<string, unknown>)[field] = body[field];
            else delete (key as Record<string, unknown>)[field];
          }
          return { "@type": `${TYPE}yandex.cloud.iam.v1.Key`, ...snapshot(key) };
        });
        return answer(200, operation);
      },

      deleteKey({ path }) {
        if (!keys.has(path.keyId)) return notFound(path.keyId);
        const operation = change("Delete", path.keyId, () => {
          keys.delete(path.keyId);
          signingKeys.delete(path.keyId);
          return { "@type": `${TYPE}google.protobuf.Empty` };
        });
        return answer(200, operation);
      },

      listKeyOperations({ path, query }) {
        if (!keys.has(path.keyId)) return notFound(path.keyId);
        return operations.page(path.keyId, query);
      },
    },
    /**
     * A real authorized key file (RSA 2048, PKCS#8 with Yandex's prefix line) for one of its service accounts, made by
     * the Key service as createKey makes one (so it is listed, counts to the quota, and stops working once deleted).
     */
    async createServiceAccountKey(serviceAccountId: string = owner): Promise<FakeKeyFile> {
      const result = await create({ serviceAccountId }, owner);
      if (result instanceof Response) throw new Error(`createServiceAccountKey: ${(await result.json()).message}`);
      const { key, privateKey } = result;
      return {
        id: key.id,
        service_account_id: serviceAccountId,
        // Note: the fake writes every field of its keys, so these are there.
        created_at: key.createdAt as string,
        ...(key.description && { description: key.description }),
        key_algorithm: key.keyAlgorithm as FakeKeyFile["key_algorithm"],
        public_key: key.publicKey as string,
        private_key: privateKey,
      };
    },
    /** A deleted service account's keys go with it: JWTs signed with them are refused from now on. */
    deleteOwnedBy(serviceAccountId: string) {
      for (const key of keys.values()) {
        if (key.serviceAccountId !== serviceAccountId) continue;
        keys.delete(key.id);
        signingKeys.delete(key.id);
      }
    },
    state: () => ({ keys: [...keys.values()].map(snapshot) }),
    /** No keys: JWTs signed with the keys made before are refused from now on. */
    reset() {
      keys = new Map();
      order.clear();
      signingKeys.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
