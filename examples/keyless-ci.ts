// Keyless CI: a GitHub Actions workflow (or any OIDC platform: a Kubernetes cluster, GitLab) acts as a service account
// with no key anywhere. It finds or creates, in a folder, the workload identity federation that trusts the platform's
// issuer (its audience added when missing), and the federated credential that links one subject of it (a repository's
// branch) to the service account; then prints the workflow that uses it. Where the platform gives a token (inside the
// job, or the demo's), it runs the job's side too: the token exchanged for the account's IAM token, and a call made with it.
//   npx tsx examples/keyless-ci.ts --folder <folderId> --service-account <id> --repo <owner/repo> [--branch main] [--dry-run] [--json]
//   npx tsx examples/keyless-ci.ts --check --service-account <id>    (inside the job: the exchange alone)
import { defaultCredentials, type Environment, platformTokenIn, WORKLOAD_VARIABLES } from "../src/auth/index.ts";
import { VERSION } from "../src/client.ts";
import {
  createIamClient,
  type FederatedCredential,
  IamApiError,
  type IamClient,
  type IamError,
  type OidcFederation,
} from "../src/index.ts";
import {
  baseUrlFromEnv,
  changedBefore,
  clientFromEnv,
  isMain,
  parseArgs,
  runCommand,
  switchOf,
  textOf,
  type Usage,
  UsageError,
  untilInterrupted,
} from "./client-from-env.ts";

/** The flags it knows: any other is refused before anything is sent. */
const FLAGS = [
  "folder",
  "service-account",
  "repo",
  "branch",
  "subject",
  "issuer",
  "jwks-url",
  "audience",
  "name",
  "check",
  "dry-run",
  "json",
];

/** GitHub Actions' issuer and keys, as Yandex's tutorial sets a federation up for them. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const GITHUB_JWKS_URL = "https://token.actions.githubusercontent.com/.well-known/jwks";

export const USAGE: Usage = {
  name: "keyless-ci",
  synopsis:
    "--folder ID --service-account ID (--repo OWNER/REPO [--branch B] | --subject SUB) [--issuer URL --jwks-url URL --audience AUD] [--name NAME] [--dry-run] [--json] | --check --service-account ID",
  about:
    "Sets up keyless CI: finds or creates the workload identity federation for the platform's issuer in a folder (GitHub\nActions' by default) and the federated credential that lets one subject of it act as the service account, then prints\nthe workflow. Where the platform gives a token (in the job: --check), exchanges it for the account's IAM token and uses it.",
  flags: [
    ["--folder ID", "the folder of the federation (required to set up)"],
    ["--service-account ID", "the account the job acts as (required)"],
    ["--repo OWNER/REPO", "the GitHub repository whose job it is: subject repo:OWNER/REPO:ref:refs/heads/BRANCH"],
    ["--branch B", "the branch the job runs on (default main)"],
    ["--subject SUB", "the token's sub, matched exactly, instead of --repo (another event, or another platform)"],
    ["--issuer URL", `the platform's issuer (default GitHub Actions': ${GITHUB_ISSUER}); with --jwks-url and --audience`],
    ["--jwks-url URL", "where the issuer's keys are (default GitHub's)"],
    ["--audience AUD", "the tokens' aud the federation accepts (GitHub's jobs ask for https://github.com/OWNER, the default)"],
    ["--name NAME", "the federation's name when it is created (default github-actions)"],
    ["--check", "the job's side: exchange the platform's token (YC_WORKLOAD_TOKEN_FILE, or GitHub's) and make a call; alone, only that"],
    ["--dry-run", "read only, and say what it would create"],
    ["--json", "the federation, the credential and the job's result as JSON on stdout"],
  ],
};

/** What to set up: where, for whom, and which tokens of which issuer. */
export interface KeylessPlan {
  folderId: string;
  serviceAccountId: string;
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** The `sub` of the tokens that may act as the account. */
  subject: string;
  /** The federation's name, if it is created. */
  name: string;
}

/** What was found, created or changed (or, in a dry run, would be). */
export type Outcome = "found" | "created" | "audience added" | "would create" | "would add the audience";

