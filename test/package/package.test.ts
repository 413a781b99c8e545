// The published package: size budget, exact tarball contents, and a consumer that installs and uses it.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { operations } from "../../generated/contract.ts";
import { COMMAND_FILE, entryFiles } from "../../scripts/build.ts";
import { root } from "../../scripts/root.ts";
import {
  AUTH_ENTRY_GZIP_BUDGET,
  AUTH_GZIP_BUDGET,
  CHAIN_GZIP_BUDGET,
  describeInstall,
  GZIP_BUDGET,
  installedSize,
  measureSize,
} from "../../scripts/size.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { type ServedFake, serveFake } from "../../src/testing/node.ts";
import { TOKEN } from "../support/secrets.ts";

/** The modules of src/, as paths without `.ts`. */
const sources = (await readdir(join(root, "src"), { recursive: true }))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.replace(/\.ts$/, ""))
  .sort();

const run = promisify(execFile);

/**
 * A consumer file that type-tests every row of the table against the published types: OperationId is exactly the table's ids,
 * and each operation's Answer is its path's 200 body in `paths` (not any), with controls that must not compile.
 */
function operationTypeTests(): string {
  const rows = Object.values(operations);
  const lines = [
    `import type { Answer, OperationId, paths } from "yc-iam-api-keys";`,
    "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;",
    "type IsAny<T> = 0 extends 1 & T ? true : false;",
    `type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;`,
    "// An id missing here or one the package lacks does not compile.",
    `export const ids: { [K in OperationId]: true } = { ${rows.map((row) => `${row.id}: true`).join(", ")} };`,
    ...rows.map(
      ({ id, method, path }) =>
        `export const ${id}: [Equal<Answer<"${id}">, Json<paths["${path}"]["${method.toLowerCase()}"]["responses"][200]>>, IsAny<Answer<"${id}">>] = [true, false];`,
    ),
    "// @ts-expect-error not an operation of the document",
    `export const unknown: OperationId = "notAnOperation";`,
    "// @ts-expect-error two operations' answers differ",
    `export const differ: Equal<Answer<"${rows[0]?.id}">, Answer<"${rows.at(-1)?.id}">> = true;`,
  ];
  return `${lines.join("\n")}\n`;
}
// Note: built and packed once for test/package/ (test/support/package-setup.ts).
const tarball = inject("tarball");
const files = inject("packedFiles");
const work = inject("packDir");

describe("size", () => {
  const measured = measureSize();

  it(`the browser bundle of the client entry stays within ${GZIP_BUDGET} bytes gzip`, async () => {
    const size = await measured;
    console.log(`client entry: ${size.gzip} B gzip (${size.raw} B minified); openapi-fetch alone: ${size.openapiFetchGzip} B gzip`);
    expect(size.gzip).toBeLessThanOrEqual(GZIP_BUDGET);
    expect(size.gzip).toBeGreaterThan(size.openapiFetchGzip);
  });

  it(`each token source adds at most ${AUTH_GZIP_BUDGET} B gzip to the client, the chain beside them ${CHAIN_GZIP_BUDGET} B, the chain (every source) and the whole auth entry at most ${AUTH_ENTRY_GZIP_BUDGET} B`, async () => {
    const size = await measured;
    console.log(
      `auth entry: +${size.authGzip} B gzip; per source: ${JSON.stringify(size.authGzipPerSource)}; the chain: +${size.chainGzip} B`,
    );
    expect(size.chainGzip).toBeGreaterThan(Math.max(...Object.values(size.authGzipPerSource)));
    expect(size.chainGzip).toBeLessThanOrEqual(AUTH_ENTRY_GZIP_BUDGET);
    expect(size.chainOwnGzip, "the chain beside its sources").toBeGreaterThan(0);
    expect(size.chainOwnGzip, "the chain beside its sources").toBeLessThanOrEqual(CHAIN_GZIP_BUDGET);
    for (const [source, bytes] of Object.entries(size.authGzipPerSource)) {
      expect(bytes, source).toBeGreaterThan(0);
      expect(bytes, source).toBeLessThanOrEqual(AUTH_GZIP_BUDGET);
    }
    expect(size.authGzip).toBeLessThanOrEqual(AUTH_ENTRY_GZIP_BUDGET);
  });

  it("the testing entry is in neither the client's nor the auth entry's bundle", async () => {
    const { bundles } = await measured;
    for (const text of Object.values(bundles)) {
      expect(text).not.toContain("not implemented by the fake");
      expect(text).not.toContain("node:http");
    }
    expect(bundles.withAuth).toContain("PLEASE DO NOT REMOVE THIS LINE");
  });
});

