// The testing entries as bundlers see them: `./testing` for any runtime, `./testing/node` for the loopback server,
// each reached through the package's own `exports` (mapped to src/) with no import a bundler cannot follow.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";

const run = promisify(execFile);
const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { exports: Record<string, { types?: string }> };

/** Resolves `yc-iam-api-keys/<entry>` by the package's exports to its source: dist/src/x.d.ts → src/x.ts. */
const fromExports: Plugin = {
  name: "package-exports-to-src",
  setup(b) {
    b.onResolve({ filter: /^yc-iam-api-keys(\/|$)/ }, ({ path }) => {
      const types = manifest.exports[`.${path.slice("yc-iam-api-keys".length)}`]?.types;
      if (!types) return { errors: [{ text: `${path} is not in package.json "exports"` }] };
      return { path: join(root, types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts")) };
    });
  },
};

/** Bundles `contents` as one ESM file for `platform`; every import must be followed (nothing external). */
async function bundle(contents: string, platform: "node" | "browser"): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform,
    write: false,
    logLevel: "silent",
    plugins: [fromExports],
  });
  expect(result.warnings.map((w) => w.text)).toEqual([]);
  return result.outputFiles[0]?.text ?? "";
}

describe("yc-iam-api-keys/testing/node", () => {
  it("bundled for Node, a program that imports it serves the fake and answers over HTTP", async () => {
    const code = await bundle(
      `import { createFakeIam } from "yc-iam-api-keys/testing";
import { serveFake } from "yc-iam-api-keys/testing/node";
const fake = createFakeIam();
fake.seed([{ description: "bundled" }]);
const server = await serveFake(fake, { port: 0 });
const response = await fetch(server.url + "/iam/v1/apiKeys", { headers: { authorization: "Bearer any" } });
const body = await response.json();
await server.close();
console.log(JSON.stringify({ url: server.url, status: response.status, descriptions: body.apiKeys.map((k) => k.description) }));
`,
      "node",
    );
    // Note: a bundle that still loads a module at run time would fail here, away from the files it names.
    expect(code).not.toMatch(/\bimport\s*\(/);
    const dir = await mkdtemp(join(tmpdir(), "iam-testing-node-"));
    await writeFile(join(dir, "main.mjs"), code);
    const { stdout } = await run(process.execPath, [join(dir, "main.mjs")], { cwd: dir }).finally(() =>
      rm(dir, { recursive: true, force: true }),
    );
    expect(JSON.parse(stdout)).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      status: 200,
      descriptions: ["bundled"],
    });
  });
});

describe("yc-iam-api-keys/testing", () => {
  it("bundles for the browser with no node: import and no import left for run time", async () => {
    const code = await bundle(`export { createFakeIam } from "yc-iam-api-keys/testing";`, "browser");
    expect(code).toContain("not implemented by the fake");
    expect(code).not.toContain("node:");
    expect(code).not.toMatch(/\bimport\s*\(/);
  });
});
