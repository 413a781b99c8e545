// The types of a call, read from the document: what a row of the operations table sends and answers,
// through the `operations` interface openapi-typescript writes, so a changed document changes every call's type.
// Note: the call loop (call.ts) and the waits (poll.ts) both import what they share from here, never each other.
import type { OperationId, OperationSpec, Schema } from "../../generated/contract.js";
import type { components, operations } from "../../generated/schema.js";
import type { Problem } from "./validate.js";

/** A schema of the document, as a resource module names it: `export interface ApiKey extends Named<"ApiKey"> {}` keeps
 * the name in an editor's hover, where a type alias is expanded. */
export type Named<K extends keyof components["schemas"]> = components["schemas"][K];

/** A row of the operations table, its id a literal. */
export type Row = OperationSpec & { id: OperationId };

/** The body of a request or response part: JSON, or a form's fields (an OAuth endpoint's request). */
type Json<T> = T extends { content: { "application/json": infer B } }
  ? B
  : T extends { content: { "application/x-www-form-urlencoded": infer B } }
    ? B
    : never;
type OptionalKeys<T> = { [K in keyof T]-?: T extends Record<K, T[K]> ? never : K }[keyof T];
/** `T` whose optional fields may also be given as `undefined` (e.g. `pageToken: page.nextPageToken`). */
export type Loose<T> = [T] extends [never]
  ? never
  : T extends unknown // Note: distributes over a oneOf's branches
    ? Omit<T, OptionalKeys<T>> & { [K in OptionalKeys<T>]?: T[K] | undefined }
    : never;

/** A body's fields, where a string may also be a Date: the call sends a Date as its ISO string where the schema says date-time. */
type Dated<T> = [T] extends [never] ? never : { [K in keyof T]: string extends NonNullable<T[K]> ? T[K] | Date : T[K] };

/** What one call of `Id` sends, each part checked against its schema before anything is sent. */
export interface CallInput<Id extends OperationId = OperationId> {
  path?: Loose<NonNullable<operations[Id]["parameters"]["path"]>>;
  query?: Loose<NonNullable<operations[Id]["parameters"]["query"]>>;
  body?: Loose<Dated<Json<NonNullable<operations[Id]["requestBody"]>>>>;
  /** Problems the caller found already (e.g. an invalid Date), reported with the rest. */
  problems?: Problem[] | undefined;
}

/** The 200 body of `Id`. */
export type Answer<Id extends OperationId> = Json<operations[Id]["responses"][200]>;

/** `T`'s named fields but `@type` (a `google.protobuf.Any`'s index signature dropped too). */
type Unpacked<T> = { [K in keyof T as string extends K ? never : K extends "@type" ? never : K]: T[K] };

/** A done Operation's `response` without its `@type`; nothing for `google.protobuf.Empty` or another message without fields. */
type Done<A> = A extends { response?: infer R }
  ? NonNullable<R> extends { "@type": `${string}google.protobuf.Empty` }
    ? undefined
    : keyof Unpacked<NonNullable<R>> extends never
      ? undefined
      : Unpacked<NonNullable<R>>
  : A;

/** A page whose items field is always an array. */
type Listed<A, K extends string> = A & { [key in K & keyof A]-?: NonNullable<A[key]> };

/** What a call that answers the Operation `A` resolves with: `A` itself with `wait: false`, else its result once done. */
export type Waited<A, W extends boolean> = W extends false ? A : Done<A>;

/** What a change resolves with, as a resource names it: the Operation `A` itself with `wait: false`, else `T`. */
export type Changed<A, T, W extends boolean> = W extends false ? A : T;

/** A done call's one list field (an array, empty when the server leaves it out); the Operation `A` itself with `wait: false`. */
export type Unwrapped<A, T, W extends boolean> = W extends false ? A : T[];

/** What a call of `R` resolves with: the checked answer; for an Operation, its result once done (the Operation itself with `wait: false`). */
export type Result<R extends Row, W extends boolean = true> =
  | (R extends { result: Schema }
      ? Waited<Answer<R["id"]>, W>
      : R extends { items: infer K extends string }
        ? Listed<Answer<R["id"]>, K>
        : Answer<R["id"]>)
  // Note: a delete whose earlier attempt may have acted resolves with nothing when its retry finds the resource gone.
  | (R extends { deletes: true } ? undefined : never);

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Per attempt, in milliseconds; overrides the client's. */
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

/** Options of a call that answers an Operation: `wait: false` resolves with the Operation as soon as it is accepted. */
export interface ChangeOptions<W extends boolean = boolean> extends CallOptions {
  wait?: W | undefined;
  /** The total time to wait for the operation; overrides the client's `polling.maxWaitMs`. */
  maxWaitMs?: number | undefined;
}

/** A long-running operation, as update, delete and getOperation answer it. */
export type Operation = components["schemas"]["Operation"];

/** Options of one wait. */
export interface WaitOptions extends CallOptions {
  /** The total time to wait; overrides the client's `polling.maxWaitMs`. `timeoutMs` and `headers` apply to each poll. */
  maxWaitMs?: number | undefined;
}

/** A source of IAM tokens (as `yc-iam-api-keys/auth` makes them): asked before every attempt; `forceRefresh` after a 401. */
export type TokenSource = (options?: { forceRefresh?: boolean; signal?: AbortSignal }) => Promise<string>;

/** Asks for a bearer token; `forceRefresh` after a 401. */
export type GetToken = (options: { forceRefresh?: boolean; signal?: AbortSignal }) => unknown;

/**
 * Sends one operation (its row of the operations table) and resolves with its checked 200 body; for a call that answers
 * an Operation, waits until it is done unless `wait: false` and resolves with its checked result.
 */
export type Call = <R extends Row, W extends boolean = true>(
  row: R,
  input?: CallInput<R["id"]>,
  options?: ChangeOptions<W>,
) => Promise<Result<R, W>>;

/** Waits for an Operation that `startedBy` answered: how the client polls; `seen: false` for one known only by its id. */
export type Wait = (call: Call, startedBy: Row, operation: Operation, options: WaitOptions, seen?: boolean) => Promise<Operation>;
