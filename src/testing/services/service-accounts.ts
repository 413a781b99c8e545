// The ServiceAccount service of the fake: accounts in folders it does not model (any folder id is accepted), names
// unique per cloud, quota, the `name="…"` filter, updates by mask, suspend and reactivate (a suspended account cannot
// authenticate), access bindings with effective deltas, every change an Operation. A deleted account takes its keys of
// every kind with it, through the context.
import type { components } from "../../../generated/schema.js";
import { answer, failure, failureOf, TYPE } from "../answers.js";
import { DEFAULT_FOLDER_ID, newId, places, timestamp } from "../data.js";
import { folderPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type ServiceAccount = components["schemas"]["ServiceAccount"];

/** Every field an update can change: the mask when none is given. */
const UPDATABLE = ["name", "description", "labels", "expiresAt"];

/** The NOT_FOUND of an account, as an answer (`notFound`) and as an Operation that fails when it is done (`gone`). */
const notFoundStatus = (serviceAccountId: string) => ({ code: 5, message: `Service account ${serviceAccountId} not found` });
const notFound = (serviceAccountId: string) => failureOf(notFoundStatus(serviceAccountId));
const nameTaken = (name: string) => failure(6, `Service account with name "${name}" already exists`);
/** What a change of an account that was deleted before the change was done fails with. */
const gone = (serviceAccountId: string) => new OperationFailure(notFoundStatus(serviceAccountId));

/** The ServiceAccount service: `refusal` says which accounts may not authenticate. */
export default function serviceAccountsService({
  options,
  serviceAccounts: ids,
  now,
  operations,
  deleteOwnedBy,
  accessBindings,
}: FakeContext) {
  const folderId = options.folderId ?? DEFAULT_FOLDER_ID;
  const quota = options.serviceAccountQuota ?? 100;
  const initial = [...ids];
  let accounts = new Map<string, ServiceAccount>();
  /** Suspended accounts, with when the suspension ends by itself (epoch ms), if ever. */
  let suspended = new Map<string, number | undefined>();
  /** Accounts deleted since the start: their tokens are refused. */
  let deleted = new Set<string>();
  /** The names of the accounts whose create is accepted but not done, by id: each holds its name and a slot of the quota. */
  let creating = new Map<string, string>();
  /** The renames accepted but not done, each holding its new name for its account until it is done or fails. */
  let renaming = new Set<{ id: string; name: string }>();
  /** The accounts' places in a list, for page tokens. */
  const accountOrder = places();

  /** The accounts it starts with, active, in `folderId`, and nothing else. */
  function restore() {
    ids.splice(0, ids.length, ...initial);
    const createdAt = timestamp(now());
    accounts = new Map(initial.map((id, i) => [id, { id, folderId, createdAt, name: `service-account-${i + 1}` }]));
    suspended = new Map();
    deleted = new Set();
    creating = new Map();
    renaming = new Set();
    accountOrder.clear();
    for (const id of initial) accountOrder.put(id);
  }
  restore();

  /** Whether an account is suspended now (a suspension that has run out ends here). */
  function isSuspended(id: string): boolean {
    const until = suspended.get(id);
    if (until !== undefined && until <= now()) suspended.delete(id);
    return suspended.has(id);
  }

  /** A copy of an account with its status. */
  const view = (account: ServiceAccount): ServiceAccount => ({
    ...structuredClone(account),
    status: isSuspended(account.id) ? "SUSPENDED" : "ACTIVE",
  });
  const byName = (name: string) => [...accounts.values()].find((a) => a.name === name);
  /** Whether the name is held by an account other than `by`, a create not yet done, or a rename of another account not yet done. */
  function nameHeld(name: string, by?: string): boolean {
    const holder = byName(name);
    if (holder && holder.id !== by) return true;
    return [...creating.values()].includes(name) || [...renaming].some((rename) => rename.name === name && rename.id !== by);
  }

  /** Starts a change of an account as an Operation whose metadata is `{ serviceAccountId }`; `abandon` runs if it fails. */
  const started = operations.changes("service account", "yandex.cloud.iam.v1", "ServiceAccount", "serviceAccountId");
  const change = (kind: string, id: string, apply: () => object, abandon?: () => void) => answer(200, started(kind, id, apply, abandon));

  /** The accounts' bindings, kept in the context's store; the account is the resource `iam.serviceAccount` (after Yandex's resource types). */
  const bindingHandlers = accessBindings.serve(
    {
      exists: (id) => accounts.has(id),
      notFound: notFoundStatus,
      type: "iam.serviceAccount",
    },
    "serviceAccountId",
  );

  /** Starts a change of an account as an Operation that fails with NOT_FOUND if the account is deleted before it is done. */
  const changeLive = (kind: string, id: string, apply: () => object, abandon?: () => void) =>
    change(
      kind,
      id,
      () => {
        if (!accounts.has(id)) throw gone(id);
        return apply();
      },
      abandon,
    );

  return {
    handlers: {
      createServiceAccount({ body }) {
        if (nameHeld(body.name)) return nameTaken(body.name);
        if (accounts.size + creating.size >= quota) return failure(8, "Quota limit of service accounts per cloud exceeded");
        // Note: the id is in the metadata from the start, as Yandex's; the account exists once the Operation is done.
        // Note: until then the create holds its name and its slot of the quota, so creates in flight together cannot pass either.
        const id = newId();
        creating.set(id, body.name);
        const release = () => void creating.delete(id);
        return change(
          "Create",
          id,
          () => {
            release();
            const account: ServiceAccount = {
              id,
              folderId: body.folderId,
              createdAt: timestamp(now()),
              name: body.name,
              ...(body.description && { description: body.description }),
              ...(body.labels && Object.keys(body.labels).length && { labels: body.labels }),
              ...(body.expiresAt && { expiresAt: body.expiresAt }),
            };
            accounts.set(id, account);
            ids.push(id);
            accountOrder.put(id);
            return { "@type": `${TYPE}yandex.cloud.iam.v1.ServiceAccount`, ...view(account) };
          },
          release,
        );
      },

      getServiceAccount({ path }) {
        const account = accounts.get(path.serviceAccountId);
        return account ? answer(200, view(account)) : notFound(path.serviceAccountId);
      },

      listServiceAccounts({ query }) {
        return folderPage("serviceAccounts", accounts.values(), accountOrder, query, view);
      },

      updateServiceAccount({ path, body }) {
        const account = accounts.get(path.serviceAccountId);
        if (!account) return notFound(path.serviceAccountId);
        // Note: as the real API, no mask means every updatable field: the ones left out are reset (a name cannot be).
        const mask: string[] = body.updateMask ? body.updateMask.split(",") : UPDATABLE;
        let rename: { id: string; name: string } | undefined;
        if (mask.includes("name")) {
          if (!body.name) return failure(3, "Request validation error: name: is required, a name cannot be reset");
          if (nameHeld(body.name, account.id)) return nameTaken(body.name);
          // Note: the rename holds its new name until it is done or fails, so of two renames to one name in flight together exactly one wins.
          rename = { id: account.id, name: body.name };
          renaming.add(rename);
        }
        const release = () => void (rename && renaming.delete(rename));
        return changeLive(
          "Update",
          account.id,
          () => {
            release();
            for (const field of mask) {
              const value = body[field];
              // Note: `labels` replaces the whole map; an empty or absent one clears it.
              if (value === undefined || (field === "labels" && !Object.keys(value).length))
                delete (account as Record<string, unknown>)[field];
              else (account as Record<string, unknown>)[field] = value;
            }
            return { "@type": `${TYPE}yandex.cloud.iam.v1.ServiceAccount`, ...view(account) };
          },
          release,
        );
      },

      deleteServiceAccount({ path }) {
        const id = path.serviceAccountId;
        if (!accounts.has(id)) return notFound(id);
        return change("Delete", id, () => {
          // Note: a second delete accepted while the first was in flight finds the account gone and changes nothing.
          if (!accounts.delete(id)) return { "@type": `${TYPE}google.protobuf.Empty` };
          suspended.delete(id);
          ids.splice(ids.indexOf(id), 1);
          deleted.add(id);
          // Note: its keys of every kind and its bindings (on it, and held by it anywhere) go with it, where they are kept.
          deleteOwnedBy(id);
          return { "@type": `${TYPE}google.protobuf.Empty` };
        });
      },

      listServiceAccountOperations({ path, query }) {
        if (!accounts.has(path.serviceAccountId)) return notFound(path.serviceAccountId);
        return operations.page(path.serviceAccountId, query);
      },

      listServiceAccountAccessBindings: bindingHandlers.list,
      setServiceAccountAccessBindings: bindingHandlers.set,
      updateServiceAccountAccessBindings: bindingHandlers.update,

      suspendServiceAccount({ path, body }) {
        const id = path.serviceAccountId;
        if (!accounts.has(id)) return notFound(id);
        return changeLive("Suspend", id, () => {
          suspended.set(id, body.expiresAt ? Date.parse(body.expiresAt) : undefined);
          return { "@type": `${TYPE}yandex.cloud.iam.v1.SuspendServiceAccountResponse` };
        });
      },

      reactivateServiceAccount({ path }) {
        const id = path.serviceAccountId;
        if (!accounts.has(id)) return notFound(id);
        return changeLive("Reactivate", id, () => {
          suspended.delete(id);
          return { "@type": `${TYPE}yandex.cloud.iam.v1.ReactivateServiceAccountResponse` };
        });
      },
    },
    /** Why an account may not authenticate now: suspended, or deleted; undefined for any other (known or not). */
    refusal(serviceAccountId: string): string | undefined {
      if (deleted.has(serviceAccountId)) return `service account ${serviceAccountId} was deleted`;
      return isSuspended(serviceAccountId) ? `service account ${serviceAccountId} is suspended` : undefined;
    },
    state: () => ({ serviceAccounts: [...accounts.values()].map(view) }),
    /** The accounts it started with, active. */
    reset: restore,
  } satisfies FakeService & Record<string, unknown>;
}
