// The types the fake's parts share: its options, what a service module gives it and is made with. Types only, so fake.ts,
// the router and every service module import them from here and never from each other.
import type { OperationId } from "../../generated/contract.js";
import type { components } from "../../generated/schema.js";
import type { FakeStatus } from "./answers.js";
import type { Jwks } from "./oidc.js";

type Operation = components["schemas"]["Operation"];
type SubjectAccessBinding = components["schemas"]["SubjectAccessBinding"];
type AccessBinding = components["schemas"]["AccessBinding"];
type OidcFederation = components["schemas"]["OidcFederation"];

export interface FakeIamOptions {
  /** The address the client is given with `fake.fetch` (any host works). Default `http://iam.fake.invalid`. */
  baseUrl?: string;
  /** The service accounts that exist at first (in `folderId`); the first is the subject of any accepted token. Default: one, `ajeg2b2et02f3tl2c1pj`. */
  serviceAccounts?: string[];
  /** The folder of the service accounts it starts with (a service account may be made in any folder id). Default `b1gvmob95yysaplct532`. */
  folderId?: string;
  /** The clouds Resource Manager answers, in `organizationId`. Default: one, `b1gia87mbaomkfvsleds`, named `default`. */
  clouds?: FakeCloud[];
  /** The folders Resource Manager answers. Default: one, `folderId`, named `default`, in the default cloud. */
  folders?: FakeFolder[];
  /** The organization of its clouds, which the access analyzer and listClouds answer for; any other is NOT_FOUND, as Yandex's answer for one the caller cannot see. Default `bpf3crucp1v28b74p3rk`. */
  organizationId?: string;
  /** Which bearer tokens are accepted and whose they are (a service account id); undefined refuses. Default: any non-empty token, the first service account's. */
  authenticate?: (token: string) => string | undefined;
  /** The scopes listScopes pages over. */
  scopes?: string[];
  /** How operations progress (changeable later with `fake.progress`). Default `{ polls: 1 }`: a change answers `done: false`, as Yandex's do, and the first poll finds it done. */
  operations?: OperationProgress;
  /** Roles of the catalogue besides the documented ones the fake knows (`DEFAULT_ROLES`: primitive, IAM, Resource Manager and Object Storage roles); a binding naming a role outside the catalogue is refused. */
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
  /**
   * The key sets the token exchange checks platform tokens with, each found by the `jwksUrl` a federation names: an
   * issuer of `createOidcIssuer` is one (`jwks: [issuer]`), or any `{ jwksUrl, jwks() }`. The fake fetches no JWKS: a
   * federation whose URL none of them has refuses every token, naming the URL. Default: none.
   */
  jwks?: readonly FakeJwksSource[];
}

/** Where a federation's keys are (`jwksUrl`) and what they are: what `createOidcIssuer` gives, or any key set of a test's own. */
export interface FakeJwksSource {
  jwksUrl: string;
  jwks(): Jwks | Promise<Jwks>;
}

/** An IAM token the fake issued, which it accepts as a bearer until `expiresAt` (epoch milliseconds). */
export interface IssuedToken {
  iamToken: string;
  expiresAt: number;
}

/** A cloud the fake starts with (the fields Yandex answers; `createdAt` is the fake's start). */
export interface FakeCloud {
  id: string;
  name: string;
  description?: string;
  labels?: Record<string, string>;
}

/** A folder the fake starts with, in `cloudId` (default: the default cloud) and `ACTIVE` unless `status` says otherwise. */
export interface FakeFolder {
  id: string;
  name: string;
  cloudId?: string;
  description?: string;
  labels?: Record<string, string>;
  status?: string;
}

