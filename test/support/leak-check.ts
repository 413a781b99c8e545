// Vitest setup file: after each test file, no recorded error may show the token or a secret.
import { afterAll, expect } from "vitest";
import { recorded, renderings, SECRET, TOKEN } from "./secrets.js";

afterAll(() => {
  for (const error of recorded()) {
    for (const text of renderings(error)) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
    }
  }
});
