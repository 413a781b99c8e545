// The `yc-iam-api-keys/testing/node` entry: the fake over HTTP on the loopback interface, with node:http.
// Note: an entry of its own (as msw/node beside msw/browser), so the in-process fake imports nothing Node-only
// and a bundler follows every import of both: there is no dynamic import to hide.
import { createServer } from "node:http";

/** A running fake: its address, and how to stop it. */
export interface ServedFake {
  url: string;
  close(): Promise<void>;
}

/** What can be served: a fake from `createFakeIam()`, or anything that answers a Request. */
export interface Servable {
  handle(request: Request): Promise<Response>;
}

/**
 * Serves a fake on 127.0.0.1 (Node, Deno and Bun): `{ url, close() }`. Port 0 (the default) picks a free one.
 * A handler that throws drops the connection, as a network fault would. A port that is taken is an error that names it
 * and says how to choose another, with Node's `code` (`EADDRINUSE`) and the `port` on it.
 */
export async function serveFake(fake: Servable, { port = 0 }: { port?: number } = {}): Promise<ServedFake> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    // Note: a client that goes away (or close() while a fault delays the answer) aborts the request, as a server would
    // see it: a delayed call is not handled after the fake is closed.
    const gone = new AbortController();
    res.once("close", () => res.writableFinished || gone.abort(new Error("the client closed the connection")));
    try {
      const init: RequestInit = { method: req.method ?? "GET", headers, signal: gone.signal, ...(body && { body }) };
      const response = await fake.handle(new Request(`http://127.0.0.1${req.url}`, init));
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve)).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== "EADDRINUSE") throw error;
      // Note: Node's own message ("listen EADDRINUSE: address already in use") says what, not what to do.
      const message = `serveFake: 127.0.0.1:${port} is in use (by another program, or a fake not closed): choose another port with serveFake(fake, { port }), or let the system pick a free one with { port: 0 }, the default`;
      throw Object.assign(new Error(message, { cause: error }), { code: error.code, port });
    },
  );
  const { port: actual } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Note: keep-alive sockets would hold close() open; the fake closes them with the server.
        server.closeAllConnections();
      }),
  };
}