describe("the tarball", () => {
  it("holds exactly what users need: each entry bundled over shared chunks, every module's types, the command, the bundled document, README and LICENSE", async () => {
    // Note: every module of src/ has its declarations (a new service's module is in without editing this list); the
    // JavaScript is one file per entry of package.json's exports, over the chunks they share (scripts/build.ts).
    const declarations = sources.map((m) => `dist/src/${m}.d.ts`);
    expect(sources).toEqual(expect.arrayContaining(["index", "client", "core/call", "auth/index", "testing/index", "testing/node"]));
    const entries = (await entryFiles()).map((file) => `dist/src/${file}`);
    expect(entries).toEqual(["dist/src/index.js", "dist/src/auth/index.js", "dist/src/testing/index.js", "dist/src/testing/node.js"]);
    // Note: the chunks the entries share, and the credential chain's, which the client loads on demand.
    const chunks = files.filter((file) => /^dist\/src\/chunks\/(chunk|chain)-\w+\.js$/.test(file));
    expect(chunks.length).toBeGreaterThan(0);
    const generated = ["contract", "schema"].map((m) => `dist/generated/${m}.d.ts`);
    expect(files).toEqual(
      [
        ...generated,
        ...declarations,
        ...entries,
        ...chunks,
        COMMAND_FILE,
        "generated/openapi.json",
        "LICENSE",
        "package.json",
        "README.md",
      ].sort(),
    );
  });
});

