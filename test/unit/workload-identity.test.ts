// Workload identity federation: the exchange's exact wire format, the shared cache under a controlled clock, the three
// subject sources (a string, a file read again on each refresh, a function), each refusal named as far as Yandex's
// answer tells, GitHub Actions' ID token, and no platform token, request token or IAM token in any rendering of an error.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { bundle } from "../../scripts/size.ts";
import {
  githubActionsToken,
  IamTokenError,
  TOKEN_EXCHANGE_URL,
  type WorkloadIdentityOptions,
  workloadIdentity,
} from "../../src/auth/index.ts";
import { createIamClient } from "../../src/index.ts";
import { cleanupsAfterEach } from "../support/cleanups.ts";
import { manualClock } from "../support/manual-clock.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret } from "../support/secrets.ts";

const MINUTE = 60_000;
const SA = "ajeq4b7s9example0sa1";
const FORM = "application/x-www-form-urlencoded";

const cleanups = cleanupsAfterEach();

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
let minted = 0;
/** A platform's JWT (its signature random bytes), which no error may show. */
const platformJwt = (sub = "repo:octo-org/app:ref:refs/heads/main") =>
  secret(
    `${base64url({ alg: "RS256", typ: "JWT", kid: "k1" })}.${base64url({ iss: "https://token.actions.githubusercontent.com", aud: "https://github.com/octo-org", sub, jti: ++minted })}.${randomBytes(32).toString("base64url")}`,
  );

/** An IAM token as the exchange mints it, which no error may show. */
const iamToken = () => secret(`t1.9euelZq${randomBytes(24).toString("base64url")}`);

/** The form a request sent, as a record. */
const formOf = async (request: Request) => Object.fromEntries(new URLSearchParams(await request.clone().text()));

/** A scripted token exchange: each request's form kept, answered by `answer` (by default a new IAM token for `expiresIn` seconds). */
function exchange(answer?: (form: Record<string, string>) => Response | Promise<Response>, expiresIn = 43_200) {
  const forms: Record<string, string>[] = [];
  const issued: string[] = [];
  const stub = scriptedFetch(async (request) => {
    const form = await formOf(request);
    forms.push(form);
    if (answer) return answer(form);
    const token = iamToken();
    issued.push(token);
    return json(200, { access_token: token, token_type: "Bearer", expires_in: expiresIn });
  });
  return { ...stub, forms, issued, subjects: () => forms.map((f) => f.subject_token) };
}

