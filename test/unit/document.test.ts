// The contract document: every operation with the documented limits, valid examples, a faithful bundle, a drift check that is live,
// and a generator that compiles every per-operation fact (and stops on any it does not understand).
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type OperationSpec, operations, retryClasses } from "../../generated/contract.ts";
import { generate, root, stale } from "../../scripts/generate.ts";
import { TOOLCHAIN_NODE } from "../../scripts/toolchain-node.ts";
import { problems } from "../../src/core/validate.ts";
import { STATUS_BY_CODE } from "../../src/testing/answers.ts";
import { deref, errorsText, schemaAt, bundledDocument as spec } from "../support/ajv.ts";
import {
  errorStatuses,
  expectedErrorStatuses,
  hasIdToMiss,
  parametersOf,
  sharedErrorStatuses,
  tableOperations,
} from "../support/operations.ts";

const schemas = spec.components.schemas;
/** Every operation of the bundled document, by operationId. */
const ops: Record<string, any> = Object.fromEntries(
  Object.entries(spec.paths as Record<string, any>).flatMap(([path, item]) =>
    ["get", "post", "patch", "delete"].filter((m) => item[m]).map((m) => [item[m].operationId, { ...item[m], path, method: m, item }]),
  ),
);
const param = (op: string, name: string) => ops[op].parameters.map(deref).find((p: { name: string }) => p.name === name);

/** The folders this file makes for copies of openapi/, removed after it. */
const copies: string[] = [];
afterAll(() => Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A new folder under the temp dir for a copy of openapi/. */
async function copyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "iam-spec-"));
  copies.push(dir);
  return dir;
}

/** A copy of openapi/ with `file` edited, for generating from; returns the copy's root document. */
async function variant(file: string, from: string, to: string): Promise<string> {
  const dir = await copyDir();
  await cp(join(root, "openapi"), dir, { recursive: true });
  const text = await readFile(join(dir, file), "utf8");
  expect(text, `${file} holds the text to change`).toContain(from);
  await writeFile(join(dir, file), text.replace(from, to));
  return join(dir, "openapi.yaml");
}

