// A stateful fake of the IAM API in memory, for users' own tests: the document's operations with state, routed by
// the generated operations table (router.ts) to one module per service (services/), checked with the same generated
// checks as the client.
import { accessBindingStore } from "./bindings.js";
import { createRouter } from "./router.js";
import fakeServices from "./services/index.js";
import operationsService from "./services/operations.js";
import type { FakeContext, FakeIamOptions, FakeService } from "./types.js";

export type { FakeStatus } from "./answers.js";
export { DEFAULT_CLOUD_ID, DEFAULT_FOLDER_ID, DEFAULT_ORGANIZATION_ID } from "./data.js";
export type { FakeRequest, Fault } from "./router.js";
export { DEFAULT_SCOPES, type SeedKey } from "./services/api-keys.js";
export type { FakeKeyFile } from "./services/keys.js";
export { DEFAULT_ROLES } from "./services/roles.js";
export type { FakeCloud, FakeFolder, FakeIamOptions, FakeJwksSource, OperationProgress } from "./types.js";

/** Each service of the list, made. */
type Made = { [Name in keyof typeof fakeServices]: ReturnType<(typeof fakeServices)[Name]> };

/** One object of every service's state. */
type Merged<T> = (T extends unknown ? (x: T) => void : never) extends (x: infer I) => void ? I : never;

/** Creates a fake with its own state, in memory; `serveFake(fake)` of `yc-iam-api-keys/testing/node` serves it over HTTP. */
export function createFakeIam(options: FakeIamOptions = {}) {
  const baseUrl = options.baseUrl ?? "http://iam.fake.invalid";
  // Note: a copy: the ServiceAccount service adds and removes accounts in it, never in the caller's array.
  const serviceAccounts = [...(options.serviceAccounts ?? ["ajeg2b2et02f3tl2c1pj"])];
  const owner = serviceAccounts[0] ?? "ajeg2b2et02f3tl2c1pj";
  const now = options.now ?? Date.now;
  const operations = operationsService({ options, owner, now });
  const roleExists = (roleId: string) => services.some((service) => service.roleExists?.(roleId));
  // Note: made before the services, as the Operation service is: each kind of resource serves its bindings from it.
  const accessBindings = accessBindingStore({ options, operations, roleExists });
  const context: FakeContext = {
    options,
    serviceAccounts,
    owner,
    now,
    operations,
    signingKeys: new Map(),
    deleteOwnedBy: (id) => {
      for (const service of services) service.deleteOwnedBy?.(id);
    },
    refusal: (id) => services.map((service) => service.refusal?.(id)).find(Boolean),
    roleExists,
    accessBindings,
    subjectBindings: (subjectId) => services.flatMap((service) => service.subjectBindings?.(subjectId) ?? []),
    resourceExists: (type, id) => services.some((service) => service.resourceExists?.(type, id)),
    federationsOf: (issuer) => services.flatMap((service) => service.federationsOf?.(issuer) ?? []),
    federatedAccounts: (federationId, subject) => services.flatMap((service) => service.federatedAccounts?.(federationId, subject) ?? []),
    issueIamToken: (serviceAccountId) => {
      const issuer = services.find((service) => service.issueIamToken);
      if (!issuer?.issueIamToken) throw new Error("no service of the fake issues IAM tokens");
      return issuer.issueIamToken(serviceAccountId);
    },
  };
  // Note: the list's entries, each made with the context, under its name; the types follow the list (Object.fromEntries loses them).
  const made = Object.fromEntries(Object.entries(fakeServices).map(([name, make]) => [name, make(context)])) as Made;
  const all = [operations, accessBindings, ...Object.values(made)];
  const services: readonly FakeService[] = all;
  const router = createRouter(services, {
    owner,
    subjectOf: made.iamTokens.subjectOf,
    refusal: context.refusal,
    complete: operations.complete,
  });

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
    seed: made.apiKeys.seed,
    /**
     * A real authorized key file (RSA 2048, PKCS#8 with Yandex's prefix line) for one of its service accounts, made
     * through the Key service; the fake verifies JWTs signed with it and mints IAM tokens for that account.
     */
    createServiceAccountKey: made.keys.createServiceAccountKey,
    /** The next `count` calls (of `operation` only, if given) fail as `fault` says. */
    failNext: router.failNext,
    /** How operations started from now on progress. */
    progress: operations.progress,
    /** A copy of the state, for assertions: every service's own, in one object (never a private key or a secret). */
    get state(): Merged<ReturnType<(typeof all)[number]["state"]>> {
      return Object.assign({}, ...all.map((service) => service.state()));
    },
    /** Every request received so far, oldest first. */
    get requests() {
      return router.requests;
    },
  };
}

/** What `createFakeIam` returns. */
export type FakeIam = ReturnType<typeof createFakeIam>;
