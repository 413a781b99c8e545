// Ajv over the bundled document: the full JSON Schema, as an independent judge of the contract.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { root } from "../../scripts/root.ts";

// Note: ajv-formats is CommonJS; its default export sits one level deeper under NodeNext types.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export const bundledDocument = JSON.parse(readFileSync(join(root, "generated/openapi.json"), "utf8"));

/** What a local `$ref` (`#/components/…`) of the bundled document points to, followed to the end; any other node as it is. */
export const deref = (node: any): any =>
  node?.$ref
    ? deref(
        node.$ref
          .split("/")
          .slice(1)
          .reduce((at: any, key: string) => at[key], bundledDocument),
      )
    : node;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...bundledDocument, $id: "doc" }, "doc");

const validators = new Map<string, ValidateFunction>();
/**
 * A validator for a `#/components/schemas/…` (or any) pointer into the bundled document; one per pointer, as Ajv compiles
 * a new schema object again each time. Read its `errors` right after it ran: the next run of the pointer replaces them.
 */
export function schemaAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) validators.set(pointer, (validate = ajv.compile({ $ref: `doc${pointer}` })));
  return validate;
}

/** Ajv's errors as one line. */
export const errorsText = (validate: ValidateFunction): string => ajv.errorsText(validate.errors);
