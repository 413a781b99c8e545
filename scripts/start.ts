// npm start: serve the built docs, the Prism mock and the stateful fake on loopback, print the three URLs, stop all on Ctrl-C,
// a signal, or npm gone.
// (package.json runs lint, generate and docs first.)
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { serveFake } from "../src/testing/node.ts";
import { DOCS_HTML } from "./docs.ts";
import { portFromEnv, portInUse, stopWithParent } from "./lifetime.ts";
import { startPrism } from "./prism.ts";

/** Serves the offline docs page at / on the loopback interface. */
export async function serveDocs(port: number, host = "127.0.0.1"): Promise<{ url: string; server: Server }> {
  const html = await readFile(DOCS_HTML);
  const server = createServer((req, res) => {
    if (req.url === "/favicon.ico") return res.writeHead(204).end();
    if (req.url !== "/" && req.url !== "/index.html") return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  const { port: actual } = server.address() as { port: number };
  return { url: `http://${host}:${actual}/`, server };
}

/**
 * The stateful fake on loopback, with the demo cloud and folder of `npm run example`; `summary` says what it holds, and
 * `tryIt` the command that runs an example against it.
 */
export async function serveDemoFake(port: number) {
  const { demoFake, demoProvision, demoSummary } = await import("./example.ts");
  const { fake } = await demoFake();
  const served = await serveFake(fake, { port });
  return { ...served, summary: demoSummary(fake), tryIt: demoProvision(served.url) };
}

/**
 * Starts one server on the port `variable` sets (else `fallback`); a port that is taken becomes a message naming it and
 * how to choose another (`command`: how the user started it).
 */
async function onPort<T>(
  what: string,
  variable: string,
  fallback: number,
  command: string,
  start: (port: number) => Promise<T>,
): Promise<T> {
  const port = portFromEnv(variable, fallback);
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new Error(portInUse(what, port, "127.0.0.1", variable, command), { cause: error });
  }
}

// `--docs-only` (npm run docs:serve) serves the docs alone, `--fake-only` (npm run fake) the fake alone.
if (process.argv[1]?.endsWith("start.ts")) {
  const only = process.argv.includes("--docs-only") ? "docs" : process.argv.includes("--fake-only") ? "fake" : undefined;
  const command = only === "docs" ? "npm run docs:serve" : only === "fake" ? "npm run fake" : "npm start";
  const lifetime = stopWithParent();
  try {
    const docs = !only || only === "docs" ? await onPort("docs page", "DOCS_PORT", 8080, command, (port) => serveDocs(port)) : undefined;
    lifetime.add(() => {
      docs?.server.close();
      docs?.server.closeAllConnections();
    });
    const mock = !only ? await onPort("Prism mock", "MOCK_PORT", 4010, command, (port) => startPrism({ port })) : undefined;
    lifetime.add(() => mock?.stop());
    const fake = !only || only === "fake" ? await onPort("stateful fake", "FAKE_PORT", 4011, command, serveDemoFake) : undefined;
    lifetime.add(() => fake?.close());
    console.log("");
    if (docs) console.log(`Docs:  ${docs.url}`);
    if (mock)
      console.log(
        `Mock:  ${mock.url}  (Prism, from the document's examples: curl -H 'Authorization: Bearer test' ${mock.url}/iam/v1/apiKeys)`,
      );
    if (fake) {
      console.log(`Fake:  ${fake.url}  (stateful, ${fake.summary}: curl -H 'Authorization: Bearer any' ${fake.url}/iam/v1/apiKeys)`);
      console.log(`       a robot with a role on the folder, against this fake (again: nothing changes; --dry-run: the plan):`);
      console.log(`       ${fake.tryIt}`);
    }
    console.log("\nCtrl-C stops.");
  } catch (error) {
    // Note: a port taken or mistyped is the user's to fix: one line, no stack; what had started stops.
    await lifetime.fail(`${command}: ${(error as Error).message}`);
  }
}