export interface KeylessSetup {
  federation: { outcome: Outcome; federation?: OidcFederation | undefined };
  credential: {
    outcome: Outcome;
    credential?: FederatedCredential | undefined;
    /** Other credentials linking the same subject to the account: removed (in a dry run, to be removed). */
    duplicates?: string[] | undefined;
  };
}

/**
 * Finds or creates the federation that trusts `plan.issuer` in the folder (adding `plan.audience` to one that lacks it)
 * and the federated credential linking `plan.subject` to the account. Run again, it changes nothing, but for removing a
 * second such credential (`duplicates`). A federation of that issuer that is disabled stops it: enabling one is a
 * decision of its own.
 */
export async function setUpKeyless(iam: IamClient, plan: KeylessPlan, { dryRun = false } = {}): Promise<KeylessSetup> {
  let found: OidcFederation | undefined;
  let named: OidcFederation | undefined;
  // Note: an enabled one of the issuer that accepts the audience already, else an enabled one, else a disabled one alone.
  const rank = (f: OidcFederation) => (f.enabled ? 2 : 0) + (f.audiences?.includes(plan.audience) ? 1 : 0);
  for await (const federation of iam.oidcFederations.listAll({ folderId: plan.folderId, pageSize: 1000 })) {
    if (federation.issuer === plan.issuer && (!found || rank(federation) > rank(found))) found = federation;
    if (federation.name === plan.name) named = federation;
  }
  if (!found && named)
    throw new Error(
      `federation ${named.id} of ${named.issuer} in folder ${plan.folderId} has the name ${plan.name} already: give the new one another (--name)`,
    );
  if (found && !found.enabled)
    throw new Error(
      `federation ${found.id} (${found.name}) of ${plan.issuer} in folder ${plan.folderId} is disabled: enable it (iam.oidcFederations.update(id, { disabled: false })) or delete it, then run again`,
    );
  let federation: KeylessSetup["federation"];
  if (!found)
    federation = dryRun
      ? { outcome: "would create" }
      : {
          outcome: "created",
          federation: await iam.oidcFederations
            .create({
              folderId: plan.folderId,
              name: plan.name,
              issuer: plan.issuer,
              jwksUrl: plan.jwksUrl,
              audiences: [plan.audience],
            })
            .catch((error) => {
              // Note: none listed has the name, so one is being made: an earlier run's, whose answer was lost, still finishing.
              if (!(error instanceof IamApiError && error.codeName === "ALREADY_EXISTS")) throw error;
              throw new Error(
                `${error.message} (no federation of that name is listed yet: one is still being created, by an earlier run whose answer was lost, or another at once: run again once it is done, and it finds it)`,
                { cause: error },
              );
            }),
        };
  else if (!found.audiences?.includes(plan.audience))
    federation = dryRun
      ? { outcome: "would add the audience", federation: found }
      : {
          outcome: "audience added",
          federation: await iam.oidcFederations.update(found.id, { audiences: [...(found.audiences ?? []), plan.audience] }),
        };
  else federation = { outcome: "found", federation: found };

  try {
    return { federation, credential: await linkSubject(iam, plan, federation.federation?.id, dryRun) };
  } catch (error) {
    // Note: what changed before the failure is named, and whether the credential itself may exist: a rerun finds both.
    const f = federation.federation;
    const changed =
      federation.outcome === "created"
        ? [`federation ${f?.id} was created`]
        : federation.outcome === "audience added"
          ? [`audience ${plan.audience} was added to federation ${f?.id}`]
          : [];
    if ((error as IamError)?.outcomeUnknown) changed.push("the federated credential may have been created");
    if (!changed.length) throw error;
    throw changedBefore(`${(error as Error).message} (${changed.join("; ")}: run again to finish, it finds what exists)`, error);
  }
}

