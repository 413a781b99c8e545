// The credential chain: the first source of credentials the environment offers, under the names Yandex's own tools read
// (`yc`, Terraform), found on first use. A variable of the chain that is set means its source is wanted: it is used, or
// refused with the reason; never passed over for a later one. When none applies, the error names every source and why.
import { defaultServer, exchangeToken } from "../../generated/contract.js";
import { IamError, IamTokenError } from "../core/errors.js";
import type { TokenSource } from "../core/types.js";
import { type CacheOptions, withSignal } from "./cache.js";
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
/** An IAM token (`yc iam create-token`). */
const IAM_TOKEN = /^t1\./;
/** A Yandex OAuth token: `y0_…`, or `AQAAAA…` for an older one. */
const OAUTH_TOKEN = /^(y0_|AQAAAA)/;
const ID_TOKEN_VARIABLES = "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN";

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
  const base = baseUrl?.replace(/\/$/, "");
  // Note: as the client does, a fake or a proxy given as baseUrl takes the calls of every server, so a job pointed at a
  // fake never sends its platform's token to Yandex.
  return base && base !== defaultServer ? `${base}${exchangeToken.path}` : TOKEN_EXCHANGE_URL;
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
  const { fetch } = shared;
  const env: Environment = given ?? (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
  /** A variable's value, without the spaces around it; undefined when it is unset or empty. */
  const read = (name: string) => env[name]?.trim() || undefined;

  /** Workload identity with `subjectToken` (`about` says what it is), refused with what is wrong (the service account's ID, the endpoint). */
  function federated(source: string, subjectToken: SubjectToken, about: string): Found {
    const serviceAccountId = read("YC_SERVICE_ACCOUNT_ID") as string;
    try {
      const token = workloadIdentity({ ...shared, serviceAccountId, subjectToken, endpoint: tokenExchangeUrl });
      return { source, token, description: `${source}: ${about}, exchanged for IAM tokens of service account ${serviceAccountId}` };
    } catch (error) {
      throw refusal(`workload identity for YC_SERVICE_ACCOUNT_ID, with ${about}, cannot be used`, error);
    }
  }

  const steps: Step[] = [
    {
      name: "YC_TOKEN",
      find() {
        const variable = read("YC_TOKEN") ? "YC_TOKEN" : read("YC_IAM_TOKEN") ? "YC_IAM_TOKEN" : undefined;
        if (!variable) return "not set, nor its alias YC_IAM_TOKEN";
        const value = read(variable) as string;
        // Note: YC_IAM_TOKEN, the examples' name, always meant an IAM token, so any value is one there; an OAuth token is not.
        if (IAM_TOKEN.test(value) || (variable === "YC_IAM_TOKEN" && !OAUTH_TOKEN.test(value)))
          return {
            source: variable,
            token: async () => value,
            description: `${variable}: an IAM token, used as it is (it lives 12 hours at most)`,
          };
        if (variable === "YC_TOKEN" && OAUTH_TOKEN.test(value))
          return {
            source: variable,
            token: oauthToken(value, { ...shared, baseUrl }),
            description: `${variable}: an OAuth token, exchanged for IAM tokens`,
          };
        // Note: the value is never quoted: it is a credential, however malformed.
        throw refusal(
          variable === "YC_TOKEN"
            ? "YC_TOKEN is neither an IAM token (t1.…) nor an OAuth token (y0_… or AQAAAA…)"
            : "YC_IAM_TOKEN holds an OAuth token: put it in YC_TOKEN, which exchanges it for IAM tokens",
        );
      },
    },
    {
      name: "YC_SERVICE_ACCOUNT_KEY_FILE",
      async find() {
        const variable = read("YC_SERVICE_ACCOUNT_KEY_FILE")
          ? "YC_SERVICE_ACCOUNT_KEY_FILE"
          : read("YC_SA_KEY_FILE")
            ? "YC_SA_KEY_FILE"
            : undefined;
        if (!variable) return "not set, nor its alias YC_SA_KEY_FILE";
        const path = read(variable) as string;
        let text: string;
        try {
          text = await readText(path);
        } catch (error) {
          throw refusal(`${variable} is set, but the file ${path} cannot be read: ${(error as Error)?.message ?? error}`);
        }
        try {
          return {
            source: variable,
            token: serviceAccountKey(text, { ...shared, baseUrl }),
            description: `${variable}: the authorized key in ${path}`,
          };
        } catch (error) {
          throw refusal(`${variable} is set, but the file ${path} holds no service account's authorized key`, error);
        }
      },
    },
    {
      name: "YC_WORKLOAD_TOKEN_FILE",
      find() {
        const path = read("YC_WORKLOAD_TOKEN_FILE");
        if (!path) return "not set (workload identity with a token file, as Kubernetes projects one)";
        if (!read("YC_SERVICE_ACCOUNT_ID"))
          throw refusal("YC_WORKLOAD_TOKEN_FILE is set, but YC_SERVICE_ACCOUNT_ID is not: the exchange needs the service account's ID");
        return federated("YC_WORKLOAD_TOKEN_FILE", kubernetesToken(path), `the OIDC token in ${path}`);
      },
    },
    {
      name: "GitHub Actions",
      find() {
        const inJob = read("ACTIONS_ID_TOKEN_REQUEST_URL") && read("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
        const serviceAccountId = read("YC_SERVICE_ACCOUNT_ID");
        if (inJob && serviceAccountId) return federated("GitHub Actions", githubActionsToken(env, { fetch }), "the job's ID token");
        // Note: YC_SERVICE_ACCOUNT_ID is the chain's own variable: set, it asks for workload identity, which no platform here gives.
        if (serviceAccountId)
          throw refusal(
            `YC_SERVICE_ACCOUNT_ID is set for workload identity, but there is no OIDC token: YC_WORKLOAD_TOKEN_FILE is not set, and this is no GitHub Actions job that may ask for an ID token (${ID_TOKEN_VARIABLES} are set in a job whose workflow has \`permissions: id-token: write\`)`,
          );
        return inJob
          ? "YC_SERVICE_ACCOUNT_ID is not set (the job could ask for an ID token: set it to the service account's ID)"
          : `not in a job that may ask for an ID token (${ID_TOKEN_VARIABLES} are not set)`;
      },
    },
    {
      name: "the metadata service",
      async find() {
        // Note: tried last, and once per search: a short wait where nothing answers (outside Yandex Cloud), the first token where it does.
        const token = metadataToken({ ...shared, url: metadataUrl, timeoutMs: metadataTimeoutMs });
        try {
          await token();
        } catch (error) {
          const { status } = error as IamTokenError;
          if (status === 404) return "answered 404: no service account is linked to this VM or container";
          return status ? `answered HTTP ${status}` : `gave no answer within ${metadataTimeoutMs} ms (not inside Yandex Cloud?)`;
        }
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
      await withSignal(choosing, request.signal);
    }
    return (chosen as TokenSource)(request);
  };
}
