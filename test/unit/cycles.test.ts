// No module of src/ reaches itself through its imports, type imports included (scripts/cycles.ts), and the check is live.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importGraph } from "../../scripts/cycles.ts";
import { root } from "../../scripts/root.ts";

describe("import circles", () => {
  it("src/ has none: core/call.ts and core/poll.ts share their types through core/types.ts", async () => {
    const graph = await importGraph(join(root, "src"));
    expect(cycles(graph)).toEqual([]);
    expect(graph.get("core/call.ts")).toContain("core/types.ts");
    expect(graph.get("core/poll.ts")).toContain("core/types.ts");
  });

  it("finds a circle of type imports, re-exports and folder imports, and none in a chain", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-cycles-"));
    try {
      await mkdir(join(dir, "services"));
      const files: Record<string, string> = {
        "fake.ts": 'import services from "./services/index.js";\nexport const fake = services;\n',
        "services/index.ts": 'export * from "./keys.js";\nexport default {};\n',
        "services/keys.ts": 'import type { FakeOptions } from "../options.js";\nexport type Keys = FakeOptions;\n',
        "options.ts": 'import type { fake } from "./fake.js";\nexport type FakeOptions = typeof fake;\n',
        "alone.ts": 'import { fake } from "./fake.js";\nimport { readFile } from "node:fs";\nexport const both = [fake, readFile];\n',
      };
      for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
      const graph = await importGraph(dir);
      expect(graph.get("alone.ts")).toEqual(["fake.ts"]);
      expect(cycles(graph)).toEqual([["fake.ts", "services/index.ts", "services/keys.ts", "options.ts", "fake.ts"]]);
      // Note: the type import that closes the circle gone, the rest is a chain.
      await writeFile(join(dir, "options.ts"), "export type FakeOptions = object;\n");
      expect(cycles(await importGraph(dir))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
