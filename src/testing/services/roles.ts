// The Role service of the fake: the role catalogue, which getRole reads and listRoles pages over (by id, with the `id="…"`
// filter). A binding naming a role it does not hold is refused, as Yandex refuses a role that does not exist; the
// ServiceAccount service asks it through the context (`roleExists`). The catalogue is the
// documented roles of the services this package touches, read from Yandex Cloud's access-management pages
// (yandex.cloud/en/docs/iam/security, /resource-manager/security, /storage/security and the role reference's primitive
// roles), and the test's own (createFakeIam's `roles` option).
import type { components } from "../../../generated/schema.js";
import { answer, failure, page } from "../answers.js";
import { filtered } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";

type Role = components["schemas"]["Role"];

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
  /** The roles as listRoles answers them, by id; a role's place in a list is its place here, which never changes. */
  const listed: Role[] = [...catalogue].sort().map((id) => ({ id }));
  return {
    handlers: {
      getRole({ path }) {
        return catalogue.has(path.roleId) ? answer(200, { id: path.roleId }) : failure(5, `Role ${path.roleId} not found`);
      },

      listRoles({ query }) {
        const kept = filtered<Role>(query.filter, ["id"]);
        if (kept instanceof Response) return kept;
        return page("roles", listed.filter(kept), query, (role) => listed.indexOf(role) + 1);
      },
    },
    /** Whether the catalogue holds the role. */
    roleExists: (roleId: string) => catalogue.has(roleId),
    // Note: the catalogue is the fake's configuration, not state a call changes.
    state: () => ({}),
    reset() {},
  } satisfies FakeService & Record<string, unknown>;
}
