// The Role service of the fake: the role catalogue. A binding naming a role it does not hold is refused, as Yandex refuses
// a role that does not exist; the ServiceAccount service asks it through the context (`roleExists`). The catalogue is the
// documented roles of the services this package touches, read from Yandex Cloud's access-management pages
// (yandex.cloud/en/docs/iam/security, /resource-manager/security, /storage/security and the role reference's primitive
// roles), and the test's own (createFakeIam's `roles` option).
import type { FakeContext, FakeService } from "../types.js";

/** The primitive roles: they apply to every service. */
const PRIMITIVE = ["auditor", "viewer", "editor", "admin"];

/** Identity and Access Management's roles. */
const IAM = [
  "iam.auditor",
  "iam.viewer",
  "iam.editor",
  "iam.admin",
  "iam.serviceAccounts.user",
  "iam.serviceAccounts.admin",
  "iam.serviceAccounts.tokenCreator",
  "iam.serviceAccounts.accessKeyAdmin",
  "iam.serviceAccounts.apiKeyAdmin",
  "iam.serviceAccounts.authorizedKeyAdmin",
];

/** Resource Manager's roles (clouds and folders). */
const RESOURCE_MANAGER = [
  "resource-manager.auditor",
  "resource-manager.viewer",
  "resource-manager.editor",
  "resource-manager.admin",
  "resource-manager.clouds.member",
  "resource-manager.clouds.owner",
];

/** Object Storage's roles (what a static access key is usually for). */
const STORAGE = ["storage.viewer", "storage.configViewer", "storage.configurer", "storage.uploader", "storage.editor", "storage.admin"];

/** Every role the fake knows unless told more. */
export const DEFAULT_ROLES: readonly string[] = [...PRIMITIVE, ...IAM, ...RESOURCE_MANAGER, ...STORAGE];

/** The Role service: the catalogue, `DEFAULT_ROLES` and the test's own roles; `roleExists` says whether it holds a role. */
export default function rolesService({ options }: FakeContext) {
  const catalogue = new Set([...DEFAULT_ROLES, ...(options.roles ?? [])]);
  return {
    handlers: {},
    /** Whether the catalogue holds the role. */
    roleExists: (roleId: string) => catalogue.has(roleId),
    // Note: the catalogue is the fake's configuration, not state a call changes.
    state: () => ({}),
    reset() {},
  } satisfies FakeService & Record<string, unknown>;
}
