// The FederatedCredential service of the fake: which external subject of which OIDC federation may act as a service
// account, at most 200 per account, created and deleted as Operations (no update, as Yandex's); an account's go with it.
import type { components } from "../../../generated/schema.js";
import { answer, failure, TYPE } from "../answers.js";
import { newId, OIDC_FEDERATION_TYPE, places, timestamp } from "../data.js";
import { placedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";
import { OperationFailure } from "./operations.js";

type FederatedCredential = components["schemas"]["FederatedCredential"];

/** Federated credentials per service account, as Yandex's quota. */
const QUOTA = 200;
const notFound = (id: string) => failure(5, `Federated credential ${id} not found`);

/** The FederatedCredential service. */
export default function federatedCredentialsService({ serviceAccounts, now, operations, resourceExists }: FakeContext) {
  let credentials = new Map<string, FederatedCredential>();
  /** The creates accepted but not done, by id, each holding a slot of its account's quota until it is done or fails. */
  let creating = new Map<string, string>();
  const order = places();
  const change = operations.changes("federated credential", "yandex.cloud.iam.v1.workload", "FederatedCredential", "federatedCredentialId");
  const ownedBy = (serviceAccountId: string) => [...credentials.values()].filter((c) => c.serviceAccountId === serviceAccountId);

  return {
    handlers: {
      createFederatedCredential({ body }) {
        const { serviceAccountId, federationId, externalSubjectId } = body;
        if (!serviceAccounts.includes(serviceAccountId)) return failure(5, `Service account ${serviceAccountId} not found`);
        if (!resourceExists(OIDC_FEDERATION_TYPE, federationId)) return failure(5, `Federation ${federationId} not found`);
        // Note: with the creates in flight counted, two at the quota's edge cannot both pass.
        const inFlight = [...creating.values()].filter((account) => account === serviceAccountId).length;
        if (ownedBy(serviceAccountId).length + inFlight >= QUOTA)
          return failure(8, "Quota limit of federated credentials per service account exceeded");
        const id = newId();
        creating.set(id, serviceAccountId);
        const release = () => void creating.delete(id);
        return answer(
          200,
          change(
            "Create",
            id,
            () => {
              release();
              // Note: checked again when done: an account or a federation deleted meanwhile gets no credential.
              if (!serviceAccounts.includes(serviceAccountId))
                throw new OperationFailure({ code: 5, message: `Service account ${serviceAccountId} not found` });
              if (!resourceExists(OIDC_FEDERATION_TYPE, federationId))
                throw new OperationFailure({ code: 5, message: `Federation ${federationId} not found` });
              const credential: FederatedCredential = {
                id,
                serviceAccountId,
                federationId,
                ...(externalSubjectId && { externalSubjectId }),
                createdAt: timestamp(now()),
              };
              credentials.set(id, credential);
              order.put(id);
              return { "@type": `${TYPE}yandex.cloud.iam.v1.workload.FederatedCredential`, ...structuredClone(credential) };
            },
            release,
          ),
        );
      },
      getFederatedCredential({ path }) {
        const credential = credentials.get(path.federatedCredentialId);
        return credential ? answer(200, structuredClone(credential)) : notFound(path.federatedCredentialId);
      },
      listFederatedCredentials({ query }) {
        if (!serviceAccounts.includes(query.serviceAccountId)) return failure(5, `Service account ${query.serviceAccountId} not found`);
        return placedPage(
          "federatedCredentials",
          ownedBy(query.serviceAccountId).map((c) => structuredClone(c)),
          order,
          query,
          (c) => c.id,
        );
      },
      deleteFederatedCredential({ path }) {
        const id = path.federatedCredentialId;
        if (!credentials.has(id)) return notFound(id);
        return answer(
          200,
          change("Delete", id, () => {
            credentials.delete(id);
            return { "@type": `${TYPE}google.protobuf.Empty` };
          }),
        );
      },
    },
    // Note: only a credential that names the subject links it (one without externalSubjectId, allowed since 2026-06, links none here).
    federatedAccounts: (federationId: string, subject: string) =>
      [...credentials.values()].flatMap((c) =>
        c.federationId === federationId && c.externalSubjectId === subject && c.serviceAccountId ? [c.serviceAccountId] : [],
      ),
    deleteOwnedBy(serviceAccountId: string) {
      for (const credential of ownedBy(serviceAccountId)) credentials.delete(credential.id);
    },
    state: () => ({ federatedCredentials: [...credentials.values()].map((c) => structuredClone(c)) }),
    reset() {
      credentials = new Map();
      creating = new Map();
      order.clear();
    },
  } satisfies FakeService & Record<string, unknown>;
}
