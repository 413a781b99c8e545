// The fake of the bench's audit section, in a process of its own (as a server is): a folder at the quota (100 service
// accounts, the default one counted, each with an API key, an authorized key and a static key), served on loopback
// with `latencyMs` added to every call. Prints one JSON line, { url, setupMs, accounts, credentials }, once it serves.
//   node --import tsx bench/audit-fake.ts <dir of the build> <folderId> <latencyMs>
import { join } from "node:path";

const [built = ".", folderId = "b1gbench0audit0fold1", latency = "20"] = process.argv.slice(2);
const { createIamClient } = (await import(join(built, "dist/src/index.js"))) as typeof import("../src/index.ts");
const { createFakeIam } = (await import(join(built, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
const { serveFake } = (await import(join(built, "dist/src/testing/node.js"))) as typeof import("../src/testing/node.ts");

const setupStart = performance.now();
const fake = createFakeIam({ folderId });
const admin = createIamClient({ token: "t", baseUrl: fake.baseUrl, fetch: fake.fetch });
for (let i = 1; i < 100; i++) await admin.serviceAccounts.create({ folderId, name: `robot-${i}` });
const accounts = fake.state.serviceAccounts;
await Promise.all(
  accounts.map(async ({ id: serviceAccountId }) => {
    await admin.apiKeys.create({ serviceAccountId, scopes: ["yc.postbox.send"] });
    await admin.keys.create({ serviceAccountId });
    await admin.accessKeys.create({ serviceAccountId });
  }),
);
const setupMs = performance.now() - setupStart;
const { apiKeys, keys, accessKeys } = fake.state;
// Note: the latency is per call: each request waits on its own timer before the fake answers, so concurrent ones overlap.
const latencyMs = Number(latency);
const server = await serveFake({
  handle: (request: Request) => new Promise<void>((resolve) => setTimeout(resolve, latencyMs)).then(() => fake.handle(request)),
});
console.log(
  JSON.stringify({ url: server.url, setupMs, accounts: accounts.length, credentials: apiKeys.length + keys.length + accessKeys.length }),
);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
