// Every operation, as the tests that go over all of them find it: its row of generated/contract.ts, its part of the bundled
// document, and arguments from the document's own examples; so a new operation is covered without editing those tests.
import { type OperationId, operations } from "../../generated/contract.ts";
import { createCall, type Wait } from "../../src/core/call.ts";
import type { CallInput, Row } from "../../src/core/types.ts";
import { bundledDocument, deref } from "./ajv.ts";
import { checkedFetch } from "./contract-client.ts";
import { TOKEN } from "./secrets.ts";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** One operation of the document: where it sits and what it says. */
export interface DocumentOperation {
  path: string;
  method: (typeof METHODS)[number];
  /** The operation object of the bundled document. */
  op: any;
  /** Its path item (servers, shared parameters). */
  item: any;
}

/** One row of the generated table beside its operation in the document. */
export interface TableOperation extends DocumentOperation {
  id: OperationId;
  row: Row;
}

/** Every operation of the bundled document, in its order. */
export const documentOperations: DocumentOperation[] = Object.entries(bundledDocument.paths as Record<string, any>).flatMap(
  ([path, item]) => METHODS.filter((method) => item[method]).map((method) => ({ path, method, op: item[method], item })),
);

/** Every row of the generated table, in its order, with its operation in the document; a row without one stops the file. */
export const tableOperations: TableOperation[] = Object.values(operations as Record<string, Row>).map((row) => {
  const found = documentOperations.find((o) => o.op.operationId === row.id);
  if (!found) throw new Error(`${row.id} is a row of generated/contract.ts but no operation of generated/openapi.json`);
  return { id: row.id, row, ...found };
});

/** Every parameter of an operation, its path item's first, `$ref`s followed (a parameter's and its schema's). */
export const parametersOf = (o: DocumentOperation): any[] =>
  [...(o.item.parameters ?? []), ...(o.op.parameters ?? [])].map(deref).map((p) => ({ ...p, schema: deref(p.schema) }));

/** The one media type of a request body (JSON, or a form where the call is an OAuth endpoint); undefined without a body. */
export const requestMedia = (o: DocumentOperation): { schema: any; examples?: Record<string, { value: any }> } | undefined =>
  o.op.requestBody && Object.values<any>(deref(o.op.requestBody).content)[0];

/** The named examples of the 200 answer. */
export const successExamples = (o: DocumentOperation): Record<string, { value: any }> =>
  deref(o.op.responses["200"]).content["application/json"].examples ?? {};

/** The named examples of the request body; none without one. */
export const bodyExamples = (o: DocumentOperation): Record<string, { value: any }> => requestMedia(o)?.examples ?? {};

/** The statuses of the documented errors (4xx and 5xx), in the document's order. */
export const errorStatuses = (o: DocumentOperation): string[] => Object.keys(o.op.responses).filter((status) => Number(status) >= 400);

/** The fields of a call's request body (of each of its `oneOf` alternatives too); none without a body. */
function bodyFields(o: DocumentOperation): string[] {
  const body = o.op.requestBody && deref(requestMedia(o)?.schema);
  return [body, ...(body?.oneOf ?? []).map(deref)].flatMap((schema) => Object.keys(schema?.properties ?? {}));
}

/** Whether a call names something that can be missing (a path parameter, or a query parameter or body field `…Id`), so 404 is possible. */
export function hasIdToMiss(o: DocumentOperation): boolean {
  return (
    parametersOf(o).some((p) => p.in === "path" || (p.in === "query" && /Id$/.test(p.name))) || bodyFields(o).some((f) => /Id$/.test(f))
  );
}

/** Whether a call gives its resource a name, which is unique in the cloud (a body field `name`), so 409 ALREADY_EXISTS is possible. */
export const hasNameToClash = (o: DocumentOperation): boolean => bodyFields(o).includes("name");

/** The error statuses that depend on the call: 404 where it has an id to miss, 409 where it has a name to clash. */
const CALL_STATUSES: Record<string, (o: DocumentOperation) => boolean> = { 404: hasIdToMiss, 409: hasNameToClash };

/** The error statuses every call documents: those all the table's rows document, less the ones that depend on the call. */
export const sharedErrorStatuses = (): string[] =>
  tableOperations
    .map((o) => errorStatuses(o).filter((status) => !(status in CALL_STATUSES)))
    .reduce((shared, statuses) => shared.filter((status) => statuses.includes(status)));

/** The error statuses a call documents by rule, in order: the shared ones, and each that depends on the call where it applies. */
export const expectedErrorStatuses = (o: DocumentOperation, shared = sharedErrorStatuses()): string[] =>
  [...shared, ...Object.keys(CALL_STATUSES).filter((status) => CALL_STATUSES[status]?.(o))].sort();

/**
 * Arguments for one call of `o`, all from the document: each path and query parameter's `example` (a path parameter without
 * one is an error), and the request body example named `bodyExample`, else the first.
 */
export function exampleInput(o: DocumentOperation, bodyExample?: string): CallInput {
  const path: Record<string, unknown> = {};
  const query: Record<string, unknown> = {};
  for (const p of parametersOf(o)) {
    if (p.in !== "path" && p.in !== "query") continue;
    if (p.example === undefined && p.required) throw new Error(`${o.op.operationId}: the parameter ${p.name} has no example`);
    if (p.example !== undefined) (p.in === "path" ? path : query)[p.name] = p.example;
  }
  const examples = bodyExamples(o);
  const named = bodyExample ?? Object.keys(examples)[0];
  if (o.op.requestBody && !(named && examples[named])) throw new Error(`${o.op.operationId}: no request body example ${named ?? ""}`);
  return { path, query, ...(named && { body: examples[named]?.value }) } as CallInput;
}

/**
 * The call loop alone against a mock at `baseUrl`, no retries, a bearer token on every row that needs one, each response
 * checked for violations; `observe` sees each request and response; `send` sends them (the global fetch by default).
 */
export function tableCall(
  baseUrl: string,
  { wait, observe, send }: { wait?: Wait; observe?: (request: Request, response: Response) => unknown; send?: typeof fetch } = {},
) {
  return createCall({
    fetch: checkedFetch(observe, send),
    timeoutMs: 10_000,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    baseUrl: () => baseUrl,
    secrets: new Set(),
    token: () => TOKEN,
    wait,
  });
}
