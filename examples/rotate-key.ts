// Rotate an API key: create a new key with the old one's scopes (a legacy `scope` too), description and expiry
// (`--expires-in-days` sets a new one instead), make sure it exists,
// write its secret to a file only you can read, then delete the old one. Of the secret, only its masked form is printed.
//   npx tsx examples/rotate-key.ts <apiKeyId> [--expires-in-days 90] [--secret-file ./new-key.secret] [--json]
import type { ApiKey, IamClient, IamError } from "../src/index.ts";
import {
  changedBefore,
  clientFromEnv,
  isMain,
  parseArgs,
  runCommand,
  switchOf,
  textOf,
  type Usage,
  UsageError,
} from "./client-from-env.ts";
import { secretFile } from "./secret-file.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["expires-in-days", "secret-file", "json"];

export const USAGE: Usage = {
  name: "rotate-key",
  synopsis: "<apiKeyId> [--expires-in-days N] [--secret-file PATH] [--json]",
  about:
    "Creates a new API key with the old one's scopes, description and expiry, writes its secret to a file only you can\nread, then deletes the old key. Of the secret, only its masked form is printed.",
  flags: [
    ["<apiKeyId>", "the key to rotate (required)"],
    ["--expires-in-days N", "the new key expires in N whole days instead of when the old one does"],
    ["--secret-file PATH", "where the new secret goes (default: a new private directory under the temp dir)"],
    ["--json", "the result as JSON on stdout: the new key (masked), the secret's file, the deleted key's id"],
  ],
};

export interface Rotated {
  /** The new key (its secret went to `keep`). */
  apiKey: ApiKey;
  /** The id of the key that was deleted. */
  deleted: string;
  /** What the new key took from the old one, as the old one had it. */
  carriedOver: Pick<ApiKey, "description" | "scope" | "scopes" | "expiresAt">;
}

/** The number of days of `--expires-in-days`: a whole number from 1; anything else is refused, naming what was given. */
export function parseDays(flag: string | true | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const days = typeof flag === "string" && /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!(Number.isSafeInteger(days) && days >= 1))
    throw new UsageError(
      `--expires-in-days must be a whole number of days from 1, not ${flag === true ? "nothing" : JSON.stringify(flag)}`,
    );
  return days;
}

/**
 * Creates the successor of `oldKeyId` (its description, scopes, legacy scope and `expiresAt`, unless `expiresInDays`
 * sets a new expiry), hands its secret to `keep`, and deletes `oldKeyId` only once `keep` has resolved: if anything
 * fails before that, the old key still works. An old key that has already expired needs `expiresInDays`.
 */
export async function rotateKey(
  iam: IamClient,
  oldKeyId: string,
  {
    keep,
    expiresInDays,
    now = Date.now(),
  }: {
    keep: (secret: string, apiKey: ApiKey, carriedOver: Rotated["carriedOver"]) => void | Promise<void>;
    expiresInDays?: number;
    now?: number;
  },
): Promise<Rotated> {
  if (expiresInDays !== undefined && !(Number.isSafeInteger(expiresInDays) && expiresInDays >= 1))
    throw new Error(`expiresInDays must be a whole number of days from 1, not ${expiresInDays}`);
  const old = await iam.apiKeys.get(oldKeyId);
  // Note: the successor keeps the old key's limits: a key that expired must not come back as one that never does.
  const carriedOver = {
    ...(old.description && { description: old.description }),
    ...(old.scope && { scope: old.scope }),
    ...(old.scopes && { scopes: old.scopes }),
    ...(!expiresInDays && old.expiresAt && { expiresAt: old.expiresAt }),
  };
  if (carriedOver.expiresAt && Date.parse(carriedOver.expiresAt) <= now)
    throw new Error(`${old.id} expired at ${carriedOver.expiresAt}; give its successor a new expiry (--expires-in-days N)`);
  const { apiKey, secret } = await iam.apiKeys.create({
    serviceAccountId: old.serviceAccountId,
    ...carriedOver,
    ...(expiresInDays && { expiresAt: new Date(now + expiresInDays * 86_400_000) }),
  });
  // Note: the secret is shown only in this answer, so it is stored before anything can fail or be deleted.
  await keep(secret, apiKey, carriedOver);
  await iam.apiKeys.get(apiKey.id);
  await iam.apiKeys.delete(old.id);
  return { apiKey, deleted: old.id, carriedOver };
}

