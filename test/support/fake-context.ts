// A fake service's context made by hand, to test one service module alone: its hooks answer as the test says.
import { accessBindingStore } from "../../src/testing/bindings.ts";
import operationsService from "../../src/testing/services/operations.ts";
import type { FakeContext, HandlerArgs } from "../../src/testing/types.ts";

/** The account a context made here starts with. */
export const OWNER = "ajeg2b2et02f3tl2c1pj";

/**
 * A context of one account whose operations are done at once; `overrides` replace any part (a hook, the options). Its
 * binding store is made over its own options, operations and role check unless one is given.
 */
export function fakeContext(overrides: Partial<FakeContext> = {}): FakeContext {
  const context: Omit<FakeContext, "accessBindings"> = {
    options: {},
    serviceAccounts: [OWNER],
    owner: OWNER,
    now: Date.now,
    operations: operationsService({ options: { operations: { polls: 0 } }, owner: OWNER, now: Date.now }),
    signingKeys: new Map(),
    deleteOwnedBy: () => {},
    refusal: () => undefined,
    roleExists: () => true,
    subjectBindings: () => [],
    resourceExists: () => true,
    federationsOf: () => [],
    federatedAccounts: () => [],
    issueIamToken: () => {
      throw new Error("this context issues no IAM tokens: give it issueIamToken");
    },
    ...overrides,
  };
  return { ...context, accessBindings: overrides.accessBindings ?? accessBindingStore(context) };
}

/** A handler's arguments: the parts given, the rest empty, the caller `OWNER`. */
export const handlerArgs = (parts: Partial<HandlerArgs>): HandlerArgs => ({
  path: {},
  query: {},
  body: {},
  subject: OWNER,
  request: new Request("http://iam.fake.invalid/"),
  ...parts,
});
