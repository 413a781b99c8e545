// What an example printed: console.log captured while it runs.
import { vi } from "vitest";

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
