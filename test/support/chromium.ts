// Which Chromium the browser tests drive: CHROMIUM_PATH if set, else Debian's where it is installed,
// else the one inside the @sparticuz/chromium package, so `npm ci && npm test` needs no manual step.
import { existsSync } from "node:fs";

const DEBIAN = "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** playwright-core's launch options, and a line that says which Chromium it is. */
export async function chromiumToLaunch(env = process.env): Promise<{ executablePath: string; args: string[]; which: string }> {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) return { executablePath: chosen, args: FLAGS, which: `CHROMIUM_PATH (${chosen})` };
  // Note: BROWSER_CHROMIUM=package takes the package's Chromium even where Debian's is installed, to test that path.
  if (env.BROWSER_CHROMIUM !== "package" && existsSync(DEBIAN))
    return { executablePath: DEBIAN, args: FLAGS, which: `Debian's (${DEBIAN})` };
  const { default: chromium } = await import("@sparticuz/chromium");
  const executablePath = await chromium.executablePath();
  return { executablePath, args: [...new Set([...chromium.args, ...FLAGS])], which: `@sparticuz/chromium's (${executablePath})` };
}
