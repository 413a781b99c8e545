// A stateful fake of the IAM API in memory, for users' own tests: the document's operations with state,
// routed by the generated operations table and checked with the same generated checks as the client.
import { type OperationId, type OperationSpec, operations } from "../../generated/contract.js";
import type { components } from "../../generated/schema.js";
import { AUDIENCE, JWT_LIFETIME_S } from "../auth/jwt.js";
import { problems } from "../core/validate.js";
import { fromBase64url, maskSecret, newId, newSecret, pageOffset, pageToken, randomText, timestamp } from "./data.js";

type ApiKey = components["schemas"]["ApiKey"];
type Operation = components["schemas"]["Operation"];
/** A `google.rpc.Status`. */
export type FakeStatus = { code: number; message: string };

/** How update and delete operations progress, like moto's state transitions. */
export interface OperationProgress {
  /** How many getOperation calls answer `done: false` first; 0 (the default): done in the answer to update or delete. */
  polls?: number;
  /** Finish with this error instead of a response (nothing changes). */
  error?: FakeStatus;
}

/** What the next calls do instead of answering normally. */
export type Fault =
  /** An error status with its Status body (`retryAfter` adds `Retry-After`). */
  | { status: number; code?: number; message?: string; retryAfter?: string }
  /** The connection drops: the client sees a network error. */
  | { drop: true }
  /** The answer comes this much later (then as usual). */
  | { delayMs: number }
  /** This body, as it is, whatever the contract says. */
  | { body: unknown; status?: number };

export interface FakeIamOptions {
  /** The address the client is given with `fake.fetch` (any host works). Default `http://iam.fake.invalid`. */
  baseUrl?: string;
  /** The service accounts that exist; the first is the subject of any accepted token. Default: one, `ajeg2b2et02f3tl2c1pj`. */
  serviceAccounts?: string[];
  /** Which bearer tokens are accepted and whose they are (a service account id); undefined refuses. Default: any non-empty token, the first service account's. */
  authenticate?: (token: string) => string | undefined;
  /** The scopes listScopes pages over. */
  scopes?: string[];
  /** How operations progress (changeable later with `fake.progress`). */
  operations?: OperationProgress;
  /** Keys per cloud before create answers RESOURCE_EXHAUSTED. Default 1000, as Yandex's `iam.apiKeys.count`. */
  quota?: number;
  /** How long the IAM tokens it mints live. Default 12 hours, as Yandex's. */
  tokenLifetimeMs?: number;
  /** The clock of token lifetimes and JWT checks, in epoch milliseconds. */
  now?: () => number;
}

/** An authorized key file, as `yc iam key create` writes it (snake_case). */
export interface FakeKeyFile {
  id: string;
  service_account_id: string;
  created_at: string;
  key_algorithm: "RSA_2048";
  public_key: string;
  private_key: string;
}

/** A request the fake received, `Authorization` cut down to its scheme. */
export interface FakeRequest {
  operation: OperationId | undefined;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A key to start with: any ApiKey fields (a past `lastUsedAt`, say); the rest are made up. */
export type SeedKey = Partial<ApiKey>;

const STATUS_BY_CODE: Record<number, number> = { 3: 400, 5: 404, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401, 4: 504 };
const CODE_BY_STATUS: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 502: 14, 503: 14, 504: 4 };
const TYPE = "type.googleapis.com/";
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

/** Each operation's path as a pattern, with its parameter names. */
const ROUTES = Object.entries(operations).map(([id, spec]) => {
  const names: string[] = [];
  const source = spec.path.replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { id: id as OperationId, spec: spec as OperationSpec, names, pattern: new RegExp(`^${source}$`) };
});

