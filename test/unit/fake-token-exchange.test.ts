// Workload identity's token exchange end to end: the form workloadIdentity sends is exactly what the document's request
// schema accepts (the generated checks and Ajv), and the fake serves the exchange as Yandex does: a GitHub Actions job and a
// Kubernetes pod get IAM tokens with no key anywhere, each refusal names the part of the token refused and never the
// token, and the fake's request log holds none.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exchangeToken } from "../../generated/contract.ts";
import { IamTokenError, TOKEN_EXCHANGE_URL, type WorkloadIdentityOptions, workloadIdentity } from "../../src/auth/index.ts";
import { createCall } from "../../src/core/call.ts";
import { problems } from "../../src/core/validate.ts";
import { createIamClient } from "../../src/index.ts";
import { createOidcIssuer, type FakeIamOptions, type FakeOidcIssuer } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { errorsText, schemaAt } from "../support/ajv.ts";
import { checkedClients } from "../support/checked-fake.ts";
import { cleanupsAfterEach } from "../support/cleanups.ts";
import { GITHUB_FEDERATION, GITHUB_SUBJECT } from "../support/federations.ts";
import { manualClock } from "../support/manual-clock.ts";
import { bodyExamples, tableOperations } from "../support/operations.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, renderings, secret, TOKEN } from "../support/secrets.ts";

const FORM = "application/x-www-form-urlencoded";
const MINUTE = 60_000;
/** The admin who sets the federation up (the bearer TOKEN), the robot the job acts as, and a third account. */
const ADMIN = "ajeadmin000000000001";
const ROBOT = "ajerobot000000000001";
const OTHER = "ajeother000000000001";
const GITHUB_AUDIENCE = GITHUB_FEDERATION.audiences[0] as string;
const requestSchema = schemaAt("#/components/schemas/TokenExchangeRequest");

const cleanups = cleanupsAfterEach();

/** The form of a request, as a record. */
const formOf = async (request: Request) => Object.fromEntries(new URLSearchParams(await request.clone().text()));

