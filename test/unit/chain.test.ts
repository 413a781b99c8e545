// The credential chain: each source chosen in its order from the variables it is given (an object, as Deno's or a
// test's), OAuth told from IAM tokens by form, the aliases, a set variable used or refused but never passed over, the
// metadata service asked last and only where it answers, and the error that names every source tried and why, with no
// secret; createIamClient with no token uses it, loaded on demand, so the client's bundle does not hold it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clientFromEnv } from "../../examples/client-from-env.ts";
import { bundle } from "../../scripts/size.ts";
import {
  type ChosenCredentials,
  type DefaultCredentialsOptions,
  defaultCredentials,
  type Environment,
  IamTokenError,
  KUBERNETES_TOKEN_FILE,
  kubernetesToken,
  TOKEN_EXCHANGE_URL,
} from "../../src/auth/index.ts";
import { createIamClient } from "../../src/index.ts";
import { createFakeIam } from "../../src/testing/index.ts";
import { serveFake } from "../../src/testing/node.ts";
import { json, scriptedFetch } from "../support/scripted-fetch.ts";
import { rejection, secret, TOKEN } from "../support/secrets.ts";

const IAM_API = "http://127.0.0.1:9";
const EXCHANGE = "http://127.0.0.1:9/oauth/token";
const METADATA = "http://127.0.0.1:9/computeMetadata/v1/instance/service-accounts/default/token";
const GITHUB = "http://127.0.0.1:9/github/idtoken?api-version=2.0";
const SA = "ajeq4b7s9example0sa1";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A file holding `text` in a folder of its own, removed after the test. */
async function fileWith(text: string, name = "file"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "iam-chain-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A platform's OIDC token (a JWT with a random signature), which no error may show. */
const platformJwt = () =>
  secret(
    `${base64url({ alg: "RS256", kid: "k1" })}.${base64url({ sub: "system:serviceaccount:ci:deployer" })}.${randomBytes(32).toString("base64url")}`,
  );
/** An IAM token as an exchange mints it, which no error may show. */
const iamToken = () => secret(`t1.9euelZq${randomBytes(24).toString("base64url")}`);

/** What each loopback endpoint answers, by the URL's path; what was asked, in order; anything else fails the test. */
function endpoints(answers: Record<string, (request: Request) => Response | Promise<Response>>) {
  const asked: string[] = [];
  const stub = scriptedFetch(async (request) => {
    const { pathname } = new URL(request.url);
    asked.push(pathname);
    const answer = answers[pathname];
    if (!answer) throw new Error(`nothing should ask ${pathname}`);
    return answer(request);
  });
  return { ...stub, asked };
}

/** A metadata service that answers with a token, or `status`. */
const metadataAnswer =
  (status = 200, token: string = iamToken()) =>
  () =>
    status === 200 ? json(200, { access_token: token, expires_in: 43_200, token_type: "Bearer" }) : json(status, {});

/** A metadata service that never answers: the request waits for its signal. */
const silent = (request: Request) =>
  new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));

/** The chain over `env` and `fetch`, its choices kept. */
function chain(env: Environment, fetch: typeof globalThis.fetch, options: DefaultCredentialsOptions = {}) {
  const chosen: ChosenCredentials[] = [];
  const token = defaultCredentials({
    env,
    fetch,
    baseUrl: IAM_API,
    tokenExchangeUrl: EXCHANGE,
    metadataUrl: METADATA,
    metadataTimeoutMs: 50,
    onChoose: (choice) => chosen.push(choice),
    ...options,
  });
  return { token, chosen };
}

/** A scripted IAM API whose token exchange answers a new IAM token, recording each body. */
function iamExchange() {
  const bodies: Record<string, string>[] = [];
  const issued: string[] = [];
  const stub = endpoints({
    "/iam/v1/tokens": async (request) => {
      bodies.push(await request.clone().json());
      issued.push(iamToken());
      return json(200, { iamToken: issued.at(-1), expiresAt: "2099-01-01T00:00:00Z" });
    },
  });
  return { ...stub, bodies, issued };
}

