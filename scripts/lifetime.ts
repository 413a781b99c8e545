// The servers of npm start, npm run mock/proxy/fake stop with whatever started them, however it is stopped:
// a signal to this process, or a launcher (npm, the shell npm runs the script in, tsx) that is gone.
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";

/** Node code for a child that must exit when its parent does: its stdin is a pipe from the parent, closed when the parent dies. */
export const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent('process.stdin.on("end", () => process.exit(0)).resume();')}`;

/** Whether `args` is a process that only launches the next one: `sh -c …` or the tsx command line. */
const isLauncher = (args: string): boolean => /^(\S*\/)?(sh|bash|dash) -c /.test(args) || /(^|[\s/])tsx(\s|$)/.test(args);

/** The parent and `args` of a process, from `ps` (POSIX); undefined where there is no `ps` or no such process. */
function parentOf(pid: number): { ppid: number; args: string } | undefined {
  try {
    const line = execFileSync("ps", ["-o", "ppid=,args=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const match = line.trim().match(/^(\d+)\s+(.*)$/);
    return match ? { ppid: Number(match[1]), args: match[2] as string } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The processes this one lives for, nearest first: the launchers (`sh -c`, tsx) and the first process above them
 * (npm, a process manager, a shell, a test); `orphaned` when a launcher has already lost its parent.
 */
export function launchers(): { chain: number[]; orphaned: boolean } {
  const chain: number[] = [];
  for (let pid = process.ppid; chain.length < 6; ) {
    if (pid <= 1) return { chain, orphaned: true };
    chain.push(pid);
    const parent = parentOf(pid);
    if (!parent || !isLauncher(parent.args)) break;
    pid = parent.ppid;
  }
  return { chain, orphaned: false };
}

/** Whether a process exists (one we may not signal still does). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops every server `add`ed, then exits, on SIGINT, SIGTERM or SIGHUP, or when a launcher is gone; `fail(message)`
 * prints the message, stops them all and exits 1. Call it before starting any, so a stop during start-up is not missed.
 * Note: npm 11 passes SIGTERM to the `sh -c` it runs a script in, and that shell dies without passing it on, so
 * tsx and this process would outlive npm: only watching the launchers catches that.
 */
export function stopWithParent({ pollMs = 250 } = {}): { add(stop: () => unknown): void; fail(message: string): Promise<never> } {
  const stops: (() => unknown)[] = [];
  const { chain, orphaned } = launchers();
  const ppid = process.ppid;
  let stopping = false;
  const end = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    // Note: a stop that hangs must not keep the ports; the process goes anyway.
    setTimeout(() => process.exit(1), 5_000).unref();
    await Promise.all(stops.map((stop) => stop()));
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => end());
  const watch = setInterval(() => {
    if (process.ppid !== ppid || !chain.every(alive)) void end();
  }, pollMs);
  watch.unref();
  if (orphaned) void end();
  return {
    add: (stop) => void stops.push(stop),
    async fail(message) {
      console.error(message);
      await end(1);
      // Note: end() exits; this is for the type, and for a second fail() while the first is stopping.
      return new Promise<never>(() => {});
    },
  };
}

/** The port an environment variable sets, or `fallback` when it is unset; a clear error for anything but 0 to 65535. */
export function portFromEnv(name: string, fallback: number, env = process.env): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65_535)
    throw new Error(`${name} must be a port number from 0 to 65535, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Whether something (another program, or this one) already listens on `port` of `host`. */
export function portTaken(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(true) : reject(error)));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

/**
 * What a server started on a port that is taken says: the port, and the command that chooses another (`variable`
 * set before `command`: `MOCK_PORT=<port> npm start`), instead of Node's bare EADDRINUSE.
 */
export const portInUse = (what: string, port: number, host: string, variable: string, command: string): string =>
  `the ${what} cannot listen on ${host}:${port}, which is in use (by another program, or an earlier ${command} still running). Choose another port with ${variable}, e.g. ${variable}=${port < 65_000 ? port + 100 : 0} ${command} (0: any free one), or stop what holds ${port}.`;
