// npm start: serve the built docs, the Prism mock and the stateful fake on loopback, print the three URLs, stop all on Ctrl-C,
// a signal, or npm gone.
// (package.json runs lint, generate and docs first.)
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { serveFake } from "../src/testing/node.ts";
import { DOCS_HTML } from "./docs.ts";
import { stopWithParent } from "./lifetime.ts";
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

/** The stateful fake on loopback, with the demo folder of `npm run example`; `summary` says what it holds. */
export async function serveDemoFake(port: number) {
  const { demoFake, demoSummary } = await import("./example.ts");
  const { fake } = await demoFake();
  return { ...(await serveFake(fake, { port })), summary: demoSummary(fake) };
}

// `--docs-only` (npm run docs:serve) serves the docs alone, `--fake-only` (npm run fake) the fake alone.
if (process.argv[1]?.endsWith("start.ts")) {
  const only = process.argv.includes("--docs-only") ? "docs" : process.argv.includes("--fake-only") ? "fake" : undefined;
  const lifetime = stopWithParent();
  const docs = !only || only === "docs" ? await serveDocs(Number(process.env.DOCS_PORT ?? 8080)) : undefined;
  lifetime.add(() => {
    docs?.server.close();
    docs?.server.closeAllConnections();
  });
  const mock = !only ? await startPrism({ port: Number(process.env.MOCK_PORT ?? 4010) }) : undefined;
  lifetime.add(() => mock?.stop());
  const fake = !only || only === "fake" ? await serveDemoFake(Number(process.env.FAKE_PORT ?? 4011)) : undefined;
  lifetime.add(() => fake?.close());
  console.log("");
  if (docs) console.log(`Docs:  ${docs.url}`);
  if (mock)
    console.log(
      `Mock:  ${mock.url}  (Prism, from the document's examples: curl -H 'Authorization: Bearer test' ${mock.url}/iam/v1/apiKeys)`,
    );
  if (fake) console.log(`Fake:  ${fake.url}  (stateful, ${fake.summary}: curl -H 'Authorization: Bearer any' ${fake.url}/iam/v1/apiKeys)`);
  console.log("\nCtrl-C stops.");
}