describe("the exchange on the wire is the document's", () => {
  it("workloadIdentity sends exactly a form the request schema accepts (generated checks and Ajv), to the row's server and path", async () => {
    const subject = secret(
      await createOidcIssuer({ now: manualClock().now }).idToken({ sub: GITHUB_SUBJECT, aud: GITHUB_AUDIENCE, lifetimeS: 3600 }),
    );
    const sts = scriptedFetch(json(200, { access_token: secret(`t1.${randomBytes(24).toString("base64url")}`), expires_in: 43_200 }));
    await workloadIdentity({ serviceAccountId: ROBOT, subjectToken: subject, fetch: sts.fetch })();
    const [request] = sts.requests as [Request];
    expect(request.url).toBe(`${exchangeToken.server}${exchangeToken.path}`);
    expect(TOKEN_EXCHANGE_URL).toBe("https://auth.yandex.cloud/oauth/token");
    expect(request.method).toBe(exchangeToken.method);
    expect(request.headers.get("content-type")).toBe(FORM);
    const form = await formOf(request);
    expect(problems(exchangeToken.body, form)).toEqual([]);
    expect(requestSchema(form), errorsText(requestSchema)).toBe(true);
    // Note: the same fields as the document's own examples, in the document's order, and no field twice.
    const [example] = Object.values(bodyExamples(tableOperations.find((o) => o.id === "exchangeToken") as never));
    expect(Object.keys(form)).toEqual(Object.keys(example?.value ?? {}));
    expect([...new URLSearchParams(await request.clone().text()).keys()]).toHaveLength(5);
    expect(form).toMatchObject({ subject_token: subject, audience: ROBOT });
    // Note: negative controls: both checks refuse a form that is off by one field.
    for (const off of [{ subject_token_type: "urn:ietf:params:oauth:token-type:jwt" }, { audience: "x".repeat(51) }]) {
      expect(problems(exchangeToken.body, { ...form, ...off }).length).toBe(1);
      expect(requestSchema({ ...form, ...off })).toBe(false);
    }
  });

  it("a service account id beyond the audience's limits is an IamTokenError at once, naming the limit; nothing is sent", () => {
    let error: unknown;
    try {
      workloadIdentity({ serviceAccountId: "a".repeat(51), subjectToken: "eyJh.eyJz.c2ln" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IamTokenError);
    expect((error as Error).message).toBe("workloadIdentity: serviceAccountId must be at most 50 characters (has 51)");
  });

  it("the call loop sends a form row's body as a form (as the table tests drive every row)", async () => {
    const sts = scriptedFetch(json(200, { access_token: "t1.x", token_type: "Bearer", expires_in: 43_200 }));
    const call = createCall({
      fetch: sts.fetch,
      timeoutMs: 1000,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      baseUrl: (server) => server ?? "",
      secrets: new Set(),
      token: () => TOKEN,
    });
    const [example] = Object.values(bodyExamples(tableOperations.find((o) => o.id === "exchangeToken") as never));
    expect(await call(exchangeToken, { body: example?.value })).toEqual({ access_token: "t1.x", token_type: "Bearer", expires_in: 43_200 });
    const [request] = sts.requests as [Request];
    expect(request.url).toBe("https://auth.yandex.cloud/oauth/token");
    expect(request.headers.get("content-type")).toBe(FORM);
    // Note: no bearer token: the exchange is how one gets one.
    expect(request.headers.get("authorization")).toBeNull();
    expect(await formOf(request)).toEqual(example?.value);
  });
});

const fakes = checkedClients();

/**
 * A fake (every answer held to the document) with three accounts, on a moved clock, that knows the keys of `issuers`
 * (default: GitHub Actions'); the admin's client (the bearer TOKEN, the only token it takes that it did not issue), and
 * a job's token source against its exchange.
 */
function world({ issuers, ...options }: Partial<FakeIamOptions> & { issuers?: FakeOidcIssuer[] } = {}) {
  const time = manualClock();
  const github = createOidcIssuer({ now: time.now });
  const { iam, fake, fetch } = fakes({
    serviceAccounts: [ADMIN, ROBOT, OTHER],
    authenticate: (token) => (token === TOKEN ? ADMIN : undefined),
    now: time.now,
    jwks: issuers ?? [github],
    ...options,
  });
  const endpoint = `${fake.baseUrl}${exchangeToken.path}`;
  /** The job's token source, sent through the checked fetch (so the exchange's answers are held to the document too). */
  const source = (subjectToken: WorkloadIdentityOptions["subjectToken"], serviceAccountId = ROBOT) =>
    workloadIdentity({ serviceAccountId, subjectToken, endpoint, fetch, now: time.now, retryBackoffMs: 0 });
  /** A GitHub Actions ID token of `claims` (by default the main branch's job, for the federation's audience). */
  const idToken = async (claims: Partial<Parameters<FakeOidcIssuer["idToken"]>[0]> = {}, by = github) =>
    secret(await by.idToken({ sub: GITHUB_SUBJECT, aud: GITHUB_AUDIENCE, ...claims }));
  return { time, github, iam, fake, fetch, endpoint, source, idToken };
}

/** The federation of GitHub Actions and the robot's credential for the main branch's job, made through the client. */
async function federate(iam: ReturnType<typeof world>["iam"], serviceAccountId = ROBOT) {
  const federation = await iam.oidcFederations.create(GITHUB_FEDERATION);
  const credential = await iam.federatedCredentials.create({
    serviceAccountId,
    federationId: federation.id,
    externalSubjectId: GITHUB_SUBJECT,
  });
  return { federation, credential };
}

/** Every piece of a token no rendering may show: the whole, and each of its parts. */
const pieces = (token: string) => [token, ...token.split(".")];

/** What refused() says of each part of the token. */
const PARTS = ["issuer", "audience", "subject", "service account", "signature", "expiry"];

/** A refusal of the exchange: an IamTokenError that names `part` alone (none: that it cannot tell) and shows no piece of `token`. */
function expectRefused(error: unknown, part: string | undefined, token: string, status = 400) {
  expect(error).toBeInstanceOf(IamTokenError);
  const { message } = error as IamTokenError;
  expect((error as IamTokenError).status, message).toBe(status);
  expect(message).toContain("refused the exchange for service account");
  for (const other of PARTS) expect(message.includes(`the ${other} (`), `${other} in: ${message}`).toBe(other === part);
  if (!part) expect(message).toContain("its answer does not tell which");
  for (const text of renderings(error)) for (const piece of pieces(token)) expect(text).not.toContain(piece);
}

describe("the fake serves the exchange", () => {
  it("a GitHub Actions job: its ID token gets the robot's IAM token, which then lists the robot's API keys, with no key anywhere", async () => {
    const { iam, fake, fetch, source, idToken } = world();
    await federate(iam);
    const subject = await idToken();
    const job = createIamClient({ token: source(subject), baseUrl: fake.baseUrl, fetch, retry: false });
    expect((await job.apiKeys.list({ serviceAccountId: ROBOT })).apiKeys).toEqual([]);
    // Note: no key of any kind exists: the job's only credential was the platform's token.
    expect([fake.state.apiKeys, fake.state.keys, fake.state.accessKeys]).toEqual([[], [], []]);
    const exchanges = fake.requests.filter((r) => r.operation === "exchangeToken");
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.body).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: "[REDACTED]",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      audience: ROBOT,
    });
    expect(exchanges[0]?.headers).not.toHaveProperty("authorization");
    // Note: the IAM token is the robot's: suspended, the robot's calls are refused with it, and a new exchange too (403).
    await iam.serviceAccounts.suspend(ROBOT);
    expect((await rejection(job.apiKeys.list({ serviceAccountId: ROBOT }))).message).toMatch(/is suspended/);
    expectRefused(await rejection(source(await idToken())()), "service account", subject, 403);
    for (const piece of pieces(subject)) expect(JSON.stringify(fake.requests)).not.toContain(piece);
  });

  it("answers as Yandex does: access_token, token_type Bearer and expires_in for the fake's token lifetime, no expiresAt", async () => {
    const { iam, fetch, idToken, endpoint } = world({ tokenLifetimeMs: 3_600_000 });
    await federate(iam);
    const form = new URLSearchParams({
      ...(Object.values(bodyExamples(tableOperations.find((o) => o.id === "exchangeToken") as never))[0]?.value as Record<string, string>),
      subject_token: await idToken(),
      audience: ROBOT,
    });
    const response = await fetch(endpoint, { method: "POST", headers: { "content-type": FORM }, body: form.toString() });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(["access_token", "token_type", "expires_in"]);
    expect(body).toMatchObject({ access_token: expect.stringMatching(/^t1\./), token_type: "Bearer", expires_in: 3600 });
    secret(body.access_token);
  });

  it.each<[string, string | undefined, (w: ReturnType<typeof world>, ids: Awaited<ReturnType<typeof federate>>) => Promise<string>]>([
    [
      "a token of an issuer no federation trusts",
      "issuer",
      async (w) => w.idToken({}, createOidcIssuer({ issuer: "https://gitlab.com", now: w.time.now })),
    ],
    ["an aud that is none of the federation's audiences", "audience", async (w) => w.idToken({ aud: "https://github.com/other" })],
    ["a sub no federated credential names", "subject", async (w) => w.idToken({ sub: "repo:example/app:ref:refs/heads/dev" })],
    [
      "a token signed by another key (an impostor with the same iss)",
      "signature",
      async (w) => w.idToken({}, createOidcIssuer({ issuer: w.github.issuer, now: w.time.now })),
    ],
    [
      "a token whose payload was changed after it was signed",
      "signature",
      async (w) => {
        const [header, , signature] = (await w.idToken()).split(".");
        const changed = (await w.idToken({ sub: "repo:example/app:ref:refs/heads/dev" })).split(".")[1];
        return secret(`${header}.${changed}.${signature}`);
      },
    ],
    [
      "an expired token",
      "expiry",
      async (w) => {
        const token = await w.idToken({ lifetimeS: 300 });
        w.time.advance(10 * MINUTE);
        return token;
      },
    ],
    ["a token not valid yet (nbf)", "expiry", async (w) => w.idToken({ nbf: Math.floor(w.time.now() / 1000) + 3600 })],
    [
      "a disabled federation",
      "issuer",
      async (w, { federation }) => {
        await w.iam.oidcFederations.update(federation.id, { disabled: true });
        return w.idToken();
      },
    ],
    [
      "a credential of another service account for the same subject",
      "subject",
      async (w, { federation, credential }) => {
        await w.iam.federatedCredentials.delete(credential.id);
        await w.iam.federatedCredentials.create({
          serviceAccountId: OTHER,
          federationId: federation.id,
          externalSubjectId: GITHUB_SUBJECT,
        });
        return w.idToken();
      },
    ],
  ])("refuses %s: an IamTokenError naming the %s, never the token, and none in the fake's log", async (_, part, make) => {
    const w = world();
    const ids = await federate(w.iam);
    const token = await make(w, ids);
    const error = await rejection(w.source(token)());
    expectRefused(error, part, token);
    expect((error as Error).message).toContain("HTTP 400: invalid_request: ");
    const log = JSON.stringify(w.fake.requests);
    for (const piece of pieces(token)) expect(log).not.toContain(piece);
    expect(w.fake.requests.at(-1)?.body).toMatchObject({ subject_token: "[REDACTED]" });
    // Note: no IAM token was issued.
    expect(w.fake.state.iamTokens).toBe(0);
  });

  it("a service account that does not exist is invalid_target, which names the service account, no part of the token", async () => {
    const { iam, source, idToken } = world();
    await federate(iam);
    const token = await idToken();
    const error = await rejection(source(token, "ajenosuchaccount0001")());
    expectRefused(error, "service account", token);
    expect((error as Error).message).toContain("invalid_target: Service account ajenosuchaccount0001 not found");
  });

  it("a federation whose JWKS URL the fake was not given refuses every token as a signature it cannot check, naming the URL", async () => {
    const { iam, source, idToken } = world({ issuers: [] });
    await federate(iam);
    const token = await idToken();
    const error = await rejection(source(token)());
    expectRefused(error, "signature", token);
    expect((error as Error).message).toContain(GITHUB_FEDERATION.jwksUrl);
    expect((error as Error).message).toContain("createFakeIam's jwks option");
  });

  it("checks the form strictly, as an OAuth endpoint refuses (RFC 6749 §5.2), quoting no token", async () => {
    const { iam, fake, fetch, idToken, endpoint } = world();
    await federate(iam);
    const token = await idToken();
    const good = {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      audience: ROBOT,
    };
    const send = (body: string, type = FORM) =>
      fetch(endpoint, { method: "POST", headers: { "content-type": type }, body }).then(async (r) => ({
        status: r.status,
        ...(await r.json()),
      }));
    const form = (fields: Record<string, string | undefined>) =>
      new URLSearchParams(Object.entries({ ...good, ...fields }).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    const cases: [string, string, string, RegExp][] = [
      [
        "another grant",
        form({ grant_type: "client_credentials" }),
        "unsupported_grant_type",
        /grant_type: must be "urn:ietf:params:oauth:grant-type:token-exchange"/,
      ],
      ["no grant", form({ grant_type: undefined }), "invalid_request", /grant_type: is required/],
      [
        "another requested type",
        form({ requested_token_type: "urn:ietf:params:oauth:token-type:id_token" }),
        "invalid_request",
        /requested_token_type: must be/,
      ],
      [
        "another subject token type",
        form({ subject_token_type: "urn:ietf:params:oauth:token-type:jwt" }),
        "invalid_request",
        /subject_token_type: must be/,
      ],
      ["no audience", form({ audience: undefined }), "invalid_request", /audience: is required/],
      ["no subject token", form({ subject_token: undefined }), "invalid_request", /subject_token: is required/],
      ["a subject token that is no JWT", form({ subject_token: "not a jwt" }), "invalid_request", /subject_token: must be a JWT/],
      ["a field given twice", `${form({})}&subject_token=${token}`, "invalid_request", /subject_token: must be a string, not array/],
    ];
    for (const [what, body, error, words] of cases) {
      const answer = await send(body);
      expect(answer, what).toMatchObject({ status: 400, error });
      expect(answer.error_description, what).toMatch(words);
      for (const piece of pieces(token)) expect(answer.error_description, what).not.toContain(piece);
    }
    const asJson = await send(JSON.stringify(good), "application/json");
    expect(asJson).toMatchObject({ status: 400, error: "invalid_request" });
    expect(asJson.error_description).toMatch(/\(body\): must be sent as application\/x-www-form-urlencoded/);
    // Note: even a body that is no form at all is kept out of the log whole.
    for (const piece of pieces(token)) expect(JSON.stringify(fake.requests)).not.toContain(piece);
    // Note: no body at all, or JSON's null, is refused as invalid, never a crash of the fake.
    for (const [nothing, type] of [
      ["", FORM],
      ["", "application/json"],
      ["null", "application/json"],
    ] as const)
      expect(await send(nothing, type), `${JSON.stringify(nothing)} as ${type}`).toMatchObject({ status: 400, error: "invalid_request" });
    // Note: negative control: the good form itself is taken, and a parameter the endpoint does not know is ignored
    // (RFC 6749 §3.2), as Yandex's endpoint does, and not logged.
    expect(await send(form({}))).toMatchObject({ status: 200, token_type: "Bearer" });
    expect(await send(`${form({})}&scope=openid`)).toMatchObject({ status: 200, token_type: "Bearer" });
    expect(JSON.stringify(fake.requests.at(-1)?.body)).not.toContain("scope");
  });
});

