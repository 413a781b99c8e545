// Workload identity federation driven with faults: the writes of OIDC federations (create, update by mask, delete) and
// of federated credentials (create, delete) against the stateful fake, with every fault the binding writes were driven
// with (fault-bindings.test.ts); races between them (one name, the quota's edge, a credential whose account or federation
// goes while it is made); the fake's answers held to the document; and the token source workloadIdentity, whose own
// fetch loop must end every attempt in time and show neither the platform's token nor an IAM token in any error.
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { idempotentRetry, type OperationId, operations } from "../../generated/contract.ts";
import { githubActionsToken, workloadIdentity } from "../../src/auth/index.ts";
import { createCall } from "../../src/core/call.ts";
import {
  type ChangeOptions,
  createIamClient,
  type IamClient,
  type IamClientOptions,
  IamError,
  IamTokenError,
  type Operation,
} from "../../src/index.ts";
import { createFakeIam, DEFAULT_FOLDER_ID, type FakeIam } from "../../src/testing/index.ts";
import { bundledDocument, deref } from "../support/ajv.ts";
import { chaosFetch, type PlannedFault } from "../support/chaos.ts";
import { checkedClients, checkedFake } from "../support/checked-fake.ts";
import { GITHUB_FEDERATION, GITHUB_SUBJECT } from "../support/federations.ts";
import { exampleInput, tableOperations } from "../support/operations.ts";
import { deaf, json, scriptedFetch, stalledAfter } from "../support/scripted-fetch.ts";
import { caught, rejection, renderings, secret, settled, TOKEN } from "../support/secrets.ts";
import { AMPLE_MS, DRIVEN, type Ending, RETRY, SCENARIOS, type Scenario, SHORT_MS, statusScenarios } from "../support/write-faults.ts";

const ROBOT = "ajeg2b2et02f3tl2c1pj";

const POLLING = { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: AMPLE_MS };

/** A fake, a fetch around it that plays wire faults (test/support/chaos.ts), and a client over that fetch. */
function world(client: Partial<IamClientOptions> = {}) {
  const fake = createFakeIam();
  const wire = chaosFetch(fake);
  const iam = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: wire.fetch, retry: RETRY, polling: POLLING, ...client });
  return { fake, wire, iam };
}

/** What the fake holds of workload identity, without the ids and times it makes: a credential names its federation by name. */
function held(fake: FakeIam) {
  const { oidcFederations, federatedCredentials } = fake.state;
  const nameOf = (id: string | undefined) => oidcFederations.find((f) => f.id === id)?.name ?? "(a federation that is gone)";
  return {
    federations: oidcFederations.map(({ id, createdAt, ...rest }) => rest),
    credentials: federatedCredentials.map(({ id, createdAt, federationId, ...rest }) => ({ ...rest, federation: nameOf(federationId) })),
  };
}

/** A resource as it resolved, without the id and time the fake made. */
const bare = (value: unknown) => {
  if (!value || typeof value !== "object") return value;
  const { id, createdAt, federationId, ...rest } = value as Record<string, unknown>;
  return rest;
};

/** One write of workload identity: what it needs made first, the operation it sends, and the write itself. */
interface Write {
  name: string;
  operation: OperationId;
  /** Makes what the write acts on; returns the ids it needs. */
  setup(iam: IamClient): Promise<{ federationId: string; credentialId?: string }>;
  run(iam: IamClient, ids: { federationId: string; credentialId?: string }, options: ChangeOptions): Promise<unknown>;
}
const federation = (iam: IamClient) => iam.oidcFederations.create(GITHUB_FEDERATION).then((f) => ({ federationId: f.id }));
const WRITES: Write[] = [
  {
    name: "oidcFederations.create",
    operation: "createOidcFederation",
    setup: async () => ({ federationId: "" }),
    run: (iam, _, o) => iam.oidcFederations.create(GITHUB_FEDERATION, o),
  },
  {
    name: "oidcFederations.update (a rename, disabled, new audiences)",
    operation: "updateOidcFederation",
    setup: federation,
    run: (iam, { federationId }, o) =>
      iam.oidcFederations.update(federationId, { name: "github-deploy", disabled: true, audiences: ["https://github.com/other"] }, o),
  },
  {
    name: "oidcFederations.delete",
    operation: "deleteOidcFederation",
    setup: federation,
    run: (iam, { federationId }, o) => iam.oidcFederations.delete(federationId, o),
  },
  {
    name: "federatedCredentials.create",
    operation: "createFederatedCredential",
    setup: federation,
    run: (iam, { federationId }, o) =>
      iam.federatedCredentials.create({ serviceAccountId: ROBOT, federationId, externalSubjectId: GITHUB_SUBJECT }, o),
  },
  {
    name: "federatedCredentials.delete",
    operation: "deleteFederatedCredential",
    setup: async (iam) => {
      const { federationId } = await federation(iam);
      const credential = await iam.federatedCredentials.create({
        serviceAccountId: ROBOT,
        federationId,
        externalSubjectId: GITHUB_SUBJECT,
      });
      return { federationId, credentialId: credential.id };
    },
    run: (iam, { credentialId }, o) => iam.federatedCredentials.delete(credentialId as string, o),
  },
];

