// Keyless CI driven with faults (issue 23): keyless-ci's setup (the federation found, created or given its audience, the
// federated credential found or created) through every fault on each write and on the reads between, each ending saying
// what changed and whether something may have, and a rerun converging on one federation and one credential; workload
// identity's exchange against the fake over loopback (alone and through the credential chain) and GitHub's ID token
// service failing; the chain under faults; and the yc-iam command, whose failures are one line on stderr.
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { yciam } from "../../bin/yc-iam.ts";
import { EXIT, runByCommand } from "../../examples/client-from-env.ts";
import { type KeylessPlan, setUpKeyless, setupLines } from "../../examples/keyless-ci.ts";
import { defaultCredentials, type Environment, githubActionsToken, type SubjectToken, workloadIdentity } from "../../src/auth/index.ts";
import { DEFAULT_RETRY } from "../../src/core/retry.ts";
import { createIamClient, type IamClient, type IamClientOptions, IamError, IamTokenError } from "../../src/index.ts";
import { createFakeIam, createOidcIssuer, DEFAULT_FOLDER_ID, type FakeIam, type Fault, githubActionsJob } from "../../src/testing/index.ts";
import { type ServedFake, serveFake } from "../../src/testing/node.ts";
import { chaosFetch, type PlannedFault } from "../support/chaos.ts";
import { caught, rejection, renderings, secret, secrets, settled, TOKEN } from "../support/secrets.ts";
import { AMPLE_MS, RETRY, SCENARIOS, type Scenario } from "../support/write-faults.ts";

const ROBOT = "ajerobot000000000001";
const ISSUER = "https://token.actions.githubusercontent.com";
const PLAN: KeylessPlan = {
  folderId: DEFAULT_FOLDER_ID,
  serviceAccountId: ROBOT,
  issuer: ISSUER,
  jwksUrl: `${ISSUER}/.well-known/jwks`,
  audience: "https://github.com/my-org",
  subject: "repo:my-org/app:ref:refs/heads/main",
  name: "github-actions",
};
const POLLING = { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: AMPLE_MS };

