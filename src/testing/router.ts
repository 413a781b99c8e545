// The fake's generic router: every operation of the generated table, with what all services share. It records the
// request, plays the next fault, checks the bearer token, checks the arguments with the client's own generated checks
// (400 INVALID_ARGUMENT naming the field), and hands the call to the handler of its operationId.
//
// How a service plugs in (as moto's models/responses per service): a module in services/ exports a factory
// `(context: FakeContext) => FakeService` (types.ts) as its default export, whose `handlers` are keyed by the
// operationIds of its calls in generated/contract.ts, with `state()` (merged into `fake.state`) and `reset()`;
// services/index.ts registers it with one entry in its list. An operation with no handler answers UNIMPLEMENTED.
// Services meet only through the context (`operations`, `signingKeys`, the live `serviceAccounts`, and the fan-outs
// `deleteOwnedBy`, `refusal`, `roleExists`, `subjectBindings`, `federationsOf`, `federatedAccounts` and `issueIamToken`
// of the optional hooks of the same names), never by importing each other. An OAuth endpoint's row (`form`) is read as
// a form and refused as OAuth refuses.
import { type OperationId, type OperationSpec, operations, type Schema } from "../../generated/contract.js";
import { FORM_TYPE } from "../core/body.js";
import { summarize } from "../core/errors.js";
import { problems } from "../core/validate.js";
import { answer, failure, oauthFailure } from "./answers.js";
import { delay, dropped, type Fault, faultAnswer, faultProblem } from "./faults.js";
import type { FakeService, Handler } from "./types.js";

export type { Fault } from "./faults.js";

/** A request the fake received, its headers by the client's allow-list (`Authorization` cut down to its scheme, every header that may be a credential `[REDACTED]`) and the token exchanges' credentials (`jwt`, `yandexPassportOauthToken`, `subject_token`) `[REDACTED]`; answers are not recorded. */
export interface FakeRequest {
  operation: OperationId | undefined;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** The body fields that carry a credential: the token exchanges' JWT, OAuth token and platform token. */
const CREDENTIAL_FIELDS = ["jwt", "yandexPassportOauthToken", "subject_token"];

/** A body as the log keeps it: credential fields `[REDACTED]`; a token exchange's body (a call that needs no token) that is not an object, whole. */
function redactedBody(spec: OperationSpec | undefined, body: unknown): unknown {
  if (body && typeof body === "object" && !Array.isArray(body))
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, CREDENTIAL_FIELDS.includes(k) ? "[REDACTED]" : v]));
  // Note: a token exchange's body that is not JSON may still hold the token.
  return spec?.auth === false && body !== undefined ? "[REDACTED]" : body;
}

/**
 * A form's fields (an OAuth endpoint's body) as an object; a field given more than once holds every value, a list,
 * which its string check refuses, as RFC 6749 §3.2 refuses a repeated field.
 */
function formFields(text: string): Record<string, string | string[]> {
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) fields.set(name, [...(fields.get(name) ?? []), value]);
  return Object.fromEntries([...fields].map(([name, values]) => [name, values.length > 1 ? values : (values[0] as string)]));
}

/** A content type that says the body is a form (parameters after it, such as a charset, allowed). */
const isForm = (type: string | null) => type?.split(";")[0]?.trimEnd().toLowerCase() === FORM_TYPE;

/** A form's fields that `schema` names: an OAuth endpoint ignores a parameter it does not know (RFC 6749 §3.2), as Yandex's does. */
function knownFields(fields: Record<string, string | string[]>, schema: Schema | undefined): Record<string, string | string[]> {
  const names = schema?.properties;
  return names ? Object.fromEntries(Object.entries(fields).filter(([name]) => Object.hasOwn(names, name))) : fields;
}

/** Each operation's path as a pattern, with its parameter names. */
const ROUTES = Object.entries(operations)
  .map(([id, spec]) => {
    const names: string[] = [];
    const source = spec.path.replace(/\{(\w+)\}/g, (_, name) => {
      names.push(name);
      return "([^/]+)";
    });
    return { id: id as OperationId, spec: spec as OperationSpec, names, pattern: new RegExp(`^${source}$`) };
    // Note: the most literal path first: `/serviceAccounts/{id}` also matches `/serviceAccounts/x:listAccessBindings`.
  })
  .sort((a, b) => b.spec.path.replace(/\{\w+\}/g, "").length - a.spec.path.replace(/\{\w+\}/g, "").length);