/** Finds or creates the federated credential linking `plan.subject` of the federation to the account. */
async function linkSubject(
  iam: IamClient,
  plan: KeylessPlan,
  federationId: string | undefined,
  dryRun: boolean,
): Promise<KeylessSetup["credential"]> {
  const linked: FederatedCredential[] = [];
  if (federationId)
    for await (const credential of iam.federatedCredentials.listAll({ serviceAccountId: plan.serviceAccountId, pageSize: 1000 }))
      if (credential.federationId === federationId && credential.externalSubjectId === plan.subject) linked.push(credential);
  const [credential, ...others] = linked.sort((a, b) => Date.parse(a.createdAt ?? "") - Date.parse(b.createdAt ?? ""));
  if (credential) {
    // Note: a second link of the same subject to the same account is made when a run goes again while an earlier run's
    // create, whose answer was lost, is still finishing; the two are alike in every field, so the newer go.
    // A delete a concurrent run made first answers 404 (or resolves undefined): gone either way.
    if (!dryRun)
      for (const other of others)
        await iam.federatedCredentials.delete(other.id).catch((error) => {
          if (!(error instanceof IamApiError && error.status === 404)) throw error;
        });
    return { outcome: "found", credential, ...(others.length && { duplicates: others.map((other) => other.id) }) };
  }
  if (dryRun || !federationId) return { outcome: "would create" };
  const { serviceAccountId, subject: externalSubjectId } = plan;
  return { outcome: "created", credential: await iam.federatedCredentials.create({ serviceAccountId, federationId, externalSubjectId }) };
}

/** What the job's side did: where its token came from, and the call it made with it. */
export interface JobResult {
  credentials: string;
  serviceAccountId: string;
  /** The account, as the job read it with its own token; undefined when its roles do not let it read itself (403). */
  account?: { id: string; name?: string | undefined } | undefined;
}

/**
 * The job's side: the platform's token (the job's variables alone, the chain's `WORKLOAD_VARIABLES`: no key, no IAM token) exchanged
 * through the credential chain for the account's IAM token, then one call with it. A 403 on that call still proves the
 * exchange: the account only lacks a role to read itself.
 */
export async function runKeylessJob(
  env: Environment,
  { serviceAccountId, baseUrl }: { serviceAccountId: string; baseUrl?: string | undefined },
): Promise<JobResult> {
  const jobEnv: Environment = { YC_SERVICE_ACCOUNT_ID: serviceAccountId };
  for (const name of WORKLOAD_VARIABLES) if (env[name] && name !== "YC_SERVICE_ACCOUNT_ID") jobEnv[name] = env[name];
  let credentials = "";
  // Note: its tokens stop with the job's client when the job is interrupted: nothing more is sent.
  const token = untilInterrupted(
    defaultCredentials({ env: jobEnv, baseUrl, onChoose: ({ description }) => void (credentials = description) }),
  );
  const iam = createIamClient({ token, baseUrl });
  try {
    const { id, name } = await iam.serviceAccounts.get(serviceAccountId);
    return { credentials, serviceAccountId, account: { id, name } };
  } catch (error) {
    if (error instanceof IamApiError && error.status === 403) return { credentials, serviceAccountId };
    throw error;
  }
}

/** The workflow a repository adds: the permission for an ID token, and the account's ID for the chain. */
export function workflowText(serviceAccountId: string, branch: string): string {
  return [
    "# .github/workflows/deploy.yml",
    "on:",
    `  push: { branches: [${branch}] }`,
    "permissions:",
    "  id-token: write # GitHub gives the job an OIDC ID token",
    "  contents: read",
    "jobs:",
    "  deploy:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      # the package pinned by name: npx never runs another package that calls itself yc-iam",
    `      - run: npx --yes --package=yc-iam-api-keys@${VERSION} yc-iam keyless-ci --check --service-account ${serviceAccountId}`,
    "        env:",
    "          # in each step that calls Yandex Cloud, not the job's env: a step with YC_TOKEN too would have two sources",
    `          YC_SERVICE_ACCOUNT_ID: ${serviceAccountId} # createIamClient() with no token exchanges the job's ID token for this account's`,
  ].join("\n");
}

