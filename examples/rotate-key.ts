// Rotate an API key: create a new key with the old one's scopes and description, make sure it exists, then delete the old one.
//   npx tsx examples/rotate-key.ts <apiKeyId> [--expires-in-days 90]
import type { IamClient } from "../src/index.ts";
import { clientFromEnv, isMain, parseArgs } from "./client-from-env.ts";

export interface Rotated {
  /** The new key; its secret is shown only here: store it (in your secret manager) before anything else. */
  apiKey: import("../src/index.ts").ApiKey;
  secret: string;
  /** The id of the key that was deleted. */
  deleted: string;
}

/** Creates the successor of `oldKeyId` and deletes `oldKeyId` once the successor can be read back. */
export async function rotateKey(
  iam: IamClient,
  oldKeyId: string,
  { expiresInDays, now = Date.now() }: { expiresInDays?: number; now?: number } = {},
): Promise<Rotated> {
  const old = await iam.apiKeys.get(oldKeyId);
  const { apiKey, secret } = await iam.apiKeys.create({
    serviceAccountId: old.serviceAccountId,
    description: old.description,
    scopes: old.scopes,
    expiresAt: expiresInDays ? new Date(now + expiresInDays * 86_400_000) : undefined,
  });
  // Note: the old key goes only once the new one is there to read; if anything above failed, the old key still works.
  await iam.apiKeys.get(apiKey.id);
  await iam.apiKeys.delete(old.id);
  return { apiKey, secret, deleted: old.id };
}

export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<void> {
  const { flags, rest } = parseArgs(argv);
  const [oldKeyId] = rest;
  if (!oldKeyId) throw new Error("usage: rotate-key <apiKeyId> [--expires-in-days N]");
  const days = typeof flags["expires-in-days"] === "string" ? Number(flags["expires-in-days"]) : undefined;
  const { apiKey, deleted } = await rotateKey(iam, oldKeyId, days ? { expiresInDays: days } : {});
  console.log(`created ${apiKey.id} (${apiKey.maskedSecret}, scopes: ${apiKey.scopes?.join(", ") || "none"}); deleted ${deleted}`);
  console.log("The new secret is in the result of rotateKey(): store it now; it cannot be read again.");
}

if (isMain(import.meta.url)) await main();