/** What a write resolves with and leaves, without faults: the one outcome of success (found once for each write). */
const successes = new Map<string, Promise<{ resolved: unknown; held: ReturnType<typeof held> }>>();
function success(write: Write) {
  const found = successes.get(write.name);
  if (found) return found;
  const running = (async () => {
    const { fake, iam } = world();
    const resolved = await write.run(iam, await write.setup(iam), {});
    return { resolved: bare(resolved), held: held(fake) };
  })();
  successes.set(write.name, running);
  return running;
}

/**
 * Runs `write` with the scenario's faults, checks every invariant of an honest outcome, and returns how it ended. With
 * `wait: false` it resolves with the Operation, which is then waited for here.
 */
async function drive(write: Write, scenario: Scenario, wait = true) {
  const expected = await success(write);
  const { fake, wire, iam } = world(scenario.client);
  const ids = await write.setup(iam);
  const before = held(fake);
  const received = fake.requests.length;
  const known = fake.state.operations.length;
  if (scenario.progress) fake.progress(scenario.progress);
  const controller = new AbortController();
  const reason = new Error("the caller gave up");
  const planned: PlannedFault[] = scenario.faults.map(([on, fault]) => ({ on: on === "write" ? write.operation : "getOperation", fault }));
  wire.play(planned, () => controller.abort(reason));
  let resolved: unknown;
  let error: IamError | undefined;
  try {
    const options = { signal: controller.signal, timeoutMs: scenario.timeoutMs ?? AMPLE_MS, maxWaitMs: scenario.maxWaitMs, wait };
    resolved = await write.run(iam, ids, options);
  } catch (e) {
    error = caught(e) as IamError;
  }
  const { log, unplayed } = await wire.finish();
  expect(unplayed, "every planned fault met its request").toEqual([]);

  // Every attempt of the write that reached the fake carries one Idempotency-Key (and one x-client-request-id).
  const attempts = fake.requests.slice(received).filter((r) => r.operation === write.operation);
  for (const header of ["idempotency-key", "x-client-request-id"])
    expect(new Set(attempts.map((r) => r.headers[header])).size, header).toBeLessThanOrEqual(1);
  expect(attempts.every((r) => r.headers["idempotency-key"])).toBe(true);
  // No change applied twice: the call started at most one Operation, whatever its retries; a repeat was answered with it.
  const started = fake.state.operations.slice(known);
  expect(started.length).toBeLessThanOrEqual(1);
  const [accepted] = started;

  if (error) {
    expect(error).toBeInstanceOf(IamError);
    // An Operation that reached the client (its answer to the write) is named by the error.
    const delivered = log.find((x) => x.operation === write.operation && x.delivered)?.delivered as Operation | undefined;
    if (delivered) expect(error.operationId).toBe(delivered.id);
    if (error.operationId) expect(error.message).toContain(error.operationId);
    if (!error.outcomeUnknown) {
      // Nothing changed, and nothing of the call is left running that could change it later.
      expect(held(fake)).toEqual(before);
      expect(started.every((o) => o.done && o.error)).toBe(true);
    }
  } else if (wait) {
    expect(bare(resolved)).toEqual(expected.resolved);
    expect(held(fake)).toEqual(expected.held);
  } else {
    expect(resolved).toMatchObject({ id: accepted?.id });
    expect(bare((await iam.operations.wait(resolved as Operation)).response)).toMatchObject(
      expected.resolved === undefined ? { "@type": expect.stringMatching(/Empty$/) } : (expected.resolved as object),
    );
  }
  // The server carries on with an accepted change, polled or not: once it is done, the change happened whole or not at all.
  if (accepted && !fake.state.operations.find((o) => o.id === accepted.id)?.done)
    await iam.operations.wait(accepted.id).catch(() => undefined);
  expect([before, expected.held]).toContainEqual(held(fake));

  const ending: Ending = error
    ? { error: error.name, outcomeUnknown: error.outcomeUnknown, operationId: Boolean(error.operationId), attempts: error.attempts }
    : "resolved";
  return { ending, sent: log.filter((x) => x.operation === write.operation).length };
}

