// The access-binding writes of folders and clouds (grant, revoke, updateAccessBindings, setAccessBindings, with and
// without waiting) driven with faults against the stateful fake, service accounts' as the yardstick: for every fault,
// the call ends as the same call on a service account does, and as expected; what the error claims is what the fake's
// bindings show (outcomeUnknown false: nothing changed, nor will), every attempt carries one Idempotency-Key and the fake
// answers a repeat with the first Operation (no change applied twice), an Operation that reached the client is named by
// the error, and every request goes to its own host.
import { describe, expect, it } from "vitest";
import {
  clientStatusesThatMayHaveActed,
  idempotentRetry,
  type OperationId,
  operations,
  serverStatusesThatDidNotAct,
} from "../../generated/contract.ts";
import {
  type AccessBindings,
  type ChangeOptions,
  createIamClient,
  type IamClientOptions,
  IamError,
  type Operation,
} from "../../src/index.ts";
import { createFakeIam, DEFAULT_CLOUD_ID, DEFAULT_FOLDER_ID, type FakeIam } from "../../src/testing/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { chaosFetch, type PlannedFault } from "../support/chaos.ts";
import { caught, renderings, secret, TOKEN } from "../support/secrets.ts";
import { AMPLE_MS, type Ending, RETRY, SCENARIOS, type Scenario } from "../support/write-faults.ts";

const ROBOT = "ajeg2b2et02f3tl2c1pj";
const USER = { id: "ajeuser0000000000001", type: "userAccount" } as const;
const VIEWER = { roleId: "viewer", subject: USER };
const EDITOR = { roleId: "editor", subject: USER };

/** A resource kind with access bindings: the client's service, a resource of the fake's default world, its two writes. */
interface Kind {
  service: "serviceAccounts" | "folders" | "clouds";
  id: string;
  update: OperationId;
  set: OperationId;
}
/** Service accounts' bindings were driven with faults first (chaos.test.ts): folders and clouds must do as they do. */
const YARDSTICK: Kind = {
  service: "serviceAccounts",
  id: ROBOT,
  update: "updateServiceAccountAccessBindings",
  set: "setServiceAccountAccessBindings",
};
const KINDS: Kind[] = [
  { service: "folders", id: DEFAULT_FOLDER_ID, update: "updateFolderAccessBindings", set: "setFolderAccessBindings" },
  { service: "clouds", id: DEFAULT_CLOUD_ID, update: "updateCloudAccessBindings", set: "setCloudAccessBindings" },
];

/** A write of the binding API, on a resource that holds VIEWER before it; `verb` names the operation it sends. */
interface Write {
  name: string;
  verb: "update" | "set";
  run(bindings: AccessBindings, id: string, options: ChangeOptions): Promise<unknown>;
}
const WRITES: Write[] = [
  { name: "grant", verb: "update", run: (b, id, o) => b.grant(id, EDITOR.roleId, USER, o) },
  { name: "revoke", verb: "update", run: (b, id, o) => b.revoke(id, VIEWER.roleId, USER, o) },
  {
    name: "updateAccessBindings",
    verb: "update",
    run: (b, id, o) =>
      b.updateAccessBindings(
        id,
        [
          { action: "ADD", accessBinding: EDITOR },
          { action: "REMOVE", accessBinding: VIEWER },
        ],
        o,
      ),
  },
  { name: "setAccessBindings", verb: "set", run: (b, id, o) => b.setAccessBindings(id, [EDITOR], o) },
];

/** A fake, a fetch around it that plays wire faults (test/support/chaos.ts), and a client over that fetch. */
function world(client: Partial<IamClientOptions> = {}) {
  const fake = createFakeIam();
  const wire = chaosFetch(fake);
  const iam = createIamClient({
    token: TOKEN,
    baseUrl: fake.baseUrl,
    fetch: wire.fetch,
    retry: RETRY,
    polling: { initialDelayMs: 1, maxDelayMs: 2, maxWaitMs: AMPLE_MS },
    ...client,
  });
  return { fake, wire, iam };
}

/** What the write resolves with and leaves, without faults: the one outcome of success (found once for each kind and write). */
const successes = new Map<string, Promise<{ deltas: unknown; bindings: FakeIam["state"]["accessBindings"] }>>();
function success(kind: Kind, write: Write) {
  const key = `${kind.service} ${write.name}`;
  const found = successes.get(key);
  if (found) return found;
  const running = (async () => {
    const { fake, iam } = world();
    await iam[kind.service].grant(kind.id, VIEWER.roleId, USER);
    const deltas = await write.run(iam[kind.service], kind.id, {});
    return { deltas, bindings: fake.state.accessBindings };
  })();
  successes.set(key, running);
  return running;
}

