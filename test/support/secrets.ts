// The credentials the suite uses, and the collector that proves no error ever shows them.
import { inspect } from "node:util";

export const TOKEN = "t1.9euelZqSECRETiamTOKENmustNEVERleak";
export const SECRET = "AQVNsecretAPIkeyMUSTneverLEAK_q7b2";

const seen: unknown[] = [];
const credentials = new Set<string>([TOKEN, SECRET]);

/** Adds a credential (a private key's body, a JWT, an OAuth or IAM token) to those no recorded error may show. */
export function secret<T extends string>(value: T): T {
  if (value.length >= 12) credentials.add(value);
  return value;
}

/** Every credential the leak check looks for. */
export const secrets = (): readonly string[] => [...credentials];

/** Records an error for the leak check and returns it. */
export function caught<T>(error: T): T {
  seen.push(error);
  return error;
}

/** Awaits `promise`, expecting it to reject; returns (and records) the reason. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return caught(error);
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** What `call` rejected with, or "still pending" once `boundMs` passed (a call that never settles fails its test at once, not at vitest's limit). */
export const settled = (call: Promise<unknown>, boundMs = 5_000): Promise<any> =>
  Promise.race([rejection(call), new Promise((resolve) => setTimeout(resolve, boundMs, "still pending"))]);

/** `error` as structuredClone copies it (to a worker, or into a job queue's record), shown; nothing when it cannot be copied. */
function cloned(error: unknown): string {
  let copy: unknown;
  try {
    copy = structuredClone(error);
  } catch {
    return "";
  }
  return inspect(copy, { depth: 10, showHidden: true });
}

/** Every rendering of `error` that a log could show. */
export function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    String(e?.message),
    String(e?.stack),
    JSON.stringify(error) ?? "",
    inspect(error, { depth: 10, showHidden: true }),
    cloned(error),
  ];
}

/** The errors recorded so far in this file. */
export const recorded = (): readonly unknown[] => seen;

/** Forgets the errors recorded, once a file is checked: the next file in the worker may share this module (isolate: false). */
export const forgetRecorded = (): void => void seen.splice(0);