describe("the harness", () => {
  it("an answer held until the client gives up (wire: late) ends with the request's abort, after a garbage collection too", async () => {
    // Note: undici's request.signal stops following the signal its Request was made with once the Request is collected
    // (nodejs/undici#3644); the client keeps no Request it sent, so the harness must, or the held answer waits for ever.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    setFlagsFromString("--no-expose-gc");
    const { wire, iam } = world({ retry: false });
    wire.play([{ on: "listOidcFederations", fault: { wire: "late" } }], () => {});
    const call = iam.oidcFederations.list({ folderId: DEFAULT_FOLDER_ID }, { timeoutMs: SHORT_MS * 3 }).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, SHORT_MS));
    gc();
    expect(await call).toMatchObject({ name: "IamTimeoutError" });
    const finished = wire.finish().then(() => "finished");
    expect(await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, AMPLE_MS, "still waiting"))])).toBe("finished");
  });
});

describe("the faults driven cover what the document says of these writes", () => {
  it("every write of workload identity is idempotent in the table, and every status it is retried on is driven", () => {
    const writes = WRITES.map((write) => operations[write.operation]);
    for (const row of writes) expect(row.retry, row.id).toBe(idempotentRetry);
    // Note: every create, update and delete of the two services is driven here (the binding writes are fault-bindings.test.ts's).
    const ofTheServices = Object.values(operations).filter(
      (row) => /OidcFederation$|FederatedCredential$/.test(row.id) && row.retry.changes && !/AccessBindings$/.test(row.id),
    );
    expect(writes.map((row) => row.id).sort()).toEqual(ofTheServices.map((row) => row.id).sort());
    expect(statusScenarios.map((s) => s.name)).toEqual(expect.arrayContaining(DRIVEN.map((status) => `HTTP ${status} once`)));
  });
});

// Note: concurrent: each drive has a world of its own, and most of a scenario is the client waiting on its timers.
describe.concurrent.each(SCENARIOS)("$name", (scenario) => {
  it.each(WRITES)("$name ends as expected, and the fake holds what the error claims", async (write) => {
    expect(await drive(write, scenario)).toEqual({ ending: scenario.ending, sent: scenario.sent });
  });
});

describe.concurrent("with wait: false, the Operation at once; operations.wait then waits for it", () => {
  const onTheWrite = SCENARIOS.filter((s) => !s.progress && s.faults.every(([on]) => on === "write"));
  it.each(onTheWrite)("$name: as with the wait, on every write", async (scenario) => {
    for (const write of WRITES)
      expect(await drive(write, scenario, false), write.name).toEqual({ ending: scenario.ending, sent: scenario.sent });
  });
});

describe("Retry-After", () => {
  it.each(WRITES)("$name: a 429's Retry-After is waited, at most maxDelayMs, then the same write is sent again", async (write) => {
    const maxDelayMs = 50;
    const fake = createFakeIam();
    const sentAt: number[] = [];
    const iam = createIamClient({
      token: TOKEN,
      baseUrl: fake.baseUrl,
      fetch: (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname.includes("/workload/") && request.method !== "GET") sentAt.push(performance.now());
        return fake.fetch(request);
      },
      retry: { ...RETRY, maxDelayMs },
      polling: POLLING,
    });
    const ids = await write.setup(iam);
    sentAt.length = 0;
    fake.failNext({ status: 429, retryAfter: "3600" }, { operation: write.operation });
    await write.run(iam, ids, {});
    const writes = fake.requests.filter((r) => r.operation === write.operation);
    expect(sentAt).toHaveLength(2);
    expect(new Set(writes.slice(-2).map((r) => r.headers["idempotency-key"])).size).toBe(1);
    // Note: a timer may fire a millisecond early; the jitter of a client whose baseDelayMs is 0 would be no wait at all.
    expect((sentAt[1] as number) - (sentAt[0] as number)).toBeGreaterThanOrEqual(maxDelayMs - 2);
  });
});

// The races and the fake's rules, on a fake whose every answer is held to the document (an undocumented status fails the test).
const client = checkedClients();

/** The quota the document states for a create (its 429's description: "the quota of N …"). */
function documentedQuota(operation: OperationId): number {
  const [path, item] = Object.entries(bundledDocument.paths as Record<string, Record<string, any>>).find(([, methods]) =>
    Object.values(methods).some((op) => op?.operationId === operation),
  ) as [string, Record<string, any>];
  const op = Object.values(item).find((o) => o?.operationId === operation);
  const quota = deref(op.responses["429"]).description.match(/the quota of (\d+) /)?.[1];
  if (!quota) throw new Error(`${path}: the 429 of ${operation} states no quota`);
  return Number(quota);
}

/** Creates with `create` until the fake refuses with RESOURCE_EXHAUSTED; the number it made. */
async function fill(create: (i: number) => Promise<unknown>): Promise<number> {
  for (let made = 0; ; made++) {
    const error = await create(made).then(
      () => undefined,
      (e) => e,
    );
    if (error) {
      expect(error).toMatchObject({ status: 429, codeName: "RESOURCE_EXHAUSTED", outcomeUnknown: false });
      return made;
    }
  }
}

