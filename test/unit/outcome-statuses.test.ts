// Which error statuses leave a write's outcome unknown: the rule of `x-yc-outcome-statuses`, by class with named
// exceptions, so a status nobody listed (a load balancer's 520, a proxy's 599) never claims that nothing happened.
import { describe, expect, it } from "vitest";
import { clientStatusesThatMayHaveActed, serverStatusesThatDidNotAct } from "../../generated/contract.ts";
import { IamApiError } from "../../src/index.ts";
import { bundledDocument } from "../support/ajv.ts";
import { scriptedClient } from "../support/scripted-client.ts";
import { json } from "../support/scripted-fetch.ts";
import { rejection } from "../support/secrets.ts";

const ACCOUNT = "ajeg2b2et02f3tl2c1pj";
const KEY_ID = "aje3ho9atbhf4aq6c2ok";
const SUBJECT = { id: "ajeother0account0sa1", type: "serviceAccount" } as const;
const ADVICE = "; the outcome is unknown: it may have changed something, so get or list to find out before trying again";

/** One write of each retry class that changes something, sent once (`retry: false`). */
const WRITES: [string, (iam: ReturnType<typeof scriptedClient>["iam"]) => Promise<unknown>][] = [
  ["apiKeys.create (create class)", (iam) => iam.apiKeys.create()],
  ["keys.create (create class)", (iam) => iam.keys.create({ serviceAccountId: ACCOUNT })],
  ["apiKeys.delete (idempotent class)", (iam) => iam.apiKeys.delete(KEY_ID)],
  ["serviceAccounts.grant (idempotent class)", (iam) => iam.serviceAccounts.grant(ACCOUNT, "viewer", SUBJECT)],
];

/** Status → whether a write answered it may have acted. */
const STATUSES: [number, boolean][] = [
  [499, true], // gRPC CANCELLED through the gateway: cancelled at a moment nobody reports
  [408, true], // a proxy stopped waiting; the request may have been in work
  [505, true], // a 5xx nobody listed
  [520, true], // a load balancer's "unknown error"
  [599, true], // a proxy's network time-out
  [500, true],
  [502, true],
  [504, true],
  [400, false],
  [403, false],
  [409, false],
  [429, false],
  [501, false], // UNIMPLEMENTED: nothing to act
  [503, false], // UNAVAILABLE: the call was not taken up
];

describe("x-yc-outcome-statuses: which statuses leave a write's outcome unknown", () => {
  it("the document states the rule once, with its reasons, and the table carries its two exception lists", () => {
    const rule = bundledDocument["x-yc-outcome-statuses"];
    expect(rule.clientStatusesThatMayHaveActed).toEqual([408, 499]);
    expect(rule.serverStatusesThatDidNotAct).toEqual([501, 503]);
    expect(rule.description).toMatch(/below 500/);
    expect(rule.description).toMatch(/CANCELLED/);
    expect(bundledDocument["x-yc-outcome-unknown-statuses"]).toBeUndefined();
    expect(clientStatusesThatMayHaveActed).toEqual([408, 499]);
    expect(serverStatusesThatDidNotAct).toEqual([501, 503]);
  });

  for (const [write, run] of WRITES)
    it.each(STATUSES)(`${write} answered %i once → outcomeUnknown %s`, async (status, unknown) => {
      const { iam, requests } = scriptedClient([json(status, { code: 2, message: "something went wrong" })], { retry: false });
      const error = await rejection(run(iam));
      expect(error).toBeInstanceOf(IamApiError);
      expect(error).toMatchObject({ status, outcomeUnknown: unknown });
      expect(error.message.endsWith(ADVICE)).toBe(unknown);
      expect(requests).toHaveLength(1);
    });

  it("a read answered a status that would leave a write unknown changes nothing, so its outcome is known", async () => {
    for (const status of [499, 520, 599]) {
      const { iam } = scriptedClient([json(status, { code: 2, message: "something went wrong" })], { retry: false });
      const error = await rejection(iam.apiKeys.get(KEY_ID));
      expect(error).toMatchObject({ status, outcomeUnknown: false });
    }
  });
});
