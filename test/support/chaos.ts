// The chaos harness's machinery (test/unit/chaos.test.ts): a seeded PRNG, and a fetch around the fake that plays a
// planned fault on the request it is meant for and records what each request was answered, as the client got it.
import { type OperationId, type OperationSpec, operations } from "../../generated/contract.ts";
import type { FakeIam, Fault } from "../../src/testing/index.ts";

/** mulberry32: a small seeded PRNG, so a seed always gives the same workload. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The draws a workload makes, all from one seed. */
export interface Rng {
  /** A whole number from `lo` to `hi`, both included. */
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  chance(probability: number): boolean;
}

export function seeded(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    int,
    pick: <T>(list: readonly T[]) => {
      if (!list.length) throw new Error("pick from an empty list: a bug of the harness");
      return list[int(0, list.length - 1)] as T;
    },
    chance: (probability) => next() < probability,
  };
}

// Note: the most literal path first, as the fake's router does: `/serviceAccounts/{id}` also matches `…:listAccessBindings`.
const ROUTES = Object.values(operations as Record<string, OperationSpec>)
  .map((spec) => ({ spec, pattern: new RegExp(`^${spec.path.replace(/\{\w+\}/g, "[^/]+")}$`) }))
  .sort((a, b) => b.spec.path.replace(/\{\w+\}/g, "").length - a.spec.path.replace(/\{\w+\}/g, "").length);

/** The operationId a request is for, as the fake routes it. */
export function operationOf(request: Request): OperationId | undefined {
  const { pathname } = new URL(request.url);
  return ROUTES.find((r) => r.spec.method === request.method && r.pattern.test(pathname))?.spec.id as OperationId | undefined;
}

/**
 * A fault the harness plays itself, after the fake has acted (failNext's faults come before it acts, except `drop: "after"`):
 * `late`: the answer arrives after the client's per-attempt time ran out (a time-out after the server acted);
 * `truncated`: the 2xx answer is cut in half (an unreadable answer to a call that acted);
 * `extra`: the 2xx answer has one more top-level field, as a newer server may send;
 * `failed`: a 500, 502 or 504 replaces the 2xx answer (a gateway's error after the server acted, as the README's
 * "may have acted" statuses say can happen);
 * `abort after`: the caller aborts the call once the server acted, before its answer arrives.
 * These apply to a 2xx answer only: an error answer goes through as it is. And one before the fake sees the request:
 * `abort before`: the caller aborts the call before the request reaches the server.
 */
export type WireFault =
  | { wire: "late" | "truncated" | "extra" | "abort before" | "abort after" }
  | { wire: "failed"; status: 500 | 502 | 504 };
export type ChaosFault = Fault | WireFault;

/** A fault for the next request of `on` (the next one of the call after the faults before it in the plan were played). */
export interface PlannedFault {
  on: OperationId;
  fault: ChaosFault;
}

/** One request of a call, and what became of it. */
export interface Exchange {
  operation: OperationId | undefined;
  /** The fault played on it, if any (a wire fault meets only a 2xx answer: on an error answer it is not played). */
  fault?: ChaosFault | undefined;
  /** What the fake did: `HTTP 200`, or what it threw (a dropped connection, an abort). */
  fake: string;
  /** What the client got, when a wire fault changed it: `HTTP 502`, `HTTP 200 cut in half`, `no answer before the time-out`. */
  client?: string | undefined;
  /** The fake's 2xx answer, parsed, before any wire fault: the secrets it minted are read from it. */
  answered?: unknown;
  /** The 2xx answer the client got and can read (whole, or with an extra field); absent when it was lost, cut or late. */
  delivered?: unknown;
}

/** A fault as one short text, for messages. */
export const faultText = (fault: ChaosFault): string =>
  "wire" in fault ? `wire:${fault.wire}${"status" in fault ? ` ${fault.status}` : ""}` : JSON.stringify(fault);

/** The gRPC code a gateway's status stands for, as the fake's own failures give it. */
const CODES = { 500: 13, 502: 14, 504: 4 } as const;

/**
 * A fetch around `fake` that plays `plan` one fault at a time: when a request is for the operation the plan's next fault is
 * `on`, that fault is played on it (a failNext fault is handed to the fake just for that request, so none is left pending for
 * a later call), and every request is recorded with what the client got.
 */
