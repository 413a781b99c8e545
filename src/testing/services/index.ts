// Every service of the fake, in one list: a new service is its module beside this file and one entry here. The router
// routes each operation of the generated table to the handler of its operationId, whichever service holds it.
import type { FakeContext, FakeService } from "../types.js";
import accessAnalyzer from "./access-analyzer.js";
import accessKeys from "./access-keys.js";
import apiKeys from "./api-keys.js";
import clouds from "./clouds.js";
import federatedCredentials from "./federated-credentials.js";
import folders from "./folders.js";
import iamTokens from "./iam-tokens.js";
import keys from "./keys.js";
import oidcFederations from "./oidc-federations.js";
import roles from "./roles.js";
import serviceAccounts from "./service-accounts.js";
import tokenExchange from "./token-exchange.js";

/**
 * The services fake.ts makes with its context, by name (fake.ts reaches some by it: `apiKeys.seed`, `iamTokens.subjectOf`).
 * Note: the Operation service is not here: the context holds it, so fake.ts makes it first.
 */
export default {
  apiKeys,
  keys,
  accessKeys,
  serviceAccounts,
  iamTokens,
  roles,
  accessAnalyzer,
  clouds,
  folders,
  oidcFederations,
  federatedCredentials,
  tokenExchange,
} satisfies Record<string, (context: FakeContext) => FakeService>;
