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

/** Every parameter of an operation, its path item's first, `$ref`s followed. */
export const parametersOf = (o: DocumentOperation): any[] => [...(o.item.parameters ?? []), ...(o.op.parameters ?? [])].map(deref);

/** The named examples of the 200 answer. */
export const successExamples = (o: DocumentOperation): Record<string, { value: any }> =>
  deref(o.op.responses["200"]).content["application/json"].examples ?? {};

/** The named examples of the request body; none without one. */
export const bodyExamples = (o: DocumentOperation): Record<string, { value: any }> =>
  o.op.requestBody ? (deref(o.op.requestBody).content["application/json"].examples ?? {}) : {};

/** The statuses of the documented errors (4xx and 5xx), in the document's order. */
export const errorStatuses = (o: DocumentOperation): string[] => Object.keys(o.op.responses).filter((status) => Number(status) >= 400);

/** Whether a call names something that can be missing (a path parameter, or a query parameter or body field `…Id`), so 404 is possible. */
export function hasIdToMiss(o: DocumentOperation): boolean {
  const body = o.op.requestBody && deref(deref(o.op.requestBody).content["application/json"].schema);
  const fields = [body, ...(body?.oneOf ?? []).map(deref)].flatMap((schema) => Object.keys(schema?.properties ?? {}));
  return parametersOf(o).some((p) => p.in === "path" || (p.in === "query" && /Id$/.test(p.name))) || fields.some((f) => /Id$/.test(f));
}

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
 * checked for violations; `observe` sees each request and response.
 */
export function tableCall(
  baseUrl: string,
  { wait, observe }: { wait?: Wait; observe?: (request: Request, response: Response) => unknown } = {},
) {
  return createCall({
    fetch: checkedFetch(observe),
    timeoutMs: 10_000,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    baseUrl: () => baseUrl,
    secrets: new Set(),
    token: () => TOKEN,
    wait,
  });
}
