// What a test opened (a served fake, a temp folder), closed after it whatever it ended as.
import { afterEach } from "vitest";

/** A list the file's tests push their clean-ups to; each runs after the test, in order, and the list is emptied. */
export function cleanupsAfterEach(): (() => Promise<unknown>)[] {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return cleanups;
}