/** What was carried over, in words, and where the new key's expiry came from. */
function describeCarried({ description, scope, scopes, expiresAt }: Rotated["carriedOver"], key: ApiKey, days?: number): string {
  const parts = [
    description && `description "${description}"`,
    scopes?.length && `scopes ${scopes.join(", ")}`,
    scope && `legacy scope ${scope}`,
    expiresAt && `expiresAt ${expiresAt}`,
  ].filter(Boolean);
  const expiry = days
    ? `; it expires at ${key.expiresAt} (--expires-in-days ${days})`
    : expiresAt
      ? ""
      : "; it never expires, as the old key";
  return `${parts.join(", ") || "nothing"}${expiry}`;
}

/** `openFile` opens the file the secret goes to (tests give one that fails); `now` is the clock an old key's expiry is compared with. */
export async function main(argv = process.argv.slice(2), iam = clientFromEnv(), openFile = secretFile, now = Date.now()): Promise<void> {
  const { flags, rest } = parseArgs(argv, FLAGS);
  const [oldKeyId, ...more] = rest;
  if (!oldKeyId) throw new UsageError("the API key to rotate is missing");
  if (more.length) throw new UsageError(`one key at a time, not ${rest.join(" ")}`);
  // Note: before the file and the key: a bad number or path stops it while nothing has changed.
  const days = parseDays(flags["expires-in-days"]);
  const secretPath = textOf(flags, "secret-file");
  const json = switchOf(flags, "json");
  // Note: with --json, stdout holds the JSON alone; the lines go to stderr, where a script's log keeps them.
  const say = json ? console.error : console.log;
  // Note: the file is made before the key, so a path that exists or cannot be written stops the rotation first.
  const file = await openFile(secretPath, "secret", "rotate-key-");
  let created: ApiKey | undefined;
  try {
    const { deleted } = await rotateKey(iam, oldKeyId, {
      now,
      ...(days && { expiresInDays: days }),
      async keep(secret, key, carriedOver) {
        created = key;
        await file.save(secret);
        say(`created ${key.id} (${key.maskedSecret}, scopes: ${key.scopes?.join(", ") || "none"})`);
        say(`carried over from ${oldKeyId}: ${describeCarried(carriedOver, key, days)}`);
        say(`its secret is in ${file.path} (mode 0600): move it to your secret manager, then delete the file`);
      },
    });
    say(`deleted ${deleted}`);
    // Note: the key as the API answered it, which holds its masked secret only; the secret is in the file alone.
    if (json) console.log(JSON.stringify({ apiKey: created, secretFile: file.path, deleted }, null, 2));
  } catch (error) {
    const { message, operation, outcomeUnknown } = error as IamError;
    // Note: a key whose secret was lost is of no use: the message names it so it can be deleted; the old one still works.
    if (created && !file.saved)
      throw changedBefore(
        `${message} (API key ${created.id} was created, but its secret could not be saved to ${file.path}, so it cannot be used: delete it, e.g. yc iam api-key delete ${created.id}; ${oldKeyId} was not deleted)`,
        error,
      );
    // Note: a key whose secret was saved works: the message says where it is, and whether the old one still does.
    if (created) {
      const old =
        operation === "deleteApiKey" && outcomeUnknown
          ? `${oldKeyId} may have been deleted: get it to find out`
          : `${oldKeyId} was not deleted: delete it once nothing uses it`;
      throw changedBefore(`${message} (API key ${created.id} was created and its secret is in ${file.path} (mode 0600); ${old})`, error);
    }
    if (operation === "createApiKey" && outcomeUnknown)
      throw changedBefore(
        `${message} (a new API key may have been created, whose secret never came: list the account's keys and delete one you do not know; ${oldKeyId} was not deleted)`,
        error,
      );
    throw error;
  } finally {
    await file.close();
  }
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
