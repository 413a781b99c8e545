// npm run size's share of each service: every module of src/services/ adds bytes to the core, whether its factory is a named
// export or the default export (which `export *` alone leaves out: such a service measured 0 B); index.ts, the wiring, is none.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { root } from "../../scripts/root.ts";
import { serviceShares } from "../../scripts/size.ts";

it("gives each module of src/services/ a share above 0 B, and the core its own", async () => {
  const shares = await serviceShares();
  const modules = (await readdir(join(root, "src/services")))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .map((f) => f.slice(0, -3));
  expect(Object.keys(shares).sort()).toEqual(["core", ...modules].sort());
  for (const [name, bytes] of Object.entries(shares)) expect(bytes, name).toBeGreaterThan(100);
});
