// Starts and stops Prism (mock or validation proxy) on a loopback port; shared by npm start,
// npm run mock, npm run proxy and the tests.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT_WITH_PARENT, portFromEnv, portInUse, portTaken, stopWithParent } from "./lifetime.ts";
import { TOOLCHAIN_NODE } from "./toolchain-node.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SPEC_JSON = join(root, "generated/openapi.json");
const PRISM = join(dirname(createRequire(import.meta.url).resolve("@stoplight/prism-cli/package.json")), "dist/index.js");

export interface PrismOptions {
  /** `mock` answers from the document; `proxy` forwards to `upstream` and validates both directions. */
  mode?: "mock" | "proxy";
  upstream?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Turn contract violations into error responses. Default true. */
  errors?: boolean;
  /** Where Prism's log goes; default: nowhere (and then only its warnings and errors are written). */
  log?: "inherit" | "ignore";
  /** The Node that runs Prism; default: the toolchain's, as `npm run mock` runs it. */
  node?: string;
}

export interface RunningPrism {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `url` answers any HTTP response; rejects if the process exits or time runs out. */
async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Prism exited with code ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url, { method: "OPTIONS", signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`Prism did not answer at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/** The error of a port that is taken: Node's code, so callers tell it apart, and the port. */
const inUse = (port: number, host: string) => Object.assign(new Error(`${host}:${port} is in use`), { code: "EADDRINUSE", port });

/** Starts Prism and waits until it answers; an error with `code: "EADDRINUSE"` when its port is taken. */
export async function startPrism(options: PrismOptions = {}): Promise<RunningPrism> {
  const { mode = "mock", host = "127.0.0.1", errors = true, log = "ignore", node = TOOLCHAIN_NODE } = options;
  if (mode === "proxy" && !options.upstream) throw new Error("prism proxy needs an upstream URL");
  // Note: checked first: a port another HTTP server holds would answer the wait below, as if Prism had started.
  if (options.port && (await portTaken(options.port, host))) throw inUse(options.port, host);
  const port = options.port || (await freePort(host));
  // Note: Prism's stdin is a pipe from this process, so Prism exits when this process does, even by SIGKILL.
  const args = ["--import", EXIT_WITH_PARENT, PRISM, mode, SPEC_JSON, ...(mode === "proxy" ? [options.upstream as string] : [])];
  args.push("--host", host, "--port", String(port), `--errors=${errors}`);
  // Note: a log nobody reads costs Prism about a millisecond a request; its warnings and errors are still kept for the messages below.
  if (log === "ignore") args.push("--verboseLevel", "warn");
  const child = spawn(node, args, { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (log === "inherit") process.stdout.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://${host}:${port}`;
  await waitUntilUp(url, child, () => output).catch((error: unknown) => {
    // Note: taken between the check and Prism's start.
    throw /EADDRINUSE/.test(output) ? inUse(port, host) : error;
  });
  return {
    url,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

/** `npm run mock` and `npm run proxy -- <upstream>`: run until Ctrl-C, a signal, or npm gone. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode = "mock", upstream] = process.argv.slice(2);
  if (mode === "proxy" && !upstream) {
    console.error("usage: npm run proxy -- <upstream URL>   (e.g. https://iam.api.cloud.yandex.net)");
    process.exit(2);
  }
  const lifetime = stopWithParent();
  const command = mode === "proxy" ? "npm run proxy" : "npm run mock";
  try {
    const port = portFromEnv("PORT", 4010);
    const prism = await startPrism({ mode: mode as "mock" | "proxy", ...(upstream && { upstream }), port, log: "inherit" }).catch(
      (error: NodeJS.ErrnoException) => {
        const what = mode === "proxy" ? "validating proxy" : "Prism mock";
        throw error.code === "EADDRINUSE" ? new Error(portInUse(what, port, "127.0.0.1", "PORT", command)) : error;
      },
    );
    console.log(mode === "proxy" ? `Validating proxy to ${upstream}: ${prism.url}` : `Prism mock: ${prism.url}`);
    lifetime.add(() => prism.stop());
  } catch (error) {
    // Note: a port taken or mistyped is the user's to fix: one line, no stack.
    await lifetime.fail(`${command}: ${(error as Error).message}`);
  }
}
