// Every service of the client in one place: a new service is its module's exports here and one entry of the list,
// which `IamClient` and `createIamClient` are made from.
import type { Call, Wait } from "../core/call.js";
import accessAnalyzer from "./access-analyzer.js";
import accessKeys from "./access-keys.js";
import apiKeys from "./api-keys.js";
import clouds from "./clouds.js";
import federatedCredentials from "./federated-credentials.js";
import folders from "./folders.js";
import keys from "./keys.js";
import oidcFederations from "./oidc-federations.js";
import operations from "./operations.js";
import roles from "./roles.js";
import serviceAccounts from "./service-accounts.js";

export * from "./access-analyzer.js";
export * from "./access-keys.js";
export * from "./api-keys.js";
export * from "./clouds.js";
export * from "./federated-credentials.js";
export * from "./folders.js";
export * from "./keys.js";
export * from "./oidc-federations.js";
export * from "./operations.js";
export * from "./roles.js";
export * from "./service-accounts.js";

/** The client's services by property name, each made over the call loop and the client's way of waiting; the JSDoc is `IamClient`'s. */
export default {
  /** The ApiKey service: create, read, list, update and delete API keys. */
  apiKeys,
  /** The AccessKey service: static AWS-compatible keys (Object Storage, Message Queue, Data Streams, Postbox). */
  accessKeys,
  /** The ServiceAccount service: the accounts, their operations, suspension and access bindings (who holds which role). */
  serviceAccounts,
  /** The Key service: authorized keys, whose JWTs get IAM tokens (`serviceAccountKey`); `keyFile()` saves one as key.json. */
  keys,
  /** The Role service: the roles an access binding may name, to check one exists before granting it. */
  roles,
  /** The AccessAnalyzer service: every role one subject holds, on any resource of an organization. */
  accessAnalyzer,
  /** The Folder service: Resource Manager's folders of a cloud, and the roles held on each (a robot's role in its folder). */
  folders,
  /** The Cloud service: Resource Manager's clouds, and the roles held on each (they hold for every folder in it). */
  clouds,
  /** The OidcFederation service: the OIDC issuers (a CI platform, a cluster) whose tokens Yandex exchanges for IAM tokens. */
  oidcFederations,
  /** The FederatedCredential service: which subject of a federation may act as a service account, with no key anywhere. */
  federatedCredentials,
  /** The Operation service: get an operation, or wait until it is done. */
  operations,
} satisfies Record<string, (call: Call, wait: Wait) => object>;
