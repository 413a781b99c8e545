// A real browser (Debian's Chromium or the one in @sparticuz/chromium, driven by playwright-core): the offline docs page, and the client bundled for the browser against Prism.
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { operations } from "../../generated/contract.ts";
import { buildDocs } from "../../scripts/docs.ts";
import { root } from "../../scripts/root.ts";
import { serveDocs } from "../../scripts/start.ts";
import { createIamClient } from "../../src/index.ts";
import { deref } from "../support/ajv.ts";
import { chromiumToLaunch } from "../support/chromium.ts";
import { takeViolations } from "../support/contract-client.ts";
import { errorStatuses, exampleInput, parametersOf, requestMedia, tableCall, tableOperations } from "../support/operations.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

// Note: every response Prism answered in the test carried no violation (the checked fetch records them).
afterEach(() => expect(takeViolations()).toEqual([]));

const ARTIFACTS = join(root, "test-results");
const prismUrl = inject("prismUrl");

/** The names a reader finds on an operation's docs page: its parameters and its request body's fields (a oneOf's first branch, shown open). */
function namesOnPage(o: (typeof tableOperations)[number]): string[] {
  const body = o.op.requestBody && deref(requestMedia(o)?.schema);
  const shown = body?.oneOf ? deref(body.oneOf[0]) : body;
  return [...parametersOf(o).map((p) => p.name as string), ...Object.keys(shown?.properties ?? {})];
}

/** What the docs page shows beyond the names, for the first ten operations: limits, enums and answer fields as Redoc renders them. */
const RENDERED: Record<string, string[]> = {
  createApiKey: ["<= 50 characters", "<= 100 items"],
  listApiKeys: ["<= 2000 characters", "[ 0 .. 1000 ]"],
  getApiKey: ["[ 1 .. 50 ] characters", "maskedSecret"],
  updateApiKey: ["updateMask", "Always send", "[ 1 .. 100 ] items"],
  deleteApiKey: ["done"],
  listApiKeyOperations: ["operations"],
  listApiKeyScopes: ["scopes"],
  getOperation: ["done", "response", "metadata"],
  createIamToken: ["One of", "[ 1 .. 8000 ] characters", "iamToken", "expiresAt"],
  createIamTokenForServiceAccount: ["tokenCreator", "iamToken"],
};

let browser: Browser;
const servers: Server[] = [];

