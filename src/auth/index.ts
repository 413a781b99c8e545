// The `yc-iam-api-keys/auth` entry: token sources for createIamClient's `token`. Exports only.
export { IamTokenError, type TokenSourceName } from "../core/errors.js";
export type { TokenSource } from "../core/types.js";
export { type CacheOptions, type Credential, cachedToken } from "./cache.js";
export {
  type ChosenCredentials,
  type DefaultCredentialsOptions,
  defaultCredentials,
  type Environment,
  platformTokenIn,
  WORKLOAD_VARIABLES,
} from "./chain.js";
export {
  type AuthorizedKey,
  type ExchangeOptions,
  type FunctionContext,
  functionToken,
  METADATA_URL,
  type MetadataOptions,
  metadataToken,
  oauthToken,
  serviceAccountKey,
} from "./sources.js";
export {
  type GithubActionsOptions,
  githubActionsToken,
  KUBERNETES_TOKEN_FILE,
  kubernetesToken,
  type SubjectToken,
  TOKEN_EXCHANGE_URL,
  type WorkloadIdentityOptions,
  workloadIdentity,
} from "./workload-identity.js";
