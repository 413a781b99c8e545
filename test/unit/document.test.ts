// The contract document: both operations with the documented limits, valid examples, a faithful bundle, a live drift check.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generate, root, stale } from "../../scripts/generate.ts";
import { bundledDocument as bundled, errorsText, schemaAt } from "../support/ajv.ts";

const yamlText = await readFile(join(root, "openapi/openapi.yaml"), "utf8");
const spec = parse(yamlText);
const api = spec.paths["/iam/v1/apiKeys"];
const schemas = spec.components.schemas;
const param = (name: string) => api.get.parameters.find((p: { name?: string }) => p.name === name);

describe("the document", () => {
  it("is OpenAPI 3.1 with both operations, tagged and described", () => {
    expect(spec.openapi).toBe("3.1.0");
    expect(api.post.operationId).toBe("createApiKey");
    expect(api.get.operationId).toBe("listApiKeys");
    for (const op of [api.post, api.get]) {
      expect(op.tags).toEqual(["ApiKey"]);
      expect(op.summary.length).toBeGreaterThan(5);
      expect(op.description.length).toBeGreaterThan(50);
    }
    expect(spec.servers[0].url).toBe("https://iam.api.cloud.yandex.net");
    expect(spec.security).toEqual([{ IamToken: [] }]);
    expect(spec.components.securitySchemes.IamToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("has every limit of the create request", () => {
    const req = schemas.CreateApiKeyRequest.properties;
    expect(req.serviceAccountId.maxLength).toBe(50);
    expect(req.description.maxLength).toBe(256);
    expect(req.scope).toMatchObject({ maxLength: 256, deprecated: true });
    expect(req.scopes).toMatchObject({ maxItems: 100, uniqueItems: true, items: { maxLength: 256 } });
    expect(req.expiresAt.format).toBe("date-time");
    const range = new RegExp(req.expiresAt.pattern, "u");
    expect(["1970-01-01T00:00:00Z", "2105-12-31T23:59:59.999999999Z"].every((t) => range.test(t))).toBe(true);
    expect(["1969-12-31T23:59:59Z", "2106-01-01T00:00:00Z"].some((t) => range.test(t))).toBe(false);
  });

  it("has every limit of the list request", () => {
    expect(param("pageSize").schema).toMatchObject({ type: "integer", minimum: 0, maximum: 1000, default: 100 });
    expect(param("pageToken").schema.maxLength).toBe(2000);
    expect(param("serviceAccountId").schema.maxLength).toBe(50);
  });

  it("models the ApiKey resource with timestamps, maskedSecret and a deprecated scope", () => {
    const key = schemas.ApiKey.properties;
    for (const t of ["createdAt", "lastUsedAt", "expiresAt"]) expect(key[t].$ref).toBe("#/components/schemas/Timestamp");
    expect(schemas.Timestamp.format).toBe("date-time");
    expect(key.scope.deprecated).toBe(true);
    expect(new RegExp(key.maskedSecret.pattern).test("****Qx7_b2")).toBe(true);
    expect(new RegExp(key.maskedSecret.pattern).test("***Qx7_b2")).toBe(false);
  });

  it("documents every error status with a Status example whose code matches the HTTP status", () => {
    const grpc: Record<string, number[]> = {
      400: [3, 9, 11],
      401: [16],
      403: [7],
      404: [5],
      429: [8],
      500: [2, 13, 15],
      503: [14],
      504: [4],
    };
    for (const op of [api.post, api.get]) {
      for (const [http, codes] of Object.entries(grpc)) {
        const ref = op.responses[http]?.$ref as string;
        expect(ref, `${op.operationId} ${http}`).toBeDefined();
        const response = spec.components.responses[ref.split("/").pop() as string];
        const media = response.content["application/json"];
        expect(media.schema.$ref).toBe("#/components/schemas/Status");
        expect(codes).toContain(media.example.code);
        expect(media.example.details[0]["@type"]).toBe("type.googleapis.com/google.rpc.RequestInfo");
        expect(response.headers["x-request-id"]).toBeDefined();
      }
    }
  });

  it("declares the request and response headers", () => {
    const names = (op: { parameters: { $ref?: string; name?: string }[] }) =>
      op.parameters.map((p) => (p.$ref ? spec.components.parameters[p.$ref.split("/").pop() as string].name : p.name));
    expect(names(api.post)).toEqual(expect.arrayContaining(["x-client-request-id", "Idempotency-Key"]));
    expect(names(api.get)).toContain("x-client-request-id");
    expect(Object.keys(api.post.responses["200"].headers)).toEqual(["x-request-id", "x-server-trace-id"]);
  });

  it("has named success examples that validate against their schemas", () => {
    const cases = [
      [api.post.requestBody.content["application/json"], ["withScopesAndExpiry", "withoutScopes"]],
      [api.post.responses["200"].content["application/json"], ["withScopesAndExpiry", "withoutScopes"]],
      [api.get.responses["200"].content["application/json"], ["firstPage", "lastPage"]],
    ] as const;
    for (const [media, names] of cases) {
      expect(Object.keys(media.examples)).toEqual(names);
      const validate = schemaAt(media.schema.$ref);
      for (const name of names) expect(validate(media.examples[name].value), `${name}: ${errorsText(validate)}`).toBe(true);
    }
    expect(api.get.responses["200"].content["application/json"].examples.firstPage.value.nextPageToken).toBeTruthy();
    expect(api.get.responses["200"].content["application/json"].examples.lastPage.value.nextPageToken).toBeUndefined();
  });
});

describe("generated/", () => {
  it("openapi.json is the YAML document, bundled", () => {
    expect(bundled).toEqual(spec);
  });

  it("is up to date with the document", async () => {
    expect(await stale(await generate())).toEqual([]);
  });

  it("the drift check names each stale file when the document changes without regeneration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-spec-"));
    const changed = join(dir, "openapi.yaml");
    await writeFile(changed, yamlText.replace("maxLength: 2000", "maxLength: 1999"));
    const diffs = await stale(await generate(changed));
    // Note: the types carry no length limits, so only the bundle and the checks go stale here.
    expect(diffs.map((d) => d.split(" ")[0])).toEqual(["generated/openapi.json", "generated/contract.ts"]);
    expect(diffs.join("\n")).toMatch(/^-\s+"maxLength": 2000$/m);
    expect(diffs.join("\n")).toMatch(/^\+\s+"maxLength": 1999$/m);
    expect(diffs.join("\n")).toMatch(/^\+\s+pageToken: \{ t: "string", l: 1999 \}$/m);
    const cli = await promisify(execFile)(
      process.execPath,
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
      "maxLength: 2000",
      "maxLength: 2000\n            minLength: 1",
      /listApiKeys\.query\.pageToken: the keyword "minLength"/,
    ],
    [
      "an additionalProperties schema",
      "maxLength: 2000",
      "maxLength: 2000\n            additionalProperties: {}",
      /pageToken: only a boolean additionalProperties/,
    ],
    [
      "uniqueItems over objects",
      "unique ones.\n          items:\n            type: string",
      "unique ones.\n          items:\n            type: object",
      /scopes: uniqueItems is checked by src\/validate.ts for string or integer items only/,
    ],
    ["a pattern that does not compile", "pattern: '^\\*{4}[a-zA-Z0-9_]{6}$'", "pattern: '^[a-z'", /Invalid regular expression/],
    [
      "a recursive schema",
      "        id:\n          type: string",
      '        parent:\n          $ref: "#/components/schemas/ApiKey"\n        id:\n          type: string',
      /ApiKey → ApiKey: recursive/,
    ],
  ])("generation stops on %s", async (_, from, to, message) => {
    expect(yamlText).toContain(from);
    const dir = await mkdtemp(join(tmpdir(), "iam-spec-"));
    const changed = join(dir, "openapi.yaml");
    await writeFile(changed, yamlText.replace(from, to));
    await expect(generate(changed)).rejects.toThrow(message);
  });
});
