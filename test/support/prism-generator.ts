// Prism's own generator of dynamic answers, called in this process: the module the Prism mock runs for `Prefer:
// dynamic=true` (json-schema-faker with Prism's options), over the operations Prism reads from the document, loaded from
// the Prism CLI's own dependencies. A body from here is one the mock could have sent, without the mock's routing, request
// validation and HTTP, which cost it about 2 ms of CPU an answer.
import { createRequire } from "node:module";
import { SPEC_JSON } from "../../scripts/prism.ts";

/** What Prism's generator gives: fp-ts's Either. */
type Either = { _tag: "Right"; right: unknown } | { _tag: "Left"; left: Error };
interface PrismOperation {
  iid?: string;
  responses: { code: string; contents?: { mediaType: string; schema?: object }[] }[];
  __bundled__?: unknown;
}

// Note: prism-http as the Prism CLI resolves it (a dependency of its own, wherever npm puts it), so the code is the mock's.
const fromPrism = createRequire(createRequire(import.meta.url).resolve("@stoplight/prism-cli/package.json"));
const prismHttp = fromPrism("@stoplight/prism-http") as { getHttpOperationsFromSpec(spec: string): Promise<PrismOperation[]> };
/** The file of Prism's generator, as the Prism CLI loads it. */
export const GENERATOR_FILE = fromPrism.resolve("@stoplight/prism-http/dist/mocker/generator/JSONSchema");
const generator = fromPrism(GENERATOR_FILE) as { generate(operation: object, bundle: unknown, schema: object): Either };

const operations = new Map((await prismHttp.getHttpOperationsFromSpec(SPEC_JSON)).map((o) => [o.iid, o]));

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
