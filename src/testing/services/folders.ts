// The Folder service of the fake: the folders of its clouds (`options.folders`, else one: `folderId` in the default
// cloud), listed per cloud and found by name with the `name="…"` filter, and who holds which role on each, kept in the
// context's binding store. A folder's bindings are what a role on the folder means: what lets a robot act there.
import type { components } from "../../../generated/schema.js";
import { answer, failure, failureOf } from "../answers.js";
import { CLOUD_TYPE, checkSeeds, cloudSeeds, DEFAULT_CLOUD_ID, DEFAULT_FOLDER_ID, FOLDER_TYPE, places, timestamp } from "../data.js";
import { filtered, placedPage } from "../lists.js";
import type { FakeContext, FakeFolder, FakeService } from "../types.js";

type Folder = components["schemas"]["Folder"];

/** The Folder service; folders are seeded, not made (Yandex's create and delete of folders are not in the document). */
export default function foldersService({ options, now, accessBindings, resourceExists }: FakeContext) {
  const accountsFolder = options.folderId ?? DEFAULT_FOLDER_ID;
  const seeds = options.folders ?? [{ id: accountsFolder, name: "default" }];
  const cloudOf = (seed: FakeFolder) => seed.cloudId ?? DEFAULT_CLOUD_ID;
  checkSeeds("folder", seeds, (seed) => `cloud ${cloudOf(seed)}`);
  // Note: the seeds are checked against each other here, as the options give them (the clouds' service checks its own).
  const clouds = new Set(cloudSeeds(options.clouds).map((cloud) => cloud.id));
  const homeless = seeds.find((seed) => !clouds.has(cloudOf(seed)));
  if (homeless) throw new Error(`createFakeIam: the folder ${homeless.id} is in cloud ${cloudOf(homeless)}, which is not among its clouds`);
  if (!seeds.some((seed) => seed.id === accountsFolder))
    throw new Error(
      `createFakeIam: the service accounts' folder ${accountsFolder} is not among its folders (add it, or set folderId to one of them)`,
    );
  let folders = new Map<string, Folder>();
  const order = places();
  const notFound = (folderId: string) => ({ code: 5, message: `Folder ${folderId} not found` });

  function restore() {
    const createdAt = timestamp(now());
    folders = new Map(seeds.map((seed) => [seed.id, { createdAt, status: "ACTIVE", ...structuredClone(seed), cloudId: cloudOf(seed) }]));
    order.clear();
    for (const id of folders.keys()) order.put(id);
  }
  restore();

  const bindings = accessBindings.serve({ exists: (id) => folders.has(id), notFound, type: FOLDER_TYPE }, "folderId");

  return {
    handlers: {
      getFolder({ path }) {
        const folder = folders.get(path.folderId);
        return folder ? answer(200, structuredClone(folder)) : failureOf(notFound(path.folderId));
      },
      listFolders({ query }) {
        if (!resourceExists(CLOUD_TYPE, query.cloudId)) return failure(5, `Cloud ${query.cloudId} not found`);
        const named = filtered<Folder>(query.filter, ["name"]);
        if (named instanceof Response) return named;
        const found = [...folders.values()].filter((folder) => folder.cloudId === query.cloudId && named(folder));
        return placedPage(
          "folders",
          found.map((folder) => structuredClone(folder)),
          order,
          query,
          (folder) => folder.id,
        );
      },
      listFolderAccessBindings: bindings.list,
      setFolderAccessBindings: bindings.set,
      updateFolderAccessBindings: bindings.update,
    },
    resourceExists: (type: string, id: string) => type === FOLDER_TYPE && folders.has(id),
    state: () => ({ folders: [...folders.values()].map((folder) => structuredClone(folder)) }),
    /** The folders it was seeded with. */
    reset: restore,
  } satisfies FakeService & Record<string, unknown>;
}
