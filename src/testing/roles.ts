// The roles the fake knows: a binding naming any other roleId is refused, as Yandex refuses a role that does not exist.
// The list is the documented roles of the services this package touches, read from Yandex Cloud's access-management
// pages (yandex.cloud/en/docs/iam/security, /resource-manager/security, /storage/security and the role reference's
// primitive roles). A test that grants another role adds it with createFakeIam's `roles` option.

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

/** A check of the roles bindings name against the catalogue and `extra`: the first roleId that is no role, or undefined. */
export function roleCheck(extra: readonly string[] = []): (bindings: readonly { roleId: string }[]) => string | undefined {
  const roles = new Set([...DEFAULT_ROLES, ...extra]);
  return (bindings) => bindings.find((binding) => !roles.has(binding.roleId))?.roleId;
}