/** An answer: a JSON body with the headers every answer of the real API has. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      "x-request-id": crypto.randomUUID(),
      "x-server-trace-id": crypto.randomUUID().replace(/-/g, "").slice(0, 16),
      ...headers,
    },
  });
}

/** An error answer whose body is a Status with a RequestInfo detail. */
function failure(code: number, message: string, headers?: Record<string, string>): Response {
  const requestId = crypto.randomUUID();
  return answer(
    STATUS_BY_CODE[code] ?? 500,
    { code, message, details: [{ "@type": `${TYPE}google.rpc.RequestInfo`, requestId }] },
    { "x-request-id": requestId, ...headers },
  );
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (as fetch does), leaving no timer behind. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}

/** Creates a fake with its own state, in memory; `serveFake(fake)` of `yc-iam-api-keys/testing/node` serves it over HTTP. */
export function createFakeIam(options: FakeIamOptions = {}) {
  const baseUrl = options.baseUrl ?? "http://iam.fake.invalid";
  const serviceAccounts = options.serviceAccounts ?? ["ajeg2b2et02f3tl2c1pj"];
  const owner = serviceAccounts[0] ?? "ajeg2b2et02f3tl2c1pj";
  const subjectOf = options.authenticate ?? ((token: string) => (token ? owner : undefined));
  const knownScopes = options.scopes ?? DEFAULT_SCOPES;
  const quota = options.quota ?? 1000;
  const now = options.now ?? Date.now;
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 12 * 3600_000;
  /** Registered authorized keys: key id → its service account and public key. */
  const publicKeys = new Map<string, { serviceAccountId: string; key: CryptoKey }>();
  /** The IAM tokens it minted: token → service account and expiry. */
  let minted = new Map<string, { serviceAccountId: string; expiresAt: number }>();
  const subjectOfToken = (token: string): string | undefined => {
    const own = minted.get(token);
    if (own) return own.expiresAt > now() ? own.serviceAccountId : undefined;
    return subjectOf(token);
  };

  let keys = new Map<string, ApiKey>();
  let ops = new Map<string, { operation: Operation; pollsLeft: number; finish: () => Operation }>();
  let opsByKey = new Map<string, string[]>();
  let created = new Map<string, unknown>();
  let faults: { fault: Fault; count: number; operation?: OperationId | undefined }[] = [];
  let received: FakeRequest[] = [];
  let progression: OperationProgress = options.operations ?? {};

  /** Starts an Operation on a key: done at once, or after some polls; `apply` makes its effect and gives its response. */
  function startOperation(kind: "Update" | "Delete", apiKeyId: string, apply: () => object): Operation {
    const { polls = 0, error } = progression;
    const operation: Operation = {
      id: newId(),
      description: `${kind} API key`,
      createdAt: timestamp(),
      createdBy: owner,
      modifiedAt: timestamp(),
      done: false,
      metadata: { "@type": `${TYPE}yandex.cloud.iam.v1.${kind}ApiKeyMetadata`, apiKeyId },
    };
    const finish = () => {
      Object.assign(
        operation,
        { done: true, modifiedAt: timestamp() },
        error ? { error: { ...error, details: [] } } : { response: apply() },
      );
      return operation;
    };
    ops.set(operation.id, { operation, pollsLeft: polls, finish });
    opsByKey.set(apiKeyId, [...(opsByKey.get(apiKeyId) ?? []), operation.id]);
    // Note: answer() serializes at once, so handlers hand it live objects; only what is kept for later is copied.
    return polls > 0 ? operation : finish();
  }

  /** One page of `items` from an opaque token. */
  function page<T>(field: string, items: T[], query: { pageSize?: number; pageToken?: string }): Response {
    const start = query.pageToken ? pageOffset(query.pageToken) : 0;
    if (start === undefined) return failure(3, "Request validation error: pageToken: invalid page token");
    const size = query.pageSize || 100;
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? pageToken(start + size) : undefined;
    return answer(200, { ...(slice.length && { [field]: slice }), ...(next && { nextPageToken: next }) });
  }

  const notFound = (apiKeyId: string) => failure(5, `ApiKey ${apiKeyId} not found`);
  /** A copy of a key as it is now, for what is kept or handed out beyond one answer. */
  const snapshot = (key: ApiKey): ApiKey => structuredClone(key);

  /** A new `t1.` IAM token for a service account. */
  function mint(serviceAccountId: string): Response {
    const part = () => randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 86);
    const iamToken = `t1.${part()}.${part()}`;
    const expiresAt = now() + tokenLifetimeMs;
    minted.set(iamToken, { serviceAccountId, expiresAt });
    return answer(200, { iamToken, expiresAt: timestamp(expiresAt) });
  }

  /** Checks a JWT as Yandex does: a registered kid, PS256, its signature, the audience, the issuer and the lifetime. */
  async function jwtProblem(jwt: string): Promise<string | { serviceAccountId: string }> {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "JWT must have three parts";
    const decode = (part: string) => {
      try {
        return JSON.parse(new TextDecoder().decode(fromBase64url(part)));
      } catch {
        return undefined;
      }
    };
    const [header, payload] = [decode(parts[0] as string), decode(parts[1] as string)];
    if (!header || !payload) return "JWT header or payload is not base64url JSON";
    if (header.alg !== "PS256") return `JWT alg must be PS256, not ${header.alg}`;
    const registered = publicKeys.get(header.kid);
    if (!registered) return `unknown key id ${header.kid}`;
    const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    if (
      !(await crypto.subtle.verify(
        { name: "RSA-PSS", saltLength: 32 },
        registered.key,
        fromBase64url(parts[2] as string) as BufferSource,
        signed,
      ))
    )
      return "JWT signature is invalid";
    if (payload.aud !== AUDIENCE) return `JWT aud must be ${AUDIENCE}`;
    if (payload.iss !== registered.serviceAccountId) return "JWT iss is not the key's service account";
    const t = now() / 1000;
    if (!(payload.exp - payload.iat <= JWT_LIFETIME_S)) return `JWT exp - iat must be at most ${JWT_LIFETIME_S}`;
    if (payload.iat > t + 300 || payload.exp < t) return "JWT is expired or not yet valid";
    return { serviceAccountId: registered.serviceAccountId };
  }

  /** The handlers, by operationId: each gets the checked arguments and the caller's service account. */
  const handlers: Partial<
    Record<OperationId, (args: { path: any; query: any; body: any; subject: string; request: Request }) => Response | Promise<Response>>
  > = {
    async createIamToken({ body }) {
      if (body.yandexPassportOauthToken) return mint(owner);
      const checked = await jwtProblem(body.jwt);
      return typeof checked === "string" ? failure(16, `Invalid JWT: ${checked}`) : mint(checked.serviceAccountId);
    },

    createIamTokenForServiceAccount({ body }) {
      if (!serviceAccounts.includes(body.serviceAccountId)) return failure(5, `Service account ${body.serviceAccountId} not found`);
      return mint(body.serviceAccountId);
    },

    createApiKey({ body, subject, request }) {
      const idempotencyKey = request.headers.get("idempotency-key");
      if (idempotencyKey && created.has(idempotencyKey)) return answer(200, created.get(idempotencyKey));
      const serviceAccountId = body.serviceAccountId || subject;
      if (!serviceAccounts.includes(serviceAccountId)) return failure(5, `Service account ${serviceAccountId} not found`);
      if (keys.size >= quota) return failure(8, "Quota limit iam.apiKeys.count exceeded");
      const secret = newSecret();
      const scopes = body.scopes?.length ? body.scopes : body.scope ? [body.scope] : undefined;
      const key: ApiKey = {
        id: newId(),
        serviceAccountId,
        createdAt: timestamp(),
        ...(body.description && { description: body.description }),
        ...(body.scope && { scope: body.scope }),
        ...(scopes && { scopes }),
        ...(body.expiresAt && { expiresAt: body.expiresAt }),
        maskedSecret: maskSecret(secret),
      };
      keys.set(key.id, key);
      const result = { apiKey: snapshot(key), secret };
      if (idempotencyKey) created.set(idempotencyKey, result);
      return answer(200, result);
    },

    getApiKey({ path }) {
      const key = keys.get(path.apiKeyId);
      return key ? answer(200, key) : notFound(path.apiKeyId);
    },

    listApiKeys({ query, subject }) {
      const serviceAccountId = query.serviceAccountId || subject;
      if (!serviceAccounts.includes(serviceAccountId)) return failure(5, `Service account ${serviceAccountId} not found`);
      return page(
        "apiKeys",
        [...keys.values()].filter((k) => k.serviceAccountId === serviceAccountId),
        query,
      );
    },

    updateApiKey({ path, body }) {
      const key = keys.get(path.apiKeyId);
      if (!key) return notFound(path.apiKeyId);
      // Note: as the real API, no mask means every updatable field: the ones left out are reset.
      const mask: string[] = body.updateMask ? body.updateMask.split(",") : ["description", "scopes", "expiresAt"];
      const operation = startOperation("Update", key.id, () => {
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
      const operation = startOperation("Delete", path.apiKeyId, () => {
        keys.delete(path.apiKeyId);
        return { "@type": `${TYPE}google.protobuf.Empty` };
      });
      return answer(200, operation);
    },

    listApiKeyOperations({ path, query }) {
      if (!keys.has(path.apiKeyId)) return notFound(path.apiKeyId);
      const list = (opsByKey.get(path.apiKeyId) ?? []).map((id) => ops.get(id)?.operation);
      return page("operations", list, query);
    },

    listApiKeyScopes({ query }) {
      return page("scopes", knownScopes, query);
    },

    getOperation({ path }) {
      const entry = ops.get(path.operationId);
      if (!entry) return failure(5, `Operation ${path.operationId} not found`);
      if (!entry.operation.done && --entry.pollsLeft <= 0) entry.finish();
      return answer(200, entry.operation);
    },
  };

  /** Answers one request as the IAM API would. */
  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = request.body ? await request.text() : "";
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const route = ROUTES.find((r) => r.spec.method === request.method && r.pattern.test(url.pathname));
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = key === "authorization" ? `${value.split(" ")[0]} [REDACTED]` : value;
    });
    received.push({ operation: route?.id, method: request.method, url: request.url, headers, body });

    const index = faults.findIndex((f) => !f.operation || f.operation === route?.id);
    const fault = faults[index]?.fault;
    if (fault && --(faults[index] as { count: number }).count <= 0) faults.splice(index, 1);
    if (fault && "delayMs" in fault) await delay(fault.delayMs, request.signal);
    if (request.signal.aborted) throw request.signal.reason;
    if (fault && "drop" in fault) throw new TypeError("fetch failed", { cause: new Error("socket hang up (a fault of the fake)") });
    if (fault && "body" in fault) return answer(fault.status ?? 200, fault.body);
    if (fault && "status" in fault) {
      const code = fault.code ?? CODE_BY_STATUS[fault.status] ?? 2;
      const response = failure(
        code,
        fault.message ?? `Injected fault: HTTP ${fault.status}`,
        fault.retryAfter ? { "retry-after": fault.retryAfter } : {},
      );
      return new Response(response.body, { status: fault.status, headers: response.headers });
    }

    if (!route) return failure(5, `Not found: ${request.method} ${url.pathname}`);
    let subject = owner;
    if (route.spec.auth !== false) {
      const token = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
      const who = token ? subjectOfToken(token) : undefined;
      if (!who) return failure(16, "Token is invalid or has expired.");
      subject = who;
    }
    const match = route.pattern.exec(url.pathname) as RegExpExecArray;
    let path: Record<string, string>;
    try {
      path = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
    } catch {
      return failure(3, "Request validation error: the path is not validly percent-encoded");
    }
    const query: Record<string, unknown> = {};
    url.searchParams.forEach((value, name) => {
      // Note: query values are strings on the wire; the contract's integers are read as integers first.
      query[name] = route.spec.query?.p?.[name]?.t === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    });
    const found = [
      ...(route.spec.pathParams ? problems(route.spec.pathParams, path) : []),
      ...(route.spec.query ? problems(route.spec.query, query) : []),
      ...(route.spec.body ? problems(route.spec.body, body ?? {}) : []),
    ];
    if (found.length) return failure(3, `Request validation error: ${found.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    const handler = handlers[route.id];
    if (!handler) return failure(12, `${route.id} is not implemented by the fake`);
    return handler({ path, query, body: body ?? {}, subject, request });
  }

  const fake = {
    baseUrl,
    /** A `fetch` that answers from the fake; give it to `createIamClient({ fetch: fake.fetch, baseUrl: fake.baseUrl })`. */
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      // Note: openapi-fetch hands over a ready Request; building another would only copy it.
      handle(input instanceof Request && !init ? input : new Request(input, init))) as typeof globalThis.fetch,
    handle,
    /** Empty again: no keys, operations, faults or recorded requests; the progression is the one given at creation. */
    reset() {
      keys = new Map();
      ops = new Map();
      opsByKey = new Map();
      created = new Map();
      faults = [];
      received = [];
      minted = new Map();
      progression = options.operations ?? {};
    },
    /** Adds keys as they would be after some life (a `lastUsedAt`, an old `createdAt`); returns them. */
    seed(seeds: SeedKey[]): ApiKey[] {
      return seeds.map((seed) => {
        const key: ApiKey = {
          id: newId(),
          serviceAccountId: owner,
          createdAt: timestamp(),
          maskedSecret: maskSecret(newSecret()),
          ...seed,
        };
        keys.set(key.id, key);
        return snapshot(key);
      });
    },
    /**
     * A real authorized key file (RSA 2048, PKCS#8 with Yandex's prefix line) for one of its service accounts;
     * the fake verifies JWTs signed with it and mints IAM tokens for that account.
     */
    async createServiceAccountKey(serviceAccountId: string = owner): Promise<FakeKeyFile> {
      const pair = (await crypto.subtle.generateKey(
        { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
        true,
        ["sign", "verify"],
      )) as CryptoKeyPair;
      const pem = async (format: "pkcs8" | "spki", key: CryptoKey, label: string) => {
        const der = new Uint8Array(await crypto.subtle.exportKey(format, key));
        const base64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n");
        return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
      };
      const id = newId();
      publicKeys.set(id, { serviceAccountId, key: pair.publicKey });
      return {
        id,
        service_account_id: serviceAccountId,
        created_at: timestamp(),
        key_algorithm: "RSA_2048",
        public_key: await pem("spki", pair.publicKey, "PUBLIC KEY"),
        private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${id}>\n${await pem("pkcs8", pair.privateKey, "PRIVATE KEY")}`,
      };
    },
    /** The next `count` calls (of `operation` only, if given) fail as `fault` says. */
    failNext(fault: Fault, { count = 1, operation }: { count?: number; operation?: OperationId } = {}) {
      faults.push({ fault, count, operation });
    },
    /** How operations started from now on progress. */
    progress(next: OperationProgress) {
      progression = next;
    },
    /** A copy of the state, for assertions; `iamTokens` counts the tokens minted. */
    get state() {
      return {
        apiKeys: [...keys.values()].map(snapshot),
        operations: [...ops.values()].map((o) => structuredClone(o.operation)),
        iamTokens: minted.size,
      };
    },
    /** Every request received so far, oldest first. */
    get requests(): readonly FakeRequest[] {
      return [...received];
    },
  };
  return fake;
}

/** What `createFakeIam` returns. */
export type FakeIam = ReturnType<typeof createFakeIam>;
