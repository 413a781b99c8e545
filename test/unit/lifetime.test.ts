// The servers of npm run mock and npm run fake stop with npm, however npm is stopped: no tsx, Prism or fake left
// on a port after a process manager's SIGTERM to npm alone.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../../scripts/prism.ts";
import { root } from "../../scripts/root.ts";

/** The live processes (zombies count as gone), as pid → parent pid, from POSIX `ps`. */
function processes(): Map<number, number> {
  const table = new Map<number, number>();
  for (const line of execFileSync("ps", ["-e", "-o", "pid=,ppid=,stat="], { encoding: "utf8" }).trim().split("\n")) {
    const [pid, ppid, stat] = line.trim().split(/\s+/);
    if (!stat?.startsWith("Z")) table.set(Number(pid), Number(ppid));
  }
  return table;
}

/** Every live process below `pid`. */
function descendants(pid: number): number[] {
  const table = processes();
  const found = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of table)
      if (found.has(parent) && !found.has(child)) {
        found.add(child);
        grew = true;
      }
  }
  found.delete(pid);
  return [...found];
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Polls `condition` up to `tries` times, `everyMs` apart; whether it came true. */
async function eventually(condition: () => boolean | Promise<boolean>, tries: number, everyMs = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

describe.each([
  ["mock", "PORT"],
  ["fake", "FAKE_PORT"],
])("npm run %s", (script, portVariable) => {
  it("stops whole when npm alone gets SIGTERM: every process it started is gone and the port is free", async () => {
    const port = await freePort();
    let output = "";
    // Note: its own process group, so whatever it leaves behind can be cleaned up by that group's id.
    const npm: ChildProcess = spawn("npm", ["run", script], {
      cwd: root,
      env: { ...process.env, [portVariable]: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    for (const stream of [npm.stdout, npm.stderr]) stream?.on("data", (chunk) => (output = (output + chunk).slice(-4000)));
    const group = npm.pid as number;
    try {
      expect(await eventually(() => listening(port), 600), output).toBe(true);
      const started = descendants(group);
      // sh, tsx, the script's node (and Prism for the mock)
      expect(started.length, output).toBeGreaterThanOrEqual(script === "mock" ? 4 : 3);
      npm.kill("SIGTERM");
      const alive = () => {
        const table = processes();
        return started.filter((pid) => table.has(pid));
      };
      await eventually(async () => !alive().length && !(await listening(port)), 150);
      expect(alive(), output).toEqual([]);
      expect(await listening(port)).toBe(false);
    } finally {
      for (const stream of [npm.stdout, npm.stderr]) stream?.destroy();
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // Note: nothing left in the group, as it should be.
      }
    }
  }, 90_000);
});