/** The settled calls' values and errors; every error recorded for the leak check. */
function outcomes<T>(settled: PromiseSettledResult<T>[]) {
  return {
    won: settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : [])),
    lost: settled.flatMap((s) => (s.status === "rejected" ? [caught(s.reason)] : [])),
  };
}

describe("concurrent writes", () => {
  it.each([0, 1])("done after %i polls: four creates of one name at once: exactly one wins, the others ALREADY_EXISTS", async (polls) => {
    const { iam, fake } = client({ operations: { polls } });
    const { won, lost } = outcomes(await Promise.allSettled([1, 2, 3, 4].map(() => iam.oidcFederations.create(GITHUB_FEDERATION))));
    expect(won).toHaveLength(1);
    for (const error of lost) expect(error).toMatchObject({ name: "IamApiError", codeName: "ALREADY_EXISTS", outcomeUnknown: false });
    expect(fake.state.oidcFederations).toEqual(won);
  });

  it.each([0, 1])("done after %i polls: two renames to one name at once: exactly one wins", async (polls) => {
    const { iam, fake } = client({ operations: { polls } });
    const ids = [
      (await iam.oidcFederations.create(GITHUB_FEDERATION)).id,
      (await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "gitlab" })).id,
    ];
    const { won, lost } = outcomes(await Promise.allSettled(ids.map((id) => iam.oidcFederations.update(id, { name: "deploy" }))));
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ codeName: "ALREADY_EXISTS", outcomeUnknown: false })]);
    expect(fake.state.oidcFederations.map((f) => f.name).sort()).toEqual(["deploy", won[0]?.id === ids[0] ? "gitlab" : "github"].sort());
  });

  it("two renames of one federation in flight: the second's name stays held once the first is done", async () => {
    const { iam, fake } = client();
    const a = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const b = await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "gitlab" });
    const first = await iam.oidcFederations.update(a.id, { name: "first" }, { wait: false });
    const second = await iam.oidcFederations.update(a.id, { name: "second" }, { wait: false });
    await iam.operations.wait(first);
    expect(await rejection(iam.oidcFederations.update(b.id, { name: "second" }))).toMatchObject({ codeName: "ALREADY_EXISTS" });
    await iam.operations.wait(second);
    expect(fake.state.oidcFederations.map((f) => f.name).sort()).toEqual(["gitlab", "second"]);
  });

  it("a rename in flight keeps its name held while another update of the same federation is done", async () => {
    const { iam, fake } = client();
    const a = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const b = await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "gitlab" });
    const rename = await iam.oidcFederations.update(a.id, { name: "deploy" }, { wait: false });
    await iam.oidcFederations.update(a.id, { description: "Deploys" });
    expect(await rejection(iam.oidcFederations.update(b.id, { name: "deploy" }))).toMatchObject({ codeName: "ALREADY_EXISTS" });
    await iam.operations.wait(rename);
    expect(fake.state.oidcFederations.map((f) => f.name).sort()).toEqual(["deploy", "gitlab"]);
  });

  it("the federation quota is the document's; two creates at its edge at once: exactly one wins; a rename in flight takes no slot", async () => {
    const { iam, fake } = client({ operations: { polls: 0 } });
    const quota = await fill((i) => iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: `federation-${i}` }));
    expect(quota).toBe(documentedQuota("createOidcFederation"));
    const [last] = fake.state.oidcFederations.slice(-1);
    await iam.oidcFederations.delete(last?.id as string);
    fake.progress({ polls: 1 });
    const { won, lost } = outcomes(
      await Promise.allSettled(["left", "right"].map((name) => iam.oidcFederations.create({ ...GITHUB_FEDERATION, name }))),
    );
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ codeName: "RESOURCE_EXHAUSTED", outcomeUnknown: false })]);
    expect(fake.state.oidcFederations).toHaveLength(quota);
    // Note: a rename holds a name, not a federation: with a slot free, a create goes through beside it.
    await iam.oidcFederations.delete(won[0]?.id as string);
    const renaming = await iam.oidcFederations.update(fake.state.oidcFederations[0]?.id as string, { name: "renamed" }, { wait: false });
    await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "beside-a-rename" });
    await iam.operations.wait(renaming);
    expect(fake.state.oidcFederations).toHaveLength(quota);
  });

  it("the credential quota is the document's, per account; two creates at its edge at once: exactly one wins", async () => {
    const { iam, fake } = client({ operations: { polls: 0 } });
    const { id: federationId } = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const credential = (i: number) =>
      iam.federatedCredentials.create({ serviceAccountId: ROBOT, federationId, externalSubjectId: `${GITHUB_SUBJECT}-${i}` });
    const quota = await fill(credential);
    expect(quota).toBe(documentedQuota("createFederatedCredential"));
    await iam.federatedCredentials.delete(fake.state.federatedCredentials[0]?.id as string);
    fake.progress({ polls: 1 });
    const { won, lost } = outcomes(await Promise.allSettled([quota, quota + 1].map(credential)));
    expect(won).toHaveLength(1);
    expect(lost).toEqual([expect.objectContaining({ codeName: "RESOURCE_EXHAUSTED", outcomeUnknown: false })]);
    expect(fake.state.federatedCredentials).toHaveLength(quota);
  });

  /** What goes while a credential is made: its account (the ServiceAccount service) or its federation. */
  const goners = [
    {
      what: "its service account",
      gone: (iam: IamClient, ids: { account: string; federation: string }) => iam.serviceAccounts.delete(ids.account, { wait: false }),
    },
    {
      what: "its federation",
      gone: (iam: IamClient, ids: { account: string; federation: string }) => iam.oidcFederations.delete(ids.federation, { wait: false }),
    },
  ];
  it.each(goners)(
    "a credential create in flight while $what is deleted fails NOT_FOUND and leaves no ghost credential, in either order",
    async ({ gone }) => {
      for (const deleteFirst of [false, true]) {
        const { iam, fake } = client();
        const account = (await iam.serviceAccounts.create({ folderId: DEFAULT_FOLDER_ID, name: "ci-robot" })).id;
        const ids = { account, federation: (await iam.oidcFederations.create(GITHUB_FEDERATION)).id };
        const create = () =>
          iam.federatedCredentials.create(
            { serviceAccountId: account, federationId: ids.federation, externalSubjectId: GITHUB_SUBJECT },
            { wait: false },
          );
        // Note: both accepted before either is done: the delete's Operation first, or the create's.
        const [deleting, creating] = deleteFirst
          ? [(await gone(iam, ids)) as Operation, (await create()) as Operation]
          : [undefined, (await create()) as Operation];
        if (deleting) await iam.operations.wait(deleting);
        else await iam.operations.wait((await gone(iam, ids)) as Operation);
        const error = caught(await iam.operations.wait(creating).catch((e) => e));
        expect(error, `deleted first: ${deleteFirst}`).toMatchObject({
          name: "IamOperationError",
          operationId: creating.id,
          codeName: "NOT_FOUND",
          outcomeUnknown: false,
        });
        expect(fake.state.federatedCredentials).toEqual([]);
      }
    },
  );

  it("a federation deleted while credentials name it: they stay, as the fake has kept them (Yandex documents nothing); none can be made for it", async () => {
    const { iam, fake } = client();
    const { id: federationId } = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const credential = await iam.federatedCredentials.create({ serviceAccountId: ROBOT, federationId, externalSubjectId: GITHUB_SUBJECT });
    await iam.oidcFederations.delete(federationId);
    expect(await iam.federatedCredentials.get(credential.id)).toEqual(credential);
    expect(held(fake).credentials).toEqual([
      { serviceAccountId: ROBOT, externalSubjectId: GITHUB_SUBJECT, federation: "(a federation that is gone)" },
    ]);
    const refused = await rejection(
      iam.federatedCredentials.create({ serviceAccountId: ROBOT, federationId, externalSubjectId: GITHUB_SUBJECT }),
    );
    expect(refused).toMatchObject({ status: 404, codeName: "NOT_FOUND", outcomeUnknown: false });
  });
});

