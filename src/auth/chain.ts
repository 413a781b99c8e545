// The credential chain: the first source of credentials the environment offers, under the names Yandex's own tools read
// (`yc`, Terraform), found on first use. A variable of the chain that is set means its source is wanted: it is used, or
// refused with the reason; never passed over for a later one. When none applies, the error names every source and why.
import { exchangeToken } from "../../generated/contract.js";
import { IamError, IamTokenError } from "../core/errors.js";
import { everyServerAt, headerProblem } from "../core/options.js";
import { raced } from "../core/retry.js";
import type { TokenSource } from "../core/types.js";
import type { CacheOptions } from "./cache.js";
import { METADATA_URL, metadataToken, oauthToken, serviceAccountKey } from "./sources.js";
import {
  githubActionsToken,
  kubernetesToken,
  readText,
  type SubjectToken,
  TOKEN_EXCHANGE_URL,
  workloadIdentity,
} from "./workload-identity.js";

/** Environment variables by name: the process's env in Node and Bun, `Deno.env.toObject()` in Deno, an object in tests. */
export type Environment = Record<string, string | undefined>;

/** The source the chain chose, for a command to tell on stderr: it names the variable or the service, never a secret. */
export interface ChosenCredentials {
  /** The variable the credentials came from (`YC_TOKEN`, `YC_SERVICE_ACCOUNT_KEY_FILE`…), `GitHub Actions` or `metadata service`. */
  source: string;
  /** What was found, in a sentence. */
  description: string;
}

export interface DefaultCredentialsOptions extends Omit<CacheOptions, "name"> {
  /** The variables to read, on first use. Default the process's (`globalThis.process?.env`), else none. */
  env?: Environment | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Per attempt of each exchange: the OAuth token's, the key's, workload identity's and GitHub's ID token's. Default 10 000. */
  timeoutMs?: number | undefined;
  /** The IAM API, for the OAuth token's and the key's exchanges. Default `https://iam.api.cloud.yandex.net`. */
  baseUrl?: string | undefined;
  /**
   * Workload identity's token exchange. Default `TOKEN_EXCHANGE_URL`; with a `baseUrl` other than the IAM API's own (a
   * fake, a proxy), the exchange's path under it, as the client sends every server's calls there.
   */
  tokenExchangeUrl?: string | undefined;
  /** The metadata service's token URL. Default `METADATA_URL`. */
  metadataUrl?: string | undefined;
  /** How long the metadata service, tried last, has to answer. Default 1 000 ms. */
  metadataTimeoutMs?: number | undefined;
  /** Told once, when the chain has chosen its source. */
  onChoose?: ((chosen: ChosenCredentials) => void) | undefined;
}

const NAME = "defaultCredentials";
/** A Yandex OAuth token: `y0_…`, or `AQAAAA…` for an older one. Any other value of YC_TOKEN is an IAM token (`t1.…` today). */
const OAUTH_TOKEN = /^(y0_|AQAAAA)/;
const ID_TOKEN_VARIABLES = "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/**
 * A Yandex IAM token, as the metadata service gives one. Note: the chain takes a token from the metadata service only in
 * this form, since Google's metadata server answers the same request with its own (`ya29.…`), which must never reach
 * Yandex; a token the user puts in YC_TOKEN is theirs to vouch for, so there any form but OAuth's is an IAM token.
 */
