// Vitest globalSetup of the browser tests: the Chromium inside @sparticuz/chromium unpacked (into the temp dir) once, before
// the browser test files start side by side: the package unpacks it on first use, and a second file asking while the first
// one unpacks would be handed a half-written binary to launch.
import { chromiumToLaunch } from "./chromium.ts";

export default async function setup() {
  await chromiumToLaunch({ BROWSER_CHROMIUM: "package" });
}
