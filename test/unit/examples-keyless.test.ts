// keyless-ci against the fake on loopback: it sets a federation up for a GitHub repository (or a Kubernetes cluster),
// rerun it changes nothing, and a job (GitHub's ID token service on loopback, or a pod's token file) gets the account's
// IAM tokens through the credential chain with no key anywhere, and calls with them.
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../examples/client-from-env.ts";
import { main as iamToken } from "../../examples/iam-token.ts";
import { GITHUB_ISSUER, main, workflowText } from "../../examples/keyless-ci.ts";
import { VERSION } from "../../src/client.ts";
import { createIamClient, type IamClient } from "../../src/index.ts";
import { createFakeIam, createOidcIssuer, DEFAULT_FOLDER_ID, type FakeIam, githubActionsJob } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { cleanupsAfterEach } from "../support/cleanups.ts";
import { logged } from "../support/logged.ts";
import { secret, TOKEN } from "../support/secrets.ts";

/** GitHub's variables of a job's environment alone (no admin token beside them). */
const github = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith("ACTIONS_") || name.startsWith("GITHUB_")));

const ADMIN = "ajeadmin000000000001";
const ROBOT = "ajerobot000000000001";
const REPO = "my-org/app";
const SUBJECT = "repo:my-org/app:ref:refs/heads/main";

const cleanups = cleanupsAfterEach();

/** The fake, trusting GitHub's (test) issuer, served; the admin's client; and a GitHub job of REPO on `ref`, served. */
async function world({ ref = "refs/heads/main" } = {}) {
  const issuer = createOidcIssuer();
  const fake = createFakeIam({
    jwks: [issuer],
    serviceAccounts: [ROBOT],
    authenticate: (token) => (token === TOKEN ? ADMIN : undefined),
  });
  const served = await serveFake(fake);
  const job = githubActionsJob(issuer, { repository: REPO, ref });
  const github = await serveFake(job);
  cleanups.push(served.close, github.close);
  const admin = createIamClient({ token: TOKEN, baseUrl: served.url });
  // Note: the admin's token is in the environment too, as on a laptop: the job's side must not use it.
  const env = { YC_IAM_BASE_URL: served.url, YC_IAM_TOKEN: TOKEN };
  return { fake, issuer, admin, env, jobEnv: { ...env, ...job.environment(github.url) } };
}

/** The writes the fake received (what changed), by operation. */
const writes = (fake: FakeIam) => fake.requests.filter((r) => r.method !== "GET").map((r) => r.operation);

const SETUP = ["--folder", DEFAULT_FOLDER_ID, "--service-account", ROBOT, "--repo", REPO];

/** A federation of GitHub's issuer in the default folder, made beforehand by the admin: `name`, one audience, on or off. */
const githubFederation = (admin: IamClient, name: string, audience: string, disabled = false) =>
  admin.oidcFederations.create({
    folderId: DEFAULT_FOLDER_ID,
    name,
    issuer: GITHUB_ISSUER,
    jwksUrl: `${GITHUB_ISSUER}/.well-known/jwks`,
    audiences: [audience],
    ...(disabled && { disabled }),
  });

