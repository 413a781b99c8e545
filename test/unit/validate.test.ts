// Input checks derived from the contract: every invalid argument is refused before any request, with every problem named.
import { describe, expect, it, vi } from "vitest";
import { CreateApiKeyRequest, ListApiKeysResponse, operations, type Schema, Status, Timestamp } from "../../generated/contract.ts";
import { problems } from "../../src/core/validate.ts";
import { createIamClient, IamInputError } from "../../src/index.ts";
import { bundledDocument, deref, schemaAt } from "../support/ajv.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, TOKEN } from "../support/secrets.ts";

const long = (n: number) => "x".repeat(n);
const AccessBindingsOperationResultAny = "type.googleapis.com/yandex.cloud.access.AccessBindingsOperationResult";
const scopes = (n: number) => Array.from({ length: n }, (_, i) => `scope.${i}`);

/** [what, arguments, the field path that must be named]. */
const BAD_CREATE: [string, unknown, string][] = [
  ["serviceAccountId of 51 characters", { serviceAccountId: long(51) }, "serviceAccountId"],
  ["serviceAccountId of the wrong type", { serviceAccountId: 42 }, "serviceAccountId"],
  ["description of 257 characters", { description: long(257) }, "description"],
  ["description of 257 emoji (counted as characters)", { description: "🔑".repeat(257) }, "description"],
  ["description null", { description: null }, "description"],
  ["deprecated scope of 257 characters", { scope: long(257) }, "scope"],
  ["101 scopes", { scopes: scopes(101) }, "scopes"],
  ["duplicate scopes", { scopes: ["yc.postbox.send", "yc.postbox.send"] }, "scopes[1]"],
  ["a scope of 257 characters", { scopes: ["ok", long(257)] }, "scopes[1]"],
  ["a scope that is not a string", { scopes: ["ok", 7] }, "scopes[1]"],
  ["scopes as a string", { scopes: "yc.postbox.send" }, "scopes"],
  ["expiresAt before 1970", { expiresAt: "1969-12-31T23:59:59Z" }, "expiresAt"],
  ["expiresAt after 2105", { expiresAt: "2106-01-01T00:00:00Z" }, "expiresAt"],
  ["expiresAt as a Date before 1970", { expiresAt: new Date("1960-01-01T00:00:00Z") }, "expiresAt"],
  ["expiresAt as an invalid Date", { expiresAt: new Date("not a date") }, "expiresAt"],
  ["expiresAt without a zone", { expiresAt: "2030-01-01T00:00:00" }, "expiresAt"],
  ["expiresAt as a day only", { expiresAt: "2030-01-01" }, "expiresAt"],
  ["expiresAt with a 13th month", { expiresAt: "2030-13-01T00:00:00Z" }, "expiresAt"],
  ["expiresAt with 10 fractional digits", { expiresAt: "2030-01-01T00:00:00.0123456789Z" }, "expiresAt"],
  ["expiresAt as epoch milliseconds", { expiresAt: 1_900_000_000_000 }, "expiresAt"],
  ["an unknown field (a typo)", { descripton: "typo" }, "descripton"],
  // Note: a table's properties were a plain object, whose inherited toString and constructor passed for known fields.
  ["an unknown field named like an Object method (toString)", { toString: "x" }, "toString"],
  ["an unknown field named like an Object method (constructor)", { constructor: "x" }, "constructor"],
  ["arguments that are not an object", "ajeg2b2et02f3tl2c1pj", "(root)"],
  ["arguments as an array", [], "(root)"],
];

const BAD_LIST: [string, unknown, string][] = [
  ["pageSize above 1000", { pageSize: 1001 }, "pageSize"],
  ["pageSize below 0", { pageSize: -1 }, "pageSize"],
  ["pageSize not an integer", { pageSize: 2.5 }, "pageSize"],
  ["pageSize as a string", { pageSize: "50" }, "pageSize"],
  ["pageToken of 2001 characters", { pageToken: long(2001) }, "pageToken"],
  ["serviceAccountId of 51 characters", { serviceAccountId: long(51) }, "serviceAccountId"],
  ["an unknown parameter", { page_size: 10 }, "page_size"],
];

