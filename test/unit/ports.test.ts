// A port in use: npm start, npm run mock, npm run fake and serveFake() each end with a message that names the port and
// how to choose another (the variable or option that sets it), not Node's bare EADDRINUSE or a stack trace.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_HTML } from "../../scripts/docs.ts";
import { root } from "../../scripts/root.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";

const run = promisify(execFile);

/** A line of a stack trace, as Node prints one. */
const STACK = /^\s+at /m;

/** The port taken: an HTTP server on 127.0.0.1, which would answer anything that only waits for a port to answer. */
let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer((_, res) => res.end("someone else's"));
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
  // Note: npm start serves the built docs page; npm start builds it first, and so does this.
  if (!existsSync(DOCS_HTML)) await run(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/docs.ts"], { cwd: root });
});

afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

/** Runs a command in the repository; its exit code and output, whatever it is. */
async function ran(command: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe.each([
  ["npm start", "docs page", "DOCS_PORT", {}],
  ["npm start", "Prism mock", "MOCK_PORT", { DOCS_PORT: "0" }],
  ["npm start", "stateful fake", "FAKE_PORT", { DOCS_PORT: "0", MOCK_PORT: "0" }],
  ["npm run fake", "stateful fake", "FAKE_PORT", {}],
  ["npm run mock", "Prism mock", "PORT", {}],
])("%s, its %s on a port in use", (command, what, variable, others) => {
  it(`ends with exit 1 and one line naming the port and ${variable}, no stack`, async () => {
    // Note: npm start's own script (lint, generate and docs run before it in package.json); the others through npm.
    const result =
      command === "npm start"
        ? await ran(TOOLCHAIN_NODE, ["--import", "tsx", "scripts/start.ts"], { ...others, [variable]: String(port) })
        : await ran("npm", ["run", "-s", command.split(" ")[2] as string], { [variable]: String(port) });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(`${command}: the ${what} cannot listen on 127.0.0.1:${port}, which is in use`);
    expect(result.stderr).toMatch(new RegExp(`Choose another port with ${variable}, e\\.g\\. ${variable}=\\d+ ${command} `));
    expect(result.stderr).not.toMatch(STACK);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stdout).not.toMatch(/^(Mock|Fake|Docs): /m);
  });
});

it("npm run mock: a PORT that is no port is told as such", async () => {
  const result = await ran("npm", ["run", "-s", "mock"], { PORT: "four thousand" });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe('npm run mock: PORT must be a port number from 0 to 65535, not "four thousand"');
});

it("serveFake() on a port in use rejects with a message that names it and the option that chooses another", async () => {
  const error = await serveFake(createFakeIam(), { port }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe(
    `serveFake: 127.0.0.1:${port} is in use (by another program, or a fake not closed): choose another port with serveFake(fake, { port }), or let the system pick a free one with { port: 0 }, the default`,
  );
  expect(error).toMatchObject({ code: "EADDRINUSE", port });
});