describe("keyless-ci sets up a GitHub repository's federation", () => {
  it("creates the federation and the credential, runs the job with no key, and prints the workflow; run again, it writes nothing", async () => {
    const { fake, admin, jobEnv } = await world();
    const first = await logged(() => main([...SETUP, "--check"], admin, jobEnv));
    expect(first.error).toBeUndefined();
    const [federation] = fake.state.oidcFederations;
    expect(federation).toMatchObject({ issuer: GITHUB_ISSUER, audiences: ["https://github.com/my-org"], name: "github-actions" });
    expect(fake.state.federatedCredentials).toEqual([
      expect.objectContaining({ serviceAccountId: ROBOT, federationId: federation?.id, externalSubjectId: SUBJECT }),
    ]);
    expect(first.output).toContain(`created federation ${federation?.id} (github-actions) of ${GITHUB_ISSUER}`);
    expect(first.output).toMatch(/the job got IAM tokens with no key: GitHub Actions/);
    expect(first.output).toContain(`and read service account ${ROBOT}`);
    expect(first.output).toContain(workflowText(ROBOT, "main"));
    // Note: the workflow runs this package by its name and version, never whatever npm holds under the command's name.
    expect(workflowText(ROBOT, "main")).toContain(`npx --yes --package=yc-iam-api-keys@${VERSION} yc-iam keyless-ci --check`);
    // Note: the job exchanged its ID token (never logged) and called as the robot: the fake minted it a token.
    const exchange = fake.requests.find((r) => r.operation === "exchangeToken");
    expect(exchange?.body).toMatchObject({ subject_token: "[REDACTED]", audience: ROBOT });
    expect(fake.state.iamTokens).toBeGreaterThan(0);

    const before = writes(fake).length;
    const again = await logged(() => main([...SETUP, "--check"], admin, jobEnv));
    expect(again.error).toBeUndefined();
    expect(
      writes(fake)
        .slice(before)
        .filter((op) => op !== "exchangeToken"),
    ).toEqual([]);
    expect(again.output).toContain(`found federation ${federation?.id}`);
    expect(again.output).toMatch(/found federated credential \w+: repo:my-org\/app:ref:refs\/heads\/main acts as/);
  });

  it("adds its audience to a federation of the issuer that lacks it, and keeps the others", async () => {
    const { fake, admin, env } = await world();
    const existing = await githubFederation(admin, "github", "https://github.com/other-org");
    const ran = await logged(() => main(SETUP, admin, env));
    expect(ran.error).toBeUndefined();
    expect(fake.state.oidcFederations).toEqual([
      expect.objectContaining({ id: existing.id, audiences: ["https://github.com/other-org", "https://github.com/my-org"] }),
    ]);
    expect(ran.output).toContain(`added audience https://github.com/my-org to federation ${existing.id} (github)`);
    // Note: no platform token in this environment: the job's side does not run, and says nothing.
    expect(ran.output).not.toMatch(/the job got/);
  });

  it("stops at a disabled federation of the issuer, naming it, and creates nothing", async () => {
    const { fake, admin, env } = await world();
    const off = await githubFederation(admin, "github", "https://github.com/my-org", true);
    const ran = await logged(() => main(SETUP, admin, env));
    expect(String((ran.error as Error)?.message)).toMatch(new RegExp(`^federation ${off.id} \\(github\\) of .* is disabled`));
    expect(fake.state.federatedCredentials).toEqual([]);
    // Note: beside an enabled one of the same issuer, the disabled one is passed over.
    const on = await githubFederation(admin, "github-on", "https://github.com/my-org");
    const next = await logged(() => main(SETUP, admin, env));
    expect(next.error).toBeUndefined();
    expect(fake.state.federatedCredentials).toEqual([expect.objectContaining({ federationId: on.id })]);
  });

  it("of two enabled federations of the issuer, takes the one that accepts the audience already, writing none to the other", async () => {
    const { fake, admin, env } = await world();
    // Note: the one without the audience first, as a list gives them in order of creation.
    const other = await githubFederation(admin, "github-other", "https://github.com/other-org");
    const ours = await githubFederation(admin, "github-ours", "https://github.com/my-org");
    const before = writes(fake).length;
    expect((await logged(() => main(SETUP, admin, env))).error).toBeUndefined();
    expect(writes(fake).slice(before)).toEqual(["createFederatedCredential"]);
    expect(fake.state.federatedCredentials).toEqual([expect.objectContaining({ federationId: ours.id })]);
    expect((await admin.oidcFederations.get(other.id)).audiences).toEqual(["https://github.com/other-org"]);
  });

  it("a failure after the federation is created names it, and whether the credential may exist; a rerun finishes", async () => {
    const { fake, admin, env } = await world();
    fake.failNext({ status: 403, message: "denied" }, { operation: "createFederatedCredential" });
    const refused = await logged(() => main(SETUP, admin, env));
    const [federation] = fake.state.oidcFederations;
    expect(String((refused.error as Error)?.message)).toMatch(
      new RegExp(`denied.* \\(federation ${federation?.id} was created: run again to finish, it finds what exists\\)$`),
    );
    expect(fake.state.federatedCredentials).toEqual([]);
    // Note: the answer is lost after the credential was made: the client cannot know, and says so; a rerun finds it.
    const retryless = createIamClient({ token: TOKEN, baseUrl: env.YC_IAM_BASE_URL, retry: false });
    await fake.reset();
    fake.failNext({ drop: "after" }, { operation: "createFederatedCredential" });
    const lost = await logged(() => main(SETUP, retryless, env));
    expect(String((lost.error as Error)?.message)).toMatch(
      /federation \w+ was created; the federated credential may have been created: run again/,
    );
    expect(lost.error).toMatchObject({ outcomeUnknown: true });
    const rerun = await logged(() => main(SETUP, admin, env));
    expect(rerun.output).toMatch(/found federated credential/);
    expect(fake.state.federatedCredentials).toHaveLength(1);
  });

  it("--dry-run reads alone and says what it would create; --json prints the plan and outcomes alone on stdout", async () => {
    const { fake, admin, jobEnv } = await world();
    const ran = await logged(() => main([...SETUP, "--dry-run", "--json"], admin, jobEnv));
    expect(ran.error).toBeUndefined();
    expect(writes(fake)).toEqual([]);
    expect(JSON.parse(ran.output)).toEqual({
      dryRun: true,
      plan: expect.objectContaining({ subject: SUBJECT, audience: "https://github.com/my-org" }),
      federation: { outcome: "would create" },
      credential: { outcome: "would create" },
    });
  });

  it("a job on another branch has another subject, which the exchange refuses: the error names the subject", async () => {
    const { issuer, admin, env } = await world();
    await logged(() => main(SETUP, admin, env));
    const feature = githubActionsJob(issuer, { repository: REPO, ref: "refs/heads/feature" });
    const github = await serveFake(feature);
    cleanups.push(github.close);
    const ran = await logged(() =>
      main(["--check", "--service-account", ROBOT], undefined, { ...env, ...feature.environment(github.url) }),
    );
    expect(String((ran.error as Error)?.message)).toMatch(/refused .* the subject \(does a federated credential link the token's `sub`/);
  });
});

describe("the job's side, --check", () => {
  it("in a GitHub job, exchanges the job's ID token and reads the account, ignoring the admin's token in the environment", async () => {
    const { fake, admin, jobEnv } = await world();
    await logged(() => main(SETUP, admin, {}));
    const ran = await logged(() => main(["--check", "--service-account", ROBOT, "--json"], undefined, jobEnv));
    expect(ran.error).toBeUndefined();
    expect(JSON.parse(ran.output)).toEqual({
      job: {
        credentials: expect.stringMatching(/^GitHub Actions: /),
        serviceAccountId: ROBOT,
        account: expect.objectContaining({ id: ROBOT }),
      },
    });
    // Note: the job exchanged its ID token, then called with what it got: the admin's token beside it was not used.
    expect(fake.requests.slice(-2).map((r) => r.operation)).toEqual(["exchangeToken", "getServiceAccount"]);
  });

  it("a Kubernetes pod: a federation of the cluster's issuer, the pod's subject, and its token file read by the chain", async () => {
    const cluster = createOidcIssuer({ issuer: "https://oidc.k8s.example.net/cluster-1" });
    const fake = createFakeIam({ jwks: [cluster], serviceAccounts: [ROBOT], authenticate: (t) => (t === TOKEN ? ADMIN : undefined) });
    const served = await serveFake(fake);
    const dir = await mkdtemp(join(tmpdir(), "keyless-pod-"));
    cleanups.push(served.close, () => rm(dir, { recursive: true, force: true }));
    const sub = "system:serviceaccount:ci:deployer";
    const admin = createIamClient({ token: TOKEN, baseUrl: served.url });
    const setupArgs = [
      ...["--folder", DEFAULT_FOLDER_ID, "--service-account", ROBOT, "--subject", sub, "--name", "cluster-1"],
      ...["--issuer", cluster.issuer, "--jwks-url", cluster.jwksUrl, "--audience", "yandex-cloud"],
    ];
    const setup = await logged(() => main(setupArgs, admin, {}));
    expect(setup.error).toBeUndefined();
    expect(setup.output).not.toContain("# .github/workflows");
    expect(setup.output).toContain(`YC_SERVICE_ACCOUNT_ID=${ROBOT} and YC_WORKLOAD_TOKEN_FILE=<its projected token's path>`);
    const file = join(dir, "token");
    await writeFile(file, await cluster.idToken({ sub, aud: "yandex-cloud", lifetimeS: 600 }));
    const env = { YC_IAM_BASE_URL: served.url, YC_WORKLOAD_TOKEN_FILE: file };
    // Note: the account from the pod's YC_SERVICE_ACCOUNT_ID, as the job's step has it; the setup and --check together
    // would read the admin's credentials and the token file as two sources, and are refused before anything is sent.
    const together = await logged(() => main([...setupArgs, "--check"], admin, { ...env, YC_SERVICE_ACCOUNT_ID: ROBOT }));
    expect(String((together.error as Error)?.message)).toMatch(
      /^--check with --folder reads the setup's credentials and the job's token file/,
    );
    const ran = await logged(() => main(["--check"], undefined, { ...env, YC_SERVICE_ACCOUNT_ID: ROBOT }));
    expect(ran.error).toBeUndefined();
    expect(ran.output).toMatch(/the job got IAM tokens with no key: YC_WORKLOAD_TOKEN_FILE/);
    expect(ran.output).toContain(`and read service account ${ROBOT}`);
  });

  it("refuses a --service-account other than the job's YC_SERVICE_ACCOUNT_ID, before anything is sent", async () => {
    const ran = await logged(() => main(["--check", "--service-account", ROBOT], undefined, { YC_SERVICE_ACCOUNT_ID: ADMIN }));
    expect(ran.error).toBeInstanceOf(UsageError);
    expect(String((ran.error as Error).message)).toBe(
      `--service-account ${ROBOT} and YC_SERVICE_ACCOUNT_ID ${ADMIN} differ: which account is the job's?`,
    );
  });

  it("without a platform token it fails, saying where it must run", async () => {
    const ran = await logged(() => main(["--check", "--service-account", ROBOT], undefined, { YC_IAM_TOKEN: TOKEN }));
    expect(String((ran.error as Error)?.message)).toMatch(/^no platform token to exchange: run --check in the GitHub Actions job/);
  });
});

describe("iam-token: the chain's token for yc and Terraform, in a private file", () => {
  it("in a GitHub job, writes the IAM token the exchange gave to a new file of mode 0600, and prints only where", async () => {
    const { fake, admin, env, jobEnv } = await world();
    await logged(() => main(SETUP, admin, env));
    const dir = await mkdtemp(join(tmpdir(), "iam-token-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, "yc-token");
    const job = { YC_IAM_BASE_URL: env.YC_IAM_BASE_URL, YC_SERVICE_ACCOUNT_ID: ROBOT, ...github(jobEnv) };
    const ran = await logged(() => iamToken(["--secret-file", path, "--json"], undefined, job));
    expect(ran.error).toBeUndefined();
    const token = secret(await readFile(path, "utf8"));
    expect(token).toMatch(/^t1\./);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(ran.output)).toEqual({ secretFile: path, credentials: expect.stringMatching(/^GitHub Actions: /) });
    // Note: the token works: the fake takes it as the robot's.
    const robot = createIamClient({ token, baseUrl: env.YC_IAM_BASE_URL });
    expect((await robot.serviceAccounts.get(ROBOT)).id).toBe(ROBOT);
    expect(fake.requests.some((r) => r.operation === "exchangeToken")).toBe(true);
  });

  it("writes nothing when the chain finds no credentials, and never over a file that exists", async () => {
    const dir = await mkdtemp(join(tmpdir(), "iam-token-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, "yc-token");
    const none = await logged(() => iamToken(["--secret-file", path], undefined, { YC_SERVICE_ACCOUNT_ID: ROBOT }));
    expect(String((none.error as Error)?.message)).toMatch(/^defaultCredentials: YC_SERVICE_ACCOUNT_ID is set for workload identity/);
    expect(existsSync(path)).toBe(false);
    await writeFile(path, "kept");
    const taken = await logged(() => iamToken(["--secret-file", path], undefined, { YC_TOKEN: TOKEN }));
    expect((taken.error as NodeJS.ErrnoException)?.code).toBe("EEXIST");
    expect(await readFile(path, "utf8")).toBe("kept");
  });
});

describe("keyless-ci's command line", () => {
  it.each([
    [[], /--service-account is required/],
    [["--service-account", ROBOT], /--folder is required/],
    [["--service-account", ROBOT, "--folder", DEFAULT_FOLDER_ID], /give --repo OWNER\/REPO or --subject SUB/],
    [[...SETUP, "--subject", SUBJECT], /give --repo OWNER\/REPO or --subject SUB/],
    [["--service-account", ROBOT, "--folder", DEFAULT_FOLDER_ID, "--repo", "app"], /--repo must be OWNER\/REPO, not "app"/],
    [
      ["--service-account", ROBOT, "--folder", DEFAULT_FOLDER_ID, "--subject", "x", "--issuer", "https://gitlab.com"],
      /needs --jwks-url and --audience/,
    ],
    [
      ["--service-account", ROBOT, "--folder", DEFAULT_FOLDER_ID, "--subject", "repo:my-org/app:pull_request"],
      /--subject with GitHub's issuer needs --audience https:\/\/github\.com\/OWNER/,
    ],
    [
      [...SETUP, "--audience", "https://github.com/other-org"],
      /the jobs of my-org\/app ask for ID tokens with the audience https:\/\/github\.com\/my-org, not https:\/\/github\.com\/other-org/,
    ],
    [[...SETUP, "--audience", "sts.example"], /--audience "sts\.example" would never match/],
    [[...SETUP, "--dry-run", "--check"], /--dry-run changes nothing and exchanges nothing/],
    [
      ["--check", "--service-account", ROBOT, "--repo", REPO, "--branch", "dev"],
      /^--repo, --branch: for setting up a federation; give --folder too/,
    ],
  ])("%j is a usage mistake: %s", async (argv, message) => {
    const ran = await logged(() => main(argv as string[], undefined, {}));
    expect(ran.error).toBeInstanceOf(UsageError);
    expect(String((ran.error as Error).message)).toMatch(message);
  });
});
