// The `yc-iam-api-keys/testing` entry: a stateful fake of the IAM API for users' own tests. Exports only.
export { DEFAULT_SCOPES, type Fault, type FakeIam, type FakeIamOptions, type FakeRequest, type FakeStatus, type OperationProgress, type SeedKey, createFakeIam } from "./fake.js";
export type { ServedFake } from "./serve.js";
