// Faults driven against the call loop that sends with fetch itself (a caller's fetch of any make, bodies, statuses, aborts
// and echoes), each with the behaviour it must keep; what outcomes.test.ts and faults.test.ts cover is not repeated here.
import { describe, expect, it } from "vitest";
import { IamApiError, IamNetworkError } from "../../src/index.ts";
import { scriptedClient } from "../support/scripted-client.ts";
import { json, type Step } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret, TOKEN } from "../support/secrets.ts";

const GATEWAY = secret("gw-key-of-the-fault-drive-0001");

describe("what a caller's fetch throws is kept as the cause only when no rendering of it shows a credential", () => {
  const thrown: [string, Step][] = [
    [
      "a string that quotes the Authorization header",
      (request) => {
        throw `proxy refused: authorization: ${request.headers.get("authorization")}`;
      },
    ],
    [
      "a plain object holding the request's headers",
      (request) => {
        throw { message: "request failed", headers: Object.fromEntries(request.headers) };
      },
    ],
    [
      "an Error holding the headers in a property (an HTTP library's config)",
      (request) => {
        throw Object.assign(new Error("request failed"), { config: { headers: Object.fromEntries(request.headers) } });
      },
    ],
    [
      "an Error holding the Headers object itself",
      (request) => {
        throw Object.assign(new Error("request failed"), { headers: request.headers });
      },
    ],
    [
      "an Error whose cause holds the Request",
      (request) => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { request }) });
      },
    ],
  ];
  it.each(thrown)("%s: an IamNetworkError that shows neither the token nor the caller's header", async (_, step) => {
    const { iam } = scriptedClient([step], { headers: { "X-Gateway-Key": GATEWAY }, retry: false });
    const error = await rejection(iam.apiKeys.create());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.cause).toBeDefined();
    for (const text of renderings(error)) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(GATEWAY);
    }
  });

  it("an error whose every part is plain words and numbers (undici's, with its socket's addresses) is kept as it is", async () => {
    const cause = Object.assign(new Error("other side closed"), {
      code: "UND_ERR_SOCKET",
      socket: { localAddress: "127.0.0.1", localPort: 50_000, remoteAddress: "127.0.0.1", remotePort: 443, bytesWritten: 120 },
    });
    const failed = new TypeError("fetch failed", { cause });
    const { iam } = scriptedClient([failed], { retry: false });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamNetworkError);
    expect(error.cause).toBe(failed);
  });
});

describe("an error body that echoes a credential JSON-escaped", () => {
  it.each([
    ["a cookie whose value is quoted", secret('sid="cookie-of-the-fault-drive-0002"')],
    ["a header value with a backslash", secret("Basic drive\\domain-user-0003")],
  ])("%s: the server's words show it [REDACTED], as in its raw form", async (_, value) => {
    const echo: Step = (request) => json(403, { code: 7, message: `denied; you sent ${request.headers.get("x-echoed")}` });
    const { iam } = scriptedClient([echo], { headers: { "X-Echoed": value } });
    const error = await rejection(iam.apiKeys.list());
    expect(error).toBeInstanceOf(IamApiError);
    expect(error.serverMessage).toBe("denied; you sent [REDACTED]");
    for (const text of renderings(error)) expect(text).not.toContain(value);
  });
});
