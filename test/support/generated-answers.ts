// How many generated answers test/contract/dynamic.test.ts asks of each operation: as few as make every alternative Prism's
// generator (json-schema-faker) picks between while it makes the answers come up, but for a chance of MISS in a whole run.
import { deref } from "./ajv.ts";
import { tableOperations } from "./operations.ts";

/** The chance we accept, for a whole run of the test, that some alternative of some answer never came up. */
export const MISS = 1e-6;

/**
 * The lengths the generator gives an array whose schema sets no maxItems (an answer's never does: answers are read as
 * Yandex writes them): 0 to 5, each as likely (json-schema-faker's default, with Prism's alwaysFakeOptionals).
 */
const ARRAY_LENGTHS = 6;

/**
 * The chance in one answer of each alternative the generator picks between while it makes `schema`: an enum's values,
 * a boolean's two, a oneOf's or anyOf's branches, an array's lengths; each times the chance that its part of the answer
 * is made at all (a branch's, a non-empty array's items). Every property is made (Prism's alwaysFakeOptionals).
 */
export function alternatives(schema: unknown, made = 1, within = new Set<unknown>()): number[] {
  const node = deref(schema);
  if (!node || typeof node !== "object" || within.has(node)) return [];
  const inside = new Set(within).add(node);
  const chances: number[] = [];
  if (Array.isArray(node.enum)) chances.push(...node.enum.map(() => made / node.enum.length));
  if (node.type === "boolean") chances.push(made / 2, made / 2);
  for (const branches of [node.oneOf, node.anyOf].filter(Array.isArray))
    for (const branch of branches) chances.push(made / branches.length, ...alternatives(branch, made / branches.length, inside));
  for (const part of node.allOf ?? []) chances.push(...alternatives(part, made, inside));
  for (const property of Object.values(node.properties ?? {})) chances.push(...alternatives(property, made, inside));
  if (node.items) {
    chances.push(...Array.from({ length: ARRAY_LENGTHS }, () => made / ARRAY_LENGTHS));
    chances.push(...alternatives(node.items, (made * (ARRAY_LENGTHS - 1)) / ARRAY_LENGTHS, inside));
  }
  return chances;
}

/** The fewest runs after which the chance that some alternative never came up (each one's, summed) is at most MISS. */
export function runsToSeeEach(chances: number[]): number {
  let runs = 1;
  while (chances.reduce((sum, chance) => sum + (1 - chance) ** runs, 0) > MISS) runs++;
  return runs;
}

/** The alternatives of every row's 200 answer. */
export const answerAlternatives = tableOperations.flatMap((o) => alternatives(o.op.responses["200"].content["application/json"].schema));

/** The generated answers asked of each operation. */
export const RUNS = runsToSeeEach(answerAlternatives);
