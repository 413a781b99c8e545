// The toolchain's Node: the exact-pinned `node` devDependency, which every npm script runs on (npm puts node_modules/.bin
// first on the PATH). The tests start the project's own tools on it, as npm would (Prism, the scripts, the examples, tsc,
// the linters), while the library's processes and the packed command stay on the Node running the tests, the floor
// (scripts/test-floor.ts; test/unit/npm-test.test.ts checks which Node each process a test starts runs on).
// Note: on the floor, Node 20, a process that loads tsx takes several times the CPU (its hooks run in a thread of their
// own), and so does an RSA pair (OpenSSL 3.0): the floor is kept for what it proves.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./root.ts";

const pinned = join(root, "node_modules/node/bin/node");

/**
 * The toolchain's Node; the running one where the devDependency's binary is missing (`npm ci --ignore-scripts` skips the
 * install script that puts it there), as `npm run` would then run on it too.
 */
export const TOOLCHAIN_NODE = existsSync(pinned) ? pinned : process.execPath;
