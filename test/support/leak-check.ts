// Vitest setup file: after each test file, no recorded error may show a token, a secret, a private key or a JWT.
import { afterAll, expect } from "vitest";
import { forgetRecorded, recorded, renderings, secrets } from "./secrets.js";

afterAll(() => {
  for (const error of recorded()) {
    for (const text of renderings(error)) {
      for (const credential of secrets()) expect(text).not.toContain(credential);
    }
  }
  forgetRecorded();
});
