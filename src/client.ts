// createIamClient: one openapi-fetch client, its middleware, and apiKeys.create / list / listAll.
import createClient, { type ClientOptions, type Middleware } from "openapi-fetch";
import { createApiKeyRequest, createApiKeyResponse, listApiKeysQuery, listApiKeysResponse } from "../generated/contract.js";
import type { components, paths } from "../generated/schema.js";
import {
  apiError,
  IamError,
  IamNetworkError,
  IamTimeoutError,
  type Operation,
  OUTCOME_UNKNOWN,
  redact,
  rejectBrokenAnswer,
  rejectInvalid,
  summarize,
} from "./errors.js";
import { paginate } from "./paginate.js";
import { DEFAULT_RETRY, delayMs, outcomeUnknownStatus, type RetryOptions, retryableStatus, sleep } from "./retry.js";
import { type Problem, problems } from "./validate.js";

/** Optional fields may also be given as `undefined` (e.g. `pageToken: page.nextPageToken`). */
type Loose<T> = { [K in keyof T]?: T[K] | undefined };

export type ApiKey = components["schemas"]["ApiKey"];
export type CreateApiKeyRequest = Loose<Omit<components["schemas"]["CreateApiKeyRequest"], "expiresAt">> & {
  /** When the key expires: a Date or an RFC 3339 string. Absent: never. */
  expiresAt?: Date | string | undefined;
};
export type CreateApiKeyResponse = components["schemas"]["CreateApiKeyResponse"];
export type ListApiKeysRequest = Loose<NonNullable<paths["/iam/v1/apiKeys"]["get"]["parameters"]["query"]>>;
export type ListApiKeysResponse = Omit<components["schemas"]["ListApiKeysResponse"], "apiKeys"> & { apiKeys: ApiKey[] };

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Per attempt; overrides the client's. */
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export interface IamClientOptions {
  /** An IAM token, or a function that returns one; called before every attempt. */
  token?: string | (() => string | Promise<string>) | undefined;
  baseUrl?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retry settings, or `false` for a single attempt. */
  retry?: Partial<RetryOptions> | false | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
}

export const DEFAULT_BASE_URL = "https://iam.api.cloud.yandex.net";
export const VERSION = "0.1.0";
const API = "/iam/v1/apiKeys";

type Sent = { data?: string; error?: unknown; response: Response };
type SendInit = { signal: AbortSignal; headers: Record<string, string>; parseAs: "text"; middleware: Middleware[] };

// Note: connection errors that prove the request never left, so even `create` may be retried.
const NEVER_SENT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/;