describe("the fake's federations against the document", () => {
  it("every call of the two services, with the document's example arguments, answers only what the document gives it", async () => {
    const rows = tableOperations.filter((o) => /OidcFederation|FederatedCredential/.test(o.id));
    expect(rows.map((o) => o.id)).toEqual(expect.arrayContaining(WRITES.map((write) => write.operation)));
    const statuses = new Set<number>();
    for (const o of rows) {
      // Note: an empty fake (the example ids name nothing, so NOT_FOUND), then one where the example's federation exists.
      for (const seeded of [false, true]) {
        const { fake, fetch, violations } = checkedFake();
        if (seeded)
          await createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch, polling: POLLING }).oidcFederations.create(GITHUB_FEDERATION);
        const call = createCall({
          fetch,
          timeoutMs: AMPLE_MS,
          retry: RETRY,
          baseUrl: () => fake.baseUrl,
          secrets: new Set(),
          token: TOKEN,
        });
        const input = exampleInput(o);
        if (seeded && input.path && "federationId" in input.path) input.path.federationId = fake.state.oidcFederations[0]?.id as string;
        statuses.add(
          await call(o.row, input, { wait: false }).then(
            () => 200,
            (e) => caught(e).status,
          ),
        );
        expect(violations, o.id).toEqual([]);
      }
    }
    // Note: the walk met refusals as well as answers.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 404]));
  });

  it("a create without audiences (optional in CreateOidcFederationRequest) is made, with none", async () => {
    const { iam, fake } = client();
    const { audiences, ...withoutAudiences } = GITHUB_FEDERATION;
    const created = await iam.oidcFederations.create(withoutAudiences);
    expect(created.audiences).toBeUndefined();
    expect(fake.state.oidcFederations).toEqual([created]);
  });

  it("`disabled` of a create and of an update is `enabled` left out of the resource; false, or named in a mask without a value, enables", async () => {
    const { iam } = client();
    expect((await iam.oidcFederations.create({ ...GITHUB_FEDERATION, disabled: false })).enabled).toBe(true);
    const off = await iam.oidcFederations.create({ ...GITHUB_FEDERATION, name: "gitlab", disabled: true });
    expect(off).not.toHaveProperty("enabled");
    const { data } = await iam.raw.PATCH("/iam/v1/workload/oidc/federations/{federationId}", {
      params: { path: { federationId: off.id } },
      body: { updateMask: "disabled" },
    });
    expect((await iam.operations.wait(data as Operation)).response).toMatchObject({ enabled: true });
  });

  /** Sends an update as it is (raw), and waits for its Operation when accepted: the status, and the federation after. */
  async function patched(body: Record<string, unknown>) {
    const { iam, fake } = client();
    const created = await iam.oidcFederations.create({ ...GITHUB_FEDERATION, description: "Deploys", labels: { team: "platform" } });
    const { data, response } = await iam.raw.PATCH("/iam/v1/workload/oidc/federations/{federationId}", {
      params: { path: { federationId: created.id } },
      body: body as never,
    });
    if (response.ok) await iam.operations.wait(data as Operation);
    return { status: response.status, created, after: fake.state.oidcFederations[0] };
  }

  it("a mask naming description or labels without a value resets them (x-yc-clearable); a description of '' is left out", async () => {
    const reset = await patched({ updateMask: "description,labels" });
    expect(reset.status).toBe(200);
    expect(reset.after).not.toHaveProperty("description");
    expect(reset.after).not.toHaveProperty("labels");
    const emptied = await patched({ updateMask: "description", description: "" });
    expect(emptied.after).not.toHaveProperty("description");
  });

  // Note: a field the document does not let a mask reset (not in x-yc-clearable) is refused as the name is, and nothing
  // changes; `disabled` excepted, whose zero value, false, is a value (the test above).
  const { properties, clearable = [] } = operations.updateOidcFederation.body;
  const unclearable = Object.keys(properties ?? {}).filter((f) => f !== "updateMask" && f !== "disabled" && !clearable.includes(f));
  /** An update without a mask that gives every field the document does not let it reset. */
  const whole: Record<string, unknown> = {
    name: "renamed",
    audiences: ["https://github.com/other"],
    jwksUrl: `${GITHUB_FEDERATION.jwksUrl}2`,
  };

  it("without a mask, every updatable field is overwritten: given all it cannot reset, the rest is reset", async () => {
    expect(Object.keys(whole).sort()).toEqual([...unclearable].sort());
    const { status, after } = await patched(whole);
    expect(status).toBe(200);
    expect(after).toMatchObject({ ...whole, enabled: true });
    expect(after).not.toHaveProperty("description");
    expect(after).not.toHaveProperty("labels");
  });

  it.each(unclearable)(
    "a mask naming %s without a value is INVALID_ARGUMENT, and nothing changes; no mask without it, too",
    async (field) => {
      const { [field]: _, ...without } = whole;
      for (const body of [{ updateMask: field }, without]) {
        const { status, created, after } = await patched(body);
        expect(status, JSON.stringify(body)).toBe(400);
        expect(after).toEqual(created);
      }
    },
  );

  it("the client refuses to reset what the document does not let a mask reset (null), before sending", async () => {
    const { iam, fake } = client();
    const { id } = await iam.oidcFederations.create(GITHUB_FEDERATION);
    const sent = fake.requests.length;
    for (const field of ["name", "audiences", "jwksUrl", "disabled"])
      expect(await rejection(iam.oidcFederations.update(id, { [field]: null } as never)), field).toMatchObject({ name: "IamInputError" });
    expect(fake.requests).toHaveLength(sent);
  });
});

