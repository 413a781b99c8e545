// Vitest globalSetup: a static and a dynamic Prism mock on free loopback ports, with --errors;
// their URLs go to the tests through provide/inject, and teardown proves both processes are gone.
import type { TestProject } from "vitest/node";
import { type RunningPrism, startPrism } from "../../scripts/prism.ts";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
    prismDynamicUrl: string;
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

export default async function setup(project: TestProject) {
  const running: RunningPrism[] = await Promise.all([startPrism(), startPrism({ dynamic: true })]);
  const [mock, dynamic] = running as [RunningPrism, RunningPrism];
  project.provide("prismUrl", mock.url);
  project.provide("prismDynamicUrl", dynamic.url);
  return async () => {
    await Promise.all(running.map((p) => p.stop()));
    const left = running.filter((p) => alive(p.pid));
    if (left.length) throw new Error(`Prism processes left behind: ${left.map((p) => p.pid).join(", ")}`);
  };
}
