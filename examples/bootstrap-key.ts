// Bootstrap a service account's authorized key: create it, save it as key.json (mode 0600, never over an existing
// file), read the file back into a token source as a colleague would, and list the account's API keys with it.
// The private key is never printed.
//   npx tsx examples/bootstrap-key.ts [--service-account <id>] [--key-file ./key.json] [--description TEXT] [--json]
import { readFile } from "node:fs/promises";
import { serviceAccountKey } from "../src/auth/index.ts";
import { type ApiKey, createIamClient, type IamClient, type Key, keyFile } from "../src/index.ts";
import {
  baseUrlFromEnv,
  clientFromEnv,
  isMain,
  parseArgs,
  runCommand,
  switchOf,
  table,
  textOf,
  type Usage,
  UsageError,
  untilInterrupted,
} from "./client-from-env.ts";
import { secretFile } from "./secret-file.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["service-account", "key-file", "description", "json"];

/** Where the IAM API is, for the token exchange and the client that uses its tokens. Default: Yandex Cloud. */
export interface Where {
  baseUrl?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

export const USAGE: Usage = {
  name: "bootstrap-key",
  synopsis: "[--service-account ID] [--key-file PATH] [--description TEXT] [--json]",
  about:
    "Creates an authorized key for a service account, saves its key.json (mode 0600, never over an existing file), then\ngets an IAM token with the file and lists the account's API keys with it. The private key is never printed.",
  flags: [
    ["--service-account ID", "the account (default: the one the token belongs to)"],
    ["--key-file PATH", "where the key file goes (default: key.json in a new private directory under the temp dir)"],
    ["--description TEXT", "the key's description"],
    ["--json", "the key's public half, its file's path and the API keys as JSON on stdout"],
  ],
};

export interface Bootstrapped {
  /** The new key's public half (its private key is only in the file). */
  key: Key;
  /** The account's API keys, listed with a token the key file got. */
  apiKeys: ApiKey[];
}

/**
 * Creates an authorized key, hands its key file's text to `save`, then reads the file back with `load`, gets a token
 * with it and lists the account's API keys with that token. Nothing runs between the create and `save`.
 */
export async function bootstrapKey(
  iam: IamClient,
  {
    serviceAccountId,
    description,
    save,
    load,
    where = {},
  }: {
    serviceAccountId?: string | undefined;
    description?: string | undefined;
    save: (text: string, key: Key) => Promise<void>;
    load: () => Promise<string>;
    where?: Where;
  },
): Promise<Bootstrapped> {
  const created = await iam.keys.create({ serviceAccountId, description });
  // Note: the private key is shown only in this answer, so it is saved before anything else can fail.
  await save(`${JSON.stringify(keyFile(created), null, 2)}\n`, created.key);
  // Note: the key file's tokens stop with the job's client when the job is interrupted: nothing more is sent.
  const token = untilInterrupted(serviceAccountKey(await load(), where), "serviceAccountKey");
  await token();
  const asTheAccount = createIamClient({ token, ...where });
  const apiKeys: ApiKey[] = [];
  for await (const apiKey of asTheAccount.apiKeys.listAll({ serviceAccountId: created.key.serviceAccountId, pageSize: 1000 }))
    apiKeys.push(apiKey);
  return { key: created.key, apiKeys };
}

export async function main(argv = process.argv.slice(2), iam = clientFromEnv(), where: Where = { baseUrl: baseUrlFromEnv(process.env) }) {
  const { flags, rest } = parseArgs(argv, FLAGS);
  if (rest.length > 1) throw new UsageError(`one service account at a time, not ${rest.join(" ")}`);
  const serviceAccountId = textOf(flags, "service-account") ?? rest[0];
  const description = textOf(flags, "description");
  const keyFilePath = textOf(flags, "key-file");
  const json = switchOf(flags, "json");
  // Note: with --json, stdout holds the JSON alone; the lines go to stderr.
  const say = json ? console.error : console.log;
  // Note: the file is made before the key, so a path that exists or cannot be written stops it before anything changes.
  const file = await secretFile(keyFilePath, "key.json", "bootstrap-key-");
  const { path } = file;
  /** The key, once it exists (at Yandex, whatever happens to its file). */
  let created: Key | undefined;
  try {
    const { key, apiKeys } = await bootstrapKey(iam, {
      serviceAccountId,
      description,
      where,
      async save(text, key) {
        created = key;
        await file.save(text);
        say(`created authorized key ${key.id} of ${key.serviceAccountId} (${key.keyAlgorithm})`);
        say(`its key file is in ${path} (mode 0600): hand it over or move it to your secret manager, then delete the file`);
      },
      load: () => readFile(path, "utf8"),
    });
    // Note: the key's public half as the API answered it; the private key is in the file alone.
    if (json) {
      console.log(JSON.stringify({ key, keyFile: path, apiKeys }, null, 2));
      return;
    }
    console.log(`got an IAM token with the key file; the API keys of ${key.serviceAccountId}, as that account sees them:`);
    console.log(
      table(
        apiKeys.map((k) => ({
          id: k.id,
          description: k.description ?? "",
          scopes: k.scopes?.join(", ") ?? "",
          "last used": k.lastUsedAt ?? "never",
        })),
      ),
    );
  } catch (error) {
    // Note: once the file holds the key, it stays whatever failed: the private key is nowhere else, not even at Yandex.
    if (file.saved)
      throw new Error(`${(error as Error).message} (key ${created?.id} was created; its key file is kept at ${path})`, { cause: error });
    // Note: a key whose private key was lost can sign nothing: the message names it so it can be deleted.
    if (created)
      throw new Error(
        `${(error as Error).message} (key ${created.id} of ${created.serviceAccountId} was created, but its private key could not be saved to ${path}, so the key cannot be used: delete it, e.g. yc iam key delete ${created.id})`,
        { cause: error },
      );
    throw error;
  } finally {
    await file.close();
  }
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
