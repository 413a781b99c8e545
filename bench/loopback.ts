// What the call sections send and what answers them: the document's own examples, from a loopback server in a child
// process (so this process's CPU time is the client side's alone) or from a fetch in this process that answers at once.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../scripts/root.ts";

let documentRead: any;

/** The document's example `name` of the 200 answer to `method path`, as JSON text. */
export function example(path: string, method: string, name: string): string {
  documentRead ??= JSON.parse(readFileSync(join(root, "generated/openapi.json"), "utf8"));
  return JSON.stringify(documentRead.paths[path][method].responses["200"].content["application/json"].examples[name].value);
}

export const BY_KEY = "/iam/v1/apiKeys/{apiKeyId}";
export const OPERATION_ID = "ajeo7b1c4m3nq2k8v5rd";

let answers: Record<string, string> | undefined;

/** The answers by method and path: the document's own examples (key d's update answers done at once). */
export function answersByRequest(): Record<string, string> {
  answers ??= {
    "GET /iam/v1/apiKeys": example("/iam/v1/apiKeys", "get", "firstPage"),
    "POST /iam/v1/apiKeys": example("/iam/v1/apiKeys", "post", "withScopesAndExpiry"),
    "GET /iam/v1/apiKeys/k": example(BY_KEY, "get", "withScopesAndExpiry"),
    "PATCH /iam/v1/apiKeys/k": example(BY_KEY, "patch", "pending"),
    "PATCH /iam/v1/apiKeys/d": example(BY_KEY, "patch", "done"),
    [`GET /operations/${OPERATION_ID}`]: example(BY_KEY, "patch", "done"),
    "DELETE /iam/v1/apiKeys/k": example(BY_KEY, "delete", "done"),
  };
  return answers;
}

/** What the calls send: the headers of a bare call, a create's body, an update's change; and reading a body. */
export const headers = { authorization: "Bearer t", "content-type": "application/json" };
export const body = { description: "bench", scopes: ["yc.postbox.send"] };
export const change = { updateMask: "description", description: "bench" };
export const json = (r: Response) => r.json();

export interface LoopbackServer {
  url: string;
  stop(): void;
}

/** A loopback HTTP server in a child process that answers every call from answersByRequest(). */
export async function startServer(): Promise<LoopbackServer> {
  const script = `const answers = JSON.parse(process.env.BENCH_ANSWERS);
const server = require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "x-request-id": "r" }).end(answers[req.method + " " + req.url.split("?")[0]] ?? "{}"));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, BENCH_ANSWERS: JSON.stringify(answersByRequest()) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (data: Buffer) => resolve(data.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** A fetch that answers at once from answersByRequest(), for a Request or a URL and init alike. */
export function answeringAtOnce(): typeof fetch {
  const answers = answersByRequest();
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request?.url ?? String(input);
    const path = url.slice(url.indexOf("/", 8)).split("?")[0];
    const answer = answers[`${request?.method ?? init?.method ?? "GET"} ${path}`] ?? "{}";
    return new Response(answer, { status: 200, headers: { "content-type": "application/json", "x-request-id": "r" } });
  };
}
