// The stateful fake behind Prism's validation proxy: both directions of every call are checked against the document.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/prism.ts";
import { createIamClient, type IamClient } from "../../src/index.ts";
import { createFakeIam, type FakeIam } from "../../src/testing/index.ts";
import { type ServedFake, serveFake } from "../../src/testing/node.ts";
import { contractClient, takeViolations } from "../support/contract-client.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

// Note: every response Prism answered in the test carried no violation (the checked fetch records them).
afterEach(() => expect(takeViolations()).toEqual([]));

let fake: FakeIam;
let served: ServedFake;
let proxy: RunningPrism;
let iam: IamClient;
const count = (operation: string) => fake.requests.filter((r) => r.operation === operation).length;

beforeAll(async () => {
  fake = createFakeIam({ operations: { polls: 2 }, authenticate: (token) => (token === TOKEN ? "ajeg2b2et02f3tl2c1pj" : undefined) });
  fake.seed([{ description: "old 1" }, { description: "old 2" }, { description: "old 3" }]);
  served = await serveFake(fake);
  proxy = await startPrism({ mode: "proxy", upstream: served.url });
  iam = contractClient(proxy.url, { polling: { initialDelayMs: 5, maxDelayMs: 20, maxWaitMs: 10_000 } });
});

afterAll(async () => {
  await proxy?.stop();
  await served?.close();
});

describe("through the validation proxy", () => {
  it("create adds keys, and listAll pages through all of them lazily", async () => {
    const created = [];
    for (const description of ["one", "two", "three", "four"]) {
      created.push(await iam.apiKeys.create({ description, scopes: ["yc.postbox.send"], expiresAt: new Date("2030-01-01T00:00:00Z") }));
    }
    expect(created.map((c) => c.apiKey.description)).toEqual(["one", "two", "three", "four"]);
    expect(new Set(created.map((c) => c.secret)).size).toBe(4);
    expect(count("createApiKey")).toBe(4);

    const ids: string[] = [];
    for await (const key of iam.apiKeys.listAll({ pageSize: 2 })) ids.push(key.id);
    expect(ids).toEqual(fake.state.apiKeys.map((k) => k.id));
    expect(ids).toHaveLength(7);
    expect(count("listApiKeys")).toBe(4);

    for await (const _ of iam.apiKeys.listAll({ pageSize: 2 })) break;
    expect(count("listApiKeys")).toBe(5);
  });

  it("create → get → update → wait → delete → get (404), with the operations polled on the way", async () => {
    const { apiKey } = await iam.apiKeys.create({ description: "rotating", scopes: ["yc.ai.foundationModels.execute"] });
    expect(await iam.apiKeys.get(apiKey.id)).toEqual(apiKey);
    const updated = await iam.apiKeys.update(apiKey.id, { description: "rotated", expiresAt: "2031-01-01T00:00:00Z" });
    expect(updated).toMatchObject({ id: apiKey.id, description: "rotated", expiresAt: "2031-01-01T00:00:00Z", scopes: apiKey.scopes });
    const pending = await iam.apiKeys.delete(apiKey.id, { wait: false });
    expect(pending?.done).toBe(false);
    const done = await iam.operations.wait(pending?.id ?? "");
    expect(done.response).toEqual({ "@type": "type.googleapis.com/google.protobuf.Empty" });
    const error = await rejection(iam.apiKeys.get(apiKey.id));
    expect(error).toMatchObject({ status: 404, codeName: "NOT_FOUND" });
    expect(count("getOperation")).toBeGreaterThanOrEqual(4);
    const operations = fake.state.operations.filter((o) => o.metadata?.apiKeyId === apiKey.id);
    expect(operations.map((o) => o.done)).toEqual([true, true]);
    const scopes = [];
    for await (const scope of iam.apiKeys.listAllScopes({ pageSize: 4 })) scopes.push(scope);
    expect(scopes).toHaveLength(15);
  });

  it("a broken upstream answer is caught by the proxy, and the client surfaces it", async () => {
    // Note: the violation is the point here, so this client does not carry the zero-violation check.
    const violations: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      violations.push(response.headers.get("sl-violations") ?? "");
      return response;
    };
    const plain = createIamClient({ token: TOKEN, baseUrl: proxy.url, retry: false, fetch });
    fake.failNext({ body: { apiKeys: "not an array" } });
    const error = await rejection(plain.apiKeys.list());
    expect(error.name).toMatch(/^Iam(Api|Response)Error$/);
    expect(violations.join()).toMatch(/apiKeys/);
  });

  it("a request that breaks the contract is caught by the proxy before it reaches the fake", async () => {
    const plain = createIamClient({ token: TOKEN, baseUrl: proxy.url, retry: false });
    const before = fake.requests.length;
    const { response, error } = await plain.raw.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 5000 } } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(`${response.headers.get("sl-violations")} ${JSON.stringify(error)}`).toMatch(/pagesize.*1000/i);
    expect(fake.requests.length).toBe(before);
  });
});
