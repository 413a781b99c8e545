import { defineConfig } from "vitest/config";

const setupFiles = ["test/support/leak-check.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], setupFiles } },
      {
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          setupFiles,
          globalSetup: ["test/support/prism-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          setupFiles,
          globalSetup: ["test/support/prism-setup.ts"],
          testTimeout: 60_000,
        },
      },
      { test: { name: "package", include: ["test/package/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 } },
    ],
  },
});