/**
 * Runs `write` on `kind` with the scenario's faults, checks every invariant of an honest outcome, and returns how it ended.
 * With `wait: false` it resolves with the Operation, which is then waited for here.
 */
async function drive(kind: Kind, write: Write, scenario: Scenario, wait = true) {
  const expected = await success(kind, write);
  const { fake, wire, iam } = world(scenario.client);
  const bindings = iam[kind.service];
  await bindings.grant(kind.id, VIEWER.roleId, USER);
  const before = fake.state.accessBindings;
  const received = fake.requests.length;
  const known = fake.state.operations.length;
  if (scenario.progress) fake.progress(scenario.progress);
  const operation = kind[write.verb];
  const controller = new AbortController();
  const reason = new Error("the caller gave up");
  const planned: PlannedFault[] = scenario.faults.map(([on, fault]) => ({ on: on === "write" ? operation : "getOperation", fault }));
  wire.play(planned, () => controller.abort(reason));
  let resolved: unknown;
  let error: IamError | undefined;
  try {
    const options = { signal: controller.signal, timeoutMs: scenario.timeoutMs ?? AMPLE_MS, maxWaitMs: scenario.maxWaitMs, wait };
    resolved = await write.run(bindings, kind.id, options);
  } catch (e) {
    error = caught(e) as IamError;
  }
  const { log, unplayed } = await wire.finish();
  expect(unplayed, "every planned fault met its request").toEqual([]);

  // Every attempt of the write carries one Idempotency-Key (and one x-client-request-id), which the fake saw.
  const attempts = fake.requests.slice(received).filter((r) => r.operation === operation);
  for (const header of ["idempotency-key", "x-client-request-id"])
    expect(new Set(attempts.map((r) => r.headers[header])).size, header).toBeLessThanOrEqual(1);
  // No change applied twice: the call started at most one Operation, whatever its retries; a repeat was answered with it.
  const started = fake.state.operations.slice(known);
  expect(started.length).toBeLessThanOrEqual(1);
  const [accepted] = started;

  if (error) {
    expect(error).toBeInstanceOf(IamError);
    // An Operation that reached the client (its answer to the write) is named by the error.
    const delivered = log.find((x) => x.operation === operation && x.delivered)?.delivered as Operation | undefined;
    if (delivered) expect(error.operationId).toBe(delivered.id);
    if (error.operationId) expect(error.message).toContain(error.operationId);
    if (!error.outcomeUnknown) {
      // Nothing changed, and nothing of the call is left running that could change it later.
      expect(fake.state.accessBindings).toEqual(before);
      expect(started.every((o) => o.done && o.error)).toBe(true);
    }
  } else if (wait) {
    expect(resolved).toEqual(expected.deltas);
    expect(fake.state.accessBindings).toEqual(expected.bindings);
  } else {
    expect(resolved).toMatchObject({ id: accepted?.id });
    expect((await iam.operations.wait(resolved as Operation)).response).toMatchObject({ effectiveDeltas: expected.deltas });
  }
  // The server carries on with an accepted change, polled or not: once it is done, the change happened whole or not at all.
  if (accepted && !fake.state.operations.find((o) => o.id === accepted.id)?.done)
    await iam.operations.wait(accepted.id).catch(() => undefined);
  expect([before, expected.bindings]).toContainEqual(fake.state.accessBindings);
  if (error && !error.outcomeUnknown) expect(fake.state.accessBindings).toEqual(before);

  const ending: Ending = error
    ? { error: error.name, outcomeUnknown: error.outcomeUnknown, operationId: Boolean(error.operationId), attempts: error.attempts }
    : "resolved";
  return { ending, sent: log.filter((x) => x.operation === operation).length };
}

/** Whether each status the brief names leaves a change's outcome unknown, as README's Errors section says. */
const MAY_HAVE_ACTED: Record<number, boolean> = { 408: true, 429: false, 499: true, 500: true, 502: true, 503: false, 504: true };
const RETRIED = idempotentRetry.statuses;
const { maxAttempts } = RETRY;