/** How every Operation the fake starts progresses (updates, deletes, service-account create, suspend, bindings…), like moto's state transitions. */
export interface OperationProgress {
  /**
   * How many getOperation calls answer `done: false` first. Default 1: as Yandex, the call that starts a change answers
   * `done: false` and the first poll finds it done, so code that forgets to wait fails in its tests too. 0: done in the
   * answer to the call that started it.
   */
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

/** What a list call's query may hold for paging: at most `pageSize` items after the one `pageToken` names. */
export interface PageQuery {
  pageSize?: number;
  pageToken?: string;
}

/** The Operation service as the other services use it: they start their changes as Operations and page a resource's. */
export interface Operations {
  /**
   * Starts an Operation: done after some polls, or at once; `apply` makes its effect and gives its response (or throws
   * an OperationFailure: the operation fails with its Status), `abandon` runs if the operation fails.
   */
  start(start: OperationStart, apply: () => object, abandon?: () => void): Operation;
  /**
   * How a service starts the changes of one kind of resource: `changes("API key", "yandex.cloud.iam.v1", "ApiKey", "apiKeyId")`
   * gives `(kind, id, apply, abandon?)` that starts "Update API key" with `{ apiKeyId }` as its `…UpdateApiKeyMetadata`.
   */
  changes(
    noun: string,
    pkg: string,
    message: string,
    field: string,
  ): (kind: string, id: string, apply: () => object, abandon?: () => void) => Operation;
  /** A page of the operations started on a resource, oldest first, as a `list…Operations` call answers it. */
  page(resourceId: string, query: PageQuery): Response;
}

/** The arguments of a handler: path, query and body as checked against the contract, and the caller's service account. */
export interface HandlerArgs {
  path: any;
  query: any;
  body: any;
  subject: string;
  request: Request;
}

/** Answers one operation. */
export type Handler = (args: HandlerArgs) => Response | Promise<Response>;

/** What a service module gives the fake. */
export interface FakeService<State extends object = object> {
  /** Its handlers, by operationId. */
  handlers: Partial<Record<OperationId, Handler>>;
  /** A copy of its state, for `fake.state`. */
  state(): State;
  /** Empty again, for `fake.reset()`. */
  reset(): void;
  /** Drops what it holds for a deleted service account (its keys). */
  deleteOwnedBy?(serviceAccountId: string): void;
  /** Why a service account may not authenticate now (suspended, deleted); undefined if it may. */
  refusal?(serviceAccountId: string): string | undefined;
  /** Whether its catalogue holds the role (the Role service's). */
  roleExists?(roleId: string): boolean;
  /** Every role the subject holds on the resources it keeps (a service account's bindings), as the access analyzer answers them. */
  subjectBindings?(subjectId: string): SubjectAccessBinding[];
  /** Whether it holds the resource of this type (`resource-manager.cloud`, as the access analyzer names types) and id. */
  resourceExists?(type: string, id: string): boolean;
  /** The OIDC federations that trust this issuer, enabled or not (the FederationService's). */
  federationsOf?(issuer: string): OidcFederation[];
  /** The service accounts a federated credential of this federation links this external subject to (the FederatedCredential service's). */
  federatedAccounts?(federationId: string, subject: string): string[];
  /** A new IAM token of the service account, accepted as a bearer from now on (the IamToken service's). */
  issueIamToken?(serviceAccountId: string): IssuedToken;
}

/**
 * Web Crypto's key type, found on `globalThis` where the program's types declare it (the DOM library, or
 * `@types/node`'s `CryptoKey`), and `object` where neither does.
 * Note: not the global `CryptoKey` type itself: only the DOM library declares that, and these declarations ship in the
 * `testing` entry, which a consumer compiling for Node (`"lib": ["ES2022"]` and `@types/node`) must compile too.
 */
export type WebCryptoKey = typeof globalThis extends { CryptoKey: { prototype: infer Key } } ? Key : object;

/** An authorized key the token endpoint verifies JWTs with. */
export interface SigningKey {
  serviceAccountId: string;
  publicKey: WebCryptoKey;
  /** Records a JWT exchange with the key. */
  used(): void;
}

/** One kind of resource whose access bindings the store keeps: how to tell one exists, and how Yandex names it. */
export interface BoundKind {
  /** Whether the resource exists now (checked when a change is asked and again when it is done). */
  exists(resourceId: string): boolean;
  /** The NOT_FOUND of a resource that does not exist, as the kind's own calls word it (`Folder b1g… not found`). */
  notFound(resourceId: string): FakeStatus;
  /** The resource type the access analyzer names (`resource-manager.folder`, after Yandex's resource types). */
  type: string;
}

/**
 * Every resource's access bindings, in one store (testing/bindings.ts): made by fake.ts, reached by the services through
 * their context, one quota over them all.
 */
export interface AccessBindingStore extends FakeService<{ accessBindings: Record<string, AccessBinding[]> }> {
  /** The list, set and update handlers of one resource kind, whose paths name the resource's id `idName`. */
  serve(kind: BoundKind, idName: string): { list: Handler; set: Handler; update: Handler };
  /**
   * What goes with a deleted service account: the bindings on it, and every binding it holds on any resource; a change
   * done later that would give it one (in flight while it was deleted) fails NOT_FOUND.
   */
  deleteOwnedBy(serviceAccountId: string): void;
  /** Every role the subject holds, on every resource, as the access analyzer answers them. */
  subjectBindings(subjectId: string): SubjectAccessBinding[];
}

/** What every service module is made with. */
export interface FakeContext {
  options: FakeIamOptions;
  /** The ids of the service accounts that exist, live (the ServiceAccount service adds and removes them); the first owns what is made without one. */
  serviceAccounts: string[];
  owner: string;
  now: () => number;
  /** Long-running operations, for the calls that answer an Operation. */
  operations: Operations;
  /** The keys JWTs may be signed with, by key id: the Key service keeps them, the IamToken service reads them. */
  signingKeys: Map<string, SigningKey>;
  /** Every service's `deleteOwnedBy`: what a deleted service account held goes with it. */
  deleteOwnedBy(serviceAccountId: string): void;
  /** The first refusal any service gives (each service's `refusal`, in turn): why a service account may not authenticate now, or undefined. */
  refusal(serviceAccountId: string): string | undefined;
  /** Every resource's access bindings: each kind serves its list, set and update from here. */
  accessBindings: AccessBindingStore;
  /** Whether any service's catalogue holds the role (the Role service's `roleExists`): what a binding's roleId is checked against. */
  roleExists(roleId: string): boolean;
  /** Every role the subject holds on any resource the fake models: each service's `subjectBindings`, in the services' order. */
  subjectBindings(subjectId: string): SubjectAccessBinding[];
  /** Whether any service holds the resource of this type and id (each service's `resourceExists`): a folder's cloud, say. */
  resourceExists(type: string, id: string): boolean;
  /** Every service's `federationsOf`: the OIDC federations that trust this issuer, enabled or not. */
  federationsOf(issuer: string): OidcFederation[];
  /** Every service's `federatedAccounts`: the service accounts this federation's external subject may act as. */
  federatedAccounts(federationId: string, subject: string): string[];
  /** An IAM token of the service account from the service that issues them (`issueIamToken`), which every call then accepts. */
  issueIamToken(serviceAccountId: string): IssuedToken;
}