/** A router over `services`: `subjectOf` says whose a bearer token is (undefined refuses it). */
export function createRouter(
  services: readonly FakeService[],
  {
    owner,
    subjectOf,
    refusal = () => undefined,
    complete = () => {},
  }: {
    owner: string;
    subjectOf: (token: string) => string | undefined;
    refusal?: (serviceAccountId: string) => string | undefined;
    /** Finishes an Operation whose answer was lost: the server carries on without the client. */
    complete?: (operationId: string) => void;
  },
) {
  const handlers: Partial<Record<OperationId, Handler>> = Object.assign({}, ...services.map((s) => s.handlers));
  let faults: { fault: Fault; count: number; operation?: OperationId | undefined }[] = [];
  let received: FakeRequest[] = [];
  /** The first successful answer to each Idempotency-Key, by operation, from when the first call is handled: a repeated key answers it again, as Yandex does. */
  let answered = new Map<string, Promise<{ status: number; body: unknown } | undefined>>();

  /** The answer of `run`, unless a call with the same operation and Idempotency-Key (`slot`) succeeded or is in flight: then that one's. */
  async function once(slot: string, run: () => Response | Promise<Response>): Promise<Response> {
    // Note: a repeat sent while the first is in flight waits for it; if the first fails, the repeat is handled as a first.
    for (let first = answered.get(slot); first; first = answered.get(slot)) {
      const done = await first;
      if (done) return answer(done.status, done.body);
    }
    const kept = answered;
    let settle: (done: { status: number; body: unknown } | undefined) => void = () => {};
    kept.set(slot, new Promise((resolve) => (settle = resolve)));
    let done: { status: number; body: unknown } | undefined;
    try {
      const response = await run();
      if (response.ok) done = { status: response.status, body: await response.clone().json() };
      return response;
    } finally {
      // Note: gone before the waiters wake, so the first of them is handled as a first.
      if (!done) kept.delete(slot);
      settle(done);
    }
  }

  /** Records the request and takes the next fault that applies to it. */
  function record(request: Request, route: (typeof ROUTES)[number] | undefined, body: unknown): Fault | undefined {
    const operation = route?.id;
    // Note: the headers as the client's errors show them: by the same allow-list.
    const { method, url, headers } = summarize(request);
    received.push({ operation, method, url, headers, body: redactedBody(route?.spec, body) });
    const index = faults.findIndex((f) => !f.operation || f.operation === operation);
    const fault = faults[index]?.fault;
    if (fault && --(faults[index] as { count: number }).count <= 0) faults.splice(index, 1);
    return fault;
  }

  /** Answers one request as the IAM API would. */
  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = request.body ? await request.text() : "";
    const route = ROUTES.find((r) => r.spec.method === request.method && r.pattern.test(url.pathname));
    let body: unknown;
    try {
      // Note: an OAuth endpoint's body is read as a form when it says it is one (else refused below), every other one as JSON.
      const form = route?.spec.form && isForm(request.headers.get("content-type"));
      body = form ? knownFields(formFields(text), route.spec.body) : text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const fault = record(request, route, body);
    if (fault && "delayMs" in fault) await delay(fault.delayMs, request.signal);
    if (request.signal.aborted) throw request.signal.reason;
    const injected = fault && faultAnswer(fault);
    if (injected) return injected;
    const response = await respond(request, url, route, body);
    // Note: the server acted (a create made its key), then the answer was lost: the case a create's outcomeUnknown is for.
    // A change answered with an Operation goes on without the client, as Yandex's do: it finishes, polled or not.
    if (fault && "drop" in fault) {
      const answered = response.ok ? await response.json().catch(() => undefined) : undefined;
      if (typeof answered?.id === "string" && !answered.done) complete(answered.id);
      throw dropped();
    }
    return response;
  }

  /** The answer of the operation `route` (undefined: no such path), as the IAM API would give it. */
  async function respond(request: Request, url: URL, route: (typeof ROUTES)[number] | undefined, body: unknown): Promise<Response> {
    if (!route) return failure(5, `Not found: ${request.method} ${url.pathname}`);
    let subject = owner;
    if (route.spec.auth !== false) {
      const token = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
      const who = token ? subjectOf(token) : undefined;
      if (!who) return failure(16, "Token is invalid or has expired.");
      const refused = refusal(who);
      if (refused) return failure(16, `Token is not accepted: ${refused}`);
      subject = who;
    }
    const match = route.pattern.exec(url.pathname) as RegExpExecArray;
    let path: Record<string, string>;
    try {
      path = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
    } catch {
      return failure(3, "Request validation error: the path is not validly percent-encoded");
    }
    const query: Record<string, unknown> = {};
    url.searchParams.forEach((value, name) => {
      // Note: query values are strings on the wire; the contract's integers are read as integers first.
      query[name] = route.spec.query?.properties?.[name]?.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    });
    const found = [
      ...(route.spec.form && !isForm(request.headers.get("content-type"))
        ? [{ path: "(body)", message: `must be sent as ${FORM_TYPE}` }]
        : []),
      ...(route.spec.pathParams ? problems(route.spec.pathParams, path) : []),
      ...(route.spec.query ? problems(route.spec.query, query) : []),
      ...(route.spec.body ? problems(route.spec.body, body ?? {}) : []),
    ];
    if (found.length) {
      const words = `Request validation error: ${found.map((p) => `${p.path}: ${p.message}`).join("; ")}`;
      if (!route.spec.form) return failure(3, words);
      // Note: an OAuth endpoint refuses as OAuth does (RFC 6749 §5.2): a grant it does not take as such, anything else as invalid.
      const given = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
      const grant = given.grant_type !== undefined && found.some((p) => p.path === "grant_type");
      return oauthFailure(400, grant ? "unsupported_grant_type" : "invalid_request", words);
    }
    const handler = handlers[route.id];
    if (!handler) return failure(12, `${route.id} is not implemented by the fake`);
    const run = () => handler({ path, query, body: body ?? {}, subject, request });
    const idempotencyKey = route.spec.retry.idempotencyKey === "honoured" && request.headers.get("idempotency-key");
    return idempotencyKey ? once(`${route.id} ${idempotencyKey}`, run) : run();
  }

  return {
    handle,
    /** The next `count` calls (of `operation` only, if given) fail as `fault` says. */
    failNext(fault: Fault, { count = 1, operation }: { count?: number; operation?: OperationId } = {}) {
      // Note: refused here, to the test's author, rather than thrown inside a call, where the client would see a network error.
      const problem = faultProblem(fault);
      if (problem) throw new Error(`failNext refuses this fault: ${problem}`);
      faults.push({ fault, count, operation });
    },
    /** Every request received so far, oldest first. */
    get requests(): readonly FakeRequest[] {
      return [...received];
    },
    /** No faults pending and no requests recorded. */
    reset() {
      faults = [];
      received = [];
      answered = new Map();
    },
  };
}