/** What the setup found or did, a line for the federation and one for the credential (and one for its duplicates, if any). */
export function setupLines({ federation, credential }: KeylessSetup, plan: KeylessPlan, dryRun = false): string[] {
  const f = federation.federation;
  const named = f ? `federation ${f.id} (${f.name})` : `federation ${plan.name}`;
  const where = `of ${plan.issuer} in folder ${plan.folderId}`;
  const federationLine = {
    found: `found ${named} ${where}, which accepts ${plan.audience}`,
    created: `created ${named} ${where}, accepting ${plan.audience}`,
    "audience added": `added audience ${plan.audience} to ${named} ${where}`,
    "would create": `would create ${named} ${where}, accepting ${plan.audience}`,
    "would add the audience": `would add audience ${plan.audience} to ${named} ${where}`,
  }[federation.outcome];
  const c = credential.credential;
  const credentialLine =
    credential.outcome === "would create"
      ? `would create a federated credential: ${plan.subject} to act as ${plan.serviceAccountId}`
      : `${credential.outcome} federated credential ${c?.id}: ${plan.subject} acts as ${plan.serviceAccountId}`;
  const { duplicates = [] } = credential;
  const duplicateLine = `${dryRun ? "would remove" : "removed"} ${duplicates.length === 1 ? "a duplicate" : `${duplicates.length} duplicates`} of it (the same subject and account): ${duplicates.join(", ")}`;
  return duplicates.length ? [federationLine, credentialLine, duplicateLine] : [federationLine, credentialLine];
}

export async function main(argv = process.argv.slice(2), iam?: IamClient, env: Environment = process.env): Promise<void> {
  const { flags, rest } = parseArgs(argv, FLAGS);
  if (rest.length) throw new UsageError(`no arguments but flags, not ${rest.join(" ")}`);
  const check = switchOf(flags, "check");
  const fromEnv = env.YC_SERVICE_ACCOUNT_ID?.trim() || undefined;
  // Note: inside the job, the account is the one its step's YC_SERVICE_ACCOUNT_ID names already.
  const serviceAccountId = textOf(flags, "service-account") ?? (check ? fromEnv : undefined);
  if (!serviceAccountId) throw new UsageError("--service-account is required (with --check alone, YC_SERVICE_ACCOUNT_ID will do)");
  const json = switchOf(flags, "json");
  const say = json ? console.error : console.log;
  const baseUrl = baseUrlFromEnv(env);

  const folderId = textOf(flags, "folder");
  const dryRun = switchOf(flags, "dry-run");
  if (dryRun && check) throw new UsageError("--dry-run changes nothing and exchanges nothing: --check goes without it");
  // Note: the setup's flags mean nothing to the job's side alone: given without --folder, they are a mistake, not ignored.
  const setupOnly = ["repo", "branch", "subject", "issuer", "jwks-url", "audience", "name"].filter((name) => flags[name] !== undefined);
  if (check && !folderId && setupOnly.length)
    throw new UsageError(
      `${setupOnly.map((name) => `--${name}`).join(", ")}: for setting up a federation; give --folder too, or leave them out for --check alone`,
    );
  if (check && fromEnv && fromEnv !== serviceAccountId)
    throw new UsageError(`--service-account ${serviceAccountId} and YC_SERVICE_ACCOUNT_ID ${fromEnv} differ: which account is the job's?`);
  const plan = folderId ? planOf(flags, folderId, serviceAccountId) : undefined;
  // Note: the setup reads an admin's credentials and the job's side a token file from one environment: two sources, which
  // the chain refuses; GitHub's variables ask for no source, so a GitHub job's side goes with the setup.
  if (check && plan && env.YC_WORKLOAD_TOKEN_FILE?.trim())
    throw new UsageError(
      "--check with --folder reads the setup's credentials and the job's token file from one environment: run the setup without --check, then --check alone where the token file is",
    );
  // Note: before anything is sent: a job's side with no token to exchange would fail after the setup had changed things.
  if (check && !platformTokenIn(env))
    throw new Error(
      "no platform token to exchange: run --check in the GitHub Actions job (its workflow with permissions: id-token: write), or set YC_WORKLOAD_TOKEN_FILE",
    );
  // Note: --check alone is the job's side, as the printed workflow runs it.
  if (check && !plan) {
    const job = await runKeylessJob(env, { serviceAccountId, baseUrl });
    if (json) console.log(JSON.stringify({ job }, null, 2));
    else say(jobText(job));
    return;
  }
  if (!plan) throw new UsageError("--folder is required to set up (or --check alone, inside the job)");
  const setup = await setUpKeyless(iam ?? clientFromEnv(env), plan, { dryRun });
  for (const line of setupLines(setup, plan, dryRun)) say(line);
  let job: JobResult | undefined;
  try {
    job = check ? await runKeylessJob(env, { serviceAccountId, baseUrl }) : undefined;
  } catch (error) {
    // Note: the setup is done and stays: the failure is the job's side alone.
    throw new Error(`${(error as Error).message} (the setup is done: ${setupLines(setup, plan, dryRun).join("; ")})`, { cause: error });
  }
  if (json) {
    console.log(JSON.stringify({ dryRun, plan, ...setup, ...(job && { job }) }, null, 2));
    return;
  }
  if (dryRun) say("dry run: nothing was changed (reads alone were sent)");
  if (job) say(jobText(job));
  const branch = textOf(flags, "branch") ?? "main";
  if (textOf(flags, "repo"))
    say(
      `\nThe workflow (no secret in it; a job on another branch or event has another subject):\n\n${workflowText(serviceAccountId, branch)}`,
    );
  else if (!dryRun)
    say(
      `\nIn the workload (a pod whose token's sub is ${plan.subject}, aud ${plan.audience}), no secret: YC_SERVICE_ACCOUNT_ID=${serviceAccountId} and YC_WORKLOAD_TOKEN_FILE=<its projected token's path>; then createIamClient() with no token, or yc-iam keyless-ci --check`,
    );
}

