// A client for the contract tests: every response passes through a check that Prism saw no violation.
import { createIamClient, type IamClientOptions } from "../../src/index.ts";
import { TOKEN } from "./secrets.ts";

/** How many responses the zero-violation check has seen, across the file, and the violations it found since the last take. */
export const seen = { responses: 0, violations: [] as string[] };

/** The violations found since the last take (each test file's afterEach asserts none). */
export const takeViolations = (): string[] => seen.violations.splice(0);

/**
 * A fetch that records a response carrying an `sl-violations` header, and counts what it saw; `observe` sees each request
 * and response; `send` sends (the global fetch by default). For the wrapped calls, which send with fetch and not through
 * raw's middleware.
 * Note: it records rather than throws: the call loop would turn a throw into an IamNetworkError, which a test expecting
 * a rejection would take for its own.
 */
export function checkedFetch(observe?: (request: Request, response: Response) => unknown, send: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await send(request);
    seen.responses++;
    const violation = response.headers.get("sl-violations");
    if (violation !== null) seen.violations.push(`${request.method} ${request.url}: ${violation}`);
    await observe?.(request, response);
    return response;
  };
}

/** A client whose every response is checked for an `sl-violations` header, sent through raw or not; its fetch is always the checked one. */
export function contractClient(baseUrl: string, options: Omit<Partial<IamClientOptions>, "fetch"> = {}) {
  return createIamClient({ token: TOKEN, baseUrl, retry: false, ...options, fetch: checkedFetch() });
}
