// The Cloud service of the fake: its clouds (`options.clouds`, else one: the default cloud of the default organization),
// in one organization (any other is NOT_FOUND), found by name with the `name="…"` filter, and who holds which role on each, kept in the
// context's binding store. A role on a cloud holds for every folder in it.
import type { components } from "../../../generated/schema.js";
import { answer, failure, failureOf } from "../answers.js";
import { CLOUD_TYPE, checkSeeds, cloudSeeds, DEFAULT_ORGANIZATION_ID, places, timestamp } from "../data.js";
import { filtered, placedPage } from "../lists.js";
import type { FakeContext, FakeService } from "../types.js";

type Cloud = components["schemas"]["Cloud"];

/** The Cloud service; clouds are seeded, not made (Yandex's create and delete of clouds are not in the document). */
export default function cloudsService({ options, now, accessBindings }: FakeContext) {
  const organizationId = options.organizationId ?? DEFAULT_ORGANIZATION_ID;
  const seeds = cloudSeeds(options.clouds);
  checkSeeds("cloud", seeds);
  let clouds = new Map<string, Cloud>();
  const order = places();
  const notFound = (cloudId: string) => ({ code: 5, message: `Cloud ${cloudId} not found` });

  function restore() {
    const createdAt = timestamp(now());
    clouds = new Map(seeds.map((seed) => [seed.id, { organizationId, createdAt, ...structuredClone(seed) }]));
    order.clear();
    for (const id of clouds.keys()) order.put(id);
  }
  restore();

  const bindings = accessBindings.serve({ exists: (id) => clouds.has(id), notFound, type: CLOUD_TYPE }, "cloudId");

  return {
    handlers: {
      getCloud({ path }) {
        const cloud = clouds.get(path.cloudId);
        return cloud ? answer(200, structuredClone(cloud)) : failureOf(notFound(path.cloudId));
      },
      listClouds({ query }) {
        // Note: the fake holds one organization, as the access analyzer's: any other is NOT_FOUND, as the document says.
        if (query.organizationId && query.organizationId !== organizationId)
          return failure(5, `Organization ${query.organizationId} not found`);
        const named = filtered<Cloud>(query.filter, ["name"]);
        if (named instanceof Response) return named;
        return placedPage(
          "clouds",
          [...clouds.values()].filter(named).map((cloud) => structuredClone(cloud)),
          order,
          query,
          (cloud) => cloud.id,
        );
      },
      listCloudAccessBindings: bindings.list,
      setCloudAccessBindings: bindings.set,
      updateCloudAccessBindings: bindings.update,
    },
    resourceExists: (type: string, id: string) => type === CLOUD_TYPE && clouds.has(id),
    state: () => ({ clouds: [...clouds.values()].map((cloud) => structuredClone(cloud)) }),
    /** The clouds it was seeded with. */
    reset: restore,
  } satisfies FakeService & Record<string, unknown>;
}