/** A page that records failed requests, console errors and uncaught exceptions. */
async function watchedPage() {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("request", (r) => /^(https?|wss?):\/\/(?!127\.0\.0\.1[:/])/.test(r.url()) && problems.push(`left loopback: ${r.url()}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}

beforeAll(async () => {
  await buildDocs();
  await mkdir(ARTIFACTS, { recursive: true });
  const { executablePath, args, which } = await chromiumToLaunch();
  console.log(`browser tests: ${which}`);
  browser = await chromium.launch({ executablePath, headless: true, args });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  expect(browser?.isConnected()).toBe(false);
});

describe("the docs page", () => {
  let page: Page;
  let problems: string[];
  let docsUrl: string;

  beforeAll(async () => {
    const docs = await serveDocs(0);
    docsUrl = docs.url;
    servers.push(docs.server);
    ({ page, problems } = await watchedPage());
    await page.goto(docs.url, { waitUntil: "networkidle" });
    await page.getByText("Operations").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "docs.png"), fullPage: true });
  });

  it("loads offline with no failed request and no console error", () => {
    expect(problems).toEqual([]);
  });

  // Note: each row's page: its tag and operationId make the route, its summary the title, its parameters and body fields
  // the names, its documented errors the codes; the first ten also show what RENDERED names.
  const pages = tableOperations.map(
    (o) =>
      [
        `${o.op.tags[0]}/${o.id}`.toLowerCase(),
        o.op.summary as string,
        [...namesOnPage(o), ...(RENDERED[o.id] ?? [])],
        ["200", ...errorStatuses(o)],
      ] as const,
  );

  it("lists every operation of the table on the tags' overviews", async () => {
    const rows = Object.values(operations);
    // Note: an overview lists a tag's first eight operations and folds the rest under "Show N more...", and the page
    // renders only what is near the view: so it scrolls down a screen at a time, unfolding, until each row is shown,
    // and reads the row's method beside its path there.
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining(Object.keys(RENDERED)));
    for (const { method, path } of rows) {
      const wanted = new RegExp(`^${method}\\s+${path.replace(/[{}]/g, "\\$&")}$`);
      const shown = page.getByText(path, { exact: true }).filter({ visible: true });
      // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what a reader sees
      const entries = async () => Promise.all((await shown.all()).map((path) => path.locator("xpath=..").innerText()));
      for (let step = 0; !(await entries()).some((entry) => wanted.test(entry)); step++) {
        await page.evaluate((s) => window.scrollTo(0, (s % 40) * window.innerHeight), step);
        for (const more of await page.getByText(/^Show \d+ more/).all()) await more.click();
        await page.waitForTimeout(50);
      }
    }
  });

  it("covers every row of the table with a page of its own", () => {
    expect(pages.map(([route]) => route.split("/")[1])).toEqual(Object.keys(operations).map((id) => id.toLowerCase()));
  });

  it.each(pages)("shows %s with its parameters and every error response", async (route, title, parameters, codes) => {
    try {
      await showsRoute(route, title, parameters, codes);
    } catch (error) {
      // Note: the operation as a reader lands on it, kept when its page fails: one shot for each of the sixty-odd routes
      // cost the browser tests a third of their time (9 s of 25 s, 4.5 s of CPU), and the whole page's shot stays above.
      await page.screenshot({ path: join(ARTIFACTS, `docs-${route.replace("/", "-")}.png`) });
      throw error;
    }
  });

  /** The checks of one operation's page, as a reader lands on it at its route. */
  async function showsRoute(route: string, title: string, parameters: readonly string[], codes: readonly string[]) {
    await page.goto(`${docsUrl}#/${route}`, { waitUntil: "networkidle" });
    await page.getByRole("heading", { name: title }).first().waitFor();
    // Note: a route of the page is rendered after its hash changes, so text read at once may still be the route before
    // (seen once in CI): read until neither the operation's title nor any of its own parameters is missing. The title too,
    // since the route before may name the same parameters (listRoles' text names roleId, getRole's one parameter).
    // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what a reader sees
    const read = () => page.locator("main, body").last().innerText();
    const missing = async () => {
      const shown = await read();
      return [title, ...parameters].filter((p) => !shown.includes(p));
    };
    await expect.poll(missing, { timeout: 10_000 }).toEqual([]);
    const text = await read();
    for (const p of parameters) expect(text).toContain(p);
    expect(codes).toEqual(expect.arrayContaining(["200", "400", "401", "403", "429", "500", "503", "504"]));
    for (const code of codes) expect(text).toMatch(new RegExp(`\\b${code}\\b`));
    expect(problems).toEqual([]);
  }
});

