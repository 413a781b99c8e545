// Prism's own generator of dynamic answers, called in this process: the module the Prism mock runs for `Prefer:
// dynamic=true` (json-schema-faker), set up as the Prism CLI sets it up (the document's `x-json-schema-faker` options over
// its defaults), over the operations Prism reads from the document, all loaded from the Prism CLI's own dependencies. A
// body from here is one the mock could have sent; it skips the mock's routing, its checks of the request and of its own
// answer, and HTTP, which are most of the mock's CPU an answer.
import { createRequire } from "node:module";
import { SPEC_JSON } from "../../scripts/prism.ts";

/** What Prism's generator gives: fp-ts's Either. */
type Either = { _tag: "Right"; right: unknown } | { _tag: "Left"; left: Error };
interface PrismOperation {
  iid?: string;
  responses: { code: string; contents?: { mediaType: string; schema?: object }[] }[];
  __bundled__?: unknown;
}

// Note: resolved as the Prism CLI resolves them (prism-http is a dependency of its own, wherever npm puts it).
const fromPrism = createRequire(createRequire(import.meta.url).resolve("@stoplight/prism-cli/package.json"));
/** prism-http as the Prism CLI loads it; its `resetJSONSchemaGenerator` is the generator's own reset, as its mocker imports it. */
export const prismHttp = fromPrism("@stoplight/prism-http") as {
  getHttpOperationsFromSpec(spec: string): Promise<PrismOperation[]>;
  resetJSONSchemaGenerator: unknown;
};
/** Prism's generator module, as the Prism CLI loads it. */
export const generator = fromPrism("@stoplight/prism-http/dist/mocker/generator/JSONSchema") as {
  generate(operation: object, bundle: unknown, schema: object): Either;
  resetGenerator: unknown;
};
const extensions = fromPrism("@stoplight/prism-cli/dist/extensions.js") as {
  configureExtensionsUserProvided(spec: string, cliOptions: Record<string, unknown>): Promise<void>;
};

// Note: as the CLI's server starts (prism-cli's createServer.js), with none of its faker flags (scripts/prism.ts gives none).
const operations = new Map((await prismHttp.getHttpOperationsFromSpec(SPEC_JSON)).map((o) => [o.iid, o]));
await extensions.configureExtensionsUserProvided(SPEC_JSON, {});

/** A function that makes one generated body of `operationId`'s 200 application/json answer, as the mock would; throws if Prism has none. */
export function generatedAnswers(operationId: string): () => unknown {
  const operation = operations.get(operationId);
  const schema = operation?.responses.find((r) => r.code === "200")?.contents?.find((c) => c.mediaType === "application/json")?.schema;
  if (!operation || !schema) throw new Error(`Prism reads no 200 application/json answer of ${operationId} from the document`);
  return () => {
    const made = generator.generate(operation, operation.__bundled__, schema);
    if (made._tag === "Left") throw made.left;
    return made.right;
  };
}
