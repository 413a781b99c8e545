// The fake held to the contract: every answer it gives is checked with Ajv against the bundled document.
import { afterEach, expect } from "vitest";
import { createIamClient, type IamClientOptions } from "../../src/index.ts";
import { createFakeIam, type FakeIamOptions } from "../../src/testing/index.ts";
import { bundledDocument, deref, errorsText, schemaAt } from "./ajv.ts";
import { TOKEN } from "./secrets.ts";

// Note: the most literal path first: `/serviceAccounts/{id}` also matches `/serviceAccounts/x:listAccessBindings`.
const routes = Object.entries(bundledDocument.paths as Record<string, Record<string, any>>)
  .flatMap(([path, item]) =>
    ["get", "post", "patch", "delete"]
      .filter((m) => item[m])
      .map((m) => ({ method: m.toUpperCase(), pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`), op: item[m], path })),
  )
  .sort((a, b) => b.path.replace(/\{\w+\}/g, "").length - a.path.replace(/\{\w+\}/g, "").length);

/** Every way an answer breaks the document: an undocumented status, or a body its schema refuses. */
export async function contractViolations(request: Request, response: Response): Promise<string[]> {
  const route = routes.find((r) => r.method === request.method && r.pattern.test(new URL(request.url).pathname));
  if (!route) return [`${request.method} ${request.url}: no such operation in the document`];
  const documented = deref(route.op.responses[String(response.status)]);
  if (!documented) return [`${route.op.operationId}: HTTP ${response.status} is not documented`];
  const validate = schemaAt(documented.content["application/json"].schema.$ref);
  const body = await response.clone().json();
  return validate(body) ? [] : [`${route.op.operationId} HTTP ${response.status}: ${errorsText(validate)} in ${JSON.stringify(body)}`];
}

/**
 * Registers, in the test file that calls it, an afterEach that fails on any contract violation of the checked fakes
 * handed to the `track` it returns during the test: every answer a fake gave must be valid against the document.
 */
export function violationCheck() {
  let tracked: string[][] = [];
  afterEach(() => {
    const found = tracked.flat();
    tracked = [];
    expect(found).toEqual([]);
  });
  return <Checked extends { violations: string[] }>(checked: Checked): Checked => {
    tracked.push(checked.violations);
    return checked;
  };
}

/** `checkedClient` with these client options, each fake it makes held to the document after each test (`violationCheck`). */
export function checkedClients(client: Partial<IamClientOptions> = { retry: false }) {
  const track = violationCheck();
  return (options: FakeIamOptions = {}) => track(checkedClient(options, client));
}

/** A fake whose `fetch` records every contract violation of its answers in `violations`. */
export function checkedFake(options: FakeIamOptions = {}) {
  const fake = createFakeIam(options);
  const violations: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await fake.handle(request.clone());
    violations.push(...(await contractViolations(request, response)));
    return response;
  }) as typeof globalThis.fetch;
  return { fake, fetch, violations };
}

/** A checked fake and a client over it that polls at once (`client` overrides, such as its retries); `fetch` and `violations` as checkedFake's. */
export function checkedClient(options: FakeIamOptions = {}, client: Partial<IamClientOptions> = {}) {
  const { fake, fetch, violations } = checkedFake(options);
  const iam = createIamClient({
    token: TOKEN,
    baseUrl: fake.baseUrl,
    fetch,
    polling: { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: 5_000 },
    ...client,
  });
  return { iam, fake, fetch, violations };
}

/** What `send` takes: a JSON body, the bearer token (null: none), extra headers. */
export interface SendOptions {
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

/** One request at a time to a fake through `fetch`: its status and JSON body, with a bearer token unless told otherwise. */
export const sender =
  (fetch: typeof globalThis.fetch, baseUrl: string, defaultToken: string) =>
  async (method: string, path: string, { body, token = defaultToken, headers = {} }: SendOptions = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { "content-type": "application/json" }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

/** The fake's first service account, and a second one. */
export const SA = "ajeg2b2et02f3tl2c1pj";
export const OTHER = "ajeotherserviceacct1";

/** A checked fake with the two service accounts; the bearer `other` is OTHER's, any other token SA's. */
export const twoAccounts = (options: FakeIamOptions = {}) =>
  checkedFake({ serviceAccounts: [SA, OTHER], authenticate: (token) => (token === "other" ? OTHER : token ? SA : undefined), ...options });
