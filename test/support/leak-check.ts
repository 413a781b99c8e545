// Vitest setup file: after each test file, no recorded error may show a token, a secret, a private key or a JWT.
import { afterAll, expect } from "vitest";
import { forgetRecorded, recorded, renderings, secrets } from "./secrets.js";

afterAll(() => {
  // Note: one expect for the whole file, of every leak found: an expect per error, rendering and credential cost the unit
  // tests about ten seconds of CPU (the credentials a worker has seen only grow, and so does each expect's own work).
  const leaks: string[] = [];
  const credentials = secrets();
  for (const [i, error] of recorded().entries()) {
    for (const text of renderings(error)) {
      for (const credential of credentials) if (text.includes(credential)) leaks.push(`recorded error ${i} shows ${credential}: ${text}`);
    }
  }
  forgetRecorded();
  expect(leaks).toEqual([]);
});