export function chaosFetch(fake: FakeIam) {
  let plan: PlannedFault[] = [];
  /** Aborts the running call's signal, as its caller would. */
  let abortCall = () => {};
  let log: Exchange[] = [];
  /** Every request of the running call, until it is handled: the client may give up on one (its time ran out, its caller
   * aborted) while the fake still acts on it, as a server goes on with a request its client stopped waiting for. */
  let inFlight: Promise<unknown>[] = [];
  /**
   * The requests whose answer is held until their signal aborts: held here too, as undici's `request.signal` stops
   * following the signal the Request was made with once the Request is collected (nodejs/undici#3644), and the client
   * keeps no Request it sent, so a held answer whose Request went would wait for ever.
   */
  const held = new Set<Request>();
  /** Rejects with the request's abort reason once its signal aborts, as fetch does for an answer that has not arrived. */
  const untilAborted = (request: Request): Promise<never> =>
    new Promise<never>((_, reject) => {
      held.add(request);
      const { signal } = request;
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    }).finally(() => held.delete(request));

  const handle = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && !init ? input : new Request(input, init);
    const operation = operationOf(request);
    const next = plan[0];
    const fault = next && next.on === operation ? (plan.shift() as PlannedFault).fault : undefined;
    const exchange: Exchange = { operation, fault, fake: "" };
    log.push(exchange);
    // Note: unfiltered and for one request: the fake takes it on this very request, as calls run one at a time.
    if (fault && !("wire" in fault)) fake.failNext(fault);
    if (fault && "wire" in fault && fault.wire === "abort before") {
      exchange.fake = "never saw it";
      abortCall();
      return untilAborted(request);
    }
    let response: Response;
    try {
      response = await fake.fetch(request);
    } catch (e) {
      exchange.fake = `threw ${e}`;
      throw e;
    }
    exchange.fake = `HTTP ${response.status}`;
    const wire = fault && "wire" in fault ? fault : undefined;
    if (!response.ok) {
      if (wire) exchange.fault = undefined;
      return response;
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {}
    exchange.answered = body;
    const init2 = { status: response.status, statusText: response.statusText, headers: response.headers };
    if (wire?.wire === "late") {
      exchange.client = "no answer before the time-out";
      return untilAborted(request);
    }
    if (wire?.wire === "abort after") {
      exchange.client = "no answer: the caller aborted";
      abortCall();
      return untilAborted(request);
    }
    if (wire?.wire === "failed") {
      exchange.client = `HTTP ${wire.status}`;
      const status = { code: CODES[wire.status], message: `chaos: HTTP ${wire.status} from the gateway after the server acted` };
      return new Response(JSON.stringify(status), {
        status: wire.status,
        headers: { "content-type": "application/json", "x-request-id": crypto.randomUUID() },
      });
    }
    if (wire?.wire === "truncated") {
      exchange.client = `HTTP ${response.status} cut in half`;
      return new Response(text.slice(0, Math.floor(text.length / 2)), init2);
    }
    if (wire?.wire === "extra" && body && typeof body === "object") {
      const extended = { ...body, chaosAddedField: "a field a newer server sends" };
      exchange.client = `HTTP ${response.status} with an extra field`;
      exchange.delivered = extended;
      return new Response(JSON.stringify(extended), init2);
    }
    exchange.delivered = body;
    return new Response(text, init2);
  };
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const handled = handle(input, init);
    inFlight.push(handled.catch(() => {}));
    return handled;
  }) as typeof globalThis.fetch;

  return {
    fetch,
    /** Starts a call: its faults, in the order they are to be played, and how its caller aborts it. */
    play(faults: PlannedFault[], abort: () => void) {
      plan = [...faults];
      abortCall = abort;
      log = [];
    },
    /**
     * Ends a call once the fake is done with each of its requests (what it did after the client gave up is the call's too):
     * the requests it sent, and the planned faults no request met (dropped: they never reach a later call).
     */
    async finish(): Promise<{ log: Exchange[]; unplayed: PlannedFault[] }> {
      await Promise.all(inFlight);
      inFlight = [];
      const result = { log, unplayed: plan };
      plan = [];
      log = [];
      abortCall = () => {};
      return result;
    },
  };
}