describe("the faults driven cover what the document says of the binding writes", () => {
  it("every status they are retried on, and every status below 500 that may have acted, is driven", () => {
    const driven = Object.keys(MAY_HAVE_ACTED).map(Number);
    expect(driven).toEqual(expect.arrayContaining([...RETRIED, ...clientStatusesThatMayHaveActed]));
    // Note: what README's Errors section says of each, from the document's own lists.
    for (const status of driven)
      expect(MAY_HAVE_ACTED[status], `HTTP ${status}`).toBe(
        status >= 500 ? !serverStatusesThatDidNotAct.includes(status) : clientStatusesThatMayHaveActed.includes(status),
      );
  });

  it("every binding write (of folders and clouds, driven here, and of every other kind) has the retry class of service accounts', idempotent in the document", () => {
    const writes = Object.values(operations).filter((row) => /^(update|set)\w+AccessBindings$/.test(row.id));
    // Note: the kinds driven here are among the table's binding writes; every binding write, driven here or not, is idempotent.
    expect(writes.map((row) => row.id)).toEqual(expect.arrayContaining([YARDSTICK, ...KINDS].flatMap((kind) => [kind.update, kind.set])));
    for (const row of writes) {
      expect(row.retry, row.id).toBe(idempotentRetry);
      const [path, item] = Object.entries(bundledDocument.paths as Record<string, Record<string, any>>).find(
        ([, methods]) => methods.post?.operationId === row.id,
      ) as [string, Record<string, any>];
      expect(item.post["x-yc-retry"], path).toBe("idempotent");
    }
  });
});

// Note: concurrent: each drive has a world of its own, and most of a scenario is the client waiting on its timers.
describe.concurrent.each(SCENARIOS)("$name", (scenario) => {
  it.each(WRITES)("$name on a folder and a cloud ends as on a service account, and as expected", async (write) => {
    const yardstick = await drive(YARDSTICK, write, scenario);
    expect(yardstick).toEqual({ ending: scenario.ending, sent: scenario.sent });
    for (const kind of KINDS) expect(await drive(kind, write, scenario), kind.service).toEqual(yardstick);
  });
});

describe.concurrent("with wait: false, the Operation at once; operations.wait then waits for it", () => {
  // Note: the scenarios whose faults all meet the write itself end the same without the wait, but that they resolve with the Operation.
  const onTheWrite = SCENARIOS.filter((s) => !s.progress && s.faults.every(([on]) => on === "write"));
  // Note: one write of each operation (update, set): what differs between the writes of one operation is the body alone.
  const ofEachOperation = WRITES.filter((write, i) => WRITES.findIndex((other) => other.verb === write.verb) === i);
  it.each(onTheWrite)("$name: as with the wait, on every kind", async (scenario) => {
    for (const write of ofEachOperation) {
      const yardstick = await drive(YARDSTICK, write, scenario, false);
      expect(yardstick).toEqual({ ending: scenario.ending, sent: scenario.sent });
      for (const kind of KINDS) expect(await drive(kind, write, scenario, false), `${kind.service} ${write.name}`).toEqual(yardstick);
    }
  });

  it.each(KINDS)("$service: a wait whose polls fail names the operation, changes nothing; waited again, it finishes", async (kind) => {
    const { fake, iam } = world();
    const operation = (await iam[kind.service].grant(kind.id, EDITOR.roleId, USER, { wait: false })) as Operation;
    fake.failNext({ status: 503 }, { operation: "getOperation", count: maxAttempts });
    const error = caught(await iam.operations.wait(operation).catch((e) => e));
    expect(error).toMatchObject({ name: "IamWaitError", operationId: operation.id, outcomeUnknown: true, attempts: maxAttempts });
    expect(error.message).toContain(`operations.wait("${operation.id}")`);
    expect(fake.state.accessBindings).toEqual({});
    const reason = new Error("the caller gave up");
    const aborted = caught(await iam.operations.wait(operation.id, { signal: AbortSignal.abort(reason) }).catch((e) => e));
    expect(aborted).toMatchObject({ name: "IamWaitError", operationId: operation.id, outcomeUnknown: true, cause: reason });
    expect((await iam.operations.wait(operation.id)).response).toMatchObject({
      effectiveDeltas: [{ action: "ADD", accessBinding: EDITOR }],
    });
    expect(fake.state.accessBindings).toEqual({ [kind.id]: [EDITOR] });
  });
});