/** The pod's subject, and the audience its projected token is made for. */
const sub = "system:serviceaccount:ci:deployer";
const CLUSTER_AUDIENCE = "https://k8s.example.com";

/** A cluster's issuer, on a clock the test moves; the fake that trusts it; its federation, linking the pod's subject to ROBOT. */
async function clusterWorld() {
  const time = manualClock();
  const cluster = createOidcIssuer({
    issuer: "https://kubernetes.default.svc",
    jwksUrl: "https://k8s.example.com/openid/v1/jwks",
    now: time.now,
  });
  const { iam, fake } = fakes({
    serviceAccounts: [ADMIN, ROBOT],
    authenticate: (t) => (t === TOKEN ? ADMIN : undefined),
    now: time.now,
    jwks: [cluster],
  });
  const federation = await iam.oidcFederations.create({
    ...GITHUB_FEDERATION,
    name: "cluster",
    issuer: cluster.issuer,
    jwksUrl: cluster.jwksUrl,
    audiences: [CLUSTER_AUDIENCE],
  });
  await iam.federatedCredentials.create({ serviceAccountId: ROBOT, federationId: federation.id, externalSubjectId: sub });
  return { time, cluster, fake };
}

describe("a Kubernetes pod", () => {
  it("reads its projected token file on every exchange: the kubelet's rotation is picked up, the old token being expired by then", async () => {
    const { time, cluster, fake } = await clusterWorld();
    const dir = await mkdtemp(join(tmpdir(), "iam-k8s-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "token");
    /** The kubelet writes a new token for the pod (an hour's, as a projected token's default). */
    const rotate = async () => {
      const token = secret(await cluster.idToken({ sub, aud: [CLUSTER_AUDIENCE], lifetimeS: 3600 }));
      await writeFile(file, `${token}\n`, { mode: 0o600 });
      return token;
    };
    const first = await rotate();
    const source = workloadIdentity({
      serviceAccountId: ROBOT,
      subjectToken: { file },
      endpoint: `${fake.baseUrl}/oauth/token`,
      fetch: fake.fetch,
      now: time.now,
    });
    const pod = createIamClient({ token: source, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: false });
    expect((await pod.apiKeys.list({ serviceAccountId: ROBOT })).apiKeys).toEqual([]);
    const iamToken = await source();
    // Note: 70 minutes on, the first token has expired and the kubelet has written another; the cache refreshes behind.
    time.advance(70 * MINUTE);
    const second = await rotate();
    expect(second).not.toBe(first);
    expect(await source()).toBe(iamToken);
    let next = iamToken;
    for (let i = 0; i < 100 && next === iamToken; i++) {
      await new Promise((r) => setTimeout(r, 5));
      next = await source();
    }
    expect(next).not.toBe(iamToken);
    secret(next);
    secret(iamToken);
    expect((await pod.apiKeys.list({ serviceAccountId: ROBOT })).apiKeys).toEqual([]);
    expect(fake.requests.filter((r) => r.operation === "exchangeToken")).toHaveLength(2);
    // Note: negative control: the first token alone is refused now, as expired.
    expectRefused(
      await rejection(
        workloadIdentity({
          serviceAccountId: ROBOT,
          subjectToken: first,
          endpoint: `${fake.baseUrl}/oauth/token`,
          fetch: fake.fetch,
          now: time.now,
        })(),
      ),
      "expiry",
      first,
    );
    const log = JSON.stringify(fake.requests);
    for (const piece of [...pieces(first), ...pieces(second)]) expect(log).not.toContain(piece);
  });

  it("over HTTP on loopback too: serveFake's exchange gives the pod's token source an IAM token", async () => {
    const { time, cluster, fake } = await clusterWorld();
    const server = await serveFake(fake);
    cleanups.push(() => server.close());
    const token = secret(await cluster.idToken({ sub, aud: CLUSTER_AUDIENCE }));
    const source = workloadIdentity({ serviceAccountId: ROBOT, subjectToken: token, endpoint: `${server.url}/oauth/token`, now: time.now });
    const pod = createIamClient({ token: source, baseUrl: server.url, retry: false });
    expect((await pod.serviceAccounts.get(ROBOT)).id).toBe(ROBOT);
    secret(await source());
  });
});
