// A small stateful loopback fake of the API: create adds a key, list pages through them.
// Used by the contract tests (behind Prism's validation proxy) and the benchmarks.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface FakeKey {
  id: string;
  serviceAccountId: string;
  createdAt: string;
  description?: string;
  scopes?: string[];
  expiresAt?: string;
  maskedSecret: string;
}

export interface FakeApi {
  url: string;
  server: Server;
  keys: FakeKey[];
  /** How many requests each route has served. */
  hits: { create: number; list: number };
  close(): Promise<void>;
}

const ID = () => `aje${randomUUID().replace(/-/g, "").slice(0, 17)}`;

/** A key as the real API would list it. */
export function fakeKey(i: number, serviceAccountId = "ajeg2b2et02f3tl2c1pj"): FakeKey {
  const secretTail = String(i).padStart(6, "0");
  return {
    id: `aje${String(i).padStart(17, "0")}`,
    serviceAccountId,
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    description: `key ${i}`,
    maskedSecret: `****${secretTail}`,
  };
}

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });

/** Starts the fake on 127.0.0.1 with `count` keys already there. */
export async function startFakeApi(options: { count?: number; token?: string } = {}): Promise<FakeApi> {
  const keys: FakeKey[] = Array.from({ length: options.count ?? 0 }, (_, i) => fakeKey(i));
  const hits = { create: 0, list: 0 };
  const send = (res: import("node:http").ServerResponse, status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "x-request-id": randomUUID(), "x-server-trace-id": "fa4e" }).end(text);
  };
  const status = (code: number, message: string) => ({
    code,
    message,
    details: [{ "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: randomUUID() }],
  });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname !== "/iam/v1/apiKeys") return send(res, 404, status(5, "Not found"));
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`)
      return send(res, 401, status(16, "Token is invalid or has expired."));
    if (req.method === "POST") {
      hits.create++;
      const input = JSON.parse((await body(req)) || "{}");
      const secret = `AQVN${randomUUID().replace(/-/g, "")}`;
      const key: FakeKey = {
        id: ID(),
        serviceAccountId: input.serviceAccountId ?? "ajeg2b2et02f3tl2c1pj",
        createdAt: new Date().toISOString(),
        ...(input.description && { description: input.description }),
        ...(input.scopes?.length && { scopes: input.scopes }),
        ...(input.expiresAt && { expiresAt: input.expiresAt }),
        maskedSecret: `****${secret.slice(-6)}`,
      };
      keys.push(key);
      return send(res, 200, { apiKey: key, secret });
    }
    if (req.method === "GET") {
      hits.list++;
      const account = url.searchParams.get("serviceAccountId");
      // Note: a deliberately broken answer, for proving that a validating proxy catches upstream violations.
      if (account === "broken-upstream") return send(res, 200, { apiKeys: "not an array" });
      const own = account ? keys.filter((k) => k.serviceAccountId === account) : keys;
      const size = Number(url.searchParams.get("pageSize") || 100) || 100;
      const start = Number(url.searchParams.get("pageToken") || 0);
      const page = own.slice(start, start + size);
      const next = start + size < own.length ? String(start + size) : undefined;
      return send(res, 200, { ...(page.length && { apiKeys: page }), ...(next && { nextPageToken: next }) });
    }
    send(res, 501, status(12, "Not implemented"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    keys,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
