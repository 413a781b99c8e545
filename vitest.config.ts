import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    setupFiles: ["test/support/leak-check.ts"],
    testTimeout: 30_000,
  },
});
