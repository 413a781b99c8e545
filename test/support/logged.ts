// What an example printed (console.log captured while it runs), and the private file it kept a secret in.
import { readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname } from "node:path";
import { expect, vi } from "vitest";

/** Runs `run`, returning what it logged and what it threw. */
export async function logged(run: () => Promise<void>): Promise<{ output: string; error?: unknown }> {
  const lines: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args));
  try {
    await run();
    return { output: lines.map((l) => l.join(" ")).join("\n") };
  } catch (error) {
    return { output: lines.map((l) => l.join(" ")).join("\n"), error };
  } finally {
    spy.mockRestore();
  }
}

/** The text of a secret file an example printed the path of, once it is shown to be private: under the system's temp dir,
 * mode 0600, in a directory of its own with mode 0700. */
export function privateSecret(path: string): string {
  expect(path.startsWith(tmpdir())).toBe(true);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
  return readFileSync(path, "utf8");
}