describe("a consumer project", () => {
  let fake: ServedFake;
  let project: string;

  beforeAll(async () => {
    const inMemory = createFakeIam({ authenticate: (token) => (token === TOKEN ? "ajeg2b2et02f3tl2c1pj" : undefined) });
    inMemory.seed(Array.from({ length: 5 }, (_, i) => ({ description: `key ${i}` })));
    fake = await serveFake(inMemory);
    project = join(work, "consumer");
    await mkdir(project);
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: project });
  }, 120_000);

  afterAll(async () => {
    await fake?.close();
  });

  it("the install is what the README says: its packages, and its bytes of files within a tenth", async () => {
    // Note: the consumer's install, as `npm run size -- --installed` measures one; first, before anything else is added.
    const installed = await installedSize(join(project, "node_modules"));
    console.log(describeInstall(installed));
    const readme = await readFile(join(root, "README.md"), "utf8");
    // Note: the figure is the generated block `install` (scripts/embed.ts), from the bench's last saved run.
    const [, packages, mb] = readme.match(/An install is <!-- generated: install -->(\d+) packages and ([\d.]+) MB of files/) ?? [];
    expect(installed.packages["yc-iam-api-keys"]).toBeGreaterThan(0);
    expect(Number(packages)).toBe(Object.keys(installed.packages).length);
    // Note: every change moves it a little; a figure more than a tenth off is stale: npm run bench -- size, then npm run generate.
    expect(Math.abs(Number(mb) * 1_000_000 - installed.bytes) / installed.bytes, "npm run size -- --installed").toBeLessThan(0.1);
  });

  it("imports and calls the package from Node ESM", async () => {
    await writeFile(
      join(project, "main.mjs"),
      `import { createIamClient, IamInputError } from "yc-iam-api-keys";
const iam = createIamClient({ token: process.env.TOKEN, baseUrl: process.env.BASE_URL });
const { apiKey, secret } = await iam.apiKeys.create({ description: "consumer" });
const ids = [];
for await (const key of iam.apiKeys.listAll({ pageSize: 2 })) ids.push(key.id);
const bad = await iam.apiKeys.list({ pageSize: 5000 }).catch((e) => e);
const { createFakeIam } = await import("yc-iam-api-keys/testing");
const { serviceAccountKey } = await import("yc-iam-api-keys/auth");
const fake = createFakeIam();
const token = serviceAccountKey(await fake.createServiceAccountKey(), { baseUrl: fake.baseUrl, fetch: fake.fetch });
const local = createIamClient({ token, fetch: fake.fetch, baseUrl: fake.baseUrl });
const made = await local.apiKeys.create({ description: "in memory" });
await local.apiKeys.delete(made.apiKey.id);
const { serveFake } = await import("yc-iam-api-keys/testing/node");
const served = await serveFake(fake);
const overHttp = (await fetch(served.url + "/iam/v1/apiKeys", { headers: { authorization: "Bearer any" } })).status;
await served.close();
console.log(JSON.stringify({ created: apiKey.description, hasSecret: secret.length > 0, count: ids.length, input: bad instanceof IamInputError, fakeKeys: fake.state.apiKeys.length, minted: fake.state.iamTokens, overHttp }));
`,
    );
    const { stdout } = await run(process.execPath, ["main.mjs"], { cwd: project, env: { ...process.env, TOKEN, BASE_URL: fake.url } });
    expect(JSON.parse(stdout)).toEqual({
      created: "consumer",
      hasSecret: true,
      count: 6,
      input: true,
      fakeKeys: 0,
      minted: 1,
      overHttp: 200,
    });
  });

  it("runs the yc-iam command with npx on the floor's Node: --help names every job; a job runs against the fake with --json, its exit code a script can test", async () => {
    // Note: the floor's Node first on the PATH, as on a user's machine that has it: `npm test` puts the toolchain's first,
    // and the command's `#!/usr/bin/env node` would run on that.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
    const onNode = await run("npx", ["--no-install", "-c", "node --version"], { cwd: project, env });
    expect(onNode.stdout.trim()).toBe(process.version);
    const npx = (args: string[]) =>
      run("npx", ["--no-install", "yc-iam", ...args], {
        cwd: project,
        env: { ...env, YC_IAM_TOKEN: TOKEN, YC_IAM_BASE_URL: fake.url },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        ({ code, stdout, stderr }) => ({ code: code as number, stdout: stdout as string, stderr: stderr as string }),
      );
    const help = await npx(["--help"]);
    expect(help.code, help.stderr).toBe(0);
    const { JOBS } = await import("../../bin/yc-iam.ts");
    for (const job of Object.keys(JOBS)) expect(help.stdout).toMatch(new RegExp(`^  ${job} `, "m"));
    // Note: the seeded keys never expire, so none expires within a year: done, nothing found.
    const ran = await npx(["expiring-soon", "--days", "365", "--json"]);
    // Note: stderr says whose credentials it acted with, as the chain chose them; stdout is the JSON alone.
    expect([ran.code, ran.stderr.trim()]).toEqual([
      0,
      "credentials: YC_IAM_TOKEN: an IAM token, used as it is (it lives 12 hours at most)",
    ]);
    expect(JSON.parse(ran.stdout)).toEqual({ days: 365, keys: [] });
    // Note: provision reads the document the package ships (generated/openapi.json) from beside the command's folder.
    const plan = await npx([
      "provision",
      "--folder",
      "b1gvmob95yysaplct532",
      "--name",
      "from-npx",
      "--role",
      "viewer",
      "--dry-run",
      "--json",
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ dryRun: true });
    const wrong = await npx(["expiring-soon", "--days", "soon"]);
    expect([wrong.code, wrong.stdout]).toEqual([2, ""]);
    expect(wrong.stderr).toContain("usage: yc-iam expiring-soon ");
  });

  it("can be required from CommonJS (require(esm), Node >= 20.19)", async () => {
    await writeFile(
      join(project, "main.cjs"),
      `const { createIamClient } = require("yc-iam-api-keys");\nconst iam = createIamClient({ token: "t" });\nconsole.log(typeof iam, typeof iam.apiKeys.listAll);\n`,
    );
    const { stdout } = await run(process.execPath, ["main.cjs"], { cwd: project });
    expect(stdout.trim()).toBe("object function");
  });

  it("type-checks every entry for Node alone: lib ES2022 and @types/node, without the DOM library", async () => {
    await writeFile(
      join(project, "node-only.ts"),
      `import { createIamClient, IamError } from "yc-iam-api-keys";
import { serviceAccountKey, type TokenSource } from "yc-iam-api-keys/auth";
import { createFakeIam, type FakeIam } from "yc-iam-api-keys/testing";
import { serveFake, type ServedFake } from "yc-iam-api-keys/testing/node";
export async function use(): Promise<[ServedFake, boolean]> {
  const fake: FakeIam = createFakeIam();
  const token: TokenSource = serviceAccountKey(await fake.createServiceAccountKey(), { baseUrl: fake.baseUrl, fetch: fake.fetch });
  const iam = createIamClient({ token, fetch: fake.fetch, baseUrl: fake.baseUrl });
  const failed = await iam.apiKeys.list({ pageSize: 1 }).then(() => false, (e: unknown) => e instanceof IamError);
  return [await serveFake(fake, { port: 0 }), failed];
}
`,
    );
    // Note: the repository's @types/node, as a Node project has its own; no "dom" in lib, so a declaration that needs
    // the DOM library (CryptoKey, say) fails here. skipDefaultLibCheck, here and below: the package's declarations and
    // @types/node are checked, TypeScript's own lib files not again (a fifth of each check's time).
    await writeFile(
      join(project, "tsconfig.node-only.json"),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          skipDefaultLibCheck: true,
          target: "es2022",
          lib: ["es2022"],
          typeRoots: [join(root, "node_modules/@types")],
          types: ["node"],
          module: "nodenext",
          moduleResolution: "nodenext",
        },
        files: ["node-only.ts"],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const result = await run(TOOLCHAIN_NODE, [tsc, "-p", "tsconfig.node-only.json"], { cwd: project }).catch((e) => e);
    expect(result.stdout ?? "").toBe("");
    expect(result.code ?? 0).toBe(0);
  });

  it.each(["nodenext", "bundler"])(
    "type-checks a consumer, every operation of the table and the README's examples, under moduleResolution %s",
    async (resolution) => {
      await writeFile(
        join(project, "use.ts"),
        `import { createIamClient, IamApiError, type ApiKey, type ListApiKeysResponse } from "yc-iam-api-keys";
import { metadataToken, type TokenSource } from "yc-iam-api-keys/auth";
import { createFakeIam } from "yc-iam-api-keys/testing";
const source: TokenSource = metadataToken();
const fake = createFakeIam();
export const withSource = createIamClient({ token: source, fetch: fake.fetch });
const iam = createIamClient({ token: () => "t" });
export async function names(): Promise<string[]> {
  const page: ListApiKeysResponse = await iam.apiKeys.list({ pageSize: 10, pageToken: undefined });
  const key: ApiKey | undefined = page.apiKeys[0];
  try { await iam.apiKeys.create({ scopes: ["yc.postbox.send"], expiresAt: new Date() }); } catch (e) { if (e instanceof IamApiError) return [e.codeName ?? ""]; }
  // @ts-expect-error pageSize is a number in the contract
  await iam.apiKeys.list({ pageSize: "10" });
  return key ? [key.id, key.createdAt ?? ""] : [];
}
`,
      );
      const compilerOptions = {
        noEmit: true,
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        target: "es2022",
        lib: ["es2022", "dom"],
        types: [],
        module: resolution === "bundler" ? "preserve" : "nodenext",
        moduleResolution: resolution,
      };
      // Note: the README's examples must compile against the package as published.
      const readme = await readFile(join(root, "README.md"), "utf8");
      const ambient = "declare const process: { env: Record<string, string | undefined> };\nexport {};\n";
      // Note: the first ts block of every section that has one; a block that uses `iam` or createIamClient without making or
      // importing it gets them as the Usage section makes them.
      const sections = readme.split(/^(?=## )/m).flatMap((text) => {
        const code = text.match(/```ts\n([\s\S]*?)```/)?.[1];
        return code ? [{ heading: text.slice(0, text.indexOf("\n")), code }] : [];
      });
      expect(sections.map((section) => section.heading)).toEqual(expect.arrayContaining(["## Usage", "## Testing your code"]));
      const readmeFiles = sections.map(({ heading }) => `readme-${heading.slice(3).toLowerCase().replace(/\W+/g, "-")}.ts`);
      for (const [i, { code }] of sections.entries()) {
        const imported = /^import \{[^}]*\bcreateIamClient\b/m.test(code);
        const client =
          (/\bcreateIamClient\(/.test(code) && !imported ? 'import { createIamClient } from "yc-iam-api-keys";\n' : "") +
          (/\biam\./.test(code) && !/\bconst iam\b/.test(code)
            ? 'import { createIamClient as makeClient } from "yc-iam-api-keys";\nconst iam = makeClient({ token: "t" });\n'
            : "");
        await writeFile(join(project, readmeFiles[i] as string), ambient + client + code);
      }
      // Note: the Authorized keys section writes key.json with node:fs, and the testing section imports its runner's hooks;
      // the consumer has neither @types/node nor vitest, so just that much of each.
      await writeFile(
        join(project, "node-fs.d.ts"),
        'declare module "node:fs/promises" {\n  export function readFile(path: string, encoding: "utf8"): Promise<string>;\n  export function writeFile(path: string, data: string, options?: { mode?: number; flag?: string }): Promise<void>;\n}\n' +
          'declare module "vitest" {\n  export function afterEach(hook: () => unknown): void;\n  export function afterAll(hook: () => unknown): void;\n}\n',
      );
      // Note: every row of the table is type-tested (more than the ten of the first release), with no list kept here.
      const typeTests = operationTypeTests();
      expect(typeTests.match(/^export const \w+: \[Equal</gm)).toHaveLength(Object.keys(operations).length);
      expect(Object.keys(operations).length).toBeGreaterThan(10);
      await writeFile(join(project, "operations.ts"), typeTests);
      const config = `tsconfig.${resolution}.json`;
      await writeFile(
        join(project, config),
        JSON.stringify({
          compilerOptions: { ...compilerOptions, noUnusedLocals: false },
          files: ["use.ts", ...readmeFiles, "node-fs.d.ts", "operations.ts"],
        }),
      );
      const tsc = join(root, "node_modules/typescript/bin/tsc");
      const result = await run(TOOLCHAIN_NODE, [tsc, "-p", config], { cwd: project }).catch((e) => e);
      expect(result.stdout ?? "").toBe("");
      expect(result.code ?? 0).toBe(0);
    },
  );
});
