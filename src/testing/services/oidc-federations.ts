// The OIDC FederationService of the fake: federations in the fake's folders (names unique in a folder, 50 in all as
// Yandex's quota per cloud), created, updated by mask (never the issuer) and deleted as Operations, `disabled` in a
// request and `enabled` in the resource, and who holds which role on each, in the context's binding store.
import { updateOidcFederation } from "../../../generated/contract.js";
import type { components } from "../../../generated/schema.js";
import { answer, failure, failureOf, TYPE } from "../answers.js";
import { FOLDER_TYPE, newId, OIDC_FEDERATION_TYPE, places, timestamp } from "../data.js";
import { placedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type OidcFederation = components["schemas"]["OidcFederation"];
/** A name held by a change in flight: a create's (which holds a slot of the quota too) or a rename's. */
type Claim = { id: string; folderId: string; name: string; create?: true };

/** Federations per cloud, as Yandex's quota (the fake counts all it holds as one cloud's). */
const QUOTA = 50;
const { properties = {}, clearable = [] } = updateOidcFederation.body;
/** Every field an update can change (the update's body, less its mask): the mask when none is given. */
const UPDATABLE = Object.keys(properties).filter((field) => field !== "updateMask");
/**
 * The fields a mask may not name without a value: all but those the document lets it reset (`x-yc-clearable`) and
 * `disabled`, whose zero value, false, is a value (enabled).
 */
const KEPT = UPDATABLE.filter((field) => field !== "disabled" && !clearable.includes(field));
const notFoundStatus = (id: string) => ({ code: 5, message: `Federation ${id} not found` });
const gone = (id: string) => new OperationFailure(notFoundStatus(id));

/** The OIDC FederationService. */
export default function oidcFederationsService({ now, operations, accessBindings, resourceExists }: FakeContext) {
  let federations = new Map<string, OidcFederation>();
  /**
   * The names that creates and renames accepted but not done hold, one claim for each change (two renames of one federation
   * in flight hold two), so two in flight cannot take one name; each goes when its change is done or fails.
   */
  let claims = new Set<Claim>();
  const order = places();
  const change = operations.changes("federation", "yandex.cloud.iam.v1.workload.oidc", "Federation", "federationId");
  const view = (federation: OidcFederation) => ({
    "@type": `${TYPE}yandex.cloud.iam.v1.workload.oidc.Federation`,
    ...structuredClone(federation),
  });
  const nameHeld = (folderId: string, name: string, by?: string) =>
    [...federations.values()].some((f) => f.folderId === folderId && f.name === name && f.id !== by) ||
    [...claims].some((c) => c.folderId === folderId && c.name === name && c.id !== by);
  const taken = (name: string) => failure(6, `Federation with name "${name}" already exists`);
  const bindings = accessBindings.serve(
    { exists: (id) => federations.has(id), notFound: notFoundStatus, type: OIDC_FEDERATION_TYPE },
    "federationId",
  );

  return {
    handlers: {
      createOidcFederation({ body }) {
        if (!resourceExists(FOLDER_TYPE, body.folderId)) return failure(5, `Folder ${body.folderId} not found`);
        if (nameHeld(body.folderId, body.name)) return taken(body.name);
        // Note: the creates in flight hold a slot each, so two at the quota's edge cannot both pass; a rename holds none.
        const creating = [...claims].filter((c) => c.create).length;
        if (federations.size + creating >= QUOTA) return failure(8, "Quota limit of federations per cloud exceeded");
        const id = newId();
        const claim: Claim = { id, folderId: body.folderId, name: body.name, create: true };
        claims.add(claim);
        const release = () => void claims.delete(claim);
        const done = () => {
          release();
          const federation: OidcFederation = {
            id,
            name: body.name,
            folderId: body.folderId,
            ...(body.description && { description: body.description }),
            // Note: the request says `disabled`, the resource `enabled`.
            ...(!body.disabled && { enabled: true }),
            // Note: audiences are optional in a create (CreateOidcFederationRequest); proto3 JSON leaves out an empty list.
            ...(body.audiences && { audiences: [...body.audiences] }),
            issuer: body.issuer,
            jwksUrl: body.jwksUrl,
            ...(body.labels && Object.keys(body.labels).length && { labels: body.labels }),
            createdAt: timestamp(now()),
          };
          federations.set(id, federation);
          order.put(id);
          return view(federation);
        };
        return answer(200, change("Create", id, done, release));
      },
      getOidcFederation({ path }) {
        const federation = federations.get(path.federationId);
        return federation ? answer(200, structuredClone(federation)) : failureOf(notFoundStatus(path.federationId));
      },
      listOidcFederations({ query }) {
        if (!resourceExists(FOLDER_TYPE, query.folderId)) return failure(5, `Folder ${query.folderId} not found`);
        const found = [...federations.values()].filter((f) => f.folderId === query.folderId);
        return placedPage(
          "federations",
          found.map((f) => structuredClone(f)),
          order,
          query,
          (f) => f.id,
        );
      },
      updateOidcFederation({ path, body }) {
        const federation = federations.get(path.federationId);
        if (!federation) return failureOf(notFoundStatus(path.federationId));
        // Note: as the real API, no mask means every updatable field: the ones left out are reset.
        const mask: string[] = body.updateMask ? body.updateMask.split(",") : UPDATABLE;
        const folderId = federation.folderId ?? "";
        let claim: Claim | undefined;
        // Note: a name, the audiences and the key set cannot be reset, with a mask that names them or with none.
        const unset = KEPT.find((field) => mask.includes(field) && body[field] === undefined);
        if (unset) return failure(3, `Request validation error: ${unset}: is required, it cannot be reset`);
        if (mask.includes("name")) {
          if (nameHeld(folderId, body.name, federation.id)) return taken(body.name);
          claim = { id: federation.id, folderId, name: body.name };
          claims.add(claim);
        }
        // Note: only this change's own claim: another rename of the federation in flight keeps holding its name.
        const release = () => void (claim && claims.delete(claim));
        const done = () => {
          release();
          if (federations.get(federation.id) !== federation) throw gone(federation.id);
          const fields = federation as Record<string, unknown>;
          for (const field of mask) {
            if (field === "disabled") {
              if (body.disabled) delete fields.enabled;
              else fields.enabled = true;
              continue;
            }
            const value = body[field];
            // Note: proto3 JSON leaves out an empty description or labels, as the create does.
            if (value === undefined || value === "" || (field === "labels" && !Object.keys(value).length)) delete fields[field];
            else fields[field] = structuredClone(value);
          }
          return view(federation);
        };
        return answer(200, change("Update", federation.id, done, release));
      },
      deleteOidcFederation({ path }) {
        const id = path.federationId;
        if (!federations.has(id)) return failureOf(notFoundStatus(id));
        return answer(
          200,
          change("Delete", id, () => {
            federations.delete(id);
            // Note: the store drops the bindings on a resource that goes (named for an account's, the first that went).
            accessBindings.deleteOwnedBy(id);
            return { "@type": `${TYPE}google.protobuf.Empty` };
          }),
        );
      },
      listOidcFederationAccessBindings: bindings.list,
      setOidcFederationAccessBindings: bindings.set,
      updateOidcFederationAccessBindings: bindings.update,
    },
    resourceExists: (type: string, id: string) => type === OIDC_FEDERATION_TYPE && federations.has(id),
    federationsOf: (issuer: string) => [...federations.values()].filter((f) => f.issuer === issuer).map((f) => structuredClone(f)),
    state: () => ({ oidcFederations: [...federations.values()].map((f) => structuredClone(f)) }),
    reset() {
      federations = new Map();
      claims = new Set();
      order.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
