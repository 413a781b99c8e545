// The project's root folder, for scripts and tests; its own module so that importing it loads nothing else.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
