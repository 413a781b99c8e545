// The Folder service of Resource Manager: the folders of a cloud, and who holds which role on each (access bindings).
import {
  getFolder,
  listFolderAccessBindings,
  listFolders,
  setFolderAccessBindings,
  updateFolderAccessBindings,
} from "../../generated/contract.js";
import type { operations } from "../../generated/schema.js";
import { type AccessBindings, accessBindings } from "../core/access-bindings.js";
import type { Call, CallOptions } from "../core/call.js";
import { type Page, pages } from "../core/paginate.js";
import type { Loose, Named as Schema } from "../core/types.js";

/** A folder: where service accounts and other resources live, in a cloud. */
export interface Folder extends Schema<"Folder"> {}
export type ListFoldersRequest = Loose<NonNullable<operations["listFolders"]["parameters"]["query"]>>;
export type ListFoldersResponse = Page<Folder, "folders">;

/**
 * `iam.folders`: Resource Manager's Folder service, with the folders' access bindings: a role granted on a folder holds
 * for everything in it (a robot's `editor` there is what lets it act).
 */
export interface Folders extends AccessBindings {
  /** The folder with this id. */
  get(folderId: string, options?: CallOptions): Promise<Folder>;
  /** One page of a cloud's folders (`filter: 'name="…"'` finds one by name); `folders` is always an array. */
  list(request: ListFoldersRequest, options?: CallOptions): Promise<ListFoldersResponse>;
  /** Every folder of a cloud, page by page. */
  listAll(request: ListFoldersRequest, options?: CallOptions): AsyncGenerator<Folder, void, undefined>;
}

/** Makes `iam.folders` over the call loop. */
export default function foldersResource(call: Call): Folders {
  return {
    ...accessBindings(call, {
      list: listFolderAccessBindings,
      update: updateFolderAccessBindings,
      set: setFolderAccessBindings,
      idName: "folderId",
    }),
    get: (folderId, options) => call(getFolder, { path: { folderId } }, options),
    list: (request, options) => call(listFolders, { query: request }, options),
    listAll: (request, options) => pages(call, listFolders, { query: request }, options),
  };
}
