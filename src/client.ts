// createIamClient: the call loop, the resources composed over it, and `raw`, an openapi-fetch client with its middleware (token, ids).
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { defaultServer, pathServers, type ServerOptions, serverOptions } from "../generated/contract.js";
import type { paths } from "../generated/schema.js";
import { bearer, createCall, type GetToken, lowerCased } from "./core/call.js";
import { rejectInvalid } from "./core/errors.js";
import { CLIENT_OPTIONS, everyServerAt, headerProblem, optionProblems, type Settable, settle, urlProblems } from "./core/options.js";
import { DEFAULT_POLLING, type PollingOptions, waiter } from "./core/poll.js";
import { DEFAULT_RETRY, type RetryOptions } from "./core/retry.js";
import type { TokenSource } from "./core/types.js";
import services from "./services/index.js";

// Note: TokenSource lives in core/types.ts, which the token sources import, so the credential chain that the client loads
// when no token is given does not import the client back.
export type { TokenSource } from "./core/types.js";

/**
 * Options of `createIamClient`. A field given as `undefined` keeps its default; a value that cannot work is refused at once.
 * Each server of the document has its URL option (`baseUrl`, `operationBaseUrl`…: `ServerOptions`, from the document).
 */
export interface IamClientOptions extends ServerOptions {
  /**
   * An IAM token, a token source, or any function that returns a token; a function is asked before every attempt. Left
   * out (or undefined), the credential chain, `defaultCredentials()` of `yc-iam-api-keys/auth`, loaded on the first call.
   */
  token?: string | TokenSource | (() => string | Promise<string>) | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retry settings, or `false` for a single attempt. */
  retry?: Settable<RetryOptions> | false | undefined;
  /** How update, delete and operations.wait poll an Operation. */
  polling?: Settable<PollingOptions> | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
}

/** One property per service of `src/services/index.ts`'s list, with the JSDoc of its entry there. */
type Services = { [Name in keyof typeof services]: ReturnType<(typeof services)[Name]> };

/** The client `createIamClient` returns: one property per service of the document, and `raw`. */
export interface IamClient extends Services {
  /**
   * The typed openapi-fetch client, for what the services do not cover; same token, ids and servers. Middleware added to
   * it applies to its own requests: the services send theirs with `fetch` (give the client a `fetch` to see them all).
   */
  raw: Client<paths>;
}

export const DEFAULT_BASE_URL = defaultServer;
export const VERSION = "0.1.0";

/** The client's settings, checked: every problem named at once, before anything is sent. */
function settleOptions(options: IamClientOptions) {
  const given = { ...options, retry: options?.retry === false ? { maxAttempts: 1 } : options?.retry };
  const found = optionProblems(CLIENT_OPTIONS, given, "");
  const { token, timeoutMs = 30_000, fetch, headers } = given;
  // Note: the URLs are the client's alone, so they are checked here, not in every call's options.
  const urls: ServerOptions = {};
  for (const name of Object.keys(serverOptions) as (keyof ServerOptions)[]) {
    const value = given[name];
    urls[name] = value;
    if (typeof value === "string") urlProblems(name, value, found);
  }
  // Note: undefined is the chain's; an empty string is refused, as it is what a variable set to nothing gives by mistake.
  if (token === "")
    found.unshift({ path: "token", message: "is empty: give an IAM token or a token source, or leave token out for the credential chain" });
  else if (token !== undefined && typeof token !== "string" && typeof token !== "function")
    found.unshift({ path: "token", message: "must be an IAM token or a token source, or left out for the credential chain" });
  else if (typeof token === "string") {
    const problem = headerProblem("Authorization", `Bearer ${token}`);
    if (problem) found.unshift({ path: "token", message: problem });
  }
  rejectInvalid("createIamClient", found, "options");
  const retry = settle(DEFAULT_RETRY, given.retry);
  const polling = settle(DEFAULT_POLLING, given.polling);
  return { token, urls, timeoutMs, fetch, headers, retry, polling };
}

/** A base URL as openapi-fetch keeps it: without one trailing slash. */
const trim = (url: string) => url.replace(/\/$/, "");