/** A scripted token exchange (RFC 8693), recording each form. */
function workloadExchange(extra: Record<string, (request: Request) => Response | Promise<Response>> = {}) {
  const forms: Record<string, string>[] = [];
  const issued: string[] = [];
  const stub = endpoints({
    "/oauth/token": async (request) => {
      forms.push(Object.fromEntries(new URLSearchParams(await request.clone().text())));
      issued.push(iamToken());
      return json(200, { access_token: issued.at(-1), token_type: "Bearer", expires_in: 43_200 });
    },
    ...extra,
  });
  return { ...stub, forms, issued };
}

describe("YC_TOKEN: an IAM token or an OAuth token, told apart by its form", () => {
  it("uses an IAM token (t1.…) as it is, sending nothing, and says so", async () => {
    const none = endpoints({});
    const { token, chosen } = chain({ YC_TOKEN: TOKEN }, none.fetch);
    expect(await token()).toBe(TOKEN);
    expect(await token({ forceRefresh: true })).toBe(TOKEN);
    expect(none.asked).toEqual([]);
    expect(chosen).toEqual([{ source: "YC_TOKEN", description: expect.stringMatching(/^YC_TOKEN: an IAM token, used as it is/) }]);
  });

  for (const [kind, oauth] of [
    ["y0_", secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`)],
    ["AQAAAA (older)", secret(`AQAAAAA${randomBytes(24).toString("base64url")}`)],
  ] as const)
    it(`exchanges an OAuth token (${kind}) through oauthToken, at the IAM API it is given`, async () => {
      const iam = iamExchange();
      const { token, chosen } = chain({ YC_TOKEN: oauth }, iam.fetch);
      expect(await token()).toBe(iam.issued[0]);
      expect(await token()).toBe(iam.issued[0]);
      expect(iam.requests.map((r) => r.url)).toEqual([`${IAM_API}/iam/v1/tokens`]);
      expect(iam.bodies).toEqual([{ yandexPassportOauthToken: oauth }]);
      expect(chosen).toEqual([{ source: "YC_TOKEN", description: "YC_TOKEN: an OAuth token, exchanged for IAM tokens" }]);
    });

  it("takes any other value as an IAM token, used as it is: the form of IAM tokens may change, and the server judges it", async () => {
    const value = secret("not-t1-but-some-future-iam-token");
    const none = endpoints({});
    const { token, chosen } = chain({ YC_TOKEN: value }, none.fetch);
    expect(await token()).toBe(value);
    expect(chosen[0]?.description).toBe("YC_TOKEN: an IAM token, used as it is (it lives 12 hours at most)");
    expect(none.asked).toEqual([]);
  });

  it("reads YC_IAM_TOKEN, the examples' name, as an alias that always holds an IAM token; both set differently are refused", async () => {
    const none = endpoints({});
    const alias = chain({ YC_IAM_TOKEN: "any" }, none.fetch);
    expect(await alias.token()).toBe("any");
    expect(alias.chosen[0]?.source).toBe("YC_IAM_TOKEN");
    const same = chain({ YC_TOKEN: TOKEN, YC_IAM_TOKEN: TOKEN }, none.fetch);
    expect(await same.token()).toBe(TOKEN);
    expect(same.chosen[0]?.source).toBe("YC_TOKEN");
    const other = secret(`t1.${randomBytes(24).toString("base64url")}`);
    const differ = await rejection(chain({ YC_TOKEN: TOKEN, YC_IAM_TOKEN: other }, none.fetch).token());
    expect(differ.message).toBe(
      "defaultCredentials: YC_TOKEN and its alias YC_IAM_TOKEN are both set, to different values: unset one of them",
    );
    const oauth = secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`);
    const error = await rejection(chain({ YC_IAM_TOKEN: oauth }, none.fetch).token());
    expect(error.message).toBe(
      "defaultCredentials: YC_IAM_TOKEN holds an OAuth token: put it in YC_TOKEN, which exchanges it for IAM tokens",
    );
    expect(none.asked).toEqual([]);
  });

  it("refuses the variables of two sources set at once (as Terraform refuses YC_TOKEN with a key file), naming them, quoting none", async () => {
    const none = endpoints({});
    const keyFile = await fileWith("{}");
    const pairs: [Environment, string][] = [
      [
        { YC_TOKEN: TOKEN, YC_SERVICE_ACCOUNT_KEY_FILE: keyFile },
        "an IAM or OAuth token (YC_TOKEN); a key file (YC_SERVICE_ACCOUNT_KEY_FILE)",
      ],
      [
        { YC_IAM_TOKEN: TOKEN, YC_SERVICE_ACCOUNT_ID: SA },
        "an IAM or OAuth token (YC_IAM_TOKEN); workload identity (YC_SERVICE_ACCOUNT_ID)",
      ],
      [
        { YC_SA_KEY_FILE: keyFile, YC_WORKLOAD_TOKEN_FILE: keyFile },
        "a key file (YC_SA_KEY_FILE); workload identity (YC_WORKLOAD_TOKEN_FILE)",
      ],
    ];
    for (const [env, named] of pairs) {
      const error = await rejection(chain(env, none.fetch).token());
      expect(error.message).toBe(`defaultCredentials: the variables of 2 sources are set: ${named}; unset all but the one you mean`);
    }
    expect(none.asked).toEqual([]);
  });

  it("takes a variable set to nothing, or to spaces, as not set; and one with spaces around it without them", async () => {
    const none = endpoints({});
    const { token, chosen } = chain({ YC_TOKEN: "  ", YC_IAM_TOKEN: ` ${TOKEN}\n` }, none.fetch);
    expect(await token()).toBe(TOKEN);
    expect(chosen[0]?.source).toBe("YC_IAM_TOKEN");
  });
});