describe("the document", () => {
  it("is OpenAPI 3.1 with every operation of the generated table (ApiKey and Key calls, getOperation, the token exchanges), tagged and described", () => {
    expect(spec.openapi).toBe("3.1.0");
    // Note: the table is generated from the document, so the two must list the same operations, each at its path and method.
    expect(Object.keys(ops).sort()).toEqual(Object.keys(operations).sort());
    for (const { id, row } of tableOperations) expect(ops[id], id).toMatchObject({ path: row.path, method: row.method.toLowerCase() });
    // Note: negative controls: none of the first ten operations went, and the table is not empty.
    expect(tableOperations.length).toBeGreaterThan(10);
    expect(Object.keys(ops)).toEqual(
      expect.arrayContaining([
        "createApiKey",
        "deleteApiKey",
        "getApiKey",
        "getOperation",
        "listApiKeyOperations",
        "listApiKeyScopes",
        "listApiKeys",
        "updateApiKey",
        "createIamToken",
        "createIamTokenForServiceAccount",
      ]),
    );
    expect(ops.getApiKey).toMatchObject({ path: "/iam/v1/apiKeys/{apiKeyId}", method: "get" });
    expect(ops.updateApiKey).toMatchObject({ path: "/iam/v1/apiKeys/{apiKeyId}", method: "patch" });
    expect(ops.deleteApiKey).toMatchObject({ path: "/iam/v1/apiKeys/{apiKeyId}", method: "delete" });
    expect(ops.listApiKeyOperations.path).toBe("/iam/v1/apiKeys/{apiKeyId}/operations");
    expect(ops.listApiKeyScopes.path).toBe("/iam/v1/apiKeyScopes");
    expect(ops.getOperation.path).toBe("/operations/{operationId}");
    expect(ops.getOperation.item.servers[0].url).toBe("https://operation.api.cloud.yandex.net");
    const tags: Record<string, string> = {
      getOperation: "Operation",
      createIamToken: "IamToken",
      createIamTokenForServiceAccount: "IamToken",
    };
    const declared = spec.tags.map((tag: { name: string; description: string }) => {
      expect(tag.description.length, tag.name).toBeGreaterThan(50);
      return tag.name;
    });
    for (const op of Object.values(ops)) {
      expect(op.tags, op.operationId).toHaveLength(1);
      expect(declared).toContain(op.tags[0]);
      if (op.operationId in tags || op.operationId.includes("ApiKey")) expect(op.tags).toEqual([tags[op.operationId] ?? "ApiKey"]);
      expect(op.summary.length).toBeGreaterThan(5);
      expect(op.description.length).toBeGreaterThan(50);
    }
    expect(spec.servers[0].url).toBe("https://iam.api.cloud.yandex.net");
    expect(spec.security).toEqual([{ IamToken: [] }]);
    expect(spec.components.securitySchemes.IamToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("describes the whole package (accounts, roles, the three credentials) and carries the package's version", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(spec.info.version).toBe(pkg.version);
    // Note: each text names every part, not API keys alone, as the document's first title did.
    const parts = [/service\s+accounts/i, /API\s+keys/i, /authorized\s+keys/i, /static\s+access\s+keys/i, /roles|access\s+bindings/i];
    for (const [what, text] of Object.entries({
      "info.summary": spec.info.summary,
      "info.description": spec.info.description,
      "package.json description": pkg.description,
    }))
      for (const part of parts) expect(text, `${what} names ${part}`).toMatch(part);
    expect(spec.info.title).toMatch(/service-account credentials/);
  });

  it("has every limit of the create and update requests", () => {
    const create = schemas.CreateApiKeyRequest.properties;
    expect(create.serviceAccountId.maxLength).toBe(50);
    expect(create.description.maxLength).toBe(256);
    expect(create.scope).toMatchObject({ maxLength: 256, deprecated: true });
    expect(create.scopes).toMatchObject({ maxItems: 100, uniqueItems: true, items: { maxLength: 256 } });
    const update = schemas.UpdateApiKeyRequest;
    expect(Object.keys(update.properties)).toEqual(["updateMask", "description", "scopes", "expiresAt"]);
    expect(update.additionalProperties).toBe(false);
    expect(update.properties.updateMask.type).toBe("string");
    expect(update.properties.scopes).toMatchObject({ minItems: 1, maxItems: 100, uniqueItems: true, items: { maxLength: 256 } });
    for (const body of [create, update.properties]) expect(body.expiresAt.$ref).toBe("#/components/schemas/ExpiresAt");
    const range = new RegExp(schemas.ExpiresAt.pattern, "u");
    expect(schemas.ExpiresAt.format).toBe("date-time");
    expect(["1970-01-01T00:00:00Z", "2105-12-31T23:59:59.999999999Z"].every((t) => range.test(t))).toBe(true);
    expect(["1969-12-31T23:59:59Z", "2106-01-01T00:00:00Z"].some((t) => range.test(t))).toBe(false);
  });

  it("has every limit of the ids and the list requests", () => {
    // Note: every list of the table (a row with `items`); the three of the ApiKey service among them.
    const lists = tableOperations.filter((o) => o.row.items).map((o) => o.id);
    expect(lists).toEqual(expect.arrayContaining(["listApiKeys", "listApiKeyOperations", "listApiKeyScopes"]));
    for (const op of lists) {
      expect(param(op, "pageSize").schema).toMatchObject({ type: "integer", minimum: 0, maximum: 1000, default: 100 });
      expect(param(op, "pageToken").schema.maxLength, op).toBeGreaterThan(0);
    }
    expect(param("listApiKeys", "serviceAccountId").schema.maxLength).toBe(50);
    // Note: by rule, not by a list of calls: every path parameter is an id of at least one character with a limit, as is
    // every query `…Id` and page token, and a limit a parameter's description states ("at most N characters") is its
    // maxLength: the access-binding calls say why theirs are 64 and 100 (access.proto), not the IAM services' 50 and 2000.
    const limited = tableOperations.flatMap((o) =>
      parametersOf(o)
        .filter((p) => p.in === "path" || (p.in === "query" && (/Id$/.test(p.name) || p.name === "pageToken")))
        .map((p) => [o.id, p] as const),
    );
    for (const [op, p] of limited) {
      expect(p.schema.maxLength, `${op} ${p.name}`).toBeGreaterThan(0);
      if (p.in === "path") expect(p, `${op} ${p.name}`).toMatchObject({ required: true, schema: { minLength: 1, pattern: "[^.]" } });
      const stated = /at most (\d+)\s+characters/i.exec(p.description ?? "")?.[1];
      if (stated) expect(p.schema.maxLength, `${op} ${p.name}: "${p.description}"`).toBe(Number(stated));
    }
    // Note: negative controls: the rule reads each limit the document states, and covers the ApiKey calls and getOperation.
    const stated = limited.filter(([, p]) => /at most \d+\s+characters/i.test(p.description ?? "")).map(([, p]) => p.schema.maxLength);
    expect([...new Set(stated)]).toEqual(expect.arrayContaining([50, 64, 100, 2000]));
    expect(limited.map(([op]) => op)).toEqual(
      expect.arrayContaining(["getApiKey", "updateApiKey", "deleteApiKey", "listApiKeyOperations", "getOperation"]),
    );
    for (const op of ["getApiKey", "updateApiKey", "deleteApiKey", "listApiKeyOperations"])
      expect(param(op, "apiKeyId")).toMatchObject({ in: "path", required: true, schema: { minLength: 1, maxLength: 50 } });
    expect(param("getOperation", "operationId")).toMatchObject({ in: "path", required: true, schema: { minLength: 1 } });
    const id = new RegExp(param("getApiKey", "apiKeyId").schema.pattern, "u");
    expect(["aje3ho9atbhf4aq6c2ok", "a.b", "..."].filter((v) => !id.test(v))).toEqual(["..."]);
    expect(["..", "."].some((v) => id.test(v))).toBe(false);
  });

  it("models the ApiKey resource with timestamps, maskedSecret and a deprecated scope", () => {
    const key = schemas.ApiKey.properties;
    for (const t of ["createdAt", "lastUsedAt", "expiresAt"]) expect(key[t].$ref).toBe("#/components/schemas/Timestamp");
    expect(schemas.Timestamp.format).toBe("date-time");
    expect(key.scope.deprecated).toBe(true);
    // Note: an answer is read as it comes: the mask's form (the proto's comment leaves out the `-` that secrets hold) and the
    // lengths of a description or a scope are a request's limits, not an answer's.
    expect(key.maskedSecret).toEqual({ type: "string", description: expect.stringContaining("****") });
    for (const field of ["description", "scope"]) expect(key[field].maxLength, field).toBeUndefined();
    expect(key.scopes.items.maxLength).toBeUndefined();
  });

  it("models the token exchange: exactly one of jwt and an OAuth token, with their limits", () => {
    const request = schemaAt("#/components/schemas/CreateIamTokenRequest");
    expect([{ jwt: "a.b.c" }, { yandexPassportOauthToken: "y0_x" }].map((v) => request(v))).toEqual([true, true]);
    expect(
      [{}, { jwt: "a", yandexPassportOauthToken: "b" }, { jwt: "x".repeat(8001) }, { yandexPassportOauthToken: "x".repeat(4001) }].map(
        (v) => request(v),
      ),
    ).toEqual([false, false, false, false]);
    const check = operations.createIamToken.body;
    expect(problems(check, { jwt: "a", yandexPassportOauthToken: "b" })).toEqual([
      { path: "(root)", message: "must have exactly one of: jwt, yandexPassportOauthToken" },
    ]);
    expect(problems(check, {})).toEqual([{ path: "(root)", message: "must have exactly one of: jwt, yandexPassportOauthToken" }]);
    expect(problems(check, { jwt: "x".repeat(8001) })).toEqual([{ path: "jwt", message: "must be at most 8000 characters (has 8001)" }]);
    expect(problems(check, { jwt: "a.b.c" })).toEqual([]);
    expect(schemas.CreateIamTokenResponse.required).toEqual(["iamToken", "expiresAt"]);
    expect(schemas.CreateIamTokenForServiceAccountRequest.properties.serviceAccountId.maxLength).toBe(50);
  });

  it("models workload identity's exchange (RFC 8693): a form of five fields, the JWT and the service account checked, an OAuth answer", () => {
    const { exchangeToken } = operations;
    expect(exchangeToken).toMatchObject({
      method: "POST",
      path: "/oauth/token",
      server: "https://auth.yandex.cloud",
      auth: false,
      form: true,
    });
    expect(exchangeToken.retry).toBe(retryClasses.read);
    const form = {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      audience: "ajeg2b2et02f3tl2c1pj",
    };
    const request = schemaAt("#/components/schemas/TokenExchangeRequest");
    expect(request(form), errorsText(request)).toBe(true);
    expect(problems(exchangeToken.body, form)).toEqual([]);
    // Note: each field fixed or limited, the same in Ajv (the document) and in the generated checks (what the client sends).
    const wrong: [Partial<Record<keyof typeof form, string | undefined>>, string, string][] = [
      [{ grant_type: "client_credentials" }, "grant_type", 'must be "urn:ietf:params:oauth:grant-type:token-exchange"'],
      [
        { requested_token_type: "urn:ietf:params:oauth:token-type:id_token" },
        "requested_token_type",
        'must be "urn:ietf:params:oauth:token-type:access_token"',
      ],
      [
        { subject_token_type: "urn:ietf:params:oauth:token-type:jwt" },
        "subject_token_type",
        'must be "urn:ietf:params:oauth:token-type:id_token"',
      ],
      [{ subject_token: "/var/run/secrets/tokens/yc" }, "subject_token", "must be a JWT (three or five base64url parts, a JWS or a JWE)"],
      [{ subject_token: "a.b" }, "subject_token", "must be a JWT (three or five base64url parts, a JWS or a JWE)"],
      [{ audience: "x".repeat(51) }, "audience", "must be at most 50 characters (has 51)"],
      [{ audience: ".." }, "audience", "must be an ID with a character other than a dot"],
      [{ audience: undefined }, "audience", "is required"],
    ];
    for (const [change, path, message] of wrong) {
      const value = Object.fromEntries(Object.entries({ ...form, ...change }).filter(([, v]) => v !== undefined));
      expect(request(value), path).toBe(false);
      expect(problems(exchangeToken.body, value), path).toEqual([{ path, message }]);
    }
    expect(problems(exchangeToken.body, { ...form, scope: "openid" })).toEqual([
      { path: "scope", message: expect.stringMatching(/^is not a known field/) },
    ]);
    // Note: a JWE (five parts) is a JWT too.
    expect(problems(exchangeToken.body, { ...form, subject_token: "eyJh.a.b.c.d" })).toEqual([]);
    // Note: the audience has the service account id's limits, one schema with the path parameter's.
    expect(schemas.TokenExchangeRequest.properties.audience.$ref).toBe("#/components/schemas/ServiceAccountId");
    expect(deref(spec.components.parameters.ServiceAccountId).schema.$ref).toBe("#/components/schemas/ServiceAccountId");
    // Note: the answer is OAuth's, read tolerantly: an access token and its life in seconds, no expiry date; anything else passes.
    expect(schemas.TokenExchangeResponse.required).toEqual(["access_token", "expires_in"]);
    expect(problems(exchangeToken.response, { access_token: "t1.x", expires_in: 43200, scope: "x" })).toEqual([]);
    expect(problems(exchangeToken.response, { access_token: "t1.x", expiresAt: "2026-01-01T00:00:00Z" })).toEqual([
      { path: "expires_in", message: "is required" },
    ]);
    expect(schemas.OAuthError.required).toBeUndefined();
  });

  it("models the Operation, and what update and delete operations carry", () => {
    expect(Object.keys(schemas.Operation.properties)).toEqual(
      expect.arrayContaining(["id", "done", "metadata", "error", "response", "createdAt", "modifiedAt", "createdBy", "description"]),
    );
    expect(schemas.Operation.properties.error.$ref).toBe("#/components/schemas/Status");
    const parts = (name: string) => schemas[name].allOf[1].properties;
    expect(parts("UpdateApiKeyOperation")).toMatchObject({
      metadata: { $ref: "#/components/schemas/UpdateApiKeyMetadata" },
      response: { $ref: "#/components/schemas/ApiKeyAny" },
    });
    expect(parts("DeleteApiKeyOperation")).toMatchObject({
      metadata: { $ref: "#/components/schemas/DeleteApiKeyMetadata" },
      response: { $ref: "#/components/schemas/Empty" },
    });
    const empty = schemaAt("#/components/schemas/Empty");
    const EMPTY = "type.googleapis.com/google.protobuf.Empty";
    expect([{ "@type": EMPTY }, { "@type": EMPTY, value: {} }].map((v) => empty(v))).toEqual([true, true]);
    expect([{ "@type": EMPTY, value: { a: 1 } }, { "@type": "x" }].map((v) => empty(v))).toEqual([false, false]);
  });

  it("documents each error status by rule, each with a Status example whose code Yandex's gateway answers with that status (an OAuth error on the OAuth endpoint)", () => {
    // Note: a call with no id to miss (no path parameter, no `…Id` field) has no 404; listApiKeyScopes and createIamToken among them.
    const noId = tableOperations.filter((o) => !hasIdToMiss(o)).map((o) => o.id as string);
    expect(noId).toEqual(expect.arrayContaining(["listApiKeyScopes", "createIamToken"]));
    expect(noId.length).toBeLessThan(tableOperations.length);
    const shared = sharedErrorStatuses();
    expect(shared).toEqual(expect.arrayContaining(["400", "401", "500"]));
    for (const o of tableOperations) {
      expect([...errorStatuses(o)].sort(), o.id).toEqual(expectedErrorStatuses(o, shared));
      for (const http of errorStatuses(o)) {
        const ref = o.op.responses[http]?.$ref as string;
        expect(ref, `${o.id} ${http}`).toBeDefined();
        const response = deref(o.op.responses[http]);
        const media = response.content["application/json"];
        expect(response.headers["x-request-id"]).toBeDefined();
        // Note: an OAuth endpoint (a form body: the token exchange) refuses as OAuth does (RFC 6749 §5.2), not with a Status.
        if (o.row.form) {
          expect(media.schema.$ref, `${o.id} ${http}`).toBe("#/components/schemas/OAuthError");
          expect(schemas.OAuthError.properties.error["x-extensible-enum"]).toContain(media.example.error);
          expect(media.example.error_description, `${o.id} ${http}`).toMatch(/\w/);
          continue;
        }
        expect(media.schema.$ref).toBe("#/components/schemas/Status");
        // Note: the gRPC code's HTTP status as grpc-gateway maps it (the fake answers by the same table).
        expect(STATUS_BY_CODE[media.example.code], `${o.id} ${http}: code ${media.example.code}`).toBe(Number(http));
        expect(media.example.details[0]["@type"]).toBe("type.googleapis.com/google.rpc.RequestInfo");
      }
    }
    expect(tableOperations.filter((o) => o.row.form).map((o) => o.id)).toEqual(["exchangeToken"]);
    expect(ops.getApiKey.responses["404"].$ref).toBe("#/components/responses/ApiKeyNotFound");
    expect(ops.getOperation.responses["404"].$ref).toBe("#/components/responses/OperationNotFound");
  });

  it("declares the request and response headers (the gateway's; the OAuth endpoint's answers carry x-request-id alone)", () => {
    const names = (op: string) => (ops[op].parameters ?? []).map(deref).map((p: { name: string }) => p.name);
    for (const op of ["createApiKey", "updateApiKey", "deleteApiKey"])
      expect(names(op)).toEqual(expect.arrayContaining(["x-client-request-id", "Idempotency-Key"]));
    // Note: a call declares Idempotency-Key exactly where its retry class sends one.
    for (const { id, row } of tableOperations) expect(names(id).includes("Idempotency-Key"), id).toBe(Boolean(row.retry.idempotencyKey));
    for (const { id, row } of tableOperations) {
      // Note: a call that needs no bearer token (a token exchange) says so with `security: []`.
      expect(ops[id].security, id).toEqual(row.auth === false ? [] : undefined);
      // Note: the OAuth endpoint is no call of Yandex's gateway: none of the gateway's request headers is documented for it.
      expect(names(id).includes("x-client-request-id"), id).toBe(!row.form);
      expect(Object.keys(ops[id].responses["200"].headers), id).toEqual(
        row.form ? ["x-request-id"] : ["x-request-id", "x-server-trace-id"],
      );
    }
    expect(tableOperations.filter((o) => o.row.auth === false).map((o) => o.id)).toEqual(["createIamToken", "exchangeToken"]);
  });

  it("has named success examples that validate against their schemas, including pending, done and failed operations", () => {
    const expected: Record<string, string[]> = {
      createApiKey: ["withScopesAndExpiry", "withoutScopes"],
      listApiKeys: ["firstPage", "lastPage"],
      getApiKey: ["withScopesAndExpiry", "neverUsed"],
      updateApiKey: ["pending", "done", "failed"],
      deleteApiKey: ["done", "pending", "doneWithValue", "failed"],
      listApiKeyOperations: ["firstPage", "empty"],
      listApiKeyScopes: ["firstPage", "lastPage"],
      getOperation: ["done", "pending", "deleted", "failed"],
      createIamToken: ["token"],
      createIamTokenForServiceAccount: ["token"],
    };
    // Note: every operation of the table has named examples, each valid; the ten above have exactly these names.
    for (const op of Object.keys(operations)) {
      const media = ops[op].responses["200"].content["application/json"];
      const names = Object.keys(media.examples ?? {});
      expect(names.length, op).toBeGreaterThan(0);
      if (expected[op]) expect(names, op).toEqual(expected[op]);
      const validate = schemaAt(media.schema.$ref);
      for (const name of names) expect(validate(media.examples[name].value), `${op} ${name}: ${errorsText(validate)}`).toBe(true);
    }
    const update = ops.updateApiKey.responses["200"].content["application/json"].examples;
    expect(update.pending.value.done).toBeUndefined();
    expect(update.done.value).toMatchObject({ done: true, response: { "@type": "type.googleapis.com/yandex.cloud.iam.v1.ApiKey" } });
    expect(update.failed.value).toMatchObject({ done: true, error: { code: 9 } });
    // Note: a mock answers the first example; done ones, so update and delete with default options finish against it.
    const first = (op: string) => Object.values<{ value: any }>(ops[op].responses["200"].content["application/json"].examples)[0]?.value;
    expect(first("getOperation")).toMatchObject({ done: true, response: { "@type": "type.googleapis.com/yandex.cloud.iam.v1.ApiKey" } });
    expect(first("deleteApiKey")).toMatchObject({ done: true, response: { "@type": "type.googleapis.com/google.protobuf.Empty" } });
    // Note: every request body of the table has named examples (the contract tests send them), each valid.
    const withBody = Object.keys(operations).filter((op) => ops[op].requestBody);
    expect(withBody).toEqual(expect.arrayContaining(["createApiKey", "updateApiKey", "createIamToken", "createIamTokenForServiceAccount"]));
    for (const op of withBody) {
      const media = Object.values<any>(ops[op].requestBody.content)[0];
      const validate = schemaAt(media.schema.$ref);
      expect(Object.keys(media.examples ?? {}).length, op).toBeGreaterThan(0);
      for (const [name, example] of Object.entries<{ value: unknown }>(media.examples))
        expect(validate(example.value), `${op} ${name}: ${errorsText(validate)}`).toBe(true);
    }
  });
});

// Note: whether generated/ matches the document is `npm run check:generated`, the first step of `npm test`;
// here only that the check is live (it names each stale file) and that generation compiles every fact.
describe("generated/", () => {
  it("holds every per-operation fact of the document in the operations table", () => {
    expect(operations.getOperation.server).toBe("https://operation.api.cloud.yandex.net");
    expect((operations.getApiKey as OperationSpec).server, "the document's first server is the default").toBeUndefined();
    expect(operations.createIamToken.auth).toBe(false);
    expect((operations.createIamTokenForServiceAccount as OperationSpec).auth).toBeUndefined();
    expect(operations.createApiKey.retry).toBe(retryClasses.create);
    expect(operations.updateApiKey.retry).toBe(retryClasses.idempotent);
    expect(operations.listApiKeys.retry).toBe(retryClasses.read);
    // Note: `changes` tells the core which calls may have acted; `idempotencyKey` says whether the server is known to honour
    // the key (absent: no key is sent).
    expect(retryClasses).toEqual({
      read: { changes: false, statuses: [429, 500, 502, 503, 504], networkErrors: "all" },
      idempotent: { changes: true, statuses: [429, 500, 502, 503, 504], networkErrors: "all", idempotencyKey: "honoured" },
      create: { changes: true, statuses: [429, 503], networkErrors: "never-sent", idempotencyKey: "unverified" },
    });
    // Note: the creates that answer a credential say everything it needs to be used, with the resource's own id; no other
    // row does. An authorized key's file needs its owner too, a service account or a user (a oneof): a list of alternatives.
    expect(tableOperations.filter((o) => o.row.credential).map((o) => [o.id, o.row.credential])).toEqual([
      ["createApiKey", ["secret", "apiKey.id"]],
      ["createKey", ["privateKey", "key.id", ["key.serviceAccountId", "key.userAccountId"]]],
      ["createAccessKey", ["secret", "accessKey.id", "accessKey.keyId"]],
    ]);
    expect([operations.listApiKeys.items, operations.listApiKeyOperations.items, operations.listApiKeyScopes.items]).toEqual([
      "apiKeys",
      "operations",
      "scopes",
    ]);
    expect(operations.deleteApiKey.deletes).toBe(true);
    expect((operations.updateApiKey as OperationSpec).deletes).toBeUndefined();
    expect(
      problems(operations.updateApiKey.result, {
        "@type": "type.googleapis.com/yandex.cloud.iam.v1.ApiKey",
        id: "a",
        serviceAccountId: "s",
        createdAt: "2025-01-01T00:00:00Z",
      }),
    ).toEqual([]);
    expect(
      problems(operations.deleteApiKey.result, { "@type": "type.googleapis.com/yandex.cloud.iam.v1.ApiKey" }).map((p) => p.message),
    ).toEqual(['must be "type.googleapis.com/google.protobuf.Empty"']);
    expect(problems(operations.getApiKey.pathParams, { apiKeyId: "" })).toEqual([{ path: "apiKeyId", message: "must not be empty" }]);
  });

  it("what a credential needs is what its answer's type promises: each answer without a need (or without every alternative of one) is refused", () => {
    const creates = tableOperations.filter((o) => o.row.credential);
    expect(creates.map((o) => o.id)).toEqual(["createApiKey", "createKey", "createAccessKey"]);
    /** A copy of `body` without the field at a dot-path. */
    const without = (body: unknown, path: string) => {
      const copy = structuredClone(body) as Record<string, any>;
      const names = path.split(".");
      const last = names.pop() as string;
      delete names.reduce((at, name) => at[name], copy)[last];
      return copy;
    };
    for (const { id, row } of creates) {
      const media = ops[id].responses["200"].content["application/json"];
      const validate = schemaAt(media.schema.$ref);
      const example = (Object.values(media.examples)[0] as { value: unknown }).value;
      expect(validate(example), id).toBe(true);
      for (const need of row.credential ?? []) {
        const paths = typeof need === "string" ? [need] : need;
        const missing = paths.reduce(without, example);
        expect(validate(missing), `${id} without ${paths.join(" and ")}`).toBe(false);
        expect(problems(row.response, missing).length, `${id} without ${paths.join(" and ")}`).toBeGreaterThan(0);
      }
    }
  });

  it("every row has the same fields in the same order, so the call loop reads rows of one shape", () => {
    const shapes = new Set(Object.values(operations).map((row) => Object.keys(row).join(", ")));
    expect([...shapes]).toHaveLength(1);
  });

  it("every row says what its operation in the document says: server, auth, retry class, parameters, body, items, deletes, result", () => {
    const names = (o: (typeof tableOperations)[number], where: string) =>
      [...(o.item.parameters ?? []), ...(o.op.parameters ?? [])]
        .map(deref)
        .filter((p: { in: string }) => p.in === where)
        .map((p: { name: string }) => p.name);
    for (const o of tableOperations) {
      const { id, row, op, item } = o;
      expect(row.server, id).toBe(item.servers?.[0]?.url ?? op.servers?.[0]?.url);
      expect(row.auth, id).toBe(op.security?.length === 0 ? false : undefined);
      expect(row.retry, id).toBe(retryClasses[op["x-yc-retry"] as keyof typeof retryClasses]);
      expect(Object.keys(row.pathParams?.properties ?? {}), id).toEqual(names(o, "path"));
      expect(Object.keys(row.query?.properties ?? {}), id).toEqual(names(o, "query"));
      expect(Boolean(row.body), id).toBe(Boolean(op.requestBody));
      // Note: a form body (an OAuth endpoint's) is sent and read as a form, every other body as JSON.
      expect(row.form, id).toBe(op.requestBody?.content["application/x-www-form-urlencoded"] ? true : undefined);
      expect(row.items, id).toBe(op["x-yc-pagination"]?.items);
      expect(row.deletes, id).toBe(op["x-yc-deletes"]);
      // Note: a row has a result exactly when its 200 answer is a typed Operation (an allOf over #/components/schemas/Operation).
      const answer = deref(op.responses["200"].content["application/json"].schema);
      const typedOperation = (answer.allOf ?? []).some((s: { $ref?: string }) => s.$ref === "#/components/schemas/Operation");
      expect(Boolean(row.result), id).toBe(typedOperation);
    }
    // Note: negative controls: each kind of fact is present in some row and absent in another.
    for (const key of ["server", "auth", "pathParams", "query", "body", "items", "deletes", "result", "form"])
      expect(tableOperations.filter((o) => o.row[key as keyof typeof o.row] !== undefined).length, key).toSatisfy(
        (n: number) => n > 0 && n < tableOperations.length,
      );
  });

  it("a copy of the document with one more operation regenerates into a table that holds it, with its checks and retry class", async () => {
    const dir = await copyDir();
    await cp(join(root, "openapi"), dir, { recursive: true });
    const scopes = await readFile(join(dir, "paths/iam_v1_apiKeyScopes.yaml"), "utf8");
    await writeFile(
      join(dir, "paths/iam_v1_apiKeys_{apiKeyId}_scopes.yaml"),
      scopes
        .replace("operationId: listApiKeyScopes", "operationId: listScopesOfApiKey")
        .replace("x-yc-retry: read", "x-yc-retry: idempotent")
        .replace("  parameters:\n", "  parameters:\n    - $ref: ../components/parameters/ApiKeyId.yaml\n"),
    );
    const rootText = await readFile(join(dir, "openapi.yaml"), "utf8");
    await writeFile(
      join(dir, "openapi.yaml"),
      rootText.replace("paths:\n", "paths:\n  /iam/v1/apiKeys/{apiKeyId}/scopes:\n    $ref: paths/iam_v1_apiKeys_{apiKeyId}_scopes.yaml\n"),
    );
    const contract = (await generate(join(dir, "openapi.yaml"))).get("contract.ts") ?? "";
    const row = contract.slice(contract.indexOf("export const listScopesOfApiKey = /* @__PURE__ */ operation({"));
    expect(row).toContain('path: "/iam/v1/apiKeys/{apiKeyId}/scopes"');
    expect(row).toContain("retry: idempotentRetry");
    const flat = row.replace(/\s+/g, " ");
    expect(flat).toContain("properties: { apiKeyId: ApiKeyIdParameter }");
    expect(flat).toContain("properties: { pageSize: PageSizeParameter, pageToken: PageTokenParameter }");
    expect(row).toContain('items: "scopes"');
  });

  it("an enum of the document becomes a check in the table", async () => {
    const changed = await variant("components/parameters/PageToken.yaml", "maxLength: 2000", "maxLength: 2000\n  enum: [first, second]");
    const contract = (await generate(changed)).get("contract.ts") ?? "";
    expect(contract).toMatch(
      /^export const PageTokenParameter: Schema = \{ type: "string", maxLength: 2000, enum: \["first", "second"\] \};$/m,
    );
  });

  it("a map of the document (additionalProperties schema, maxProperties, propertyNames) becomes a check in the table", async () => {
    const map = [
      "properties:\n  labels:\n    type: object\n    description: Labels.\n    maxProperties: 64",
      "    propertyNames:\n      minLength: 1\n      maxLength: 63\n      pattern: ^[a-z][-_0-9a-z]*$",
      "    additionalProperties:\n      type: string\n      maxLength: 63",
    ].join("\n");
    const changed = await variant("components/schemas/CreateApiKeyRequest.yaml", "properties:", `${map}\n`);
    const contract = (await generate(changed)).get("contract.ts") ?? "";
    const row = contract.slice(contract.indexOf("export const CreateApiKeyRequest: Schema"));
    expect(row.replace(/\s+/g, " ")).toContain(
      'labels: { type: "object", maxProperties: 64, propertyNames: { minLength: 1, maxLength: 63, pattern: /^[a-z][-_0-9a-z]*$/u }, additionalProperties: { type: "string", maxLength: 63 } }',
    );
  });

  it("the drift check names each stale file when the document changes without regeneration", async () => {
    const changed = await variant("components/parameters/PageToken.yaml", "maxLength: 2000", "maxLength: 1999");
    const diffs = await stale(await generate(changed));
    // Note: the types carry no length limits, so only the bundle and the checks go stale here.
    expect(diffs.map((d) => d.split(" ")[0])).toEqual(["generated/openapi.json", "generated/contract.ts"]);
    expect(diffs.join("\n")).toMatch(/^-\s+"maxLength": 2000$/m);
    expect(diffs.join("\n")).toMatch(/^\+\s+"maxLength": 1999$/m);
    expect(diffs.join("\n")).toMatch(/^\+export const PageTokenParameter: Schema = \{ type: "string", maxLength: 1999 \};$/m);
    const cli = await promisify(execFile)(
      TOOLCHAIN_NODE,
      ["--import", "tsx", join(root, "scripts/generate.ts"), "--check", "--spec", changed],
      { cwd: root },
    ).catch((e) => e);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("generated/contract.ts is stale");
    expect(cli.stderr).toContain("run `npm run generate` and commit");
  });

  // Note: the checks read only the keywords they know, so a rule they cannot enforce must stop generation, not vanish.
  it.each([
    [
      "an unknown keyword",
      "components/parameters/PageToken.yaml",
      "maxLength: 2000",
      "maxLength: 2000\n  multipleOf: 2",
      /PageToken: the keyword "multipleOf"/,
    ],
    [
      "an additionalProperties that is neither a boolean nor a schema",
      "components/parameters/PageToken.yaml",
      "maxLength: 2000",
      "maxLength: 2000\n  additionalProperties: 3",
      /PageToken: only a boolean or a schema additionalProperties/,
    ],
    [
      "an unknown keyword inside an additionalProperties schema",
      "components/parameters/PageToken.yaml",
      "maxLength: 2000",
      "maxLength: 2000\n  additionalProperties:\n    multipleOf: 2",
      /PageToken.additionalProperties: the keyword "multipleOf"/,
    ],
    [
      "a propertyNames with a rule that is not a string rule",
      "components/parameters/PageToken.yaml",
      "maxLength: 2000",
      "maxLength: 2000\n  propertyNames:\n    enum: [a, b]",
      /PageToken: only string rules \(minLength, maxLength, pattern\) in propertyNames/,
    ],
    [
      "uniqueItems over objects",
      "components/schemas/CreateApiKeyRequest.yaml",
      "unique ones.\n    items:\n      type: string",
      "unique ones.\n    items:\n      type: object",
      /scopes: uniqueItems is checked by src\/core\/validate.ts for string or integer items only/,
    ],
    [
      "a pattern that does not compile",
      "components/schemas/ServiceAccountName.yaml",
      'pattern: "^[a-z][-a-z0-9]{1,61}[a-z0-9]$"',
      'pattern: "^[a-z"',
      /Invalid regular expression/,
    ],
    [
      "a recursive schema",
      "components/schemas/ApiKey.yaml",
      "properties:\n  id:",
      "properties:\n  parent:\n    $ref: ./ApiKey.yaml\n  id:",
      /ApiKey → ApiKey: recursive/,
    ],
    [
      "an enum that is not of strings",
      "components/parameters/PageSize.yaml",
      "maximum: 1000",
      "maximum: 1000\n  enum: [0, 100]",
      /PageSize: only an enum of strings is checked by src\/core\/validate.ts/,
    ],
    [
      "an unknown extension",
      "paths/iam_v1_apiKeyScopes.yaml",
      "x-yc-retry: read",
      "x-yc-retry: read\n  x-yc-retries: 3",
      /listApiKeyScopes .*: the extension "x-yc-retries" is not understood/,
    ],
    [
      "an unknown retry class",
      "paths/iam_v1_apiKeyScopes.yaml",
      "x-yc-retry: read",
      "x-yc-retry: sometimes",
      /x-yc-retry must name one of x-yc-retry-classes \(read, idempotent, create\), not sometimes/,
    ],
    [
      "a pagination over no array",
      "paths/iam_v1_apiKeyScopes.yaml",
      "items: scopes",
      "items: scope",
      /x-yc-pagination must be \{ items: <an array field of the 200 body> \}/,
    ],
    [
      "an unknown key in a retry class",
      "openapi.yaml",
      "    networkErrors: all\n    idempotencyKey:\n      server: honoured",
      "    networkErrors: all\n    jitter: none\n    idempotencyKey:\n      server: honoured",
      /x-yc-retry-classes.idempotent: unknown key "jitter"/,
    ],
    [
      "a retry class that does not say whether it changes something",
      "openapi.yaml",
      "    changes: false\n",
      "",
      /x-yc-retry-classes.read.changes: true or false/,
    ],
    [
      "an Idempotency-Key that is neither honoured nor unverified, or has no source",
      "openapi.yaml",
      "      server: honoured\n      source: https://yandex.cloud/en/docs/api-design-guide/concepts/idempotency",
      "      server: maybe",
      /x-yc-retry-classes.idempotent.idempotencyKey: \{ server: honoured or unverified, source: <an https URL> \}/,
    ],
    [
      "a server with no client option (a new host needs its line in x-yc-client-options)",
      "openapi.yaml",
      "  https://resource-manager.api.cloud.yandex.net:\n    option: resourceManagerBaseUrl\n    about: Resource Manager (folders, clouds).\n",
      "",
      /x-yc-client-options: no option for https:\/\/resource-manager\.api\.cloud\.yandex\.net, which operations use/,
    ],
    [
      "a client option that is not <name>BaseUrl",
      "openapi.yaml",
      "    option: operationBaseUrl",
      "    option: operations",
      /x-yc-client-options.https:\/\/operation\.api\.cloud\.yandex\.net: \{ option: <name>BaseUrl, about: <what it serves> \}/,
    ],
    [
      "a credential path that is no string field of the answer",
      "paths/iam_v1_keys.yaml",
      "x-yc-credential: [privateKey, key.id,",
      "x-yc-credential: [privateKey, key.keyId,",
      /createKey .*: x-yc-credential names key.keyId, which is no string field of the 200 body/,
    ],
    [
      "a credential alternative that is no string field of the answer",
      "paths/iam_v1_keys.yaml",
      "[key.serviceAccountId, key.userAccountId]",
      "[key.serviceAccountId, key.ownerId]",
      /createKey .*: x-yc-credential names key.ownerId, which is no string field of the 200 body/,
    ],
    [
      "a list of alternatives with one path only, or alternatives nested in alternatives",
      "paths/iam_v1_keys.yaml",
      "[key.serviceAccountId, key.userAccountId]",
      "[key.serviceAccountId, [key.userAccountId]]",
      /createKey .*: x-yc-credential must be a list of dot-paths into the 200 body, each a path or a list of two or more/,
    ],
    [
      "a clearable field that the update does not have",
      "components/schemas/UpdateKeyRequest.yaml",
      "x-yc-clearable: [description]",
      "x-yc-clearable: [descripton]",
      /UpdateKeyRequest: x-yc-clearable must list fields of the update/,
    ],
    [
      "an open enum on what is not a string",
      "components/schemas/ServiceAccount.yaml",
      "  status:\n    type: string",
      "  status:\n    type: integer",
      /ServiceAccount.status: x-extensible-enum must list the known values of a string/,
    ],
    [
      "a status from 500 up among the statuses below 500 that may have acted",
      "openapi.yaml",
      "clientStatusesThatMayHaveActed: [408, 499]",
      "clientStatusesThatMayHaveActed: [408, 499, 502]",
      /x-yc-outcome-statuses.clientStatusesThatMayHaveActed: a list of HTTP statuses from 400 to 499/,
    ],
    [
      "a status below 500 among the statuses from 500 up that did not act",
      "openapi.yaml",
      "serverStatusesThatDidNotAct: [501, 503]",
      "serverStatusesThatDidNotAct: [429, 501, 503]",
      /x-yc-outcome-statuses.serverStatusesThatDidNotAct: a list of HTTP statuses from 500 to 599/,
    ],
    [
      "an unknown key in the outcome rule",
      "openapi.yaml",
      "  serverStatusesThatDidNotAct: [501, 503]",
      "  serverStatusesThatDidNotAct: [501, 503]\n  reasons: none",
      /x-yc-outcome-statuses: unknown key "reasons"/,
    ],
    [
      "a limit in a schema an answer reaches",
      "components/schemas/ServiceAccount.yaml",
      "  name:\n    type: string",
      "  name:\n    type: string\n    maxLength: 63",
      /ServiceAccount.name: "maxLength", in a schema the answer 200 of .* reaches\nAnswers are read as Yandex writes them/,
    ],
    [
      "a schema with limits that a request and an answer share (it must be split)",
      "components/schemas/ServiceAccount.yaml",
      "  name:\n    type: string",
      "  name:\n    $ref: ./ServiceAccountName.yaml",
      /ServiceAccountName: "pattern", in a schema the answer 200 of .*\nServiceAccountName: "maxLength".*\nServiceAccountName: "minLength"/,
    ],
    [
      "an open enum in a schema a request reaches",
      "components/schemas/KeyAlgorithm.yaml",
      "enum:\n",
      "x-extensible-enum:\n",
      /KeyAlgorithm: "x-extensible-enum", in a schema the createKey \(POST \/iam\/v1\/keys\) request body reaches/,
    ],
    [
      "a schema named like a parameter's constant",
      "openapi.yaml",
      "components:\n  securitySchemes:",
      "components:\n  schemas:\n    ApiKeyIdParameter:\n      type: string\n  securitySchemes:",
      /parameters.ApiKeyId: its constant ApiKeyIdParameter would take the name of a schema/,
    ],
    [
      "a query parameter that is a list (the call loop sends one value a parameter)",
      "components/parameters/PageSize.yaml",
      "schema:\n  type: integer\n  format: int64",
      "schema:\n  type: array\n  items:\n    type: integer\n    format: int64",
      /listApiKeys .*: the query parameter pageSize must be a string, an integer or a boolean/,
    ],
    [
      "a form body with a field that is not a string (a form sends one text a field)",
      "components/schemas/TokenExchangeRequest.yaml",
      "  grant_type:\n    type: string",
      "  grant_type:\n    type: integer",
      /exchangeToken .*: the form field grant_type must be a string/,
    ],
    [
      "a request body of a media type the call loop does not send",
      "paths/oauth_token.yaml",
      "      application/x-www-form-urlencoded:",
      "      multipart/form-data:",
      /exchangeToken .*: a request body is application\/json or application\/x-www-form-urlencoded, one of them \(got multipart\/form-data\)/,
    ],
    [
      "a host named for a token source whose calls need a bearer token (the client calls them: they need an option)",
      "openapi.yaml",
      "  https://resource-manager.api.cloud.yandex.net:\n    option: resourceManagerBaseUrl",
      "  https://resource-manager.api.cloud.yandex.net:\n    tokenSource: workloadIdentity",
      /x-yc-client-options.https:\/\/resource-manager\.api\.cloud\.yandex\.net: listClouds needs a bearer token, so the client calls it/,
    ],
    [
      "a host named for a token source that names an option too",
      "openapi.yaml",
      "    tokenSource: workloadIdentity\n",
      "    tokenSource: workloadIdentity\n    option: authBaseUrl\n",
      /x-yc-client-options.https:\/\/auth\.yandex\.cloud: \{ tokenSource: <the token source that calls it>, about: <what it serves> \}, with no option/,
    ],
  ])("generation stops on %s", async (_, file, from, to, message) => {
    await expect(generate(await variant(file, from, to))).rejects.toThrow(message);
  });
});