function client() {
  const stub = scriptedFetch(json(200, { apiKeys: [] }));
  return { iam: createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9", fetch: stub.fetch }), ...stub };
}

describe("invalid arguments are refused before any request is sent", () => {
  it.each(BAD_CREATE)("create: %s", async (_, args, path) => {
    const { iam, requests } = client();
    const error = await rejection(iam.apiKeys.create(args as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.attempts).toBe(0);
    expect(error.problems.map((p: { path: string }) => p.path)).toContain(path);
    expect(error.message).toMatch(/^createApiKey: invalid arguments: /);
    expect(requests).toHaveLength(0);
  });

  it.each(BAD_LIST)("list: %s", async (_, args, path) => {
    const { iam, requests } = client();
    const error = await rejection(iam.apiKeys.list(args as never));
    expect(error).toBeInstanceOf(IamInputError);
    expect(error.problems.map((p: { path: string }) => p.path)).toContain(path);
    expect(requests).toHaveLength(0);
  });

  it("names every problem at once, each with its path", async () => {
    const { iam, requests } = client();
    const error = await rejection(
      iam.apiKeys.create({
        serviceAccountId: long(60),
        description: long(300),
        scopes: ["a", "a", long(300)],
        expiresAt: "2200-01-01T00:00:00Z",
      }),
    );
    expect(error.problems).toEqual([
      { path: "serviceAccountId", message: "must be at most 50 characters (has 60)" },
      { path: "description", message: "must be at most 256 characters (has 300)" },
      { path: "scopes[1]", message: "repeats scopes[0] (items must be unique)" },
      { path: "scopes[2]", message: "must be at most 256 characters (has 300)" },
      {
        path: "expiresAt",
        message: "must be an RFC 3339 timestamp in the years 1970 to 2105, with at most 9 fractional digits",
      },
    ]);
    expect(error.message).toContain("serviceAccountId must be at most 50 characters (has 60); description must be at most 256");
    expect(requests).toHaveLength(0);
  });

  it("names an invalid Date beside the other problems", async () => {
    const { iam, requests } = client();
    const error = await rejection(iam.apiKeys.create({ description: long(257), expiresAt: new Date("nope") }));
    expect(error.problems.map((p: { path: string }) => p.path)).toEqual(["description", "expiresAt"]);
    expect(requests).toHaveLength(0);
  });

  it("accepts the limits themselves", async () => {
    const { iam, requests } = client();
    await iam.apiKeys.list({ pageSize: 1000, pageToken: long(2000), serviceAccountId: long(50) });
    await iam.apiKeys.list({ pageSize: 0 });
    const { iam: creator, requests: created } = (() => {
      const stub = scriptedFetch(json(200, { apiKey: { id: "a", serviceAccountId: "b", createdAt: "2025-01-01T00:00:00Z" }, secret: "s" }));
      return { iam: createIamClient({ token: "t", baseUrl: "http://127.0.0.1:9", fetch: stub.fetch }), ...stub };
    })();
    await creator.apiKeys.create({
      serviceAccountId: long(50),
      description: long(256),
      scopes: scopes(100),
      expiresAt: "2105-12-31T23:59:59.999999999Z",
    });
    await creator.apiKeys.create({ expiresAt: "1970-01-01T00:00:00Z" });
    await creator.apiKeys.create({ expiresAt: "2030-06-01T12:00:00+03:00" });
    expect(requests).toHaveLength(2);
    expect(created).toHaveLength(3);
  });
});

describe("the generated checks agree with the full JSON Schema (Ajv) on the bundled document", () => {
  const createSchema = schemaAt("#/components/schemas/CreateApiKeyRequest");
  const responseSchema = schemaAt("#/components/schemas/ListApiKeysResponse");
  const key = { id: "a", serviceAccountId: "b", createdAt: "2025-03-03T16:29:04.709971428Z" };

  it.each([
    ...BAD_CREATE.filter(([, v]) => !(v as { expiresAt?: unknown })?.expiresAt?.constructor?.name?.includes("Date")),
    ["valid", { description: "ok", scopes: ["a", "b"], expiresAt: "2030-01-01T00:00:00Z" }, ""],
  ] as [string, unknown, string][])("create request: %s", (_, value) => {
    expect(problems(CreateApiKeyRequest, value).length === 0).toBe(createSchema(value));
  });

  it.each([
    ["a full page", { apiKeys: [{ ...key, scopes: ["x"], maskedSecret: "****abc_12" }], nextPageToken: "n" }],
    ["an empty page", {}],
    ["apiKeys not an array", { apiKeys: {} }],
    ["a key without id", { apiKeys: [{ serviceAccountId: "b", createdAt: key.createdAt }] }],
    ["a bad timestamp", { apiKeys: [{ ...key, createdAt: "yesterday" }] }],
    ["a maskedSecret of another form (allowed: read as it comes)", { apiKeys: [{ ...key, maskedSecret: "**a-c" }] }],
    ["a description of 257 characters (allowed: read as it comes)", { apiKeys: [{ ...key, description: long(257) }] }],
    ["a nextPageToken that is a number", { nextPageToken: 5 }],
    ["an unknown field (allowed: forward compatible)", { apiKeys: [{ ...key, newField: 1 }], extra: true }],
  ])("list response: %s", (_, value) => {
    expect(problems(ListApiKeysResponse, value).length === 0).toBe(responseSchema(value));
  });
});

// Note: proto3 JSON leaves out every zero value (empty string, 0, false, an empty list or map, an enum's first value) and enums
// grow, so an answer is read as Yandex may write it; only what the client cannot work without is required.
describe("answers are read as Yandex writes them", () => {
  /** Every schema an answer of the document reaches (the 200 bodies, through $refs, allOf, items and maps), by name. */
  function answerSchemas(): Map<string, any> {
    const found = new Map<string, any>();
    const walk = (node: any, name?: string): void => {
      if (!node || typeof node !== "object") return;
      if (node.$ref) {
        const ref = String(node.$ref).split("/").pop() as string;
        if (!found.has(ref)) walk(deref(node), ref);
        return;
      }
      if (name) found.set(name, node);
      for (const value of Object.values(node)) if (value && typeof value === "object") walk(value);
    };
    for (const item of Object.values(bundledDocument.paths as Record<string, any>))
      for (const op of Object.values(item)) walk((op as any)?.responses?.["200"]?.content?.["application/json"]?.schema);
    return found;
  }

  it("requires of an answer only what the client cannot work without (ids, the credentials, an error's code)", () => {
    const required = Object.fromEntries(
      [...answerSchemas()].filter(([, schema]) => schema.required?.length).map(([name, schema]) => [name, schema.required]),
    );
    // Note: every "@type" of a google.protobuf.Any is always written; every *Metadata but the create metadata of a service
    // account, an OIDC federation and a federated credential requires only it (their id is how a caller who does not wait
    // learns the new id).
    const anyTypes = Object.entries(required).filter(([, r]) => (r as string[]).join() === "@type");
    expect(anyTypes.length).toBeGreaterThan(15);
    // Note: a resource requires its id alone, by rule (a new service's resources too); the rest is each named here.
    const byId = Object.entries(required).filter(([, r]) => (r as string[]).join() === "id");
    expect(byId.map(([name]) => name)).toEqual(expect.arrayContaining(["ApiKey", "Operation", "Key", "ServiceAccount"]));
    expect(Object.fromEntries(Object.entries(required).filter(([, r]) => !["@type", "id"].includes((r as string[]).join())))).toEqual({
      CreateApiKeyResponse: ["apiKey", "secret"],
      Status: ["code"],
      TokenExchangeResponse: ["access_token", "expires_in"],
      CreateKeyResponse: ["key", "privateKey"],
      AccessKey: ["id", "keyId"],
      CreateAccessKeyResponse: ["accessKey", "secret"],
      CreateServiceAccountMetadata: ["@type", "serviceAccountId"],
      CreateOidcFederationMetadata: ["@type", "federationId"],
      CreateFederatedCredentialMetadata: ["@type", "federatedCredentialId"],
      Subject: ["id", "type"],
      AccessBinding: ["roleId", "subject"],
      AccessBindingDelta: ["accessBinding"],
      CreateIamTokenResponse: ["iamToken", "expiresAt"],
      SubjectAccessBinding: ["roleId", "resource"],
      Resource: ["id", "type"],
    });
  });

  it("no enum of an answer is closed: each is an open list (x-extensible-enum), so a value Yandex adds later passes", () => {
    const closed = [...answerSchemas()].flatMap(([name, schema]) => {
      const enums: string[] = [];
      const walk = (node: any, at: string) => {
        if (!node || typeof node !== "object" || node.$ref) return;
        if (node.enum) enums.push(at);
        for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`);
      };
      walk(schema, name);
      return enums;
    });
    expect(closed).toEqual([]);
  });

  it("a minimal answer of each resource passes the generated checks, as do unknown enum values and error codes", () => {
    const minimal: [Schema, unknown][] = [
      [operations.getApiKey.response, { id: "aje3ho9atbhf4aq6c2ok" }],
      [operations.getKey.response, { id: "ajek1", serviceAccountId: "ajeg2b2et02f3tl2c1pj" }],
      [operations.getKey.response, { id: "ajek1", serviceAccountId: "ajeg2b2et02f3tl2c1pj", keyAlgorithm: "ED25519" }],
      [operations.getAccessKey.response, { id: "ajea1", keyId: "YCAJE1" }],
      [operations.getServiceAccount.response, { id: "ajeg2b2et02f3tl2c1pj", status: "ARCHIVED" }],
      [operations.getOperation.response, { id: "op1" }],
      [operations.getOperation.response, { id: "op1", done: true, error: { code: 42 } }],
      [operations.listServiceAccountAccessBindings.response, { accessBindings: [{ roleId: "r", subject: { id: "x", type: "robot" } }] }],
      [operations.updateServiceAccountAccessBindings.result as Schema, { "@type": AccessBindingsOperationResultAny, effectiveDeltas: [] }],
      [
        operations.updateServiceAccountAccessBindings.result as Schema,
        {
          "@type": AccessBindingsOperationResultAny,
          effectiveDeltas: [{ action: "MOVE", accessBinding: { roleId: "r", subject: { id: "x", type: "t" } } }],
        },
      ],
      [
        operations.updateServiceAccountAccessBindings.result as Schema,
        {
          "@type": AccessBindingsOperationResultAny,
          effectiveDeltas: [{ accessBinding: { roleId: "r", subject: { id: "x", type: "t" } } }],
        },
      ],
      [operations.deleteKey.response, { id: "op1", metadata: { "@type": "type.googleapis.com/yandex.cloud.iam.v1.DeleteKeyMetadata" } }],
      [Status, { code: 42 }],
      [Status, { code: -1, message: "", details: [] }],
    ];
    for (const [schema, value] of minimal) expect(problems(schema, value), JSON.stringify(value)).toEqual([]);
    // Note: negative controls: what the client cannot work without is still required.
    expect(problems(operations.getApiKey.response, {})).toEqual([{ path: "id", message: "is required" }]);
    expect(problems(operations.getAccessKey.response, { id: "ajea1" })).toEqual([{ path: "keyId", message: "is required" }]);
    expect(problems(Status, { message: "no code" })).toEqual([{ path: "code", message: "is required" }]);
  });

  it("an answer carries no request-side limit: an odd length, form or count of one item never fails a whole page", () => {
    const odd: [Schema, unknown][] = [
      [
        operations.listApiKeys.response,
        {
          apiKeys: [
            { id: "a", maskedSecret: "****ab-c_1", description: long(300), scope: long(300), scopes: [long(300), ...scopes(150)] },
            { id: "b", maskedSecret: "****" },
          ],
        },
      ],
      [operations.listApiKeyScopes.response, { scopes: [long(300)] }],
      [operations.listKeys.response, { keys: [{ id: "k", serviceAccountId: "s", description: long(300) }] }],
      [operations.listAccessKeys.response, { accessKeys: [{ id: "a", keyId: "k", description: long(300) }] }],
      // Note: the proto's newer pattern allows names of 1 or 2 characters, which a request of this client refuses.
      [operations.listServiceAccounts.response, { serviceAccounts: [{ id: "s", name: "a", description: long(300) }] }],
      [operations.getOperation.response, { id: "op1", description: long(300) }],
    ];
    for (const [schema, value] of odd) expect(problems(schema, value), JSON.stringify(value).slice(0, 80)).toEqual([]);
    // Note: negative controls: the requests keep their limits.
    expect(problems(CreateApiKeyRequest, { description: long(257) }).map((p) => p.path)).toEqual(["description"]);
    expect(problems(operations.createServiceAccount.body as Schema, { folderId: "b1g", name: "a" }).map((p) => p.path)).toEqual(["name"]);
  });

  it("no schema an answer reaches carries a limit (pattern, length, count, range)", () => {
    const limits = ["pattern", "maxLength", "minLength", "maxItems", "minItems", "uniqueItems", "minimum", "maximum", "maxProperties"];
    const found = [...answerSchemas()].flatMap(([name, schema]) => {
      const at: string[] = [];
      const walk = (node: any, where: string) => {
        if (!node || typeof node !== "object" || node.$ref) return;
        for (const limit of limits) if (limit in node && !where.includes(".examples")) at.push(`${where}.${limit}`);
        for (const [key, value] of Object.entries(node)) walk(value, `${where}.${key}`);
      };
      walk(schema, name);
      return at;
    });
    expect(found).toEqual([]);
    expect(answerSchemas().has("ApiKey")).toBe(true);
  });

  it("a page whose key holds an odd maskedSecret and a long description reaches the caller", async () => {
    const key = { id: "aje3ho9atbhf4aq6c2ok", maskedSecret: "****q7-b_2", description: long(300) };
    const stub = scriptedFetch(json(200, { apiKeys: [key, { id: "aje2" }] }));
    const iam = createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    expect((await iam.apiKeys.list()).apiKeys).toEqual([key, { id: "aje2" }]);
  });

  it("a real Key answer without keyAlgorithm, and a list with a status Yandex adds later, reach the caller", async () => {
    const key = { id: "ajek1", serviceAccountId: "ajeg2b2et02f3tl2c1pj", createdAt: "2026-01-01T00:00:00Z", publicKey: "PEM" };
    const account = { id: "ajeg2b2et02f3tl2c1pj", folderId: "b1g", name: "robot", status: "ARCHIVED" };
    const stub = scriptedFetch(json(200, key), json(200, { serviceAccounts: [account, { id: "aje2" }] }));
    const iam = createIamClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9", fetch: stub.fetch });
    expect(await iam.keys.get("ajek1")).toEqual(key);
    expect((await iam.serviceAccounts.list({ folderId: "b1g" })).serviceAccounts).toEqual([account, { id: "aje2" }]);
  });
});

describe("an enum", () => {
  const algorithm: Schema = { type: "string", enum: ["RSA_2048", "RSA_4096"] };

  it("accepts its values and refuses any other, naming the allowed ones", () => {
    expect(problems(algorithm, "RSA_4096")).toEqual([]);
    const refused = [{ path: "(root)", message: "must be one of RSA_2048, RSA_4096" }];
    expect(problems(algorithm, "RSA_1024")).toEqual(refused);
    expect(problems(algorithm, "rsa_2048")).toEqual(refused);
    expect(problems(algorithm, 2048)).toEqual(refused);
    expect(problems({ type: "object", properties: { keyAlgorithm: algorithm } }, { keyAlgorithm: "ED25519" })).toEqual([
      { path: "keyAlgorithm", message: "must be one of RSA_2048, RSA_4096" },
    ]);
  });
});

describe("timestamps on engines that read only 3 fractional digits", () => {
  it("a Yandex timestamp with 9 fractional digits is valid, and a token's 9-digit expiresAt is read, even where Date.parse refuses more than 3", async () => {
    const real = Date.parse;
    // Note: a stricter engine, as ECMAScript allows: NaN for more than 3 fractional digits.
    const strict = vi.spyOn(Date, "parse").mockImplementation((s: string) => (/\.\d{4,}/.test(s) ? Number.NaN : real(s)));
    try {
      expect(problems(Timestamp, "2025-03-03T16:29:04.709971428Z")).toEqual([]);
      expect(problems(Timestamp, "2025-13-03T16:29:04.709971428Z")).toHaveLength(1);
      const { cachedToken } = await import("../../src/auth/cache.ts");
      const source = cachedToken(async () => ({ token: "t1.x", expiresAt: "2099-01-01T00:00:00.123456789Z" }));
      expect(await source()).toBe("t1.x");
    } finally {
      strict.mockRestore();
    }
  });
});

describe("lengths count characters (code points) everywhere", () => {
  it("a string over the limit in UTF-16 units but within it in characters still gets its pattern checked", () => {
    const schema = { type: "string", maxLength: 3, pattern: /^a+$/u, patternDescription: "only a's" } as const;
    expect(problems(schema, "😀😀")).toEqual([{ path: "(root)", message: "must be only a's" }]);
    expect(problems({ type: "string", maxLength: 2, format: "date-time" }, "😀😀")).toEqual([
      { path: "(root)", message: "must be an RFC 3339 timestamp such as 2026-12-31T23:59:59Z" },
    ]);
  });

  it("a minimum counts characters too", () => {
    expect(problems({ type: "string", minLength: 2 }, "😀")).toEqual([
      { path: "(root)", message: "must be at least 2 characters (has 1)" },
    ]);
    expect(problems({ type: "string", maxLength: 2 }, "😀😀😀")).toEqual([
      { path: "(root)", message: "must be at most 2 characters (has 3)" },
    ]);
  });

  it("a lone surrogate is named", () => {
    expect(problems({ type: "string" }, "ab\uD800")).toEqual([
      { path: "(root)", message: "is not well-formed Unicode (a lone surrogate at index 2)" },
    ]);
    expect(problems({ type: "string" }, "\uDC00😀")).toEqual([
      { path: "(root)", message: "is not well-formed Unicode (a lone surrogate at index 0)" },
    ]);
  });
});

describe("date-time is checked on the calendar", () => {
  const check = (value: string) => problems({ type: "string", format: "date-time" }, value).length === 0;
  it("accepts real days and times, with a zone and up to any fractional digits", () => {
    for (const value of [
      "2028-02-29T00:00:00Z",
      "2000-02-29T23:59:59.123456789+03:00",
      "2026-12-31T23:59:59z",
      "2026-04-30T12:00:00-07:30",
    ])
      expect(check(value), value).toBe(true);
  });
  it("refuses days, hours and zones that do not exist", () => {
    for (const value of [
      "2027-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-00-10T00:00:00Z",
      "2026-01-00T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T23:60:00Z",
      "2026-01-01T23:00:00+24:00",
      "2026-01-01 23:00:00Z",
    ])
      expect(check(value), value).toBe(false);
  });
});

describe("date-time follows RFC 3339's own calendar, not Date.UTC's", () => {
  const check = (value: string) => problems(Timestamp, value).length === 0;
  it("the leap years of the Gregorian rule, year 0000 included (Date.UTC reads 0 to 99 as 1900 to 1999)", () => {
    for (const value of [
      "0000-02-29T00:00:00Z",
      "2000-02-29T00:00:00Z",
      "1600-02-29T12:00:00Z",
      "0004-02-29T00:00:00Z",
      "2024-02-29T23:59:59Z",
    ])
      expect(check(value), value).toBe(true);
    for (const value of [
      "1900-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "0100-02-29T00:00:00Z",
      "0001-02-29T00:00:00Z",
      "2000-02-30T00:00:00Z",
    ])
      expect(check(value), value).toBe(false);
  });
  it("the last second of every month, and not one day more", () => {
    const lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for (const [i, days] of lengths.entries()) {
      const month = String(i + 1).padStart(2, "0");
      expect(check(`2027-${month}-${days}T23:59:59.999999999Z`), `2027-${month}-${days}`).toBe(true);
      expect(check(`2027-${month}-${days + 1}T00:00:00Z`), `2027-${month}-${days + 1}`).toBe(false);
    }
  });
  it("a leap second: 23:59:60 in UTC (shifted by an offset), and second 60 nowhere else", () => {
    for (const value of ["2016-12-31T23:59:60Z", "1998-12-31T23:59:60.5Z", "2017-01-01T02:59:60+03:00", "2016-12-31T18:29:60-05:30"])
      expect(check(value), value).toBe(true);
    for (const value of ["2016-12-31T23:58:60Z", "2016-12-31T12:00:60Z", "2016-12-31T23:59:60+03:00", "2016-12-31T23:59:61Z"])
      expect(check(value), value).toBe(false);
  });

  // Note: a second reading, written apart from the check: RFC 3339's grammar (§5.6) as a pattern of its own, the calendar by
  // a Date whose year is set as written (setUTCFullYear, unlike Date.UTC, reads 0024 as 24), and the leap second's minute.
  it("agrees with RFC 3339's grammar and the Gregorian calendar on every string one edit away from a timestamp", () => {
    const GRAMMAR = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.\d+)?(?:Z|([+-])([01]\d|2[0-3]):([0-5]\d))$/i;
    const reference = (value: string) => {
      const match = GRAMMAR.exec(value);
      if (!match) return false;
      /** The number of the pattern's group `i`, 0 where the group matched nothing (no offset). */
      const group = (i: number) => Number(match[i] ?? 0);
      const [year, month, day, hour, minute, second] = [group(1), group(2), group(3), group(4), group(5), group(6)];
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      if (month < 1 || month > 12 || date.getUTCDate() !== day) return false;
      if (second !== 60) return true;
      const offset = (match[7] === "-" ? -1 : 1) * (group(8) * 60 + group(9));
      return (((hour * 60 + minute - offset) % 1440) + 1440) % 1440 === 1439;
    };
    const seeds = ["2024-02-29T23:59:59Z", "2016-12-31T23:59:60.25Z", "2017-01-01T02:59:60+03:00", "2026-04-30T12:00:00.5-07:30"];
    const characters = ["0", "1", "2", "3", "5", "6", "9", "-", ":", ".", "+", "T", "t", "Z", "z", " ", "a", "٣"];
    const edits = new Set<string>(seeds);
    for (const seed of seeds)
      for (let i = 0; i <= seed.length; i++) {
        edits.add(seed.slice(0, i));
        edits.add(seed.slice(0, i) + seed.slice(i + 1));
        for (const c of characters) {
          edits.add(seed.slice(0, i) + c + seed.slice(i + 1));
          edits.add(seed.slice(0, i) + c + seed.slice(i));
        }
      }
    const disagreements = [...edits].filter((value) => check(value) !== reference(value));
    expect(disagreements).toEqual([]);
    // Note: both verdicts are well represented, so the agreement says something.
    const accepted = [...edits].filter(check).length;
    expect(accepted).toBeGreaterThan(100);
    expect(edits.size - accepted).toBeGreaterThan(1000);
  });
});

describe("a map: its values by additionalProperties, its size by maxProperties, its keys by propertyNames", () => {
  const labels: Schema = {
    type: "object",
    maxProperties: 2,
    propertyNames: { type: "string", minLength: 1, maxLength: 5, pattern: /^[a-z][-_0-9a-z]*$/u, patternDescription: "a lowercase key" },
    additionalProperties: { type: "string", maxLength: 3, pattern: /^[-_0-9a-z]*$/u, patternDescription: "a lowercase value" },
  };

  it("accepts a map within every rule, and an empty one", () => {
    expect(problems(labels, { env: "prd", team: "" })).toEqual([]);
    expect(problems(labels, {})).toEqual([]);
  });

  it("names each broken rule with its path: the size at the map, a key or a value at its entry", () => {
    expect(problems(labels, { a: "1", b: "2", c: "3" })).toEqual([{ path: "(root)", message: "must be at most 2 entries (has 3)" }]);
    expect(problems(labels, { Env: "prd" })).toEqual([{ path: "Env", message: "key must be a lowercase key" }]);
    expect(problems(labels, { toolong: "x" })).toEqual([{ path: "toolong", message: "key must be at most 5 characters (has 7)" }]);
    expect(problems(labels, { "": "x" })).toEqual([{ path: "(root)", message: "key must not be empty" }]);
    expect(problems(labels, { env: "PRD" })).toEqual([{ path: "env", message: "must be a lowercase value" }]);
    expect(problems(labels, { env: 7 })).toEqual([{ path: "env", message: "must be a string, not integer" }]);
    expect(problems({ type: "object", properties: { labels } }, { labels: { Env: "toolong" } })).toEqual([
      { path: "labels.Env", message: "key must be a lowercase key" },
      { path: "labels.Env", message: "must be at most 3 characters (has 7)" },
    ]);
  });

  it("a named field is checked by its own schema, not the map's value rule; additionalProperties false still refuses the rest", () => {
    const mixed: Schema = { type: "object", properties: { count: { type: "integer" } }, additionalProperties: { type: "string" } };
    expect(problems(mixed, { count: 3, other: "x" })).toEqual([]);
    expect(problems(mixed, { count: "3", other: 1 }).map((p) => p.path)).toEqual(["count", "other"]);
    expect(problems({ type: "object", properties: {}, additionalProperties: false }, { x: 1 })).toEqual([
      { path: "x", message: "is not a known field (known: none)" },
    ]);
  });
});
