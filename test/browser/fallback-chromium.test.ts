// The fallback a fresh machine takes: the Chromium inside @sparticuz/chromium, launched and able to run the client's crypto.
import { createServer } from "node:http";
import { chromium } from "playwright-core";
import { expect, it } from "vitest";
import { chromiumToLaunch } from "../support/chromium.ts";

it("the Chromium inside @sparticuz/chromium launches and has WebCrypto's RSA-PSS, whatever else the machine has", async () => {
  const { executablePath, args, which } = await chromiumToLaunch({ BROWSER_CHROMIUM: "package" });
  expect(which).toMatch(/^@sparticuz\/chromium's/);
  const browser = await chromium.launch({ executablePath, args, headless: true });
  // Note: WebCrypto needs a secure context, which 127.0.0.1 is and about:blank is not.
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>t</title>"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    const signed = await page.evaluate(async () => {
      const { privateKey } = (await crypto.subtle.generateKey(
        { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
        false,
        ["sign", "verify"],
      )) as CryptoKeyPair;
      return (await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, privateKey, new Uint8Array([1, 2, 3]))).byteLength;
    });
    expect(signed).toBe(256);
  } finally {
    await browser.close();
    server.close();
  }
});