/** The error and its causes, outermost first. */
function chain(error: unknown): unknown[] {
  const found: unknown[] = [];
  for (let e = error; e && found.length < 10; e = (e as Error).cause) found.push(e);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------------
// 1. keyless-ci's setup through every fault on each write and on the reads between.

/** Where the setup starts: nothing, a federation of the issuer without the plan's audience, or one with it. */
type Start = "nothing" | "a federation lacking the audience" | "a federation with the audience";

/** One request of the setup a fault is played on, from a start where that request is sent. */
interface Target {
  start: Start;
  operation:
    | "listOidcFederations"
    | "createOidcFederation"
    | "updateOidcFederation"
    | "listFederatedCredentials"
    | "createFederatedCredential";
  write: boolean;
}
const TARGETS: Target[] = [
  { start: "nothing", operation: "listOidcFederations", write: false },
  { start: "nothing", operation: "createOidcFederation", write: true },
  { start: "a federation lacking the audience", operation: "updateOidcFederation", write: true },
  { start: "a federation with the audience", operation: "listFederatedCredentials", write: false },
  { start: "a federation with the audience", operation: "createFederatedCredential", write: true },
  // Note: after the federation was created in this very run, so the ending must name it.
  { start: "nothing", operation: "createFederatedCredential", write: true },
  { start: "nothing", operation: "listFederatedCredentials", write: false },
];

/** The scenarios a target meets: a read's are those of its own request; a write's, all (its polls come first in the plan). */
function scenariosOf(target: Target): Scenario[] {
  // Note: setUpKeyless takes no signal: the caller's abort is a killed process, not a fault of a call.
  const own = SCENARIOS.filter((s) => !s.faults.some(([, f]) => "wire" in f && f.wire.startsWith("abort")));
  if (!target.write) return own.filter((s) => !s.progress && s.faults.every(([on]) => on === "write"));
  // Note: a progress applies to every Operation, so only to the run's first write.
  const first = target.start !== "nothing" || target.operation === "createOidcFederation";
  return first ? own : own.filter((s) => !s.progress);
}

/** What the fake holds of the plan's issuer: the federations (audiences, enabled) and the credentials linking the subject. */
function held(fake: FakeIam) {
  const { oidcFederations, federatedCredentials } = fake.state;
  const federations = oidcFederations.filter((f) => f.issuer === PLAN.issuer);
  return {
    federations: federations.map((f) => ({ id: f.id, audiences: f.audiences ?? [], enabled: Boolean(f.enabled) })),
    credentials: federatedCredentials
      .filter((c) => c.externalSubjectId === PLAN.subject && c.serviceAccountId === PLAN.serviceAccountId)
      .map((c) => ({ id: c.id, federationId: c.federationId })),
  };
}

/** The fake, a client over the chaos fetch, and the start made. */
async function setupWorld(start: Start, client: Partial<IamClientOptions> = {}) {
  const fake = createFakeIam({ serviceAccounts: [ROBOT] });
  const wire = chaosFetch(fake);
  const options = { token: TOKEN, baseUrl: fake.baseUrl, retry: RETRY, polling: POLLING };
  const iam = createIamClient({ ...options, fetch: wire.fetch, ...client });
  const clean = createIamClient({ ...options, fetch: fake.fetch });
  if (start !== "nothing")
    await clean.oidcFederations.create({
      folderId: PLAN.folderId,
      name: "github",
      issuer: PLAN.issuer,
      jwksUrl: PLAN.jwksUrl,
      audiences: start === "a federation with the audience" ? [PLAN.audience] : ["https://github.com/other-org"],
    });
  return { fake, wire, iam, clean };
}

/** Polls every Operation the fake accepted that is not done, as the server finishes what it accepted, polled or not. */
async function settle(fake: FakeIam, iam: IamClient) {
  for (const operation of fake.state.operations.filter((o) => !o.done)) await iam.operations.wait(operation.id).catch(() => undefined);
}

// Note: concurrent: each case has a world of its own (a fake, a wire, clients with the drive's own retry settings, not
// DEFAULT_RETRY's), and most of a case is the client waiting on its timers.
describe.concurrent("keyless-ci's setup through every fault on each write and on the reads between", () => {
  // Note: a rerun at once differs from one once the server is done only where a write of the run may still be finishing.
  const rerunsOf = (target: Target, scenario: Scenario) =>
    target.write && scenario.ending !== "resolved" ? (["once done", "at once"] as const) : (["once done"] as const);
  const cases = TARGETS.flatMap((target) =>
    scenariosOf(target).flatMap((scenario) => rerunsOf(target, scenario).map((rerunAt) => [target, scenario, rerunAt] as const)),
  );
  it.each(cases.map(([t, s, r]) => [`${t.operation} from ${t.start}: ${s.name}; a rerun ${r}`, t, s, r] as const))(
    "%s",
    async (_, target, scenario, rerunAt) => {
      const { fake, wire, iam, clean } = await setupWorld(target.start, {
        ...scenario.client,
        timeoutMs: scenario.timeoutMs ?? AMPLE_MS,
        polling: { ...POLLING, ...(scenario.maxWaitMs && { maxWaitMs: scenario.maxWaitMs }) },
      });
      const before = held(fake);
      if (scenario.progress) fake.progress(scenario.progress);
      // Note: the federation's create in this run is polled first: a fault meant for the credential's poll waits for it.
      const skipped: PlannedFault[] =
        target.start === "nothing" && target.operation !== "createOidcFederation" && scenario.faults.some(([on]) => on === "poll")
          ? [{ on: "getOperation", fault: { delayMs: 0 } }]
          : [];
      const planned: PlannedFault[] = scenario.faults.map(([on, fault]) => ({
        on: on === "write" ? target.operation : "getOperation",
        fault,
      }));
      wire.play([...skipped, ...planned], () => {});
      let error: Error | undefined;
      try {
        await setUpKeyless(iam, PLAN);
      } catch (e) {
        error = caught(e) as Error;
      }
      const { unplayed } = await wire.finish();
      expect(unplayed, "every planned fault met its request").toEqual([]);
      const after = held(fake);
      const unknown = chain(error).some((e) => e instanceof IamError && e.outcomeUnknown);

      if (error) {
        const { message } = error;
        // What changed is named: a federation made, an audience added, a credential made (or that it may have been).
        const created = after.federations.filter((f) => !before.federations.some((b) => b.id === f.id));
        for (const federation of created)
          expect(message, "names the federation it created").toMatch(
            new RegExp(`federation ${federation.id} was created|federation .*may have been created|outcome is unknown`),
          );
        const widened = after.federations.filter((f) =>
          before.federations.some((b) => b.id === f.id && b.audiences.length < f.audiences.length),
        );
        for (const federation of widened)
          expect(message, "names the audience it added").toMatch(
            new RegExp(`audience ${PLAN.audience} was added to federation ${federation.id}|may have|outcome is unknown`),
          );
        if (after.credentials.length > before.credentials.length) expect(unknown, "a credential made is an outcome unknown").toBe(true);
        // Whether something may have changed: said in words whenever a call of the run may have acted.
        if (unknown) expect(message).toMatch(/may have|outcome is unknown|may still finish/);
        if (!unknown && !created.length && !widened.length) expect(after).toEqual(before);
      }

      // A rerun converges on one federation with the audience and one credential: once the server has finished what it
      // accepted, or at once (a CI retry), while it may still be finishing it; a rerun that fails says to run again.
      fake.progress({ polls: 1 });
      if (rerunAt === "once done") await settle(fake, clean);
      const rerun = await setUpKeyless(clean, PLAN).catch((e) => caught(e) as Error);
      await settle(fake, clean);
      if (rerun instanceof Error) expect(rerun.message).toMatch(/ALREADY_EXISTS.*still being created.*run again once it is done/);
      // Note: a rerun at once may link the subject a second time while the first create finishes: the next run removes it.
      const last = await setUpKeyless(clean, PLAN);
      expect(last.federation.outcome).toBe("found");
      if (!(rerun instanceof Error)) expect(last.credential.outcome).toBe("found");
      const final = held(fake);
      expect(final.federations).toHaveLength(1);
      expect(final.federations[0]).toMatchObject({ enabled: true, audiences: expect.arrayContaining([PLAN.audience]) });
      expect(final.credentials).toEqual([{ id: expect.any(String), federationId: final.federations[0]?.id }]);
    },
  );
});

describe("keyless-ci's setup: what a rerun meets", () => {
  it("a second credential linking the subject (a rerun's, made while the first create finished): a dry run names it, a run removes the newer", async () => {
    const { fake, clean } = await setupWorld("a federation with the audience");
    const [federation] = fake.state.oidcFederations;
    const link = { serviceAccountId: ROBOT, federationId: federation?.id as string, externalSubjectId: PLAN.subject };
    const first = await clean.federatedCredentials.create(link);
    const second = await clean.federatedCredentials.create(link);
    const dry = await setUpKeyless(clean, PLAN, { dryRun: true });
    expect(dry.credential).toEqual({ outcome: "found", credential: first, duplicates: [second.id] });
    expect(setupLines(dry, PLAN, true)[2]).toBe(`would remove a duplicate of it (the same subject and account): ${second.id}`);
    expect(held(fake).credentials).toHaveLength(2);
    const run = await setUpKeyless(clean, PLAN);
    expect(setupLines(run, PLAN)[2]).toBe(`removed a duplicate of it (the same subject and account): ${second.id}`);
    expect(held(fake).credentials).toEqual([{ id: first.id, federationId: federation?.id }]);
    expect(setupLines(await setUpKeyless(clean, PLAN), PLAN)).toHaveLength(2);
  });

  it("a federation of another issuer with the plan's name stops it before anything is created, naming it", async () => {
    const { fake, clean } = await setupWorld("nothing");
    const other = await clean.oidcFederations.create({
      folderId: PLAN.folderId,
      name: PLAN.name,
      issuer: "https://gitlab.example.com",
      jwksUrl: "https://gitlab.example.com/oauth/discovery/keys",
      audiences: ["https://gitlab.example.com"],
    });
    const requests = fake.requests.length;
    for (const dryRun of [true, false]) {
      const error = caught(await setUpKeyless(clean, PLAN, { dryRun }).catch((e) => e));
      expect(error.message).toBe(
        `federation ${other.id} of https://gitlab.example.com in folder ${PLAN.folderId} has the name ${PLAN.name} already: give the new one another (--name)`,
      );
    }
    expect(fake.requests.slice(requests).map((r) => r.operation)).toEqual(["listOidcFederations", "listOidcFederations"]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// 2. Workload identity's exchange against the fake over loopback, alone and through the chain; GitHub's ID token service.

const AUDIENCE = "https://github.com/my-org";
/** The exchange's retries and GitHub's, without their waits (they read DEFAULT_RETRY, which no option changes). */
const ZERO_WAITS = { baseDelayMs: 0, maxDelayMs: 0 };
const saved = { ...DEFAULT_RETRY };
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(() => void Object.assign(DEFAULT_RETRY, ZERO_WAITS));
afterEach(async () => {
  Object.assign(DEFAULT_RETRY, saved);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fetch that marks every access token answered through it as a secret, so the leak check looks for it. */
const recording: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  for (const [, token] of text.matchAll(/"(?:access_token|value)":"([^"]+)"/g)) secret(token as string);
  return response;
};

/**
 * The fake on loopback with GitHub's (test) issuer trusted: a federation, a credential linking a job's subject to ROBOT,
 * the job's ID token, and GitHub's ID token service for that job on loopback (`github.fail` makes its next answers fail).
 */
/** GitHub's (test) issuer, one for the file: its key pair is made once. */
const GITHUB = createOidcIssuer();
async function exchangeWorld() {
  const issuer = GITHUB;
  const fake = createFakeIam({ jwks: [issuer], serviceAccounts: [ROBOT] });
  const served = await serveFake(fake);
  cleanups.push(served.close);
  const clean = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: RETRY, polling: POLLING });
  const { folderId, name } = PLAN;
  const federation = await clean.oidcFederations.create({
    folderId,
    name,
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
    audiences: [AUDIENCE],
  });
  await clean.federatedCredentials.create({ serviceAccountId: ROBOT, federationId: federation.id, externalSubjectId: PLAN.subject });
  const jwt = secret(await issuer.idToken({ sub: PLAN.subject, aud: AUDIENCE }));
  const job = githubActionsJob(issuer, { repository: "my-org/app" });
  /** What GitHub's service answers next instead of an ID token, one a request. */
  const failing: ((request: Request) => Response | Promise<Response>)[] = [];
  const github = await serveFake({
    handle: async (request) => (failing.shift() ?? ((r: Request) => job.handle(r)))(request),
  });
  cleanups.push(github.close);
  const jobEnv = job.environment(github.url);
  secret(jobEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN as string);
  return {
    fake,
    served,
    jwt,
    jobEnv,
    fail: (...answers: ((request: Request) => Response | Promise<Response>)[]) => void failing.push(...answers),
    endpoint: `${served.url}/oauth/token`,
    exchanges: () => fake.requests.filter((r) => r.operation === "exchangeToken").length,
  };
}

/** A source of ROBOT's tokens for `subjectToken` through the served exchange. */
const sourceOf = (world: Awaited<ReturnType<typeof exchangeWorld>>, subjectToken: SubjectToken, timeoutMs = AMPLE_MS) =>
  workloadIdentity({ serviceAccountId: ROBOT, subjectToken, endpoint: world.endpoint, fetch: recording, timeoutMs, retryBackoffMs: 0 });

describe("workload identity's exchange against the fake over loopback, through faults", () => {
  const attempts = DEFAULT_RETRY.maxAttempts;
  const every = (fault: Fault): [Fault, number] => [fault, attempts];
  type Case = [name: string, fault: Fault, count: number, ending: "token" | RegExp];
  const host = (world: { served: ServedFake }) => new URL(world.served.url).host;
  const CASES: Case[] = [
    ["a drop before the exchange, once", { drop: true }, 1, "token"],
    [
      "a drop before the exchange, every attempt",
      ...every({ drop: true }),
      /^workloadIdentity: the token exchange at HOST gave no answer: fetch failed$/,
    ],
    ["a drop after the exchange, once (the next attempt exchanges again)", { drop: "after" }, 1, "token"],
    [
      "a drop after the exchange, every attempt",
      ...every({ drop: "after" }),
      /^workloadIdentity: the token exchange at HOST gave no answer: fetch failed$/,
    ],
    ["a 429 with Retry-After, once", { status: 429, retryAfter: "1" }, 1, "token"],
    [
      "a 429, every attempt",
      ...every({ status: 429 }),
      /^workloadIdentity: the token exchange at HOST answered HTTP 429: Injected fault: HTTP 429$/,
    ],
    ...[500, 502, 503, 504].flatMap((status): Case[] => [
      [`a ${status}, once`, { status }, 1, "token"],
      [
        `a ${status}, every attempt`,
        ...every({ status }),
        new RegExp(`^workloadIdentity: the token exchange at HOST answered HTTP ${status}: Injected fault: HTTP ${status}$`),
      ],
    ]),
    ["a slow answer past timeoutMs, once", { delayMs: 5_000 }, 1, "token"],
    [
      "a slow answer past timeoutMs, every attempt",
      ...every({ delayMs: 5_000 }),
      /^workloadIdentity: the token exchange at HOST gave no answer within 50 ms$/,
    ],
    [
      "a 200 that is not JSON",
      { body: "<html>gateway</html>", status: 200 },
      1,
      /^workloadIdentity: the answer of the token exchange at HOST is not JSON \(HTTP 200\)$/,
    ],
    [
      "a 200 of JSON cut short",
      { body: '{"access_token":"t1.9euelZq', status: 200 },
      1,
      /^workloadIdentity: the answer of the token exchange at HOST is not JSON \(HTTP 200\)$/,
    ],
    [
      "a 200 without expires_in",
      { body: { access_token: secret("t1.9euelZqNOexpiresINxxxxxxxxxx"), token_type: "Bearer" }, status: 200 },
      1,
      /^workloadIdentity: the answer of the token exchange at HOST has no expires_in \(the seconds it lives\)$/,
    ],
    [
      "a 200 without access_token",
      { body: { token_type: "Bearer", expires_in: 43_200 }, status: 200 },
      1,
      /^workloadIdentity: the answer of the token exchange at HOST has no access_token$/,
    ],
    [
      "a 200 of an empty object",
      { body: {}, status: 200 },
      1,
      /^workloadIdentity: the answer of the token exchange at HOST has no access_token and no expires_in \(the seconds it lives\)$/,
    ],
  ];
  it.each(CASES)("%s", async (_, fault, count, ending) => {
    const world = await exchangeWorld();
    world.fake.failNext(fault, { operation: "exchangeToken", count });
    const source = sourceOf(world, world.jwt, "delayMs" in fault ? 50 : AMPLE_MS);
    if (ending === "token") {
      expect(await source()).toMatch(/^t1\./);
      expect(world.exchanges()).toBe(2);
      return;
    }
    const error = caught(await rejection(source()));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toMatch(new RegExp(ending.source.replace("HOST", host(world).replace(/\./g, "\\."))));
    // Note: an answer's status is on the error; a lost or late one has none.
    expect(error.status).toBe("drop" in fault || "delayMs" in fault ? undefined : (fault as { status: number }).status);
    expect(world.exchanges()).toBe(count);
  });
});

describe("workload identity's exchange: what its failures show, and who waits for them", () => {
  it("a 429's Retry-After is waited (up to the longest wait) before the same exchange is sent again", async () => {
    const world = await exchangeWorld();
    Object.assign(DEFAULT_RETRY, { maxDelayMs: 40 });
    world.fake.failNext({ status: 429, retryAfter: "3600" }, { operation: "exchangeToken" });
    const started = performance.now();
    expect(await sourceOf(world, world.jwt)()).toMatch(/^t1\./);
    // Note: without Retry-After, with no base delay, the next attempt goes at once.
    expect(performance.now() - started).toBeGreaterThanOrEqual(38);
    expect(world.exchanges()).toBe(2);
  });

  it.each([
    ["as it is", (jwt: string) => `the token ${jwt} is refused`],
    ["JSON-escaped", (jwt: string) => `the token ${jwt.replace(/e/g, "\\u0065")} is refused`],
    ["its signature alone", (jwt: string) => `signature ${jwt.split(".")[2]} does not verify`],
    ["its payload alone, cut short", (jwt: string) => `bad claims ${jwt.split(".")[1]?.slice(0, 40)}`],
  ])("an OAuth error quoting the subject token (%s) names the part refused, never the token", async (_, quote) => {
    const world = await exchangeWorld();
    const description = quote(world.jwt);
    // Note: the JSON-escaped quote is written into the body as it is, so the body holds \u0065 where the token has e.
    const body = description.includes("\\u0065")
      ? `{"error":"invalid_grant","error_description":"${description}"}`
      : { error: "invalid_grant", error_description: description };
    world.fake.failNext({ status: 400, body }, { operation: "exchangeToken" });
    const error = caught(await rejection(sourceOf(world, world.jwt)()));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toMatch(
      /^workloadIdentity: the token exchange at [\d.:]+ refused the exchange for service account \w+: HTTP 400: invalid_grant: /,
    );
    for (const text of renderings(error))
      for (const part of [world.jwt, ...world.jwt.split(".").slice(1)]) expect(text).not.toContain(part);
    if (/signature/.test(description)) expect(error.message).toMatch(/it refused the signature/);
  });

  it("concurrent callers during a failing exchange share one, each gets its error; a later call exchanges again", async () => {
    const world = await exchangeWorld();
    const attempts = DEFAULT_RETRY.maxAttempts;
    world.fake.failNext({ status: 503 }, { operation: "exchangeToken", count: attempts });
    const source = sourceOf(world, world.jwt);
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejection(source())));
    for (const error of errors) expect(error.message).toMatch(/answered HTTP 503/);
    expect(world.exchanges()).toBe(attempts);
    expect(await source()).toMatch(/^t1\./);
    expect(world.exchanges()).toBe(attempts + 1);
    // Through the client: five calls at once, one exchange, each call its own error naming the call and the source's words.
    const iam = createIamClient({ token: sourceOf(world, world.jwt), baseUrl: world.served.url, retry: RETRY });
    world.fake.failNext({ status: 503 }, { operation: "exchangeToken", count: attempts });
    const calls = await Promise.all(Array.from({ length: 5 }, () => rejection(iam.serviceAccounts.get(ROBOT))));
    expect(new Set(calls).size).toBe(5);
    for (const error of calls)
      expect(error.message).toMatch(
        /^getServiceAccount: the token source failed: workloadIdentity: the token exchange at .* answered HTTP 503/,
      );
    expect(world.exchanges()).toBe(2 * attempts + 1);
    expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
  });

  it("a refresh that fails once the token has expired: every caller waiting gets the error, the next call exchanges again", async () => {
    const world = await exchangeWorld();
    let now = Date.now();
    const source = workloadIdentity({
      serviceAccountId: ROBOT,
      subjectToken: world.jwt,
      endpoint: world.endpoint,
      fetch: recording,
      retryBackoffMs: 0,
      now: () => now,
    });
    const first = await source();
    now += 13 * 3_600_000;
    world.fake.failNext({ drop: true }, { operation: "exchangeToken", count: DEFAULT_RETRY.maxAttempts });
    const errors = await Promise.all(Array.from({ length: 3 }, () => rejection(source())));
    for (const error of errors) expect(error.message).toMatch(/gave no answer: fetch failed$/);
    const second = await source();
    expect(second).not.toBe(first);
  });
});

describe("GitHub's ID token service failing, under workloadIdentity and through the chain", () => {
  const json = (status: number, body: unknown) => () =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  /** An answer that never comes, but when the client goes away. */
  const hang = (request: Request) =>
    new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
  const attempts = DEFAULT_RETRY.maxAttempts;
  type Case = [name: string, answers: ((request: Request) => Response | Promise<Response>)[], message: RegExp];
  const CASES: Case[] = [
    [
      "a 401 (the request token refused)",
      [json(401, { message: "Bad credentials" })],
      /^githubActionsToken: GitHub's ID token service answered HTTP 401: Bad credentials$/,
    ],
    [
      "a 500 on every attempt",
      Array(attempts).fill(json(500, "<h1>Internal Server Error</h1>")),
      /^githubActionsToken: GitHub's ID token service answered HTTP 500: Internal Server Error$/,
    ],
    ["a 500 once", [json(500, "oops")], /^token$/],
    ["a 200 that is not JSON", [json(200, "<html>sign in</html>")], /^githubActionsToken: GitHub's answer has no value \(the ID token\)$/],
    ["a 200 without value", [json(200, { count: 1 })], /^githubActionsToken: GitHub's answer has no value \(the ID token\)$/],
    [
      "a 200 whose value is no JWT",
      [json(200, { value: "not-a-jwt" })],
      /^workloadIdentity: the subjectToken function gave no JWT \(three or five base64url parts\)$/,
    ],
    [
      "no answer within timeoutMs, every attempt",
      Array(attempts).fill(hang),
      /^githubActionsToken: GitHub's ID token service gave no answer within 50 ms$/,
    ],
  ];

  it.each(CASES)("%s: workloadIdentity with githubActionsToken", async (_, answers, message) => {
    const world = await exchangeWorld();
    world.fail(...answers);
    // Note: a short time only where no answer comes: under load, an answer may take longer than 50 ms.
    const timeoutMs = answers.includes(hang) ? 50 : AMPLE_MS;
    const subjectToken = githubActionsToken(world.jobEnv, { fetch: recording, timeoutMs });
    const source = sourceOf(world, subjectToken);
    if (message.source === "^token$") {
      expect(await source()).toMatch(/^t1\./);
      return;
    }
    const error = caught(await rejection(source()));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toMatch(message);
    expect(world.exchanges(), "no exchange without the ID token").toBe(0);
  });

  it.each(CASES)("%s: through the chain, a client's call says it", async (_, answers, message) => {
    const world = await exchangeWorld();
    world.fail(...answers);
    const env = { ...world.jobEnv, YC_SERVICE_ACCOUNT_ID: ROBOT };
    const timeoutMs = answers.includes(hang) ? 50 : AMPLE_MS;
    const token = defaultCredentials({ env, baseUrl: world.served.url, fetch: recording, timeoutMs, retryBackoffMs: 0 });
    const iam = createIamClient({ token, baseUrl: world.served.url, retry: RETRY });
    if (message.source === "^token$") {
      expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
      return;
    }
    const error = caught(await rejection(iam.serviceAccounts.get(ROBOT)));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toBe(`getServiceAccount: the token source failed: ${message.source.slice(1, -1).replace(/\\(.)/g, "$1")}`);
    // The job's side runs again once GitHub answers: no failure is kept.
    expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// 3. The chain under faults: the metadata service, a key file that goes, variables with spaces or nothing in them.

/** A metadata service on loopback answering each request as `answer` does with node's own response (so it can stop half way). */
async function metadataService(answer: (res: ServerResponse) => void) {
  const server = createServer((_, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}/computeMetadata/v1/instance/service-accounts/default/token`;
}

/** The chain over `env` with the metadata service at `metadataUrl`, which has `metadataTimeoutMs` to answer. */
const metadataChain = (metadataUrl: string, env: Environment = {}, metadataTimeoutMs = 50) =>
  defaultCredentials({ env, metadataUrl, metadataTimeoutMs, retryBackoffMs: 0 });
const TRIED_BEFORE =
  "defaultCredentials: no credentials found; tried, in order: YC_TOKEN: not set, nor its alias YC_IAM_TOKEN; YC_SERVICE_ACCOUNT_KEY_FILE: not set, nor its alias YC_SA_KEY_FILE; YC_WORKLOAD_TOKEN_FILE: not set (workload identity with a token file, as Kubernetes projects one); GitHub Actions: not in a job that may ask for an ID token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set); the metadata service: ";

describe("the chain's metadata service under faults: it is skipped, saying why, and never hangs the search", () => {
  it.each([
    ["that never answers", () => {}, "gave no answer within 50 ms (not inside Yandex Cloud?)"],
    [
      "whose answer stops after its headers",
      (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).write('{"access_token":"t1.'),
      "gave no answer within 50 ms (not inside Yandex Cloud?)",
    ],
    [
      "that answers 404",
      (res: ServerResponse) => res.writeHead(404).end("Not Found"),
      "answered 404: no service account is linked to this VM or container",
    ],
    ["that answers 500", (res: ServerResponse) => res.writeHead(500).end("oops"), "answered HTTP 500"],
    [
      "that answers what is not JSON",
      (res: ServerResponse) => res.writeHead(200).end("<html>captive portal</html>"),
      "answered what is no token: the answer of the metadata service at HOST is not JSON",
    ],
    [
      "that answers JSON without a token",
      (res: ServerResponse) => res.writeHead(200).end('{"expires_in":43200}'),
      "answered what is no token: the answer of the metadata service at HOST has no access_token",
    ],
  ])("a metadata service %s", async (_, answer, reason) => {
    const url = await metadataService(answer as (res: ServerResponse) => void);
    // Note: a short time only where no whole answer comes: under load, an answer may take longer than 50 ms.
    // Note: bounded at 2 s, so a source that hangs fails here at once.
    const error = caught(await settled(metadataChain(url, {}, reason.startsWith("gave no answer") ? 50 : AMPLE_MS)(), 2_000));
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toBe(`${TRIED_BEFORE}${reason.replace("HOST", new URL(url).host)}`);
  });
});

describe("the chain's variables and files under faults", () => {
  /** A new private directory, gone after the test. */
  async function directory() {
    const dir = await mkdtemp(join(tmpdir(), "fault-keyless-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }
  /** A metadata service that counts the requests it gets, and answers none (the chain must not reach it here). */
  async function watchedMetadata() {
    let asked = 0;
    const url = await metadataService(() => void asked++);
    return { url, asked: () => asked };
  }

  it("a key file that goes between runs: the run that read it goes on; the next names the variable and the file, and asks nothing else", async () => {
    const fake = createFakeIam({ serviceAccounts: [ROBOT] });
    const served = await serveFake(fake);
    cleanups.push(served.close);
    const keyFile = await fake.createServiceAccountKey(ROBOT);
    for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
    const path = join(await directory(), "key.json");
    await writeFile(path, JSON.stringify(keyFile));
    const metadata = await watchedMetadata();
    const env = { YC_SERVICE_ACCOUNT_KEY_FILE: path };
    const run = (token: ReturnType<typeof defaultCredentials>) => createIamClient({ token, baseUrl: served.url, retry: RETRY });
    const first = defaultCredentials({ env, baseUrl: served.url, fetch: recording, metadataUrl: metadata.url });
    expect(await run(first).serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
    await rm(path);
    // Note: the key was read once, on the first call: the run goes on, and refreshes with it.
    secret(await first({ forceRefresh: true }));
    const next = defaultCredentials({ env, baseUrl: served.url, fetch: recording, metadataUrl: metadata.url });
    const error = caught(await rejection(run(next).serviceAccounts.get(ROBOT)));
    expect(error.message).toBe(
      "getServiceAccount: the token source failed: defaultCredentials: YC_SERVICE_ACCOUNT_KEY_FILE is set, but the file YC_SERVICE_ACCOUNT_KEY_FILE names cannot be read (ENOENT)",
    );
    expect(metadata.asked()).toBe(0);
  });

  it("a workload token file that goes between refreshes: the refresh names the file; once it is back, the next call exchanges", async () => {
    const world = await exchangeWorld();
    const path = join(await directory(), "token");
    await writeFile(path, `${world.jwt}\n`);
    let now = Date.now();
    const env = { YC_WORKLOAD_TOKEN_FILE: path, YC_SERVICE_ACCOUNT_ID: ROBOT };
    const token = defaultCredentials({ env, baseUrl: world.served.url, fetch: recording, retryBackoffMs: 0, now: () => now });
    const iam = createIamClient({ token, baseUrl: world.served.url, retry: RETRY });
    expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
    await rm(path);
    now += 13 * 3_600_000;
    const error = caught(await rejection(iam.serviceAccounts.get(ROBOT)));
    expect(error.message).toBe(
      "getServiceAccount: the token source failed: workloadIdentity: cannot read the subject token from the file YC_WORKLOAD_TOKEN_FILE names (ENOENT)",
    );
    await writeFile(path, world.jwt);
    expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
  });

  it.each([
    ["spaces and a newline around it", ` ${TOKEN} \n`, "token"],
    ["a Windows line end", `${TOKEN}\r\n`, "token"],
    ["a newline inside it (a token pasted in two)", `${TOKEN.slice(0, 12)}\n${TOKEN.slice(12)}`, "refused"],
    ["a tab inside it", `${TOKEN.slice(0, 12)}\t${TOKEN.slice(12)}`, "refused"],
  ])("YC_TOKEN with %s", async (_, value, ending) => {
    const fake = createFakeIam({ serviceAccounts: [ROBOT], authenticate: (token) => (token === TOKEN ? ROBOT : undefined) });
    const metadata = await watchedMetadata();
    const token = defaultCredentials({ env: { YC_TOKEN: value }, metadataUrl: metadata.url });
    const iam = createIamClient({ token, baseUrl: fake.baseUrl, fetch: fake.fetch, retry: RETRY });
    if (ending === "token") {
      expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
      return;
    }
    const error = caught(await rejection(iam.serviceAccounts.get(ROBOT)));
    expect(error).toBeInstanceOf(IamTokenError);
    for (const text of renderings(error)) for (const part of [TOKEN.slice(0, 12), TOKEN.slice(12)]) expect(text).not.toContain(part);
    expect(error.message).toBe(
      "getServiceAccount: the token source failed: defaultCredentials: YC_TOKEN has a space, tab or line break inside it (a token pasted in two?): no IAM or OAuth token has one",
    );
    expect(fake.requests).toEqual([]);
    expect(metadata.asked()).toBe(0);
  });

  it.each([
    ["empty", ""],
    ["spaces alone", "  \n"],
  ])("a variable of the chain set to %s is as one not set, and the error says it is set to nothing", async (_, value) => {
    const metadata = await metadataService((res) => res.writeHead(404).end());
    const env = { YC_TOKEN: value, YC_SERVICE_ACCOUNT_KEY_FILE: value, YC_WORKLOAD_TOKEN_FILE: value, YC_SERVICE_ACCOUNT_ID: value };
    const error = caught(await rejection(metadataChain(metadata, env, AMPLE_MS)()));
    expect(error.message).toBe(
      [
        "defaultCredentials: no credentials found; tried, in order: YC_TOKEN: set to nothing (as a CI secret that is missing gives), nor its alias YC_IAM_TOKEN",
        "YC_SERVICE_ACCOUNT_KEY_FILE: set to nothing (as a CI secret that is missing gives), nor its alias YC_SA_KEY_FILE",
        "YC_WORKLOAD_TOKEN_FILE: set to nothing (as a CI secret that is missing gives) (workload identity with a token file, as Kubernetes projects one)",
        "GitHub Actions: not in a job that may ask for an ID token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
        "the metadata service: answered 404: no service account is linked to this VM or container",
      ].join("; "),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// 4. The command, in this process: a job's failure is exit 1 and one line on stderr, never a stack, never a secret.

describe("yc-iam: a job whose call fails exits 1 with one line on stderr", () => {
  afterAll(() => runByCommand(false));
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** The fake on loopback (GitHub's test issuer trusted), the admin's token for it, and the command run in this process. */
  async function commandWorld() {
    const fake = createFakeIam({ jwks: [GITHUB], serviceAccounts: [ROBOT] });
    const served = await serveFake(fake);
    cleanups.push(served.close);
    async function command(env: Record<string, string>, ...argv: string[]) {
      for (const [name, value] of Object.entries({ YC_TOKEN: "", YC_IAM_TOKEN: TOKEN, YC_IAM_BASE_URL: served.url, ...env }))
        vi.stubEnv(name, value);
      const stdout: string[] = [];
      const stderr: string[] = [];
      vi.spyOn(console, "log").mockImplementation((...line) => void stdout.push(line.join(" ")));
      vi.spyOn(console, "error").mockImplementation((...line) => void stderr.push(line.join(" ")));
      try {
        return { code: await yciam(argv), stdout: stdout.join("\n"), stderr: stderr.join("\n") };
      } finally {
        vi.restoreAllMocks();
        vi.unstubAllEnvs();
      }
    }
    return { fake, served, command };
  }

  /** Checks a failure's report: exit 1, on stderr the failure in one line (after whose credentials, when the chain chose them) that matches `line`, no stack, no secret anywhere. */
  function failedWith(ran: { code: number; stdout: string; stderr: string }, line: RegExp) {
    expect(ran.code, ran.stderr).toBe(EXIT.failed);
    const lines = ran.stderr.split("\n");
    expect(
      lines.slice(0, -1).every((l) => l.startsWith("credentials: ")),
      ran.stderr,
    ).toBe(true);
    expect(lines.at(-1)).toMatch(/^error: /);
    expect(lines.at(-1)).toMatch(line);
    expect(ran.stderr).not.toMatch(/\n\s+at |\.ts:\d+/);
    for (const credential of secrets()) expect(ran.stdout + ran.stderr).not.toContain(credential);
  }

  const SETUP = ["keyless-ci", "--folder", DEFAULT_FOLDER_ID, "--service-account", ROBOT, "--repo", "my-org/app"];
  const attempts = DEFAULT_RETRY.maxAttempts;
  type Case = [name: string, arrange: (fake: FakeIam) => void, line: RegExp];
  const CASES: Case[] = [
    [
      "403 on the federations' list (IamApiError)",
      (f) => f.failNext({ status: 403, message: "Permission denied" }, { operation: "listOidcFederations" }),
      /^error: listOidcFederations: HTTP 403 PERMISSION_DENIED: Permission denied$/,
    ],
    [
      "500 on every attempt of the federation's create (IamApiError, outcome unknown)",
      (f) => f.failNext({ status: 500 }, { operation: "createOidcFederation", count: attempts }),
      /^error: createOidcFederation: HTTP 500 INTERNAL: .*the outcome is unknown/,
    ],
    [
      "a dropped connection on every attempt (IamNetworkError)",
      (f) => f.failNext({ drop: true }, { operation: "listOidcFederations", count: attempts }),
      /^error: listOidcFederations: .*fetch failed/,
    ],
    [
      "an answer that is not JSON (IamResponseError)",
      (f) => f.failNext({ body: "<html>proxy</html>", status: 200 }, { operation: "listOidcFederations" }),
      /^error: listOidcFederations: .*JSON/,
    ],
    [
      "an Operation that fails (IamOperationError)",
      (f) => f.progress({ polls: 1, error: { code: 7, message: "Permission denied to create" } }),
      /^error: createOidcFederation: operation \w+ failed: PERMISSION_DENIED: Permission denied to create$/,
    ],
    [
      "a poll that fails on every attempt (IamWaitError)",
      (f) => f.failNext({ status: 503 }, { operation: "getOperation", count: attempts }),
      /^error: createOidcFederation: .*may still finish/,
    ],
    [
      "the credential's create refused after the federation was made",
      (f) => f.failNext({ status: 403, message: "denied" }, { operation: "createFederatedCredential" }),
      /^error: createFederatedCredential: HTTP 403 PERMISSION_DENIED: denied \(federation \w+ was created: run again to finish, it finds what exists\)$/,
    ],
  ];
  it.each(CASES)("keyless-ci: %s", async (_, arrange, line) => {
    const { fake, command } = await commandWorld();
    arrange(fake);
    for (const json of [[], ["--json"]]) {
      failedWith(await command({}, ...SETUP, ...json), line);
      fake.reset();
      arrange(fake);
    }
  });

  it("keyless-ci: credentials that cannot be used (IamTokenError) and arguments the contract refuses (IamInputError)", async () => {
    const { command } = await commandWorld();
    failedWith(
      await command({ YC_IAM_TOKEN: "", YC_TOKEN: `${TOKEN.slice(0, 10)} ${TOKEN.slice(10)}` }, ...SETUP),
      /^error: listOidcFederations: the token source failed: defaultCredentials: YC_TOKEN has a space, tab or line break inside it/,
    );
    failedWith(
      await command({}, "keyless-ci", "--folder", "b".repeat(100), "--service-account", ROBOT, "--repo", "my-org/app"),
      /^error: listOidcFederations: invalid arguments: folderId /,
    );
  });

  it("keyless-ci --check: the job's exchange refused, or GitHub's ID token service down; one line, neither token shown", async () => {
    const world = await exchangeWorld();
    const { command } = await commandWorld();
    const env = { ...world.jobEnv, YC_IAM_BASE_URL: world.served.url, YC_IAM_TOKEN: "" };
    const check = ["keyless-ci", "--check", "--service-account", ROBOT];
    world.fake.failNext(
      { status: 400, body: { error: "invalid_grant", error_description: "the token is expired" } },
      { operation: "exchangeToken" },
    );
    failedWith(
      await command(env, ...check),
      /^error: getServiceAccount: the token source failed: workloadIdentity: .* refused the exchange .* it refused the expiry/,
    );
    world.fail(...Array(attempts).fill(() => new Response("<h1>Unicorn!</h1>", { status: 503 })));
    failedWith(
      await command(env, ...check),
      /^error: getServiceAccount: the token source failed: githubActionsToken: GitHub's ID token service answered HTTP 503: Unicorn!$/,
    );
    const ok = await command(env, ...check, "--json");
    expect([ok.code, JSON.parse(ok.stdout).job.account]).toEqual([0, expect.objectContaining({ id: ROBOT })]);
  });
});

describe("yc-iam rotate: a fault once the new key exists", () => {
  afterAll(() => runByCommand(false));

  async function rotateWorld() {
    const fake = createFakeIam({ serviceAccounts: [ROBOT] });
    const served = await serveFake(fake);
    cleanups.push(served.close);
    const [old] = fake.seed([{ serviceAccountId: ROBOT, description: "ci" }]);
    const path = join(await mkdtemp(join(tmpdir(), "fault-rotate-")), "new.secret");
    cleanups.push(() => rm(dirname(path), { recursive: true, force: true }));
    vi.stubEnv("YC_TOKEN", "");
    vi.stubEnv("YC_IAM_TOKEN", TOKEN);
    vi.stubEnv("YC_IAM_BASE_URL", served.url);
    const stderr: string[] = [];
    const stdout: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...line) => void stdout.push(line.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...line) => void stderr.push(line.join(" ")));
    cleanups.push(async () => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
    });
    const run = async () => {
      const code = await yciam(["rotate", old?.id as string, "--secret-file", path, "--json"]);
      return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
    };
    return { fake, old: old?.id as string, path, run };
  }

  /** The new key (not the old one) the fake holds, and that its secret is in the 0600 file, whole. */
  async function secretKept(fake: FakeIam, old: string, path: string) {
    const made = fake.state.apiKeys.filter((k) => k.id !== old);
    expect(made).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(secret(await readFile(path, "utf8"))).toMatch(/^\S{20,}$/);
    return made[0]?.id as string;
  }

  it.each([
    [
      "the new key's check answers 500 on every attempt",
      [{ delayMs: 0 }, ...Array(DEFAULT_RETRY.maxAttempts).fill({ status: 500 })],
      "getApiKey",
      "was not deleted",
    ],
    ["the old key's delete is refused (403)", [{ status: 403, message: "denied" }], "deleteApiKey", "was not deleted"],
    [
      "the old key's delete answers 500 on every attempt",
      Array(DEFAULT_RETRY.maxAttempts).fill({ status: 500 }),
      "deleteApiKey",
      "may have been deleted",
    ],
  ] as const)("%s: exit 1, one line saying the new key exists and its secret is in the 0600 file", async (_, faults, operation, oldKey) => {
    const { fake, old, path, run } = await rotateWorld();
    for (const fault of faults) fake.failNext(fault as Fault, { operation: operation as "getApiKey" });
    const ran = await run();
    expect(ran.code).toBe(EXIT.failed);
    const made = await secretKept(fake, old, path);
    const line = ran.stderr.split("\n").at(-1) as string;
    expect(line).toMatch(
      new RegExp(
        `^error: ${operation}: .*API key ${made} was created and its secret is in ${path.replace(/[.\\]/g, "\\$&")} \\(mode 0600\\).*${old} ${oldKey}`,
      ),
    );
    expect(ran.stdout).toBe("");
    for (const credential of secrets()) expect(ran.stdout + ran.stderr).not.toContain(credential);
  });

  it("the create's answer lost after the key was made: one line saying a key may exist whose secret never came, and that the old one stays", async () => {
    const { fake, old, path, run } = await rotateWorld();
    fake.failNext({ drop: "after" }, { operation: "createApiKey" });
    const ran = await run();
    expect(ran.code).toBe(EXIT.failed);
    expect(ran.stderr.split("\n")).toHaveLength(2);
    expect(ran.stderr.split("\n").at(-1)).toMatch(
      new RegExp(
        `^error: createApiKey: .*a new API key may have been created, whose secret never came: list the account's keys and delete one you do not know; ${old} was not deleted\\)$`,
      ),
    );
    expect(existsSync(path)).toBe(false);
  });
});

describe("workload identity through the chain (a pod's token file), the exchange failing", () => {
  const attempts = DEFAULT_RETRY.maxAttempts;
  it.each([
    ["a drop on every attempt", { drop: true }, attempts, /workloadIdentity: the token exchange at [\d.:]+ gave no answer: fetch failed$/],
    [
      "a 503 on every attempt",
      { status: 503 },
      attempts,
      /workloadIdentity: the token exchange at [\d.:]+ answered HTTP 503: Injected fault: HTTP 503$/,
    ],
    [
      "a 403 (the account may not act)",
      { status: 403, body: { error: "access_denied", error_description: "Permission denied" } },
      1,
      /refused the exchange for service account \w+: HTTP 403: access_denied: Permission denied; its answer does not tell which/,
    ],
    [
      "a 200 without expires_in",
      { status: 200, body: { access_token: secret("t1.9euelZqCHAINnoEXPIRESxxxxxxxx") } },
      1,
      /has no expires_in \(the seconds it lives\)$/,
    ],
  ] as [string, Fault, number, RegExp][])(
    "%s: the call says so, naming the token file's source; the next call exchanges again",
    async (_, fault, count, words) => {
      const world = await exchangeWorld();
      const dir = await mkdtemp(join(tmpdir(), "fault-keyless-pod-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const path = join(dir, "token");
      await writeFile(path, world.jwt);
      const chosen: string[] = [];
      const env = { YC_WORKLOAD_TOKEN_FILE: path, YC_SERVICE_ACCOUNT_ID: ROBOT };
      const token = defaultCredentials({
        env,
        baseUrl: world.served.url,
        fetch: recording,
        retryBackoffMs: 0,
        onChoose: (c) => void chosen.push(c.source),
      });
      const iam = createIamClient({ token, baseUrl: world.served.url, retry: RETRY });
      world.fake.failNext(fault, { operation: "exchangeToken", count });
      const error = caught(await rejection(iam.serviceAccounts.get(ROBOT)));
      expect(error.message).toMatch(/^getServiceAccount: the token source failed: /);
      expect(error.message).toMatch(words);
      expect(chosen).toEqual(["YC_WORKLOAD_TOKEN_FILE"]);
      expect(await iam.serviceAccounts.get(ROBOT)).toMatchObject({ id: ROBOT });
      expect(world.exchanges()).toBe(count + 1);
    },
  );
});
