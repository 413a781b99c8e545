// An IAM token for tools that read one (yc, Terraform's provider, curl): the credential chain's, written to a file only
// you can read, never printed. In a keyless CI job, this is what yc-actions/yc-iam-token-fed's `token` output was:
//   npx tsx examples/iam-token.ts --secret-file "$RUNNER_TEMP/yc-token" && export YC_TOKEN="$(cat "$RUNNER_TEMP/yc-token")"
import { defaultCredentials, type Environment } from "../src/auth/index.ts";
import { baseUrlFromEnv, isMain, parseArgs, runCommand, switchOf, textOf, type Usage, UsageError } from "./client-from-env.ts";
import { secretFile } from "./secret-file.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = ["secret-file", "json"];

export const USAGE: Usage = {
  name: "iam-token",
  synopsis: "[--secret-file PATH] [--json]",
  about:
    "Gets an IAM token from the credential chain (a key file, an OAuth token, workload identity in a CI job, the metadata\nservice) and writes it to a new file only you can read, for yc or Terraform (YC_TOKEN); the token is never printed.",
  flags: [
    ["--secret-file PATH", "where the token goes (default: a new private directory under the temp dir); never over a file"],
    ["--json", "where it went and whose it is, as JSON on stdout"],
  ],
};

/** The token's file, and whose credentials it came from (as the chain tells them, never a secret). */
export interface Written {
  secretFile: string;
  credentials: string;
}

/** Gets a token from the chain over `env` and writes it to a new private file; `openFile` opens it (tests give one that fails). */
export async function main(
  argv = process.argv.slice(2),
  _iam?: unknown,
  env: Environment = process.env,
  openFile = secretFile,
): Promise<void> {
  const { flags, rest } = parseArgs(argv, FLAGS);
  if (rest.length) throw new UsageError(`no arguments but flags, not ${rest.join(" ")}`);
  const json = switchOf(flags, "json");
  let credentials = "";
  const token = defaultCredentials({
    env,
    baseUrl: baseUrlFromEnv(env),
    onChoose: ({ description }) => void (credentials = description),
  });
  // Note: the file first, so a path that exists stops it before any exchange; then the token, then nothing else.
  const file = await openFile(textOf(flags, "secret-file"), "yc-token", "iam-token-");
  try {
    await file.save(await token());
  } finally {
    await file.close();
  }
  const written: Written = { secretFile: file.path, credentials };
  // Note: whose token it is goes to stderr, as every job of yc-iam says it; stdout has where it is.
  console.error(`credentials: ${credentials}`);
  if (json) {
    console.log(JSON.stringify(written, null, 2));
    return;
  }
  console.log(
    `an IAM token is in ${file.path} (mode 0600); it lives at most 12 hours. For yc and Terraform: export YC_TOKEN="$(cat ${file.path})"`,
  );
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
