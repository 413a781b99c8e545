// createIamClient: one openapi-fetch client, its middleware (token, ids), the call loop, and the resources composed.
import createClient, { type ClientOptions } from "openapi-fetch";
import { defaultServer } from "../generated/contract.js";
import type { paths } from "../generated/schema.js";
import { apiKeysResource } from "./api-keys.js";
import { createCall } from "./core/call.js";
import { DEFAULT_POLLING, type PollingOptions } from "./core/poll.js";
import { DEFAULT_RETRY, type RetryOptions } from "./core/retry.js";
import { operationsResource } from "./operations.js";

/** A source of IAM tokens (as `yc-iam-api-keys/auth` makes them): asked before every attempt; `forceRefresh` after a 401. */
export type TokenSource = (options?: { forceRefresh?: boolean; signal?: AbortSignal }) => Promise<string>;

export interface IamClientOptions {
  /** An IAM token, a token source, or any function that returns a token; a function is asked before every attempt. */
  token?: string | TokenSource | (() => string | Promise<string>) | undefined;
  /** The IAM API. Default `https://iam.api.cloud.yandex.net`. */
  baseUrl?: string | undefined;
  /** The Operation service. Default `https://operation.api.cloud.yandex.net`, or `baseUrl` when only that is given (a mock). */
  operationBaseUrl?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retry settings, or `false` for a single attempt. */
  retry?: Partial<RetryOptions> | false | undefined;
  /** How update, delete and operations.wait poll an Operation. */
  polling?: Partial<PollingOptions> | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
}

export const DEFAULT_BASE_URL = defaultServer;
export const VERSION = "0.1.0";

/** Creates a client for the IAM API keys and their operations. */
export function createIamClient(options: IamClientOptions = {}) {
  const { token, baseUrl, operationBaseUrl, timeoutMs = 30_000, fetch, headers } = options;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...(options.retry === false ? { maxAttempts: 1 } : options.retry) };
  const polling: PollingOptions = { ...DEFAULT_POLLING, ...options.polling };
  // Note: openapi-fetch treats an undefined `fetch` or `headers` as absent.
  const raw = createClient<paths>({ baseUrl: baseUrl ?? defaultServer, fetch, headers } as ClientOptions);
  // Note: the tokens seen so far, to scrub them from error bodies that might echo them.
  const secrets = new Set<string>();

  raw.use({
    async onRequest({ request }) {
      const value = typeof token === "function" ? await token({ signal: request.signal }) : token;
      if (value) {
        secrets.add(value);
        request.headers.set("Authorization", `Bearer ${value}`);
      }
      if (!request.headers.has("x-client-request-id")) request.headers.set("x-client-request-id", crypto.randomUUID());
      // Note: browsers forbid setting User-Agent (and a custom one would force a CORS preflight).
      if (!("document" in globalThis)) request.headers.set("User-Agent", `yc-iam-api-keys/${VERSION}`);
      return request;
    },
  });

  const call = createCall({
    raw,
    fetch,
    timeoutMs,
    retry,
    secrets,
    // Note: the document's first server is the IAM API; another (the Operation service) follows baseUrl when only that is set.
    baseUrl: (server) => (server ? (operationBaseUrl ?? baseUrl ?? server) : (baseUrl ?? defaultServer)),
    refresh:
      typeof token === "function"
        ? async (signal) => {
            await token({ forceRefresh: true, ...(signal && { signal }) });
            return true;
          }
        : undefined,
  });

  return { apiKeys: apiKeysResource(call, polling), operations: operationsResource(call, polling), raw };
}

/** The client `createIamClient` returns. */
export type IamClient = ReturnType<typeof createIamClient>;