/** What the flags ask to set up; a UsageError for what cannot work, before anything is sent. */
function planOf(flags: Record<string, string | true>, folderId: string, serviceAccountId: string): KeylessPlan {
  const repo = textOf(flags, "repo");
  const given = textOf(flags, "subject");
  if (Boolean(repo) === Boolean(given)) throw new UsageError("give --repo OWNER/REPO or --subject SUB, one of them");
  if (repo && !/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new UsageError(`--repo must be OWNER/REPO, not ${JSON.stringify(repo)}`);
  const issuer = textOf(flags, "issuer") ?? GITHUB_ISSUER;
  const audience = textOf(flags, "audience");
  const jwksUrl = textOf(flags, "jwks-url") ?? (issuer === GITHUB_ISSUER ? GITHUB_JWKS_URL : undefined);
  const subject = given ?? `repo:${repo}:ref:refs/heads/${textOf(flags, "branch") ?? "main"}`;
  const name = textOf(flags, "name") ?? "github-actions";
  if (issuer !== GITHUB_ISSUER) {
    if (!audience || !jwksUrl) throw new UsageError("another issuer than GitHub's needs --jwks-url and --audience");
    return { folderId, serviceAccountId, issuer, jwksUrl, audience, subject, name };
  }
  // Note: a GitHub job asks for its ID token with the audience https://github.com/OWNER (githubActionsToken, as Yandex's
  // tutorial); a federation accepting another would never see one.
  const owner = repo?.split("/")[0];
  const expected = owner && `https://github.com/${owner}`;
  if (audience && !/^https:\/\/github\.com\/[\w.-]+$/.test(audience))
    throw new UsageError(
      `GitHub jobs ask for ID tokens with the audience https://github.com/OWNER, so --audience ${JSON.stringify(audience)} would never match`,
    );
  if (audience && expected && audience !== expected)
    throw new UsageError(`the jobs of ${repo} ask for ID tokens with the audience ${expected}, not ${audience}: leave --audience out`);
  const chosen = audience ?? expected;
  if (!chosen)
    throw new UsageError("--subject with GitHub's issuer needs --audience https://github.com/OWNER, the audience its jobs ask for");
  return { folderId, serviceAccountId, issuer, jwksUrl: jwksUrl as string, audience: chosen, subject, name };
}

/** The job's result, in a line or two. */
function jobText({ credentials, serviceAccountId, account }: JobResult): string {
  return [
    `the job got IAM tokens with no key: ${credentials}`,
    account
      ? `and read service account ${account.id}${account.name ? ` (${account.name})` : ""} with them`
      : `(service account ${serviceAccountId} may not read itself: grant it the roles its job needs)`,
  ].join("\n");
}

if (isMain(import.meta.url)) await runCommand(USAGE, main);
