// A client over a scripted fetch, as the unit tests of each service make it: no waiting between retries or polls.
import { createIamClient, type IamClientOptions } from "../../src/index.ts";
import { type Step, scriptedFetch } from "./scripted-fetch.ts";
import { TOKEN } from "./secrets.ts";

/** A client whose fetch answers from `steps`, with the requests it sent; `options` override the defaults. */
export function scriptedClient(steps: Step[], options: Partial<IamClientOptions> = {}) {
  const stub = scriptedFetch(...steps);
  const iam = createIamClient({
    token: TOKEN,
    baseUrl: "http://127.0.0.1:9",
    fetch: stub.fetch,
    retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    polling: { initialDelayMs: 1, maxDelayMs: 1 },
    ...options,
  });
  /** The bodies of the requests as sent, as text. */
  const texts = () => Promise.all(stub.requests.map((r) => r.clone().text()));
  return { iam, texts, ...stub };
}

/** Each request as `METHOD url`. */
export const urls = (requests: Request[]) => requests.map((r) => `${r.method} ${r.url}`);
