// npm run example's arguments: flags add to an example's defaults. The audit's tests are in examples-audit.test.ts,
// provision's in examples-provision.test.ts.
import { describe, expect, it } from "vitest";
import { argumentsOf } from "../../scripts/example.ts";

describe("npm run example's arguments", () => {
  it("flags alone add to the defaults (a flag given replaces the default's); arguments that start with a positional one replace them", () => {
    expect(argumentsOf([], ["--folder", "f"])).toEqual(["--folder", "f"]);
    expect(argumentsOf(["--json"], ["--folder", "f"])).toEqual(["--folder", "f", "--json"]);
    expect(argumentsOf(["--folder", "g"], ["--folder", "f"])).toEqual(["--folder", "g"]);
    expect(argumentsOf(["other"], ["aje1"])).toEqual(["other"]);
    // Note: flags alone keep the default key: `npm run example -- rotate-key --secret-file P` rotates the first demo key.
    expect(argumentsOf(["--secret-file", "/tmp/x"], ["aje1"])).toEqual(["aje1", "--secret-file", "/tmp/x"]);
    expect(argumentsOf(["other", "--expires-in-days", "5"], ["aje1"])).toEqual(["other", "--expires-in-days", "5"]);
    expect(argumentsOf(["--secret-file", "/tmp/x", "other"], ["aje1"])).toEqual(["--secret-file", "/tmp/x", "other"]);
  });
});
