// The fake of the bench's audit section, in a process of its own (as a server is): a cloud of `folders` folders of
// `accounts` service accounts each (the default one counted in the first), each account with an API key, an authorized
// key and a static key, the first account of each folder holding `editor` on it and one of them `viewer` on the cloud;
// served on loopback with `latencyMs` added to every call. The service-account quota is raised to hold them (Yandex's is
// 100 per cloud); the key quotas (1,000 of each kind per cloud) hold a cloud of 1,000 accounts as they are. Prints one
// JSON line, { url, setupMs, cloudId, folders, accounts, credentials, roles }, once it serves.
//   node --import tsx bench/audit-fake.ts <dir of the build> <cloudId> <folders> <accounts per folder> <latencyMs>
import { join } from "node:path";

const [built = ".", cloudId = "b1gbench0audit0cloud", folderCount = "10", perFolder = "100", latency = "20"] = process.argv.slice(2);
const { createIamClient } = (await import(join(built, "dist/src/index.js"))) as typeof import("../src/index.ts");
const { createFakeIam } = (await import(join(built, "dist/src/testing/index.js"))) as typeof import("../src/testing/index.ts");
const { serveFake } = (await import(join(built, "dist/src/testing/node.js"))) as typeof import("../src/testing/node.ts");

const setupStart = performance.now();
// Note: ids of 20 characters, as Yandex's: `b1gbench0audit0f` and the folder's number.
const folders = Array.from({ length: Number(folderCount) }, (_, i) => ({
  id: `b1gbench0audit0f${String(i + 1).padStart(4, "0")}`,
  name: `folder-${i + 1}`,
  cloudId,
}));
const first = folders[0]?.id as string;
const fake = createFakeIam({
  clouds: [{ id: cloudId, name: "bench" }],
  folders,
  folderId: first,
  serviceAccountQuota: folders.length * Number(perFolder),
});
const admin = createIamClient({ token: "t", baseUrl: fake.baseUrl, fetch: fake.fetch, polling: { initialDelayMs: 1, maxDelayMs: 1 } });
for (const [f, folder] of folders.entries()) {
  const ids: string[] = f === 0 ? fake.state.serviceAccounts.map((account) => account.id) : [];
  while (ids.length < Number(perFolder))
    ids.push((await admin.serviceAccounts.create({ folderId: folder.id, name: `robot-${f + 1}-${ids.length + 1}` })).id);
  await admin.folders.grant(folder.id, "editor", { type: "serviceAccount", id: ids[0] as string });
  if (f === 0) await admin.clouds.grant(cloudId, "viewer", { type: "serviceAccount", id: ids[0] as string });
}
const accounts = fake.state.serviceAccounts;
// Note: an RSA key pair per authorized key, made by WebCrypto off the main thread, a few accounts at a time (all at once,
// the last would wait past the client's time-out behind the others' key pairs); the setup's time is reported, not measured.
let next = 0;
const worker = async () => {
  for (let account = accounts[next++]; account; account = accounts[next++]) {
    const serviceAccountId = account.id;
    await admin.apiKeys.create({ serviceAccountId, scopes: ["yc.postbox.send"] });
    await admin.keys.create({ serviceAccountId });
    await admin.accessKeys.create({ serviceAccountId });
  }
};
await Promise.all(Array.from({ length: 4 }, worker));
const setupMs = performance.now() - setupStart;
const { apiKeys, keys, accessKeys, accessBindings } = fake.state;
// Note: the latency is per call: each request waits on its own timer before the fake answers, so concurrent ones overlap.
const latencyMs = Number(latency);
const server = await serveFake({
  handle: (request: Request) => new Promise<void>((resolve) => setTimeout(resolve, latencyMs)).then(() => fake.handle(request)),
});
console.log(
  JSON.stringify({
    url: server.url,
    setupMs,
    cloudId,
    folders: folders.length,
    accounts: accounts.length,
    credentials: apiKeys.length + keys.length + accessKeys.length,
    roles: Object.values(accessBindings).flat().length,
  }),
);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