/** Creates a client for the IAM API-key operations. */
export function createIamClient(options: IamClientOptions = {}) {
  const { token, baseUrl = DEFAULT_BASE_URL, timeoutMs = 30_000, fetch, headers } = options;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...(options.retry === false ? { maxAttempts: 1 } : options.retry) };
  // Note: openapi-fetch treats an undefined `fetch` or `headers` as absent.
  const raw = createClient<paths>({ baseUrl, fetch, headers } as ClientOptions);
  // Note: the tokens seen so far, to scrub them from error bodies that might echo them.
  const tokens = new Set<string>();

  raw.use({
    async onRequest({ request }) {
      const value = typeof token === "function" ? await token() : token;
      if (value) {
        tokens.add(value);
        request.headers.set("Authorization", `Bearer ${value}`);
      }
      if (!request.headers.has("x-client-request-id")) request.headers.set("x-client-request-id", crypto.randomUUID());
      // Note: browsers forbid setting User-Agent (and a custom one would force a CORS preflight).
      if (!("document" in globalThis)) request.headers.set("User-Agent", `yc-iam-api-keys/${VERSION}`);
      return request;
    },
  });

  /** One logical call: attempts, retries and typed failures. */
  async function call(operation: Operation, send: (init: SendInit) => Promise<Sent>, callOptions: CallOptions = {}): Promise<unknown> {
    const { signal: callerSignal } = callOptions;
    const ms = callOptions.timeoutMs ?? timeoutMs;
    const create = operation === "createApiKey";
    const headers = {
      "x-client-request-id": crypto.randomUUID(),
      ...(create && { "Idempotency-Key": crypto.randomUUID() }),
      ...callOptions.headers,
    };
    for (let attempt = 1; ; attempt++) {
      // Note: a timer cleared after each attempt, unlike AbortSignal.timeout, which lingers for the full time.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), ms);
      let request: Request | undefined;
      let failure: IamError;
      let again: boolean;
      let retryAfter: string | null = null;
      try {
        const { data, error, response } = await send({
          signal: callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal,
          headers,
          parseAs: "text",
          middleware: [{ onRequest: (ctx) => void (request = ctx.request) }],
        });
        if (response.ok) return parseBody(operation, data, response);
        again = retryableStatus(operation, response.status);
        // Note: openapi-fetch hands over an error body parsed when it can; its canonical JSON is what gets redacted.
        const text = redact(typeof error === "string" ? error : (JSON.stringify(error) ?? ""), tokens);
        failure = apiError(operation, response, text, again, outcomeUnknownStatus(operation, response.status));
        retryAfter = response.headers.get("retry-after");
      } catch (e) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        const timedOut = timeout.signal.aborted;
        if (e instanceof IamError || !(timedOut || e instanceof TypeError)) throw e;
        // Only a create that cannot have reached the server may be sent again.
        again = !create || (!timedOut && NEVER_SENT.test((e as { cause?: { code?: string } }).cause?.code ?? ""));
        failure = new (timedOut ? IamTimeoutError : IamNetworkError)(
          operation,
          (timedOut ? `no answer within ${ms} ms` : `no answer: ${(e as Error).message}`) + (again ? "" : OUTCOME_UNKNOWN),
          { outcomeUnknown: !again },
          e,
        );
      } finally {
        clearTimeout(timer);
      }
      failure.attempts = attempt;
      if (request) failure.request = summarize(request);
      if (attempt >= retry.maxAttempts || !again) throw failure;
      await sleep(delayMs(attempt, retry, retryAfter), callerSignal);
    }
  }

  /** Parses and checks a 2xx body against the contract. */
  function parseBody(operation: Operation, text: string | undefined, response: Response): unknown {
    let body: unknown;
    let found: Problem[];
    try {
      body = text ? JSON.parse(text) : {};
      found = problems(operation === "createApiKey" ? createApiKeyResponse : listApiKeysResponse, body);
    } catch {
      found = [{ path: "(body)", message: "is not JSON" }];
    }
    rejectBrokenAnswer(operation, response, found);
    return body;
  }

  const apiKeys = {
    /** Creates an API key; the answer holds its secret, shown only once. */
    async create(request: CreateApiKeyRequest = {}, callOptions?: CallOptions): Promise<CreateApiKeyResponse> {
      const date = (request as { expiresAt?: unknown } | null)?.expiresAt;
      const isDate = date instanceof Date;
      // Note: toJSON gives the ISO string, or null for an invalid Date.
      const body = isDate ? { ...request, expiresAt: date.toJSON() ?? undefined } : request;
      const found = problems(createApiKeyRequest, body);
      if (isDate && !body?.expiresAt) found.push({ path: "expiresAt", message: "is an invalid Date" });
      rejectInvalid("createApiKey", found);
      return (await call(
        "createApiKey",
        (init) => raw.POST(API, { ...init, body: body as components["schemas"]["CreateApiKeyRequest"] }),
        callOptions,
      )) as CreateApiKeyResponse;
    },

    /** Lists one page of API keys; `apiKeys` is always an array. */
    async list(request: ListApiKeysRequest = {}, callOptions?: CallOptions): Promise<ListApiKeysResponse> {
      rejectInvalid("listApiKeys", problems(listApiKeysQuery, request));
      const query = request as NonNullable<paths[typeof API]["get"]["parameters"]["query"]>;
      const page = (await call("listApiKeys", (init) => raw.GET(API, { ...init, params: { query } }), callOptions)) as Omit<
        ListApiKeysResponse,
        "apiKeys"
      > & { apiKeys?: ApiKey[] };
      return { ...page, apiKeys: page.apiKeys ?? [] };
    },

    /** Every API key, page by page; a page is fetched only when the previous one is used up. */
    listAll(request: ListApiKeysRequest = {}, callOptions?: CallOptions): AsyncGenerator<ApiKey, void, undefined> {
      return paginate((pageToken) => apiKeys.list({ ...request, pageToken }, callOptions), request.pageToken);
    },
  };

  return { apiKeys, raw };
}

/** The client `createIamClient` returns. */
export type IamClient = ReturnType<typeof createIamClient>;
