// A stateful fake of the IAM API in memory, for users' own tests: the document's operations with state, routed by
// the generated operations table (router.ts) to one module per service (services/), checked with the same generated
// checks as the client.
import { createRouter, type FakeContext, type FakeService } from "./router.js";
import { accessKeysService } from "./services/access-keys.js";
import { apiKeysService } from "./services/api-keys.js";
import { iamTokensService } from "./services/iam-tokens.js";
import { keysService } from "./services/keys.js";
import { type OperationProgress, operationsService } from "./services/operations.js";
import { serviceAccountsService } from "./services/service-accounts.js";

export type { FakeStatus } from "./answers.js";
export { DEFAULT_ROLES } from "./roles.js";
export type { FakeRequest, Fault } from "./router.js";
export { DEFAULT_SCOPES, type SeedKey } from "./services/api-keys.js";
export type { FakeKeyFile } from "./services/keys.js";
export type { OperationProgress } from "./services/operations.js";

export interface FakeIamOptions {
  /** The address the client is given with `fake.fetch` (any host works). Default `http://iam.fake.invalid`. */
  baseUrl?: string;
  /** The service accounts that exist at first (in `folderId`); the first is the subject of any accepted token. Default: one, `ajeg2b2et02f3tl2c1pj`. */
  serviceAccounts?: string[];
  /** The folder of the service accounts it starts with (folders are not modelled: any folder id is accepted). Default `b1gvmob95yysaplct532`. */
  folderId?: string;
  /** Which bearer tokens are accepted and whose they are (a service account id); undefined refuses. Default: any non-empty token, the first service account's. */
  authenticate?: (token: string) => string | undefined;
  /** The scopes listScopes pages over. */
  scopes?: string[];
  /** How operations progress (changeable later with `fake.progress`). Default `{ polls: 1 }`: a change answers `done: false`, as Yandex's do, and the first poll finds it done. */
  operations?: OperationProgress;
  /** Roles a binding may name besides the documented ones the fake knows (`DEFAULT_ROLES`: primitive, IAM, Resource Manager and Object Storage roles); a binding naming any other role is refused. */
  roles?: string[];
  /** Keys of each kind per cloud before create answers RESOURCE_EXHAUSTED. Default 1000, as Yandex's API keys, authorized keys and static keys. */
  quota?: number;
  /** Service accounts per cloud, the ones it starts with counted. Default 100, as Yandex's. */
  serviceAccountQuota?: number;
  /** Access bindings per cloud. Default 1000, as Yandex's. */
  accessBindingQuota?: number;
  /** How long the IAM tokens it mints live. Default 12 hours, as Yandex's. */
  tokenLifetimeMs?: number;
  /** The clock, in epoch milliseconds: of every timestamp it makes (keys, accounts, operations), token lifetimes and JWT checks. Default `Date.now`. */
  now?: () => number;
}

/** One object of every service's state. */
type Merged<T> = (T extends unknown ? (x: T) => void : never) extends (x: infer I) => void ? I : never;

/** Creates a fake with its own state, in memory; `serveFake(fake)` of `yc-iam-api-keys/testing/node` serves it over HTTP. */
export function createFakeIam(options: FakeIamOptions = {}) {
  const baseUrl = options.baseUrl ?? "http://iam.fake.invalid";
  // Note: a copy: the ServiceAccount service adds and removes accounts in it, never in the caller's array.
  const serviceAccounts = [...(options.serviceAccounts ?? ["ajeg2b2et02f3tl2c1pj"])];
  const owner = serviceAccounts[0] ?? "ajeg2b2et02f3tl2c1pj";
  const now = options.now ?? Date.now;
  const operations = operationsService(options.operations, owner, now);
  const context: FakeContext = {
    options,
    serviceAccounts,
    owner,
    now,
    operations,
    signingKeys: new Map(),
    deleteOwnedBy: (id) => {
      for (const service of services as readonly FakeService[]) service.deleteOwnedBy?.(id);
    },
    refusal: (id) => (services as readonly FakeService[]).map((service) => service.refusal?.(id)).find(Boolean),
  };
  const tokens = iamTokensService(context);
  const apiKeys = apiKeysService(context);
  const keys = keysService(context);
  // Note: the services the fake serves; a new one is one more entry (see router.ts).
  const services = [apiKeys, keys, operations, tokens, accessKeysService(context), serviceAccountsService(context)] as const;
  const router = createRouter(services, { owner, subjectOf: tokens.subjectOf, refusal: context.refusal });

  return {
    baseUrl,
    /** A `fetch` that answers from the fake; give it to `createIamClient({ fetch: fake.fetch, baseUrl: fake.baseUrl })`. */
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      // Note: openapi-fetch hands over a ready Request; building another would only copy it.
      router.handle(input instanceof Request && !init ? input : new Request(input, init))) as typeof globalThis.fetch,
    /** Answers one request as the IAM API would. */
    handle: router.handle,
    /** Empty again: the service accounts it started with and nothing else, no keys (the key files made before are refused from now on), bindings, operations, faults or recorded requests; the progression is the one given at creation. */
    reset() {
      for (const service of services) service.reset();
      router.reset();
    },
    /** Adds keys as they would be after some life (a `lastUsedAt`, an old `createdAt`); returns them. */
    seed: apiKeys.seed,
    /**
     * A real authorized key file (RSA 2048, PKCS#8 with Yandex's prefix line) for one of its service accounts, made
     * through the Key service; the fake verifies JWTs signed with it and mints IAM tokens for that account.
     */
    createServiceAccountKey: keys.createServiceAccountKey,
    /** The next `count` calls (of `operation` only, if given) fail as `fault` says. */
    failNext: router.failNext,
    /** How operations started from now on progress. */
    progress: operations.progress,
    /** A copy of the state, for assertions: `apiKeys`, `keys` (never a private key), `accessKeys` (never a secret), `serviceAccounts`, `accessBindings` (by account id), `operations`, and `iamTokens` (how many tokens were minted). */
    get state(): Merged<ReturnType<(typeof services)[number]["state"]>> {
      return Object.assign({}, ...services.map((service) => service.state()));
    },
    /** Every request received so far, oldest first. */
    get requests() {
      return router.requests;
    },
  };
}

/** What `createFakeIam` returns. */
export type FakeIam = ReturnType<typeof createFakeIam>;