describe("the client in the browser", () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents: [
          `export * from "./src/index.ts"; export * from "./src/auth/index.ts"; export { createFakeIam } from "./src/testing/index.ts";`,
          // Note: the call loop and the table, so every row can be sent from the page as from Node.
          `export { createCall } from "./src/core/call.ts"; export { operations } from "./generated/contract.ts";`,
        ].join("\n"),
        resolveDir: root,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
    });
    const js = bundle.outputFiles[0]?.text ?? "";
    const server = createServer((req, res) => {
      if (req.url === "/client.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(js);
      res
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><title>client</title><script type="module">import * as yc from "/client.js"; window.yc = yc;</script>');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    ({ page, problems } = await watchedPage());
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.waitForFunction(() => "yc" in window);
  });

  /** Runs create, list and a 404 in the page and in Node, against the same Prism. */
  it("gets the same results as in Node for create, list and an error, across origins (CORS)", async () => {
    const inBrowser = await page.evaluate(
      async ({ url, token }) => {
        // Note: the page loaded the bundle as a module (a dynamic import here would be rewritten by Vite).
        const { createIamClient } = (window as unknown as { yc: typeof import("../../src/index.ts") }).yc;
        const iam = createIamClient({ token, baseUrl: url, retry: false });
        const created = await iam.apiKeys.create({ description: "from the browser", expiresAt: new Date("2030-01-01T00:00:00Z") });
        const listed = await iam.apiKeys.list({ pageSize: 2 });
        const error = await iam.apiKeys.list({}, { headers: { Prefer: "code=404" } }).catch((e: Error) => e);
        const { request, ...fields } = JSON.parse(JSON.stringify(error));
        return { created, listed, error: { ...fields, authorization: request.headers.authorization }, isApiError: (error as Error).name };
      },
      { url: prismUrl, token: TOKEN },
    );
    const iam = createIamClient({ token: TOKEN, baseUrl: prismUrl, retry: false });
    const created = await iam.apiKeys.create({ description: "from Node", expiresAt: new Date("2030-01-01T00:00:00Z") });
    const listed = await iam.apiKeys.list({ pageSize: 2 });
    const error = await rejection(iam.apiKeys.list({}, { headers: { Prefer: "code=404" } }));
    const { request, ...fields } = JSON.parse(JSON.stringify(error));
    expect(inBrowser.created).toEqual(created);
    expect(inBrowser.listed).toEqual(listed);
    expect(inBrowser.isApiError).toBe("IamApiError");
    expect(inBrowser.error).toEqual({ ...fields, authorization: "Bearer [REDACTED]" });
    expect(request.headers.authorization).toBe("Bearer [REDACTED]");
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("calls get, update, delete, the new lists and the Operation service from the page, as Node does", async () => {
    const script = async ({ url, token }: { url: string; token: string }) => {
      const { createIamClient } = (window as unknown as { yc: typeof import("../../src/index.ts") }).yc;
      const iam = createIamClient({ token, baseUrl: url, retry: false, polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 5000 } });
      const id = "aje3ho9atbhf4aq6c2ok";
      return {
        key: await iam.apiKeys.get(id),
        updated: await iam.apiKeys.update(id, { description: "x", expiresAt: null }, { headers: { Prefer: "example=done" } }),
        deleted: await iam.apiKeys.delete(id, { wait: false }),
        operations: await iam.apiKeys.listOperations(id),
        scopes: await iam.apiKeys.listScopes({ pageSize: 5 }),
        operation: await iam.operations.get("ajeo7b1c4m3nq2k8v5rd"),
        done: await iam.operations.wait(await iam.operations.get("ajeo7b1c4m3nq2k8v5rd", { headers: { Prefer: "example=done" } })),
      };
    };
    const inBrowser = await page.evaluate(script, { url: prismUrl, token: TOKEN });
    const yc = await import("../../src/index.ts");
    (globalThis as unknown as { window: unknown }).window = { yc };
    try {
      expect(inBrowser).toEqual(await script({ url: prismUrl, token: TOKEN }));
    } finally {
      delete (globalThis as { window?: unknown }).window;
    }
    expect(inBrowser.updated.description).toBe("Support bot, rotated monthly");
    expect(inBrowser.scopes.scopes).toHaveLength(5);
    expect(inBrowser.done.done).toBe(true);
    // Note: the 404 the first test asked for stays in the page's record.
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("sends every row of the table through the call loop from the page, with the document's example arguments, as Node does", async () => {
    type Loop = typeof import("../../src/core/call.ts") & { operations: typeof operations };
    const calls = tableOperations.map((o) => ({ id: o.id, input: exampleInput(o) }));
    const inBrowser = await page.evaluate(
      async ({ url, token, calls }) => {
        const { createCall, operations } = (window as unknown as { yc: Loop }).yc;
        const retry = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
        const call = createCall({
          timeoutMs: 10_000,
          retry,
          baseUrl: () => url,
          secrets: new Set(),
          token: () => token,
        });
        const results: Record<string, unknown> = {};
        for (const { id, input } of calls) results[id] = await call(operations[id], input as never);
        return results;
      },
      { url: prismUrl, token: TOKEN, calls },
    );
    const call = tableCall(prismUrl);
    const inNode: Record<string, unknown> = {};
    for (const o of tableOperations) inNode[o.id] = await call(o.row, exampleInput(o));
    // Note: negative control: every row went, and not only the first ten.
    expect(Object.keys(inBrowser)).toEqual(Object.keys(operations));
    expect(Object.keys(inBrowser).length).toBeGreaterThan(10);
    expect(inBrowser).toEqual(inNode);
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("signs a service account's JWT with WebCrypto in the page, and gets IAM tokens from the fake and from Prism", async () => {
    type Entries = typeof import("../../src/index.ts") &
      typeof import("../../src/auth/index.ts") &
      typeof import("../../src/testing/index.ts");
    const result = await page.evaluate(async (url) => {
      const { createFakeIam, serviceAccountKey, createIamClient } = (window as unknown as { yc: Entries }).yc;
      const fake = createFakeIam();
      const key = await fake.createServiceAccountKey();
      const jwts: string[] = [];
      const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (request.url.endsWith("/iam/v1/tokens")) jwts.push((await request.clone().json()).jwt);
        return fake.handle(request);
      }) as typeof globalThis.fetch;
      const iam = createIamClient({ token: serviceAccountKey(key, { baseUrl: fake.baseUrl, fetch }), baseUrl: fake.baseUrl, fetch });
      await iam.apiKeys.create({ description: "from a signed JWT" });
      const fromPrism = await serviceAccountKey(key, { baseUrl: url })();
      return {
        jwt: jwts[0] ?? "",
        publicKey: key.public_key,
        serviceAccountId: key.service_account_id,
        keyId: key.id,
        minted: fake.state.iamTokens,
        fromPrism,
      };
    }, prismUrl);
    const { importSPKI, jwtVerify } = await import("jose");
    const { payload, protectedHeader } = await jwtVerify(result.jwt, await importSPKI(result.publicKey, "PS256"), {
      algorithms: ["PS256"],
      audience: "https://iam.api.cloud.yandex.net/iam/v1/tokens",
      issuer: result.serviceAccountId,
    });
    expect(protectedHeader.kid).toBe(result.keyId);
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    expect(result.minted).toBe(1);
    expect(result.fromPrism).toMatch(/^t1\./);
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("runs the stateful fake in the page: create → update → delete with no server at all", async () => {
    const result = await page.evaluate(async () => {
      const { createIamClient, createFakeIam } = (
        window as unknown as { yc: typeof import("../../src/index.ts") & typeof import("../../src/testing/index.ts") }
      ).yc;
      const fake = createFakeIam({ operations: { polls: 2 } });
      const iam = createIamClient({
        token: "any",
        fetch: fake.fetch,
        baseUrl: fake.baseUrl,
        polling: { initialDelayMs: 1, maxDelayMs: 1, maxWaitMs: 5000 },
      });
      const { apiKey } = await iam.apiKeys.create({ description: "in the page" });
      const updated = await iam.apiKeys.update(apiKey.id, { description: "changed" });
      await iam.apiKeys.delete(apiKey.id);
      return {
        description: updated.description,
        left: fake.state.apiKeys.length,
        polls: fake.requests.filter((r) => r.operation === "getOperation").length,
      };
    });
    expect(result).toEqual({ description: "changed", left: 0, polls: 4 });
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  });
});