describe("the exchange on the wire", () => {
  it("POSTs the RFC 8693 form to auth.yandex.cloud, with the service account as the audience and no Authorization", async () => {
    const sts = exchange();
    const subject = platformJwt();
    const token = await workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch })();
    expect(token).toBe(sts.issued[0]);
    const [request] = sts.requests as [Request];
    expect(sts.requests).toHaveLength(1);
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://auth.yandex.cloud/oauth/token");
    expect(TOKEN_EXCHANGE_URL).toBe("https://auth.yandex.cloud/oauth/token");
    expect(request.headers.get("content-type")).toBe(FORM);
    expect(request.headers.get("authorization")).toBeNull();
    expect(sts.forms).toEqual([
      {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
        subject_token: subject,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        audience: SA,
      },
    ]);
  });

  it("over HTTP on loopback too: the headers Node's fetch really sends, at the configured endpoint", async () => {
    const seen: { method: string | undefined; url: string | undefined; headers: IncomingMessage["headers"]; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ access_token: iamToken(), token_type: "Bearer", expires_in: 43_200 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth/token`;
    const subject = platformJwt();
    expect(await workloadIdentity({ serviceAccountId: SA, subjectToken: subject, endpoint })()).toMatch(/^t1\./);
    expect(seen).toHaveLength(1);
    const [{ method, url, headers, body }] = seen as [(typeof seen)[0]];
    expect({ method, url }).toEqual({ method: "POST", url: "/oauth/token" });
    expect(headers["content-type"]).toBe(FORM);
    expect(headers.authorization).toBeUndefined();
    expect(new URLSearchParams(body).get("subject_token")).toBe(subject);
    expect(new URLSearchParams(body).get("audience")).toBe(SA);
  });
});

describe("the cache", () => {
  it("keeps the token for an hour, counting its expiry from expires_in on the injected clock, then refreshes ahead", async () => {
    const time = manualClock();
    const sts = exchange();
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch, now: time.now });
    const first = await source();
    time.advance(59 * MINUTE);
    expect(await source()).toBe(first);
    expect(sts.requests).toHaveLength(1);
    time.advance(2 * MINUTE);
    // Note: past the hour the caller gets the cached token at once, and one refresh runs behind it.
    expect(await source()).toBe(first);
    await new Promise((r) => setTimeout(r, 10));
    expect(sts.requests).toHaveLength(2);
    expect(await source()).toBe(sts.issued[1]);
  });

  it("a short expires_in is honoured: refreshed 5 minutes ahead of it, waited for under a minute from it", async () => {
    const time = manualClock();
    const sts = exchange(undefined, 20 * 60);
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch, now: time.now });
    await source();
    time.advance(14 * MINUTE);
    await source();
    expect(sts.requests).toHaveLength(1);
    time.advance(5.5 * MINUTE);
    expect(await source()).toBe(sts.issued[1]);
    expect(sts.requests).toHaveLength(2);
  });

  it("one exchange in flight: 100 concurrent first calls make 1 request", async () => {
    const sts = exchange();
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => source()));
    expect(new Set(tokens)).toEqual(new Set(sts.issued));
    expect(sts.requests).toHaveLength(1);
  });

  it("a refused exchange is not cached: the next call exchanges again", async () => {
    let refuse = true;
    const sts = exchange(() =>
      refuse
        ? json(400, { error: "invalid_grant", error_description: "Token is expired" })
        : json(200, { access_token: iamToken(), expires_in: 43_200 }),
    );
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch, retryBackoffMs: 0 });
    expect(await rejection(source())).toBeInstanceOf(IamTokenError);
    refuse = false;
    expect(await source()).toMatch(/^t1\./);
    expect(sts.requests).toHaveLength(2);
  });

  it("a 401 from the API makes the client ask for a new token once, which exchanges again", async () => {
    const sts = exchange();
    const api = scriptedFetch(json(401, { code: 16, message: "Token is invalid or has expired." }), json(200, { apiKeys: [] }));
    const token = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch });
    const iam = createIamClient({ token, baseUrl: "http://127.0.0.1:9", fetch: api.fetch });
    expect(await iam.apiKeys.list()).toEqual({ apiKeys: [] });
    expect(sts.issued).toHaveLength(2);
    expect(api.requests.map((r) => r.headers.get("authorization"))).toEqual(sts.issued.map((t) => `Bearer ${t}`));
  });
});

describe("the platform's token", () => {
  it("{ file } is read again on every exchange (a projected token the kubelet rotates), its trailing newline dropped", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-wif-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "token");
    const [a, b] = [platformJwt(), platformJwt()];
    await writeFile(file, a);
    const time = manualClock();
    const sts = exchange(undefined, 10 * 60);
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: { file }, fetch: sts.fetch, now: time.now });
    await source();
    await writeFile(file, `${b}\n`);
    // Note: cached: the file changed, but no exchange is due, so it is not read.
    expect(await source()).toBe(sts.issued[0]);
    time.advance(10 * MINUTE);
    expect(await source()).toBe(sts.issued[1]);
    expect(await source({ forceRefresh: true })).toBe(sts.issued[2]);
    expect(sts.subjects()).toEqual([a, b, b]);
  });

  it("a function (sync or async) is asked on every exchange", async () => {
    for (const wrap of [(t: string) => t, async (t: string) => t]) {
      const subjects = [platformJwt(), platformJwt()];
      let asked = 0;
      const sts = exchange();
      const source = workloadIdentity({ serviceAccountId: SA, subjectToken: () => wrap(subjects[asked++] as string), fetch: sts.fetch });
      await source();
      await source();
      await source({ forceRefresh: true });
      expect(asked).toBe(2);
      expect(sts.subjects()).toEqual(subjects);
    }
  });

  it("a string is the token itself, sent as it is on every exchange", async () => {
    const subject = platformJwt();
    const sts = exchange();
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: `${subject}\n`, fetch: sts.fetch });
    await source();
    await source({ forceRefresh: true });
    expect(sts.subjects()).toEqual([subject, subject]);
  });

  it("wrong options are an IamTokenError at once, never quoting what was given: a path is no token", () => {
    const jwt = platformJwt();
    const path = secret("/var/run/secrets/tokens/SECRETpathISnoTOKEN");
    const cases: [unknown, string][] = [
      [
        { serviceAccountId: SA, subjectToken: path },
        "subjectToken is a string but no JWT (three or five base64url parts): a file's path goes as { file: path }",
      ],
      [{ serviceAccountId: SA, subjectToken: { path } }, "subjectToken must be the JWT, { file: path } or a function that gives the JWT"],
      // Note: four parts is neither a JWS (three) nor a JWE (five).
      [
        { serviceAccountId: SA, subjectToken: `${jwt}.eyJmb3VyIjoxfQ` },
        "subjectToken is a string but no JWT (three or five base64url parts): a file's path goes as { file: path }",
      ],
      [{ serviceAccountId: SA }, "subjectToken must be the JWT, { file: path } or a function that gives the JWT"],
      [
        { subjectToken: jwt },
        "serviceAccountId must be the service account's ID (sent as the exchange's audience), not the JWT's audience",
      ],
      [
        { serviceAccountId: "https://github.com/octo-org", subjectToken: jwt },
        "serviceAccountId must be the service account's ID (sent as the exchange's audience), not the JWT's audience",
      ],
      [undefined, "serviceAccountId must be the service account's ID (sent as the exchange's audience), not the JWT's audience"],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        workloadIdentity(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IamTokenError);
      expect((error as Error).message).toBe(`workloadIdentity: ${message}`);
      rejection(Promise.reject(error));
    }
  });

  it("a source that gives no JWT, a file that cannot be read, a function that throws: named, nothing sent", async () => {
    const sts = exchange();
    const notJwt = secret("SECRETnotAjwtBUTaTEXT with spaces");
    const failure = new Error("vault unreachable");
    const missing = join(tmpdir(), `iam-wif-missing-${randomBytes(6).toString("hex")}`);
    const cases: [WorkloadIdentityOptions["subjectToken"], RegExp][] = [
      [() => notJwt, /^workloadIdentity: the subjectToken function gave no JWT \(three or five base64url parts\)$/],
      [async () => undefined as never, /^workloadIdentity: the subjectToken function gave no JWT/],
      [
        () => {
          throw failure;
        },
        /^workloadIdentity: the subjectToken function failed \(see cause\)$/,
      ],
      [{ file: missing }, /^workloadIdentity: cannot read the subject token from the file subjectToken names \(ENOENT\)$/],
      // Note: a token given where the path goes is never quoted, nor is a file named with dots taken for a token.
      [{ file: platformJwt() }, /^workloadIdentity: cannot read the subject token from the file subjectToken names \(E[A-Z]+\)$/],
    ];
    for (const [subjectToken, message] of cases) {
      const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken, fetch: sts.fetch, retryBackoffMs: 0 })());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toMatch(message);
    }
    expect(
      (
        await rejection(
          workloadIdentity({
            serviceAccountId: SA,
            subjectToken: () => {
              throw failure;
            },
            fetch: sts.fetch,
          })(),
        )
      ).cause,
    ).toBe(failure);
    expect(sts.requests).toHaveLength(0);
  });
});

/** The parts a refusal's message names, in its "as far as its answer tells" clause. */
const namedParts = (message: string) =>
  [
    ...(message.split("as far as its answer tells, it refused ")[1] ?? "").matchAll(/the (issuer|audience|subject|signature|expiry) \(/g),
  ].map((m) => m[1]);

describe("a refused exchange", () => {
  const refusals: [string, Response, string[]][] = [
    [
      "an unknown issuer",
      json(400, { error: "invalid_grant", error_description: "Federation with issuer https://gitlab.example not found" }),
      ["issuer"],
    ],
    [
      "a wrong audience",
      json(400, { error: "invalid_grant", error_description: "Token aud https://github.com/other is not allowed" }),
      ["audience"],
    ],
    [
      "an unlinked subject",
      json(400, { error: "invalid_grant", error_description: "No federated credential for subject repo:o/r:ref:refs/heads/dev" }),
      ["subject"],
    ],
    ["a bad signature", json(400, { error: "invalid_grant", error_description: "JWT signature verification failed" }), ["signature"]],
    ["an expired token", json(400, { error: "invalid_grant", error_description: "Token is expired" }), ["expiry"]],
    ["a token not valid yet (nbf)", json(400, { error: "invalid_grant", error_description: "nbf is in the future" }), ["expiry"]],
    [
      "issuer and audience at once",
      json(400, { error: "invalid_grant", error_description: "issuer and audience match no federation" }),
      ["issuer", "audience"],
    ],
    ["a Status body", json(401, { code: 16, message: "Invalid JWT signature" }), ["signature"]],
  ];

  it.each(refusals)("%s: the answer's own words, and the part it names, as far as it tells", async (_, answer, parts) => {
    const sts = exchange(() => answer.clone());
    const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ operation: "workloadIdentity", status: answer.status, attempts: 1 });
    const body = await answer.clone().json();
    const words = [body.error, body.error_description ?? body.message].filter(Boolean).join(": ");
    expect(error.message).toMatch(
      new RegExp(
        `^workloadIdentity: the token exchange at auth\\.yandex\\.cloud refused the exchange for service account ${SA}: HTTP ${answer.status}: `,
      ),
    );
    expect(error.message).toContain(`: ${words}; as far as its answer tells, it refused the `);
    expect(namedParts(error.message)).toEqual(parts);
  });

  it("an answer that names no part says so; the field name subject_token is no subject", async () => {
    for (const answer of [
      json(400, { error: "invalid_request", error_description: "Invalid subject_token" }),
      new Response("<html><body><h1>403 Forbidden</h1><hr>nginx</body></html>", {
        status: 403,
        headers: { "content-type": "text/html", "x-request-id": "req-1" },
      }),
      new Response("", { status: 400 }),
    ]) {
      const sts = exchange(() => answer.clone());
      const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch })());
      expect(error.message).toMatch(
        /; its answer does not tell which of issuer, audience, subject, service account, signature or expiry it refused$/,
      );
      expect(namedParts(error.message)).toEqual([]);
    }
    const html = exchange(
      () =>
        new Response("<html><body><h1>403 Forbidden</h1><hr>nginx</body></html>", { status: 403, headers: { "x-request-id": "req-1" } }),
    );
    const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: html.fetch })());
    expect(error.message).toContain(": HTTP 403: 403 Forbidden nginx; its answer does not tell");
    expect(error.requestId).toBe("req-1");
  });

  it("a 503 is tried again, and at last is no verdict on the token; a 404 is no verdict either", async () => {
    const down = exchange(() => json(503, { error: "temporarily_unavailable" }));
    const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: down.fetch })());
    expect(error.message).toBe("workloadIdentity: the token exchange at auth.yandex.cloud answered HTTP 503: temporarily_unavailable");
    expect(error.attempts).toBe(down.requests.length);
    expect(down.requests.length).toBeGreaterThan(1);
    const notFound = exchange(() => new Response("Not Found", { status: 404 }));
    const lost = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: notFound.fetch })());
    expect(lost.message).toBe("workloadIdentity: the token exchange at auth.yandex.cloud answered HTTP 404: Not Found");
    expect(notFound.requests).toHaveLength(1);
  });

  it("a 200 without access_token and expires_in is named, and a flaky network is tried again", async () => {
    const empty = exchange(() => json(200, { token_type: "Bearer" }));
    const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: empty.fetch })());
    expect(error.message).toBe(
      "workloadIdentity: the answer of the token exchange at auth.yandex.cloud has no access_token and no expires_in (the seconds it lives)",
    );
    const token = iamToken();
    const flaky = scriptedFetch(new TypeError("fetch failed"), json(200, { access_token: token, expires_in: 43_200 }));
    expect(await workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: flaky.fetch })()).toBe(token);
    expect(flaky.requests).toHaveLength(2);
  });
});

describe("no secret in any rendering", () => {
  it("answers and failures that echo the platform's token, a piece of it or an IAM token show none of them", async () => {
    const leaked = iamToken();
    const echoes: [string, (form: Record<string, string>) => Response][] = [
      [
        "the whole form in the description",
        (f) => json(400, { error: "invalid_grant", error_description: `bad request: ${new URLSearchParams(f)}` }),
      ],
      ["the token as the description", (f) => json(400, { error: "invalid_grant", error_description: `token ${f.subject_token} expired` })],
      ["the token cut short, in HTML", (f) => new Response(`<p>Bad token ${f.subject_token?.slice(0, 60)}</p>`, { status: 400 })],
      [
        "its payload alone",
        (f) => json(400, { error: "invalid_grant", error_description: `claims ${f.subject_token?.split(".")[1]} rejected` }),
      ],
      [
        "its signature alone",
        (f) => json(400, { error: "invalid_grant", error_description: `signature ${f.subject_token?.split(".")[2]} invalid` }),
      ],
      ["an IAM token", () => json(400, { error: "invalid_grant", error_description: `already issued ${leaked}` })],
    ];
    for (const [, echo] of echoes) {
      const subject = platformJwt();
      const sts = exchange(echo);
      const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch })());
      expect(error.message).toContain("[REDACTED]");
      for (const text of renderings(error)) {
        expect(text).not.toContain(subject);
        expect(text).not.toContain(subject.split(".")[1]);
        expect(text).not.toContain(subject.split(".")[2]);
        expect(text).not.toContain(leaked);
      }
    }
  });

  it("a network failure that quotes the token keeps its words, scrubbed, and not itself as the cause", async () => {
    const subject = platformJwt();
    const failure = new Error(`proxy refused body subject_token=${subject}`);
    const quoting = scriptedFetch(failure);
    const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: quoting.fetch })());
    expect(error.message).toBe(
      "workloadIdentity: the token exchange at auth.yandex.cloud gave no answer: proxy refused body subject_token=[REDACTED]",
    );
    expect(error.attempts).toBe(quoting.requests.length);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toBe(failure);
    for (const text of renderings(error)) expect(text).not.toContain(subject);
    // Note: a failure that shows no secret is kept as the cause as it is.
    const plain = new TypeError("fetch failed");
    const down = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: scriptedFetch(plain).fetch })());
    expect(down.message).toBe("workloadIdentity: the token exchange at auth.yandex.cloud gave no answer: fetch failed");
    expect(down.cause).toBe(plain);
  });

  it("no answer within timeoutMs is named so", async () => {
    const hanging = scriptedFetch(
      (request) => new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason))),
    );
    const error = await rejection(
      workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: hanging.fetch, timeoutMs: 20 })(),
    );
    expect(error.message).toBe("workloadIdentity: the token exchange at auth.yandex.cloud gave no answer within 20 ms");
    expect(error.attempts).toBe(hanging.requests.length);
  });
});

describe("githubActionsToken", () => {
  const requestToken = secret(`eyJ0eXAiOiJKV1QifQ.${randomBytes(40).toString("base64url")}.runtimeSECRET`);
  const env = {
    ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:9/_apis/distributedtask/hubs/build/plans/p/jobs/j/idtoken?api-version=2.0",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    GITHUB_REPOSITORY_OWNER: "octo-org",
  };

  /** GitHub's ID token service and the token exchange behind one fetch: each request kept, GitHub's by its path. */
  function platform(github: (request: Request) => Response = () => json(200, { value: platformJwt() })) {
    const ids: Request[] = [];
    const values: string[] = [];
    const sts = exchange();
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (!request.url.includes("/idtoken")) return sts.fetch(request);
      ids.push(request);
      const response = github(request);
      if (response.ok) values.push((await response.clone().json()).value);
      return response;
    }) as typeof globalThis.fetch;
    return { fetch, ids, values, sts };
  }

  it("asks GitHub for an ID token for https://github.com/<owner>, with the request token, on every exchange", async () => {
    const { fetch, ids, values, sts } = platform();
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: githubActionsToken(env, { fetch }), fetch: sts.fetch });
    await source();
    await source({ forceRefresh: true });
    expect(ids.map((r) => [r.method, r.url, r.headers.get("authorization")])).toEqual([
      ["GET", `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=https%3A%2F%2Fgithub.com%2Focto-org`, `Bearer ${requestToken}`],
      ["GET", `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=https%3A%2F%2Fgithub.com%2Focto-org`, `Bearer ${requestToken}`],
    ]);
    expect(sts.subjects()).toEqual(values);
    expect(sts.forms.map((f) => f.audience)).toEqual([SA, SA]);
  });

  it("{ audience } replaces the default", async () => {
    const { fetch, ids } = platform();
    await githubActionsToken(env, { audience: "yc-federation", fetch })();
    expect(new URL(ids[0]?.url ?? "").searchParams.get("audience")).toBe("yc-federation");
  });

  it("outside a job with id-token: write, names the missing variables and the permission", async () => {
    const { fetch, ids } = platform();
    const { ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, GITHUB_REPOSITORY_OWNER } = env;
    const cases: [Record<string, string | undefined>, string][] = [
      [
        { GITHUB_REPOSITORY_OWNER },
        "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: GitHub sets them only in a job whose workflow has `permissions: id-token: write`",
      ],
      [
        { ACTIONS_ID_TOKEN_REQUEST_URL, GITHUB_REPOSITORY_OWNER },
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: GitHub sets them only in a job whose workflow has `permissions: id-token: write`",
      ],
      [
        { ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN },
        "no audience: GITHUB_REPOSITORY_OWNER is not set, so give { audience }",
      ],
    ];
    for (const [partial, message] of cases) {
      const error = await rejection(githubActionsToken(partial, { fetch })());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toBe(`githubActionsToken: ${message}`);
    }
    expect(ids).toHaveLength(0);
    // Note: through workloadIdentity, GitHub's own error reaches the caller as it is, and no exchange is sent.
    const sts = exchange();
    const error = await rejection(
      workloadIdentity({ serviceAccountId: SA, subjectToken: githubActionsToken({}, { fetch }), fetch: sts.fetch })(),
    );
    expect(error.message).toMatch(/^githubActionsToken: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set/);
    expect(sts.requests).toHaveLength(0);
  });

  it("GitHub's refusal is named with its status, its words scrubbed of the request token; an answer without value too", async () => {
    const refusing = platform(() => json(403, { message: `Bad credentials ${requestToken}` }));
    const error = await rejection(githubActionsToken(env, { fetch: refusing.fetch })());
    expect(error).toMatchObject({ operation: "githubActionsToken", status: 403 });
    expect(error.message).toBe("githubActionsToken: GitHub's ID token service answered HTTP 403: Bad credentials [REDACTED]");
    for (const text of renderings(error)) expect(text).not.toContain(requestToken);
    const empty = platform(() => json(200, {}));
    expect((await rejection(githubActionsToken(env, { fetch: empty.fetch })())).message).toBe(
      "githubActionsToken: GitHub's answer has no value (the ID token)",
    );
  });
});

describe("runs anywhere fetch runs", () => {
  it("the auth entry bundles for the browser: node:fs is loaded only when a file is read, by no static import", async () => {
    const code = await bundle(`export * from ${JSON.stringify(join(root, "src/auth/index.ts"))};`);
    expect(code).toContain("node:fs/promises");
    expect(code).not.toMatch(/(from|import)\s*\(?\s*["']node:/);
  });
});