describe("YC_SERVICE_ACCOUNT_KEY_FILE: a service account's key.json", () => {
  it("reads the file and exchanges the key's JWTs, with YC_SA_KEY_FILE as its alias", async () => {
    const fake = createFakeIam();
    const keyFile = await fake.createServiceAccountKey();
    for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
    const path = await fileWith(JSON.stringify(keyFile), "key.json");
    for (const variable of ["YC_SERVICE_ACCOUNT_KEY_FILE", "YC_SA_KEY_FILE"]) {
      const { token, chosen } = chain({ [variable]: path }, fake.fetch, { baseUrl: fake.baseUrl });
      const issued = secret(await token());
      expect(issued).toMatch(/^t1\./);
      const iam = createIamClient({ token: issued, baseUrl: fake.baseUrl, fetch: fake.fetch });
      expect((await iam.serviceAccounts.get(keyFile.service_account_id)).id).toBe(keyFile.service_account_id);
      expect(chosen).toEqual([{ source: variable, description: `${variable}: the authorized key in the file ${variable} names` }]);
    }
    expect(fake.requests.map((r) => r.operation)).toEqual(["createIamToken", "getServiceAccount", "createIamToken", "getServiceAccount"]);
  });

  it("refuses a file it cannot read, or one that holds no key, naming the variable and the file, without a later source", async () => {
    const none = endpoints({});
    const missing = join(tmpdir(), "iam-chain-no-such-dir", "key.json");
    const unreadable = await rejection(chain({ YC_SERVICE_ACCOUNT_KEY_FILE: missing }, none.fetch).token());
    expect(unreadable.message).toBe(
      "defaultCredentials: YC_SERVICE_ACCOUNT_KEY_FILE is set, but the file YC_SERVICE_ACCOUNT_KEY_FILE names cannot be read (ENOENT)",
    );
    const body = secret(randomBytes(48).toString("base64"));
    const broken = await fileWith(`{"id":"aje1","private_key":"-----BEGIN PRIVATE KEY-----\\n${body}`);
    const notJson = await rejection(chain({ YC_SA_KEY_FILE: broken }, none.fetch).token());
    expect(notJson.message).toBe(
      "defaultCredentials: YC_SA_KEY_FILE is set, but the file YC_SA_KEY_FILE names gives no token (serviceAccountKey: the key file is not JSON)",
    );
    expect(none.asked).toEqual([]);
  });

  it("takes the key file's JSON itself, as Terraform does, and never quotes it, whole or broken", async () => {
    const fake = createFakeIam();
    const keyFile = await fake.createServiceAccountKey();
    for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
    const { token, chosen } = chain({ YC_SERVICE_ACCOUNT_KEY_FILE: JSON.stringify(keyFile) }, fake.fetch, { baseUrl: fake.baseUrl });
    expect(secret(await token())).toMatch(/^t1\./);
    expect(chosen[0]?.description).toBe(
      "YC_SERVICE_ACCOUNT_KEY_FILE: the authorized key in the key file's JSON in YC_SERVICE_ACCOUNT_KEY_FILE",
    );
    // Note: a key cut short (a paste gone wrong) is no JSON: refused, and neither the value nor its key shows.
    const cut = JSON.stringify(keyFile).slice(0, -40);
    const error = await rejection(chain({ YC_SERVICE_ACCOUNT_KEY_FILE: cut }, fake.fetch).token());
    expect(error.message).toBe(
      "defaultCredentials: YC_SERVICE_ACCOUNT_KEY_FILE is set, but the key file's JSON in YC_SERVICE_ACCOUNT_KEY_FILE gives no token (serviceAccountKey: the key file is not JSON)",
    );
    // Note: a credential put where a path goes (an OAuth token, an API key's secret, a PEM) is never quoted either, and
    // a key whose PEM signs nothing is refused during the search, naming the variable, not at the first call.
    for (const value of [
      secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`),
      secret(`AQVN${randomBytes(30).toString("base64url")}`),
      secret(`-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString("base64")}\n`),
    ]) {
      const error = await rejection(chain({ YC_SA_KEY_FILE: value }, fake.fetch).token());
      expect(error.message).toMatch(
        /^defaultCredentials: YC_SA_KEY_FILE is set, but the file YC_SA_KEY_FILE names cannot be read \(E\w+\)$/,
      );
    }
    const unsigning = {
      ...keyFile,
      private_key: secret(`-----BEGIN PRIVATE KEY-----\n${randomBytes(60).toString("base64")}\n-----END PRIVATE KEY-----\n`),
    };
    const chosenFor: string[] = [];
    const bad = await rejection(
      chain({ YC_SERVICE_ACCOUNT_KEY_FILE: JSON.stringify(unsigning) }, fake.fetch, {
        onChoose: ({ source }) => void chosenFor.push(source),
      }).token(),
    );
    expect(bad.message).toBe(
      "defaultCredentials: YC_SERVICE_ACCOUNT_KEY_FILE is set, but the key file's JSON in YC_SERVICE_ACCOUNT_KEY_FILE gives no token (serviceAccountKey: the private_key is not a PKCS#8 RSA key)",
    );
    expect(chosenFor).toEqual([]);
  });
});

describe("workload identity: YC_SERVICE_ACCOUNT_ID with a token file or GitHub Actions", () => {
  it("exchanges the OIDC token in YC_WORKLOAD_TOKEN_FILE (a Kubernetes projected token), read again on each refresh", async () => {
    const first = platformJwt();
    const path = await fileWith(`${first}\n`, "token");
    const sts = workloadExchange();
    const { token, chosen } = chain({ YC_SERVICE_ACCOUNT_ID: SA, YC_WORKLOAD_TOKEN_FILE: path }, sts.fetch);
    expect(await token()).toBe(sts.issued[0]);
    const rotated = platformJwt();
    await writeFile(path, rotated);
    expect(await token({ forceRefresh: true })).toBe(sts.issued[1]);
    expect(sts.forms.map((form) => [form.audience, form.subject_token])).toEqual([
      [SA, first],
      [SA, rotated],
    ]);
    expect(chosen).toEqual([
      {
        source: "YC_WORKLOAD_TOKEN_FILE",
        description: `YC_WORKLOAD_TOKEN_FILE: the OIDC token in the file YC_WORKLOAD_TOKEN_FILE names, exchanged for IAM tokens of service account ${SA}`,
      },
    ]);
  });

  it("sends the exchange under a baseUrl other than the IAM API's own (a fake, a proxy), and to Yandex's under Yandex's", async () => {
    const path = await fileWith(platformJwt(), "token");
    const env = { YC_SERVICE_ACCOUNT_ID: SA, YC_WORKLOAD_TOKEN_FILE: path };
    for (const [baseUrl, sent] of [
      ["http://127.0.0.1:9/", "http://127.0.0.1:9/oauth/token"],
      ["https://iam.api.cloud.yandex.net", TOKEN_EXCHANGE_URL],
      [undefined, TOKEN_EXCHANGE_URL],
    ] as const) {
      const sts = workloadExchange();
      const { token } = chain(env, sts.fetch, { baseUrl, tokenExchangeUrl: undefined });
      await token();
      expect(
        sts.requests.map((request) => request.url),
        String(baseUrl),
      ).toEqual([sent]);
    }
  });

  it("asks GitHub for the job's ID token, with the audience Yandex's tutorial uses, and exchanges it", async () => {
    const requestToken = secret(`ghs_${randomBytes(24).toString("base64url")}`);
    const jwt = platformJwt();
    const audiences: (string | null)[] = [];
    const sts = workloadExchange({
      "/github/idtoken": (request) => {
        audiences.push(new URL(request.url).searchParams.get("audience"));
        expect(request.headers.get("authorization")).toBe(`Bearer ${requestToken}`);
        return json(200, { value: jwt });
      },
    });
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: GITHUB,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
      GITHUB_REPOSITORY_OWNER: "octo-org",
      YC_SERVICE_ACCOUNT_ID: SA,
    };
    const { token, chosen } = chain(env, sts.fetch);
    expect(await token()).toBe(sts.issued[0]);
    expect(sts.asked).toEqual(["/github/idtoken", "/oauth/token"]);
    expect(audiences).toEqual(["https://github.com/octo-org"]);
    expect(sts.forms[0]).toMatchObject({ audience: SA, subject_token: jwt });
    expect(chosen).toEqual([
      { source: "GitHub Actions", description: `GitHub Actions: the job's ID token, exchanged for IAM tokens of service account ${SA}` },
    ]);
  });

  it("refuses YC_WORKLOAD_TOKEN_FILE without YC_SERVICE_ACCOUNT_ID, and YC_SERVICE_ACCOUNT_ID with no OIDC token to exchange", async () => {
    const none = endpoints({});
    const path = await fileWith(platformJwt());
    const noAccount = await rejection(chain({ YC_WORKLOAD_TOKEN_FILE: path }, none.fetch).token());
    expect(noAccount.message).toBe(
      "defaultCredentials: YC_WORKLOAD_TOKEN_FILE is set, but YC_SERVICE_ACCOUNT_ID is not set: the exchange needs the service account's ID",
    );
    // Note: set to nothing, as a CI variable that is missing gives, it is said so, in the refusal and in the reasons.
    const emptyAccount = await rejection(chain({ YC_WORKLOAD_TOKEN_FILE: path, YC_SERVICE_ACCOUNT_ID: "" }, none.fetch).token());
    expect(emptyAccount.message).toMatch(/YC_SERVICE_ACCOUNT_ID is set to nothing \(as a CI secret that is missing gives\): the exchange/);
    const inJob = { ACTIONS_ID_TOKEN_REQUEST_URL: GITHUB, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "x", YC_SERVICE_ACCOUNT_ID: "" };
    const metadata = endpoints({ "/computeMetadata/v1/instance/service-accounts/default/token": metadataAnswer(404) });
    const emptyInJob = await rejection(chain(inJob, metadata.fetch).token());
    expect(emptyInJob.message).toMatch(/GitHub Actions: YC_SERVICE_ACCOUNT_ID is set to nothing/);
    const noPlatform = await rejection(chain({ YC_SERVICE_ACCOUNT_ID: SA }, none.fetch).token());
    expect(noPlatform.message).toMatch(
      /^defaultCredentials: YC_SERVICE_ACCOUNT_ID is set for workload identity, but there is no OIDC token: YC_WORKLOAD_TOKEN_FILE is not set, and this is no GitHub Actions job/,
    );
    const badAccount = await rejection(
      chain({ YC_SERVICE_ACCOUNT_ID: "https://github.com/octo-org", YC_WORKLOAD_TOKEN_FILE: path }, none.fetch).token(),
    );
    expect(badAccount.message).toMatch(
      /^defaultCredentials: workload identity for YC_SERVICE_ACCOUNT_ID, with the OIDC token in .*, cannot be used \(workloadIdentity: serviceAccountId must be/,
    );
    // Note: a variable of the chain that is set is used or refused, so the metadata service was never asked.
    expect(none.asked).toEqual([]);
  });

  it("kubernetesToken is the pod's own service account token file unless given another", () => {
    expect(KUBERNETES_TOKEN_FILE).toBe("/var/run/secrets/kubernetes.io/serviceaccount/token");
    expect(kubernetesToken()).toEqual({ file: KUBERNETES_TOKEN_FILE });
    expect(kubernetesToken("/var/run/secrets/tokens/yc")).toEqual({ file: "/var/run/secrets/tokens/yc" });
  });
});

