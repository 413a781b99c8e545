// npm run example -- <name> [arguments]: runs one of examples/ against the stateful fake on loopback,
// with a few keys of a realistic history, so it can be seen working without a Yandex Cloud account.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createIamClient } from "../src/index.ts";
import { createFakeIam, type FakeIam } from "../src/testing/index.ts";
import { serveFake } from "../src/testing/node.ts";
import { root } from "./root.ts";

const DAY = 86_400_000;
export const DEMO_ACCOUNT = "ajeg2b2et02f3tl2c1pj";

/** Keys with a past: used yesterday, idle for months, never used, expiring soon. */
export function seedDemo(fake: FakeIam, now = Date.now()) {
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  return fake.seed([
    { description: "support bot", scopes: ["yc.ai.foundationModels.execute"], createdAt: at(-200), lastUsedAt: at(-1), expiresAt: at(10) },
    { description: "nightly export", scopes: ["yc.ydb.tables.manage"], createdAt: at(-300), lastUsedAt: at(-120) },
    { description: "old CI key", scopes: ["yc.serverless.functions.invoke"], createdAt: at(-200) },
    { description: "new key", scopes: ["yc.postbox.send"], createdAt: at(-2) },
    { description: "postbox sender", scopes: ["yc.postbox.send"], createdAt: at(-40), lastUsedAt: at(-5), expiresAt: at(3) },
  ]);
}

/** The demo fake of `npm run example` and `npm start`: the seeded account, each operation done after one poll. */
export function demoFake(now = Date.now()) {
  const fake = createFakeIam({ serviceAccounts: [DEMO_ACCOUNT], operations: { polls: 1 } });
  return { fake, keys: seedDemo(fake, now) };
}

/** The default arguments of each example, for the seeded account. */
const defaults = (name: string, firstKey: string): string[] =>
  ({
    "rotate-key": [firstKey],
    "revoke-unused": ["--service-account", DEMO_ACCOUNT, "--days", "90"],
    "expiring-soon": ["--service-account", DEMO_ACCOUNT, "--days", "30"],
  })[name] ?? [];

if (process.argv[1]?.endsWith("example.ts")) {
  const names = (await readdir(join(root, "examples")))
    .filter((f) => f.endsWith(".ts") && f !== "client-from-env.ts")
    .map((f) => f.slice(0, -3));
  const [name, ...args] = process.argv.slice(2);
  if (!name || !names.includes(name)) {
    console.error(`usage: npm run example -- <${names.join(" | ")}> [arguments]`);
    process.exit(2);
  }
  const {
    fake,
    keys: [first],
  } = demoFake();
  const server = await serveFake(fake);
  console.log(`${name}, against the stateful fake at ${server.url} (5 keys of ${DEMO_ACCOUNT}):\n`);
  try {
    const example = (await import(join(root, "examples", `${name}.ts`))) as { main(argv: string[], iam: unknown): Promise<void> };
    // Note: an example that makes a client of its own (bootstrap-key, with its key file's tokens) finds the fake here too.
    process.env.YC_IAM_BASE_URL = server.url;
    await example.main(
      args.length ? args : defaults(name, first?.id ?? ""),
      createIamClient({ token: "any", baseUrl: server.url, polling: { initialDelayMs: 20 } }),
    );
    console.log(
      `\nThe fake now holds ${fake.state.apiKeys.length} API key(s) and ${fake.state.keys.length} authorized key(s); it served ${fake.requests.length} request(s).`,
    );
  } finally {
    await server.close();
  }
}
