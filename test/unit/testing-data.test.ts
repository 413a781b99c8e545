// The fake's data looks like Yandex's: an API key's secret and its mask; a list's filter reads as Yandex's lists take it.
import { describe, expect, it } from "vitest";
import { maskSecret, newSecret } from "../../src/testing/data.ts";
import { filtered } from "../../src/testing/lists.ts";

describe("the fake's API-key secrets", () => {
  it("are AQVN and 36 characters of base64url, as Yandex's are, and the masked tail draws on all of them, `-` included", () => {
    const secrets = Array.from({ length: 600 }, newSecret);
    for (const secret of secrets) expect(secret).toMatch(/^AQVN[A-Za-z0-9_-]{36}$/);
    // Note: 3,600 draws of 64 characters: the chance that one character never shows is below 1e-20.
    const tails = new Set(secrets.flatMap((secret) => [...maskSecret(secret).slice(4)]));
    expect(tails.size).toBe(64);
    expect(tails.has("-")).toBe(true);
    expect(maskSecret("AQVNabcdefghijklmnopqrstuvwxyz0123-_q7-b")).toBe("****-_q7-b");
  });
});

describe("a list's filter (filtered)", () => {
  const items = [
    { id: "viewer", name: "a" },
    { id: "editor", name: "b" },
  ];
  const kept = (filter: string | undefined, fields: ("id" | "name")[]) => {
    const keep = filtered<(typeof items)[number]>(filter, fields);
    if (keep instanceof Response) throw new Error("refused");
    return items.filter(keep).map((item) => item.id);
  };

  it('keeps every item without a filter, and for field="value" on a field it may name, the items whose field is that value', () => {
    expect(kept(undefined, ["id"])).toEqual(["viewer", "editor"]);
    expect(kept("  ", ["id"])).toEqual(["viewer", "editor"]);
    expect(kept('id="editor"', ["id"])).toEqual(["editor"]);
    expect(kept(' name = "a" ', ["id", "name"])).toEqual(["viewer"]);
    expect(kept('id="nobody"', ["id"])).toEqual([]);
  });

  it("answers INVALID_ARGUMENT naming the forms it takes for a field it may not name, or any other expression", async () => {
    for (const filter of ['name="a"', "id=editor", 'id!="editor"', 'id="a" AND id="b"']) {
      const refused = filtered<(typeof items)[number]>(filter, ["id"]);
      expect(refused, filter).toBeInstanceOf(Response);
      expect((refused as Response).status).toBe(400);
      expect(await (refused as Response).json()).toMatchObject({
        code: 3,
        message: `Request validation error: filter: only id="…" is supported, not ${JSON.stringify(filter)}`,
      });
    }
  });
});