describe("Retry-After", () => {
  it.each([YARDSTICK, ...KINDS])(
    "$service: a 429's Retry-After is waited, at most maxDelayMs, then the same change is sent again",
    async (kind) => {
      const maxDelayMs = 50;
      const fake = createFakeIam();
      const sentAt: number[] = [];
      fake.failNext({ status: 429, retryAfter: "3600" }, { operation: kind.update });
      const iam = createIamClient({
        token: TOKEN,
        baseUrl: fake.baseUrl,
        fetch: (input, init) => {
          sentAt.push(performance.now());
          return fake.fetch(input, init);
        },
        retry: { ...RETRY, maxDelayMs },
        polling: { initialDelayMs: 1, maxDelayMs: 2 },
      });
      expect(await iam[kind.service].grant(kind.id, EDITOR.roleId, USER)).toEqual([{ action: "ADD", accessBinding: EDITOR }]);
      const writes = fake.requests.filter((r) => r.operation === kind.update);
      expect(writes).toHaveLength(2);
      expect(new Set(writes.map((r) => r.headers["idempotency-key"])).size).toBe(1);
      // Note: a timer may fire a millisecond early; the jitter of a client whose baseDelayMs is 0 would be no wait at all.
      expect((sentAt[1] as number) - (sentAt[0] as number)).toBeGreaterThanOrEqual(maxDelayMs - 2);
    },
  );
});

describe("resourceManagerBaseUrl, operationBaseUrl and baseUrl set apart", () => {
  it("every request goes to its own host: the binding writes and their retries to Resource Manager's, the polls to the Operation service's", async () => {
    const fake = createFakeIam();
    // Note: three ports of loopback that nothing listens on: the fake's fetch answers, by the path alone.
    const hosts = {
      baseUrl: "http://127.0.0.1:7001",
      resourceManagerBaseUrl: "http://127.0.0.1:7002",
      operationBaseUrl: "http://127.0.0.1:7003",
    };
    const iam = createIamClient({ token: TOKEN, fetch: fake.fetch, retry: RETRY, polling: { initialDelayMs: 1, maxDelayMs: 2 }, ...hosts });
    const retried = (operation: OperationId) => fake.failNext({ status: 503 }, { operation });
    for (const kind of [YARDSTICK, ...KINDS]) {
      retried(kind.update);
      retried("getOperation");
      await iam[kind.service].grant(kind.id, EDITOR.roleId, USER);
      retried(kind.set);
      const pending = (await iam[kind.service].setAccessBindings(kind.id, [VIEWER], { wait: false })) as Operation;
      retried("getOperation");
      await iam.operations.wait(pending);
    }
    const hostOf = (operation: OperationId | undefined) => {
      const { server } = operations[operation as OperationId] as { server?: string };
      return server === undefined
        ? hosts.baseUrl
        : server === operations.getOperation.server
          ? hosts.operationBaseUrl
          : server === operations.getFolder.server
            ? hosts.resourceManagerBaseUrl
            : server;
    };
    const sent = fake.requests.map((r) => `${r.operation} ${new URL(r.url).origin}`);
    expect(sent).toEqual(fake.requests.map((r) => `${r.operation} ${hostOf(r.operation)}`));
    // Note: each of the hosts was sent to, and every retry and poll too: a 503 before each write and each wait.
    expect(new Set(sent.map((s) => s.split(" ")[1]))).toEqual(new Set(Object.values(hosts)));
    for (const kind of KINDS) {
      expect(sent.filter((s) => s === `${kind.update} ${hosts.resourceManagerBaseUrl}`)).toHaveLength(2);
      expect(sent.filter((s) => s === `${kind.set} ${hosts.resourceManagerBaseUrl}`)).toHaveLength(2);
    }
  });
});

describe("concurrent changes", () => {
  it.each(KINDS)(
    "$service: a grant to a service account deleted while the grant is in flight fails and leaves no ghost binding",
    async (kind) => {
      const { fake, iam } = world();
      const doomed = await iam.serviceAccounts.create({ folderId: DEFAULT_FOLDER_ID, name: "doomed" });
      const subject = { id: doomed.id, type: "serviceAccount" } as const;
      const pending = [
        (await iam[kind.service].grant(kind.id, EDITOR.roleId, subject, { wait: false })) as Operation,
        (await iam[kind.service].setAccessBindings(kind.id, [{ roleId: VIEWER.roleId, subject }], { wait: false })) as Operation,
      ];
      await iam.serviceAccounts.delete(doomed.id);
      for (const operation of pending) {
        const error = caught(await iam.operations.wait(operation).catch((e) => e));
        expect(error).toMatchObject({ name: "IamOperationError", operationId: operation.id, codeName: "NOT_FOUND", outcomeUnknown: false });
      }
      expect(fake.state.accessBindings).toEqual({});
    },
  );

  // Note: the quota is one over every kind: two grants on one resource, or on a folder and a cloud, race for the same slot.
  const races = KINDS.flatMap((kind) =>
    [kind, KINDS.find((other) => other !== kind) as Kind].flatMap((second) =>
      [0, 1].map((polls) => ({ name: `${kind.service} and ${second.service}, done after ${polls} polls`, polls, on: [kind, second] })),
    ),
  );
  it.each(races)("$name: two grants at the quota's edge at once: exactly one wins, the other changed nothing", async ({ polls, on }) => {
    const fake = createFakeIam({ accessBindingQuota: 1, operations: { polls } });
    const iam = createIamClient({
      token: TOKEN,
      baseUrl: fake.baseUrl,
      fetch: fake.fetch,
      retry: RETRY,
      polling: { initialDelayMs: 1, maxDelayMs: 2 },
    });
    const wanted = on.map((kind, i) => ({ kind, binding: i ? VIEWER : EDITOR }));
    const settled = await Promise.allSettled(wanted.map(({ kind, binding }) => iam[kind.service].grant(kind.id, binding.roleId, USER)));
    const won = settled.findIndex((s) => s.status === "fulfilled");
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    const [lost] = settled.flatMap((s) => (s.status === "rejected" ? [caught(s.reason)] : []));
    expect(lost).toMatchObject({ codeName: "RESOURCE_EXHAUSTED", outcomeUnknown: false });
    // Note: an Operation the server accepted and then failed names itself; a refusal before accepting names none.
    expect(lost.name).toBe(polls ? "IamOperationError" : "IamApiError");
    const winner = wanted[won] as (typeof wanted)[number];
    expect(fake.state.accessBindings).toEqual({ [winner.kind.id]: [winner.binding] });
  });
});