/**
 * The token source of a client given no token: the credential chain, loaded on its first call (a chunk of its own), so
 * neither the client's bundle nor its import holds it. Its exchanges go where the client's IAM API calls go, if not Yandex's own.
 */
function chainToken(fetch: typeof globalThis.fetch | undefined, baseUrl: string | undefined): TokenSource {
  let chain: Promise<TokenSource> | undefined;
  return async (options) => {
    chain ??= import("./auth/chain.js").then(
      ({ defaultCredentials }) => defaultCredentials({ fetch, baseUrl }),
      (error) => {
        chain = undefined;
        throw error;
      },
    );
    return (await chain)(options);
  };
}

/** Creates a client for the IAM API; refuses options that cannot work with an IamInputError naming each. */
export function createIamClient(options: IamClientOptions = {}): IamClient {
  const { token: given, urls, timeoutMs, fetch, headers, retry, polling } = settleOptions(options);
  const { baseUrl } = urls;
  // Note: each server's override is its option (the document's `x-yc-client-options`).
  const overrides: Record<string, string | undefined> = {};
  for (const [name, server] of Object.entries(serverOptions)) overrides[server] = urls[name as keyof ServerOptions];
  const fallback = everyServerAt(baseUrl);
  // Note: without a trailing slash, as openapi-fetch keeps a base URL and the call loop joins it to a path.
  // Note: each server's URL worked out once, not on every call.
  const serverUrls = new Map<string, string>();
  const urlFor = (server = defaultServer) => {
    let url = serverUrls.get(server);
    if (url === undefined) serverUrls.set(server, (url = trim(overrides[server] ?? fallback ?? server)));
    return url;
  };
  const base = urlFor();
  const token = given ?? chainToken(fetch, base === defaultServer ? undefined : base);
  // Note: openapi-fetch treats an undefined `fetch` or `headers` as absent.
  const raw = createClient<paths>({ baseUrl: base, fetch, headers } as ClientOptions);
  // Note: the tokens seen so far, to scrub them from error bodies that might echo them.
  const secrets = new Set<string>();
  const getToken: GetToken = typeof token === "function" ? token : () => token;
  // Note: a User-Agent only where a server runtime runs (Node, Deno and Bun all give their `process` a `versions.node`): in a browser
  // or a worker, some browsers drop it and others send it, and a header the server's CORS answer does not allow fails
  // the preflight.
  const userAgent = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node
    ? `yc-iam-api-keys/${VERSION}`
    : undefined;

  // Note: the wrapped calls send their requests themselves (the call loop), so this middleware, and any the caller adds,
  // is for requests sent through `raw`.
  raw.use({
    async onRequest({ request, schemaPath, options: { baseUrl: sentTo } }) {
      // Note: a request without a body copies as it is; one with a body is rebuilt around its text, since a Request given as
      // another's init hands over its body as a stream, which a runtime without streaming request bodies cannot send (Node
      // and Chromium can). One whose server is where it was sent anyway (a mock given as baseUrl alone) is left as it is.
      const server = pathServers[schemaPath];
      const to = server && urlFor(server);
      if (to && to !== sentTo && sentTo === base) {
        const { method, headers, signal, body } = request;
        const init = body ? { method, headers, signal, body: await request.text() } : request;
        request = new Request(to + request.url.slice(sentTo.length), init);
      }
      if (!request.headers.has("Authorization"))
        request.headers.set("Authorization", `Bearer ${await bearer("raw", getToken, { signal: request.signal }, secrets)}`);
      if (!request.headers.has("x-client-request-id")) request.headers.set("x-client-request-id", crypto.randomUUID());
      if (userAgent) request.headers.set("User-Agent", userAgent);
      return request;
    },
  });

  const wait = waiter(polling);
  const common = { ...lowerCased(headers), ...(userAgent && { "user-agent": userAgent }) };
  const call = createCall({ fetch, headers: common, timeoutMs, retry, secrets, baseUrl: urlFor, token, wait });
  // Note: each entry of the list, made; the types follow the list (Object.fromEntries loses them).
  const made = Object.fromEntries(Object.entries(services).map(([name, make]) => [name, make(call, wait)])) as Services;
  return { ...made, raw };
}
