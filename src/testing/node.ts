// The fake over HTTP on the loopback interface: node:http, kept apart so the in-process fake imports nothing Node-only.
import { createServer } from "node:http";

/** A running fake: its address, and how to stop it. */
export interface ServedFake {
  url: string;
  close(): Promise<void>;
}

/** Serves a fetch-style handler on 127.0.0.1; a handler that throws drops the connection, as a network fault would. */
export async function serve(handle: (request: Request) => Promise<Response>, { port = 0 }: { port?: number } = {}): Promise<ServedFake> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    try {
      const init: RequestInit = { method: req.method ?? "GET", headers, ...(body && { body }) };
      const response = await handle(new Request(`http://127.0.0.1${req.url}`, init));
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  });
  // Note: keep-alive sockets would hold close() open; the fake closes them with the server.
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
