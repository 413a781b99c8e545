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

/** A client whose every response must carry no `sl-violations` header. */
export function contractClient(baseUrl: string, options: Partial<IamClientOptions> = {}) {
  const iam = createIamClient({ token: TOKEN, baseUrl, retry: false, ...options });
  iam.raw.use(noViolations);
  return iam;
}