const IAM_TOKEN = /^t1\./;
/** What no token holds, but a path or a key file's JSON does: a value of YC_TOKEN put in the wrong variable. */
const NO_TOKEN = /[/{}"\\]/;

/**
 * The variables of workload identity's sources, by what a job's platform gives: a token file, or GitHub Actions' ID
 * token service (with the owner, for its default audience). A job's side passes these alone to the chain.
 */
export const WORKLOAD_VARIABLES = [
  "YC_SERVICE_ACCOUNT_ID",
  "YC_WORKLOAD_TOKEN_FILE",
  "ACTIONS_ID_TOKEN_REQUEST_URL",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "GITHUB_REPOSITORY_OWNER",
] as const;

/** Whether `env` holds a platform's OIDC token for workload identity: a token file, or a GitHub Actions job's ID token service. */
export const platformTokenIn = (env: Environment): boolean =>
  Boolean(env.YC_WORKLOAD_TOKEN_FILE?.trim() || (env.ACTIONS_ID_TOKEN_REQUEST_URL?.trim() && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN?.trim()));

/** Each source's variables (with their aliases): two sources wanted at once are refused, as Terraform refuses them. */
const WANTED: [source: string, variables: string[]][] = [
  ["an IAM or OAuth token", ["YC_TOKEN", "YC_IAM_TOKEN"]],
  ["a key file", ["YC_SERVICE_ACCOUNT_KEY_FILE", "YC_SA_KEY_FILE"]],
  ["workload identity", ["YC_SERVICE_ACCOUNT_ID", "YC_WORKLOAD_TOKEN_FILE"]],
];

/** A source the chain found: its token source and how to tell it. */
interface Found extends ChosenCredentials {
  token: TokenSource;
}

/** One step of the chain: what it found, or why it does not apply (a sentence that quotes no value). */
type Step = { name: string; find: () => Found | string | Promise<Found | string> };

/** An error of the chain, about `what`, with the source's own error as its cause (which shows no secret either). */
const refusal = (what: string, cause?: unknown) =>
  new IamTokenError(NAME, `${what}${cause instanceof IamError ? ` (${cause.message})` : ""}`, {}, cause);

/** Where workload identity's exchange goes for a client's `baseUrl`: Yandex's, unless that is another address than the IAM API's. */
function exchangeUnder(baseUrl: string | undefined): string {
  // Note: the client's rule, so a job pointed at a fake never sends its platform's token to Yandex.
  const base = everyServerAt(baseUrl);
  return base ? `${base}${exchangeToken.path}` : TOKEN_EXCHANGE_URL;
}

/**
 * IAM tokens from the first source of credentials the environment offers, found on first use, in this order:
 * `YC_TOKEN` (an IAM token used as it is, or an OAuth token exchanged for IAM tokens; alias `YC_IAM_TOKEN`, an IAM
 * token); `YC_SERVICE_ACCOUNT_KEY_FILE` (a service account's key.json; alias `YC_SA_KEY_FILE`); workload identity for
 * `YC_SERVICE_ACCOUNT_ID`, with the OIDC token in `YC_WORKLOAD_TOKEN_FILE` (a Kubernetes projected token) or GitHub
 * Actions' ID token; the metadata service, where it answers. When none applies, an IamTokenError names each and why.
 */
export function defaultCredentials(options: DefaultCredentialsOptions = {}): TokenSource {
  const { env: given, baseUrl, tokenExchangeUrl = exchangeUnder(baseUrl), onChoose, ...rest } = options;
  const { metadataUrl = METADATA_URL, metadataTimeoutMs = 1_000, ...shared } = rest;
  const { fetch, timeoutMs } = shared;
  const env: Environment = given ?? (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
  /** A variable's value, without the spaces around it; undefined when it is unset or empty. */
  const read = (name: string) => env[name]?.trim() || undefined;
  /** Why a variable `read` found nothing in is skipped: unset, or set to nothing (a CI secret that is missing gives ""). */
  const unset = (name: string, alias?: string) =>
    [name, alias].some((n) => n && env[n] !== undefined) ? "set to nothing (as a CI secret that is missing gives)" : "not set";
  /** The name of the two that is set (a source's variable or its alias); both set to different values is refused, unquoted. */
  const aliased = (name: string, alias: string) => {
    const [value, aliasValue] = [read(name), read(alias)];
    if (value && aliasValue && value !== aliasValue)
      throw refusal(`${name} and its alias ${alias} are both set, to different values: unset one of them`);
    return value ? name : aliasValue ? alias : undefined;
  };

  /** Workload identity with `subjectToken` (`about` says what it is, `name` how messages call it), refused with what is wrong (the service account's ID, the endpoint). */
  function federated(source: string, subjectToken: SubjectToken, about: string, name?: string): Found {
    const serviceAccountId = read("YC_SERVICE_ACCOUNT_ID") as string;
    try {
      const token = workloadIdentity({ ...shared, serviceAccountId, subjectToken, subjectTokenName: name, endpoint: tokenExchangeUrl });
      return { source, token, description: `${source}: ${about}, exchanged for IAM tokens of service account ${serviceAccountId}` };
    } catch (error) {
      throw refusal(`workload identity for YC_SERVICE_ACCOUNT_ID, with ${about}, cannot be used`, error);
    }
  }

  const steps: Step[] = [
    {
      name: "YC_TOKEN",
      find() {
        const variable = aliased("YC_TOKEN", "YC_IAM_TOKEN");
        if (!variable) return `${unset("YC_TOKEN", "YC_IAM_TOKEN")}, nor its alias YC_IAM_TOKEN`;
        const value = read(variable) as string;
        // Note: no token has a space, tab or line break inside it: one pasted in two would be sent as it is, and refused.
        if (/\s/.test(value))
          throw refusal(`${variable} has a space, tab or line break inside it (a token pasted in two?): no IAM or OAuth token has one`);
        if (NO_TOKEN.test(value) || headerProblem("Authorization", `Bearer ${value}`))
          throw refusal(`${variable} holds no token (a path, a key file's JSON, or a character no token has?)`);
        // Note: an OAuth token has a form of its own; any other value is an IAM token (t1.… today: the form may change).
        if (!OAUTH_TOKEN.test(value))
          return {
            source: variable,
            token: async () => value,
            description: `${variable}: an IAM token, used as it is (it lives 12 hours at most)`,
          };
        // Note: YC_IAM_TOKEN, the examples' name, always meant an IAM token; the value is never quoted.
        if (variable === "YC_IAM_TOKEN")
          throw refusal("YC_IAM_TOKEN holds an OAuth token: put it in YC_TOKEN, which exchanges it for IAM tokens");
        return {
          source: variable,
          token: oauthToken(value, { ...shared, baseUrl }),
          description: `${variable}: an OAuth token, exchanged for IAM tokens`,
        };
      },
    },
    {
      name: "YC_SERVICE_ACCOUNT_KEY_FILE",
      async find() {
        const variable = aliased("YC_SERVICE_ACCOUNT_KEY_FILE", "YC_SA_KEY_FILE");
        if (!variable) return `${unset("YC_SERVICE_ACCOUNT_KEY_FILE", "YC_SA_KEY_FILE")}, nor its alias YC_SA_KEY_FILE`;
        const value = read(variable) as string;
        // Note: as Terraform's provider, the key file's path or its JSON itself. Neither is ever quoted: a value put in
        // the wrong variable may be any credential, and a path tells nothing a user does not know.
        const contents = value.startsWith("{");
        const where = contents ? `the key file's JSON in ${variable}` : `the file ${variable} names`;
        let text = value;
        if (!contents)
          try {
            text = await readText(value);
          } catch (error) {
            const { code } = error as { code?: string };
            throw refusal(`${variable} is set, but ${where} cannot be read${code ? ` (${code})` : ""}`);
          }
        try {
          const token = serviceAccountKey(text, { ...shared, baseUrl });
          // Note: the first token now, so a key that signs nothing (no PKCS#8 RSA key) is refused here, naming the variable.
          await token();
          return { source: variable, token, description: `${variable}: the authorized key in ${where}` };
        } catch (error) {
          throw refusal(`${variable} is set, but ${where} gives no token`, error);
        }
      },
    },
    {
      name: "YC_WORKLOAD_TOKEN_FILE",
      find() {
        const path = read("YC_WORKLOAD_TOKEN_FILE");
        if (!path) return `${unset("YC_WORKLOAD_TOKEN_FILE")} (workload identity with a token file, as Kubernetes projects one)`;
        if (!read("YC_SERVICE_ACCOUNT_ID"))
          throw refusal(
            `YC_WORKLOAD_TOKEN_FILE is set, but YC_SERVICE_ACCOUNT_ID is ${unset("YC_SERVICE_ACCOUNT_ID")}: the exchange needs the service account's ID`,
          );
        // Note: the path is never quoted: a token put where it goes would show in every message that names the file.
        return federated(
          "YC_WORKLOAD_TOKEN_FILE",
          kubernetesToken(path),
          "the OIDC token in the file YC_WORKLOAD_TOKEN_FILE names",
          "YC_WORKLOAD_TOKEN_FILE",
        );
      },
    },
    {
      name: "GitHub Actions",
      find() {
        const inJob = read("ACTIONS_ID_TOKEN_REQUEST_URL") && read("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
        const serviceAccountId = read("YC_SERVICE_ACCOUNT_ID");
        if (inJob && serviceAccountId)
          return federated("GitHub Actions", githubActionsToken(env, { fetch, timeoutMs }), "the job's ID token");
        // Note: YC_SERVICE_ACCOUNT_ID is the chain's own variable: set, it asks for workload identity, which no platform here gives.
        if (serviceAccountId)
          throw refusal(
            `YC_SERVICE_ACCOUNT_ID is set for workload identity, but there is no OIDC token: YC_WORKLOAD_TOKEN_FILE is ${unset("YC_WORKLOAD_TOKEN_FILE")}, and this is no GitHub Actions job that may ask for an ID token (${ID_TOKEN_VARIABLES} are set in a job whose workflow has \`permissions: id-token: write\`)`,
          );
        return inJob
          ? `YC_SERVICE_ACCOUNT_ID is ${unset("YC_SERVICE_ACCOUNT_ID")} (the job could ask for an ID token: set it to the service account's ID)`
          : `not in a job that may ask for an ID token (${ID_TOKEN_VARIABLES} are not set)`;
      },
    },
    {
      name: "the metadata service",
      async find() {
        // Note: tried last, and once per search: a short wait where nothing answers (outside Yandex Cloud), the first token where it does.
        const token = metadataToken({ ...shared, url: metadataUrl, timeoutMs: metadataTimeoutMs });
        let issued: string;
        try {
          issued = await token();
        } catch (error) {
          const { status, cause, message } = error as IamTokenError;
          if (status === 404) return "answered 404: no service account is linked to this VM or container";
          // Note: a 2xx that gives no token is an answer too, and says what it lacks.
          if (status && status < 300) return `answered what is no token: ${message.replace(/^metadataToken: /, "")}`;
          if (status) return `answered HTTP ${status}`;
          // Note: its own time-out aborts the request; another failure (refused, unreachable) is no wait, and is said as it is.
          if (!cause) return `answered without a token (${message})`;
          const { name, message: why } = cause as Error;
          return name === "AbortError" || name === "TimeoutError"
            ? `gave no answer within ${metadataTimeoutMs} ms (not inside Yandex Cloud?)`
            : `could not be reached (${(cause as { cause?: Error })?.cause?.message ?? why}; not inside Yandex Cloud?)`;
        }
        // Note: Google Compute Engine's metadata server answers the same URL and header: its token must not go to Yandex.
        if (!IAM_TOKEN.test(issued))
          return "answered a token that is no Yandex IAM token (a Google Compute Engine metadata server?): not used";
        return {
          source: "metadata service",
          token,
          description: `the metadata service at ${new URL(metadataUrl).host}: the service account linked to this VM or container`,
        };
      },
    },
  ];

  /** Tries each step in order: the first found, or an error that names each step and why it did not apply. */
  async function choose(): Promise<TokenSource> {
    // Note: two sources set at once would leave one silently unused: which was meant is the user's to say.
    const wanted = WANTED.filter(([, variables]) => variables.some(read)).map(
      ([source, variables]) => `${source} (${variables.filter(read).join(", ")})`,
    );
    if (wanted.length > 1)
      throw refusal(`the variables of ${wanted.length} sources are set: ${wanted.join("; ")}; unset all but the one you mean`);
    const skipped: string[] = [];
    for (const step of steps) {
      const found = await step.find();
      if (typeof found === "string") {
        skipped.push(`${step.name}: ${found}`);
        continue;
      }
      onChoose?.({ source: found.source, description: found.description });
      return found.token;
    }
    throw new IamTokenError(NAME, `no credentials found; tried, in order: ${skipped.join("; ")}`);
  }

  let chosen: TokenSource | undefined;
  let choosing: Promise<TokenSource> | undefined;
  return async (request = {}) => {
    request.signal?.throwIfAborted();
    if (!chosen) {
      // Note: one search for every caller; a failed one is not kept, so a later call searches again (a file may appear).
      choosing ??= choose().then(
        (source) => (chosen = source),
        (error) => {
          choosing = undefined;
          throw error;
        },
      );
      await (request.signal ? raced(choosing, request.signal) : choosing);
    }
    return (chosen as TokenSource)(request);
  };
}
