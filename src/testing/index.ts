// The `yc-iam-api-keys/testing` entry: a stateful fake of the IAM API for users' own tests. Exports only;
// the loopback server is `yc-iam-api-keys/testing/node`.
export {
  createFakeIam,
  DEFAULT_CLOUD_ID,
  DEFAULT_FOLDER_ID,
  DEFAULT_ORGANIZATION_ID,
  DEFAULT_ROLES,
  DEFAULT_SCOPES,
  type FakeCloud,
  type FakeFolder,
  type FakeIam,
  type FakeIamOptions,
  type FakeJwksSource,
  type FakeKeyFile,
  type FakeRequest,
  type FakeStatus,
  type Fault,
  type OperationProgress,
  type SeedKey,
} from "./fake.js";
export {
  checkIdToken,
  createOidcIssuer,
  type FakeGithubActionsJob,
  type FakeOidcIssuer,
  githubActionsJob,
  type IdTokenClaims,
  type Jwks,
  type RsaPublicJwk,
} from "./oidc.js";