describe("a credential echoed in an error", () => {
  const GATEWAY = secret("gw-key-of-the-binding-drive-0001");
  const PER_CALL = secret("call-key-of-the-binding-drive-0002");
  /** The server's words, echoing every credential the calls send: the token, the client's gateway header and a call's own. */
  const echo = `denied; you sent ${TOKEN}, ${GATEWAY} and ${PER_CALL}`;
  const faults: [string, (fake: FakeIam, kind: Kind) => void][] = [
    ["an error answer to the write (HTTP 403)", (fake, kind) => fake.failNext({ status: 403, message: echo }, { operation: kind.update })],
    [
      "a gateway's 502 on every attempt",
      (fake, kind) => fake.failNext({ status: 502, message: echo }, { operation: kind.update, count: maxAttempts }),
    ],
    [
      "an error page that is no Status, on every attempt",
      (fake, kind) => fake.failNext({ status: 500, body: `<html>${echo}</html>` }, { operation: kind.update, count: maxAttempts }),
    ],
    [
      "a poll's 503 on every attempt",
      (fake) => fake.failNext({ status: 503, message: echo }, { operation: "getOperation", count: maxAttempts }),
    ],
    ["an operation that fails", (fake) => fake.progress({ polls: 1, error: { code: 7, message: echo } })],
  ];
  const tokens: [string, IamClientOptions["token"]][] = [
    ["a token", TOKEN],
    ["a token function", async () => TOKEN],
  ];
  it.each(faults)("%s: on every kind, no rendering of the error shows any of them", async (_, fault) => {
    for (const [given, token] of tokens)
      for (const kind of [YARDSTICK, ...KINDS]) {
        const fake = createFakeIam();
        const iam = createIamClient({
          token,
          baseUrl: fake.baseUrl,
          fetch: fake.fetch,
          headers: { "X-Gateway-Key": GATEWAY },
          retry: RETRY,
          polling: { initialDelayMs: 1, maxDelayMs: 2 },
        });
        fault(fake, kind);
        const grant = iam[kind.service].grant(kind.id, EDITOR.roleId, USER, { headers: { "X-Call-Key": PER_CALL } });
        const error = caught(await grant.catch((e) => e));
        expect(error, `${given}, ${kind.service}`).toBeInstanceOf(IamError);
        expect(error.message, `${given}, ${kind.service}`).toContain("[REDACTED]");
        for (const text of renderings(error))
          for (const credential of [TOKEN, GATEWAY, PER_CALL]) expect(text, `${given}, ${kind.service}`).not.toContain(credential);
      }
  });
});

describe("redactedValues (a failed Operation's Status, string by string)", () => {
  it("scrubs a credential that looks like JSON, which a pass over the Status's JSON text would break", async () => {
    const { redactedValues } = await import("../../src/core/errors.ts");
    // Note: replaced inside JSON.stringify's text, this one would cut the text into JSON that does not parse.
    const credential = secret('","code":1,"x":"abcdefgh');
    const status = { code: 7, message: `denied: ${credential}`, details: [{ "@type": "t", echo: [credential] }] };
    expect(redactedValues(status, [credential])).toEqual({
      code: 7,
      message: "denied: [REDACTED]",
      details: [{ "@type": "t", echo: ["[REDACTED]"] }],
    });
  });
});
