// Vitest globalSetup: one Prism mock of the document on a free loopback port, with --errors, for every project of the run
// that names this file; its URL goes to the tests through provide/inject, and the last teardown proves the process is gone.
// It answers from the document's examples, and with a generated answer to a request that says `Prefer: dynamic=true`.
import type { TestProject } from "vitest/node";
import { type RunningPrism, startPrism } from "../../scripts/prism.ts";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Note: each project loads this file anew, so the mock they share (started by the first, stopped by the last) is kept
// where all of them see it: the run's globalThis. One start instead of one per project: Prism takes 2 s of CPU to start.
const run = globalThis as typeof globalThis & { sharedPrism?: { users: number; prism: Promise<RunningPrism> } };

export default async function setup(project: TestProject) {
  run.sharedPrism ??= { users: 0, prism: startPrism() };
  const shared = run.sharedPrism;
  shared.users++;
  const prism = await shared.prism;
  project.provide("prismUrl", prism.url);
  return async () => {
    if (--shared.users > 0) return;
    delete run.sharedPrism;
    await prism.stop();
    if (alive(prism.pid)) throw new Error(`Prism process left behind: ${prism.pid}`);
  };
}