// Note: concurrent: each test has exchanges of its own, and most of it is the source waiting out its backoffs and time-outs.
describe.concurrent("workloadIdentity: its own fetch loop, and no token in any error", () => {
  const SA = "ajeq4b7s9example0sa1";
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  let minted = 0;
  /** A platform's JWT, which no error may show. */
  const platformJwt = () =>
    secret(
      `${base64url({ alg: "RS256", kid: "k1" })}.${base64url({ iss: "https://token.actions.githubusercontent.com", sub: GITHUB_SUBJECT, jti: ++minted })}.${randomBytes(32).toString("base64url")}`,
    );
  /** The parts of a JWT that are its own (its header is shared by every token of its issuer). */
  const own = (jwt: string) => [jwt, ...jwt.split(".").slice(1)];
  let issued = 0;
  /** An IAM token as the exchange mints it, which no error may show. */
  const iamToken = () => secret(`t1.9euelZqFAULTdrive${++issued}xxxxxxxxxxxxxxxxx`);
  /** A token exchange that answers each request with `answer` (default: a new IAM token), and the tokens it gave. */
  function exchange(answer?: (form: URLSearchParams) => Response | Promise<Response>) {
    const tokens: string[] = [];
    const stub = scriptedFetch(async (request) => {
      const form = new URLSearchParams(await request.text());
      if (answer) return answer(form);
      const token = iamToken();
      tokens.push(token);
      return json(200, { access_token: token, token_type: "Bearer", expires_in: 43_200 });
    });
    return { ...stub, tokens };
  }
  /** Asserts no rendering of `error` shows any of `values`. */
  const showsNone = (error: unknown, values: string[]) => {
    for (const text of renderings(error)) for (const value of values) expect(text).not.toContain(value);
  };

  /** A 200 whose body sends its first bytes, then nothing, ever. */
  const stalled = stalledAfter('{"access_token":"t1.');
  it.each([
    ["a fetch that never answers, deaf to the signal", deaf],
    ["a 200 whose body stops half way", stalled],
  ])("%s: every attempt ends at timeoutMs, of the exchange and of GitHub's ID token service", async (_, step) => {
    const sts = scriptedFetch(step);
    const error = await settled(workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch, timeoutMs: 20 })());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toBe("workloadIdentity: the token exchange at auth.yandex.cloud gave no answer within 20 ms");
    expect(error.attempts).toBe(sts.requests.length);
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:9/idtoken?api-version=2.0",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: platformJwt(),
    };
    const github = scriptedFetch(step);
    const refused = await settled(githubActionsToken(env, { audience: "yc", fetch: github.fetch, timeoutMs: 20 })());
    expect(refused).toBeInstanceOf(IamTokenError);
    expect(refused.message).toBe("githubActionsToken: GitHub's ID token service gave no answer within 20 ms");
    expect(refused.attempts).toBe(github.requests.length);
  });

  it("a 429 with Retry-After is waited before the same exchange is sent again, and the token then got", async () => {
    const sentAt: number[] = [];
    const token = iamToken();
    let answered = 0;
    const sts = exchange(() => {
      sentAt.push(performance.now());
      return answered++
        ? json(200, { access_token: token, expires_in: 43_200 })
        : json(429, { error: "slow_down" }, { "retry-after": "1" });
    });
    const subject = platformJwt();
    expect(await workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch })()).toBe(token);
    expect(sts.requests).toHaveLength(2);
    // Note: a timer may fire a millisecond early; without Retry-After the wait would be a jitter under 200 ms.
    expect((sentAt[1] as number) - (sentAt[0] as number)).toBeGreaterThanOrEqual(1_000 - 2);
  });

  it("an endpoint that is no absolute URL is an IamTokenError at once, not quoting it", () => {
    for (const endpoint of ["auth.yandex.cloud/oauth/token", "", 42]) {
      let error: unknown;
      try {
        workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), endpoint: endpoint as string });
      } catch (e) {
        error = caught(e);
      }
      expect(error, String(endpoint)).toBeInstanceOf(IamTokenError);
      expect((error as Error).message).toBe("workloadIdentity: endpoint must be an absolute URL, as https://auth.yandex.cloud/oauth/token");
    }
  });

  it("a subjectToken function that fails quoting the token it gave before, or the IAM token it got: neither shows", async () => {
    const failures: [string, (jwt: string, iam: string) => unknown][] = [
      ["an Error", (jwt, iam) => new Error(`could not refresh ${jwt} (had ${iam})`)],
      ["a string", (jwt, iam) => `could not refresh ${jwt} (had ${iam})`],
      ["an Error holding them in fields", (jwt, iam) => Object.assign(new Error("could not refresh"), { previous: jwt, iam })],
      ["an Error whose cause quotes them", (jwt, iam) => new Error("could not refresh", { cause: new Error(`${jwt} ${iam}`) })],
      // Note: a signature alone has no token's shape: only the tokens of the last exchange, kept, find it.
      ["an Error quoting the signature alone", (jwt) => new Error(`bad signature ${jwt.split(".")[2]}`)],
    ];
    for (const [what, failure] of failures) {
      const first = platformJwt();
      let asked = 0;
      const sts = exchange();
      const source = workloadIdentity({
        serviceAccountId: SA,
        subjectToken: () => {
          if (asked++ === 0) return first;
          throw failure(first, sts.tokens[0] as string);
        },
        fetch: sts.fetch,
        retryBackoffMs: 0,
      });
      const token = await source();
      const error = await rejection(source({ forceRefresh: true }));
      expect(error, what).toBeInstanceOf(IamTokenError);
      expect(error.message, what).toBe("workloadIdentity: the subjectToken function failed (see cause)");
      expect(error.cause, what).toBeDefined();
      showsNone(error, [...own(first), token]);
    }
  });

  it("a network failure whose words quote the form as sent (in its cause, URL-encoded again, JSON-escaped) shows no token", async () => {
    const quotes: [string, (form: string) => unknown][] = [
      ["in the cause", (form) => new TypeError("fetch failed", { cause: new Error(`proxy refused ${form}`) })],
      ["URL-encoded again", (form) => new Error(`proxy refused body=${encodeURIComponent(form)}`)],
      ["JSON-escaped", (form) => new Error(`proxy refused ${JSON.stringify({ body: form })}`)],
      ["a plain object", (form) => ({ message: "request failed", body: form })],
    ];
    for (const [what, quote] of quotes) {
      const subject = platformJwt();
      const sts = scriptedFetch(async (request) => {
        throw quote(await request.text());
      });
      const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch })());
      expect(error, what).toBeInstanceOf(IamTokenError);
      expect(error.message, what).toMatch(/^workloadIdentity: the token exchange at auth\.yandex\.cloud gave no answer/);
      showsNone(error, own(subject));
    }
  });

  it("an answer that echoes the token JSON-escaped (\\u…), in a body that is no OAuth error, shows it in no form", async () => {
    const subject = platformJwt();
    const escaped = [...subject].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    for (const status of [400, 503]) {
      const sts = exchange(
        () => new Response(`{"detail":"bad token ${escaped}"}`, { status, headers: { "content-type": "application/json" } }),
      );
      const error = await rejection(workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch })());
      expect(error).toBeInstanceOf(IamTokenError);
      expect(error.message).toContain("[REDACTED]");
      showsNone(error, [...own(subject), escaped]);
    }
  });

  it("a later refusal that echoes the IAM token got before (in any shape) shows it not", async () => {
    // Note: an IAM token of an older shape than t1.…, which no pattern of a token's shape finds.
    const old = secret("CggVAgAAABoBMxKABFAULTdriveOLDshapeIAMtoken");
    let refuse = false;
    const sts = exchange(() =>
      refuse
        ? json(400, { error: "invalid_grant", error_description: `token already exchanged for ${old}` })
        : json(200, { access_token: old, expires_in: 43_200 }),
    );
    const source = workloadIdentity({ serviceAccountId: SA, subjectToken: platformJwt(), fetch: sts.fetch, retryBackoffMs: 0 });
    expect(await source()).toBe(old);
    refuse = true;
    const error = await rejection(source({ forceRefresh: true }));
    expect(error).toBeInstanceOf(IamTokenError);
    showsNone(error, [old]);
  });

  it("through the client: a refresh refused after a write may have acted leaves the outcome unknown, and shows no token", async () => {
    const fake = createFakeIam();
    const wire = chaosFetch(fake);
    const subject = platformJwt();
    let refuse = false;
    const sts = exchange((form) =>
      refuse
        ? json(400, { error: "invalid_grant", error_description: `expired: ${form.get("subject_token")?.split(".")[1]}` })
        : json(200, { access_token: iamToken(), expires_in: 43_200 }),
    );
    const token = workloadIdentity({ serviceAccountId: SA, subjectToken: subject, fetch: sts.fetch, retryBackoffMs: 0 });
    const iam = createIamClient({ token, baseUrl: fake.baseUrl, fetch: wire.fetch, retry: RETRY, polling: POLLING });
    const bearer = await token();
    refuse = true;
    // Note: the first attempt acts and its answer is lost behind a gateway's 502; the second is refused 401, so the client asks for a new token.
    wire.play(
      [
        { on: "createOidcFederation", fault: { wire: "failed", status: 502 } },
        { on: "createOidcFederation", fault: { status: 401 } },
      ],
      () => {},
    );
    const error = await rejection(iam.oidcFederations.create(GITHUB_FEDERATION));
    await wire.finish();
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 2 });
    expect(error.message).toMatch(/^createOidcFederation: the token source failed: workloadIdentity: .*; the outcome is unknown/);
    showsNone(error, [...own(subject), bearer]);
    // Note: it may have: the first attempt's Operation was accepted, and finishes.
    const [accepted] = fake.state.operations;
    const other = createIamClient({ token: TOKEN, baseUrl: fake.baseUrl, fetch: fake.fetch, polling: POLLING });
    expect((await other.operations.wait(accepted?.id as string)).response).toMatchObject({ name: GITHUB_FEDERATION.name });
    expect(fake.state.oidcFederations).toHaveLength(1);
  });
});
