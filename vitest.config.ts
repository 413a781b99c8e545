import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const setupFiles = ["test/support/shifted-clock.ts", "test/support/leak-check.ts"];

// Note: an inline project inherits the root's options (the timeouts) only with `extends: true`; without it, unit ran at vitest's 5 s.
export default defineConfig({
  test: {
    // Note: one worker more than the cores, not vitest's one less: the tests spend much of their time waiting on the
    // processes they start and on their own timers, which a third worker fills on 2 cores (issue 21's closing note has
    // the alternating runs).
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles,
          // Note: a test file reuses its worker's process and modules (a tenth less CPU, a quarter less time): no unit test
          // leaves a global changed (a spy, a fake timer, the shifted clock) or counts across files (the leak check forgets).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          setupFiles,
          globalSetup: ["test/support/prism-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          setupFiles,
          globalSetup: ["test/support/prism-setup.ts", "test/support/chromium-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          globalSetup: ["test/support/package-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
