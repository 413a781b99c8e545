// A client for the contract tests: every response passes through a check that Prism saw no violation.
import type { Middleware } from "openapi-fetch";
import { expect } from "vitest";
import { createIamClient, type IamClientOptions } from "../../src/index.ts";
import { TOKEN } from "./secrets.ts";

/** How many responses the zero-violation check has seen, across the file. */
export const seen = { responses: 0 };

/** Fails the call if a response carries an `sl-violations` header, and counts what it saw. */
export const noViolations: Middleware = {
  onResponse({ response, request }) {
    seen.responses++;
    expect(response.headers.get("sl-violations"), `${request.method} ${request.url}`).toBeNull();
  },
};

/**
 * A fetch that fails the call if a response carries an `sl-violations` header, and counts what it saw; `observe` sees
 * each request and response. For the wrapped calls, which send with fetch and not through raw's middleware.
 */
export function checkedFetch(observe?: (request: Request, response: Response) => unknown): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    seen.responses++;
    expect(response.headers.get("sl-violations"), `${request.method} ${request.url}`).toBeNull();
    await observe?.(request, response);
    return response;
  };
}

/** A client whose every response must carry no `sl-violations` header, sent through raw or not. */
export function contractClient(baseUrl: string, options: Partial<IamClientOptions> = {}) {
  return createIamClient({ token: TOKEN, baseUrl, retry: false, fetch: checkedFetch(), ...options });
}
