// Rotate an API key: create a new key with the old one's scopes and description, make sure it exists,
// write its secret to a file only you can read, then delete the old one. The secret is never printed.
//   npx tsx examples/rotate-key.ts <apiKeyId> [--expires-in-days 90] [--secret-file ./new-key.secret]
import { mkdtemp, open, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ApiKey, IamClient } from "../src/index.ts";
import { clientFromEnv, isMain, parseArgs } from "./client-from-env.ts";

export interface Rotated {
  /** The new key (its secret went to `keep`). */
  apiKey: ApiKey;
  /** The id of the key that was deleted. */
  deleted: string;
}

/**
 * Creates the successor of `oldKeyId`, hands its secret to `keep`, and deletes `oldKeyId` only once `keep` has resolved:
 * if anything fails before that, the old key still works.
 */
export async function rotateKey(
  iam: IamClient,
  oldKeyId: string,
  {
    keep,
    expiresInDays,
    now = Date.now(),
  }: { keep: (secret: string, apiKey: ApiKey) => void | Promise<void>; expiresInDays?: number; now?: number },
): Promise<Rotated> {
  const old = await iam.apiKeys.get(oldKeyId);
  const { apiKey, secret } = await iam.apiKeys.create({
    serviceAccountId: old.serviceAccountId,
    description: old.description,
    scopes: old.scopes,
    expiresAt: expiresInDays ? new Date(now + expiresInDays * 86_400_000) : undefined,
  });
  // Note: the secret is shown only in this answer, so it is stored before anything can fail or be deleted.
  await keep(secret, apiKey);
  await iam.apiKeys.get(apiKey.id);
  await iam.apiKeys.delete(old.id);
  return { apiKey, deleted: old.id };
}

/** Where the secret goes: `--secret-file`, or `secret` in a new private directory under the system's temp dir. */
async function secretPath(flag: string | true | undefined): Promise<{ path: string; ownDir?: string }> {
  if (typeof flag === "string") return { path: resolve(flag) };
  const ownDir = await mkdtemp(join(tmpdir(), "rotate-key-"));
  return { path: join(ownDir, "secret"), ownDir };
}

export async function main(argv = process.argv.slice(2), iam = clientFromEnv()): Promise<void> {
  const { flags, rest } = parseArgs(argv);
  const [oldKeyId] = rest;
  if (!oldKeyId) throw new Error("usage: rotate-key <apiKeyId> [--expires-in-days N] [--secret-file PATH]");
  const days = typeof flags["expires-in-days"] === "string" ? Number(flags["expires-in-days"]) : undefined;
  const { path, ownDir } = await secretPath(flags["secret-file"]);
  // Note: the file is created before the key, so a path that exists or cannot be written stops the rotation before
  // anything changes; "wx" never overwrites, and mode 0600 holds from creation, so no one else can read it even for an instant.
  const file = await open(path, "wx", 0o600);
  let kept = false;
  try {
    const { deleted } = await rotateKey(iam, oldKeyId, {
      ...(days && { expiresInDays: days }),
      async keep(secret, key) {
        await file.writeFile(secret);
        kept = true;
        await file.sync();
        console.log(`created ${key.id} (${key.maskedSecret}, scopes: ${key.scopes?.join(", ") || "none"})`);
        console.log(`its secret is in ${path} (mode 0600): move it to your secret manager, then delete the file`);
      },
    });
    console.log(`deleted ${deleted}`);
  } finally {
    await file.close();
    if (!kept) {
      await rm(path, { force: true });
      if (ownDir) await rmdir(ownDir);
    }
  }
}

if (isMain(import.meta.url)) await main();