describe("the order, and the metadata service last", () => {
  it("chooses the first source that applies: YC_TOKEN, the key file, the token file, GitHub Actions, the metadata service", async () => {
    const fake = createFakeIam();
    const keyFile = await fake.createServiceAccountKey();
    for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
    const keyPath = await fileWith(JSON.stringify(keyFile), "key.json");
    const tokenPath = await fileWith(platformJwt(), "token");
    const all: Environment = {
      YC_TOKEN: TOKEN,
      YC_SERVICE_ACCOUNT_KEY_FILE: keyPath,
      YC_SERVICE_ACCOUNT_ID: SA,
      YC_WORKLOAD_TOKEN_FILE: tokenPath,
      ACTIONS_ID_TOKEN_REQUEST_URL: GITHUB,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: secret(`ghs_${randomBytes(24).toString("base64url")}`),
      GITHUB_REPOSITORY_OWNER: "octo-org",
    };
    // Note: each endpoint answers at once, so a source later than the chosen one would be seen asked.
    const answers = {
      "/iam/v1/tokens": (request: Request) => fake.fetch(request),
      "/oauth/token": () => json(200, { access_token: iamToken(), expires_in: 43_200 }),
      "/github/idtoken": () => json(200, { value: platformJwt() }),
      "/computeMetadata/v1/instance/service-accounts/default/token": metadataAnswer(),
    };
    // Note: each source alone (two at once are refused); GitHub's variables do not ask for workload identity, so they
    // stay set throughout, and the metadata service, tried last, is asked only when no variable asks for a source.
    const github = {
      ACTIONS_ID_TOKEN_REQUEST_URL: all.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: all.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      GITHUB_REPOSITORY_OWNER: "octo-org",
    };
    const expected: [set: Environment, source: string, asked: string[]][] = [
      [{ YC_TOKEN: all.YC_TOKEN }, "YC_TOKEN", []],
      [{ YC_SERVICE_ACCOUNT_KEY_FILE: all.YC_SERVICE_ACCOUNT_KEY_FILE }, "YC_SERVICE_ACCOUNT_KEY_FILE", ["/iam/v1/tokens"]],
      [{ YC_SERVICE_ACCOUNT_ID: SA, YC_WORKLOAD_TOKEN_FILE: all.YC_WORKLOAD_TOKEN_FILE }, "YC_WORKLOAD_TOKEN_FILE", ["/oauth/token"]],
      [{ YC_SERVICE_ACCOUNT_ID: SA }, "GitHub Actions", ["/github/idtoken", "/oauth/token"]],
      [{}, "metadata service", ["/computeMetadata/v1/instance/service-accounts/default/token"]],
    ];
    for (const [set, source, asked] of expected) {
      const stub = endpoints(answers);
      const { token, chosen } = chain({ ...github, ...set }, stub.fetch);
      secret(await token());
      expect(chosen.map((c) => c.source)).toEqual([source]);
      expect(stub.asked).toEqual(asked);
    }
  });

  it("asks the metadata service once, with its header, and serves its token from the cache", async () => {
    const issued = iamToken();
    const stub = endpoints({ "/computeMetadata/v1/instance/service-accounts/default/token": metadataAnswer(200, issued) });
    const { token, chosen } = chain({}, stub.fetch);
    const [a, b] = await Promise.all([token(), token()]);
    expect([a, b, await token()]).toEqual([issued, issued, issued]);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.headers.get("metadata-flavor")).toBe("Google");
    expect(chosen).toEqual([
      {
        source: "metadata service",
        description: "the metadata service at 127.0.0.1:9: the service account linked to this VM or container",
      },
    ]);
  });

  it("when nothing applies, names every source tried, in order, and why; and searches again on the next call", async () => {
    let answer: (request: Request) => Response | Promise<Response> = silent;
    const stub = endpoints({ "/computeMetadata/v1/instance/service-accounts/default/token": (request) => answer(request) });
    const { token, chosen } = chain({ PATH: "/usr/bin" }, stub.fetch);
    const error = await rejection(token());
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error).toMatchObject({ name: "IamTokenError", operation: "defaultCredentials", attempts: 0 });
    expect(error.message).toBe(
      [
        "defaultCredentials: no credentials found; tried, in order: YC_TOKEN: not set, nor its alias YC_IAM_TOKEN",
        "YC_SERVICE_ACCOUNT_KEY_FILE: not set, nor its alias YC_SA_KEY_FILE",
        "YC_WORKLOAD_TOKEN_FILE: not set (workload identity with a token file, as Kubernetes projects one)",
        "GitHub Actions: not in a job that may ask for an ID token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
        "the metadata service: gave no answer within 50 ms (not inside Yandex Cloud?)",
      ].join("; "),
    );
    expect(chosen).toEqual([]);
    // Note: a VM with no service account linked answers 404, which the reason says.
    answer = metadataAnswer(404);
    expect((await rejection(token())).message).toMatch(
      /; the metadata service: answered 404: no service account is linked to this VM or container$/,
    );
    // Note: a metadata service that refuses at once is no wait: said as it is. Google's server answers the same URL with
    // its own token (ya29.…), which must never reach Yandex: not used.
    answer = () => Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 169.254.169.254:80") }));
    expect((await rejection(token())).message).toMatch(
      /; the metadata service: could not be reached \(connect ECONNREFUSED 169\.254\.169\.254:80; not inside Yandex Cloud\?\)$/,
    );
    answer = metadataAnswer(200, secret(`ya29.${randomBytes(24).toString("base64url")}`));
    expect((await rejection(token())).message).toMatch(
      /; the metadata service: answered a token that is no Yandex IAM token \(a Google Compute Engine metadata server\?\): not used$/,
    );
    answer = metadataAnswer(200);
    secret(await token());
    expect(chosen.map((c) => c.source)).toEqual(["metadata service"]);
  });

  it("ends the metadata service's wait in time even through a fetch that does not listen to its signal", async () => {
    const deaf = endpoints({ "/computeMetadata/v1/instance/service-accounts/default/token": () => new Promise<Response>(() => {}) });
    // Note: without the race, the search would wait for ever, and the test would time out.
    const error = await rejection(chain({}, deaf.fetch).token());
    expect(error.message).toMatch(/; the metadata service: gave no answer within 50 ms \(not inside Yandex Cloud\?\)$/);
  });

  it("never quotes what YC_WORKLOAD_TOKEN_FILE holds: a token put where its path goes shows in no message nor choice", async () => {
    for (const value of [platformJwt(), secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`)]) {
      const sts = workloadExchange();
      const { token, chosen } = chain({ YC_SERVICE_ACCOUNT_ID: SA, YC_WORKLOAD_TOKEN_FILE: value }, sts.fetch);
      const error = await rejection(token());
      expect(error.message).toMatch(/cannot read the subject token from the file YC_WORKLOAD_TOKEN_FILE names \(E\w+\)$/);
      expect(chosen.map((c) => c.description)).toEqual([
        `YC_WORKLOAD_TOKEN_FILE: the OIDC token in the file YC_WORKLOAD_TOKEN_FILE names, exchanged for IAM tokens of service account ${SA}`,
      ]);
      expect(sts.asked).toEqual([]);
    }
  });

  it("refuses a YC_TOKEN that holds no token (a path, a key file's JSON), naming the variable and quoting nothing", async () => {
    const none = endpoints({});
    for (const value of ["/home/me/key.json", secret('{"id":"aje1","private_key":"x"}'), "t1.\u0000"]) {
      const error = await rejection(chain({ YC_TOKEN: value }, none.fetch).token());
      expect(error.message).toBe("defaultCredentials: YC_TOKEN holds no token (a path, a key file's JSON, or a character no token has?)");
    }
    expect(none.asked).toEqual([]);
  });

  it("tells GitHub Actions' variables without YC_SERVICE_ACCOUNT_ID apart, and shows none of their values", async () => {
    const requestToken = secret(`ghs_${randomBytes(24).toString("base64url")}`);
    const stub = endpoints({ "/computeMetadata/v1/instance/service-accounts/default/token": metadataAnswer(404) });
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: GITHUB, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken };
    const error = await rejection(chain(env, stub.fetch).token());
    expect(error.message).toContain(
      "GitHub Actions: YC_SERVICE_ACCOUNT_ID is not set (the job could ask for an ID token: set it to the service account's ID)",
    );
    expect(error.message).not.toContain("127.0.0.1:9/github");
  });

  it("lets a caller's signal end its wait for the search, which goes on for the others", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const issued = iamToken();
    const stub = endpoints({
      "/computeMetadata/v1/instance/service-accounts/default/token": async () => {
        await held;
        return metadataAnswer(200, issued)();
      },
    });
    const { token } = chain({}, stub.fetch, { metadataTimeoutMs: 5_000 });
    const abort = new AbortController();
    const waiting = token({ signal: abort.signal });
    const other = token();
    abort.abort(new Error("the caller gave up"));
    expect((await rejection(waiting)).message).toBe("the caller gave up");
    release();
    expect(await other).toBe(issued);
    expect(stub.requests).toHaveLength(1);
  });

  it("reads the process's variables when given none", async () => {
    vi.stubEnv("YC_TOKEN", TOKEN);
    expect(await defaultCredentials({ fetch: endpoints({}).fetch })()).toBe(TOKEN);
  });
});

describe("createIamClient with no token", () => {
  it("uses the chain over the process's variables, its exchanges going to the client's baseUrl and fetch", async () => {
    const fake = createFakeIam({ serviceAccounts: [SA] });
    vi.stubEnv("YC_TOKEN", secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`));
    for (const iam of [
      createIamClient({ baseUrl: fake.baseUrl, fetch: fake.fetch }),
      createIamClient({ token: undefined, baseUrl: fake.baseUrl, fetch: fake.fetch }),
    ]) {
      expect((await iam.apiKeys.list({ serviceAccountId: SA })).apiKeys).toEqual([]);
    }
    // Note: one OAuth exchange per client, then its IAM token on each call.
    expect(fake.requests.map((r) => r.operation)).toEqual(["createIamToken", "listApiKeys", "createIamToken", "listApiKeys"]);
  });

  it("sends an IAM token in YC_TOKEN as it is, and says why it has none when nothing applies", async () => {
    const fake = createFakeIam({ authenticate: (token) => (token === TOKEN ? "ajeg2b2et02f3tl2c1pj" : undefined) });
    vi.stubEnv("YC_TOKEN", TOKEN);
    await createIamClient({ baseUrl: fake.baseUrl, fetch: fake.fetch }).apiKeys.list({ serviceAccountId: "ajeg2b2et02f3tl2c1pj" });
    expect(fake.requests.map((r) => r.operation)).toEqual(["listApiKeys"]);
    vi.stubEnv("YC_TOKEN", "");
    vi.stubEnv("YC_IAM_TOKEN", secret("y0_AgAAAABsomeOAuthTokenInTheWrongPlace"));
    const error = await rejection(
      createIamClient({ baseUrl: fake.baseUrl, fetch: fake.fetch }).apiKeys.list({ serviceAccountId: "ajeg2b2et02f3tl2c1pj" }),
    );
    expect(error).toBeInstanceOf(IamTokenError);
    expect(error.message).toBe(
      "listApiKeys: the token source failed: defaultCredentials: YC_IAM_TOKEN holds an OAuth token: put it in YC_TOKEN, which exchanges it for IAM tokens",
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("the examples' clientFromEnv reads the chain's variables, its exchanges going to YC_IAM_BASE_URL", async () => {
    const fake = createFakeIam({ serviceAccounts: [SA] });
    const served = await serveFake(fake);
    cleanups.push(() => served.close());
    const keyFile = await fake.createServiceAccountKey();
    for (const line of keyFile.private_key.split("\n")) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) secret(line);
    const path = await fileWith(JSON.stringify(keyFile), "key.json");
    const oauth = secret(`y0_AgAAAAB${randomBytes(24).toString("base64url")}`);
    for (const env of [{ YC_TOKEN: oauth }, { YC_SERVICE_ACCOUNT_KEY_FILE: path }, { YC_SA_KEY_FILE: path }])
      await clientFromEnv({ ...env, YC_IAM_BASE_URL: served.url }).serviceAccounts.get(SA);
    expect(fake.requests.map((r) => r.operation)).toEqual([
      "createIamToken",
      "getServiceAccount",
      "createIamToken",
      "getServiceAccount",
      "createIamToken",
      "getServiceAccount",
    ]);
  });

  it("loads the chain on demand: the client's bundle holds none of it, only its import", async () => {
    const client = await bundle(`export * from ${JSON.stringify(join(import.meta.dirname, "../../src/index.ts"))};`);
    expect(client).not.toContain("YC_SERVICE_ACCOUNT_KEY_FILE");
    expect(client).not.toContain("computeMetadata");
    expect(client).toMatch(/import\("\.\/auth\/chain\.js"\)/);
  });
});
