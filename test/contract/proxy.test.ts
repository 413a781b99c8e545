// A stateful loopback fake of the API behind Prism's validation proxy: both directions are checked on every call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPrism, startPrism } from "../../scripts/prism.ts";
import { createIamClient, type IamClient } from "../../src/index.ts";
import { contractClient } from "../support/contract-client.ts";
import { type FakeApi, startFakeApi } from "../support/fake-api.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

let fake: FakeApi;
let proxy: RunningPrism;
let iam: IamClient;

beforeAll(async () => {
  fake = await startFakeApi({ count: 3, token: TOKEN });
  proxy = await startPrism({ mode: "proxy", upstream: fake.url });
  iam = contractClient(proxy.url);
});

afterAll(async () => {
  await proxy?.stop();
  await fake?.close();
});

describe("through the validation proxy", () => {
  it("create adds keys, and listAll pages through all of them lazily", async () => {
    const created = [];
    for (const description of ["one", "two", "three", "four"]) {
      created.push(await iam.apiKeys.create({ description, scopes: ["yc.postbox.send"], expiresAt: new Date("2030-01-01T00:00:00Z") }));
    }
    expect(created.map((c) => c.apiKey.description)).toEqual(["one", "two", "three", "four"]);
    expect(new Set(created.map((c) => c.secret)).size).toBe(4);
    expect(fake.hits.create).toBe(4);

    const ids: string[] = [];
    for await (const key of iam.apiKeys.listAll({ pageSize: 2 })) ids.push(key.id);
    expect(ids).toEqual(fake.keys.map((k) => k.id));
    expect(ids).toHaveLength(7);
    expect(fake.hits.list).toBe(4);

    for await (const _ of iam.apiKeys.listAll({ pageSize: 2 })) break;
    expect(fake.hits.list).toBe(5);
  });

  it("a broken upstream answer is caught by the proxy, and the client surfaces it", async () => {
    // Note: the violation is the point here, so this client does not carry the zero-violation check.
    const plain = createIamClient({ token: TOKEN, baseUrl: proxy.url, retry: false });
    const violations: string[] = [];
    plain.raw.use({ onResponse: ({ response }) => void violations.push(response.headers.get("sl-violations") ?? "") });
    const error = await rejection(plain.apiKeys.list({ serviceAccountId: "broken-upstream" }));
    expect(error.name).toMatch(/^Iam(Api|Response)Error$/);
    expect(violations.join()).toMatch(/apiKeys/);
  });

  it("a request that breaks the contract is caught by the proxy before it reaches the fake", async () => {
    const plain = createIamClient({ token: TOKEN, baseUrl: proxy.url, retry: false });
    const before = fake.hits.list;
    const { response, error } = await plain.raw.GET("/iam/v1/apiKeys", { params: { query: { pageSize: 5000 } } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(`${response.headers.get("sl-violations")} ${JSON.stringify(error)}`).toMatch(/pagesize.*1000/i);
    expect(fake.hits.list).toBe(before);
  });
});
