// npm start: serve the built docs and the Prism mock on loopback, print both URLs, stop both on Ctrl-C.
// (package.json runs lint, generate and docs first.)
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { DOCS_HTML } from "./docs.ts";
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

// `--docs-only` (npm run docs:serve) serves the docs without the mock.
if (process.argv[1]?.endsWith("start.ts")) {
  const docs = await serveDocs(Number(process.env.DOCS_PORT ?? 8080));
  const mock = process.argv.includes("--docs-only") ? undefined : await startPrism({ port: Number(process.env.MOCK_PORT ?? 4010) });
  console.log(`\nDocs:  ${docs.url}`);
  if (mock) console.log(`Mock:  ${mock.url}  (try: curl -H 'Authorization: Bearer test' ${mock.url}/iam/v1/apiKeys)`);
  console.log("\nCtrl-C stops.");
  const stop = async () => {
    docs.server.close();
    await mock?.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
