// A workload identity federation as the tests make one: GitHub Actions' issuer and keys (Yandex's tutorial), in the
// fake's default folder, and the subject of a job on a repository's main branch.
import { DEFAULT_FOLDER_ID } from "../../src/testing/index.ts";

/** The create request of a GitHub Actions federation in the fake's default folder. */
export const GITHUB_FEDERATION = {
  folderId: DEFAULT_FOLDER_ID,
  name: "github",
  issuer: "https://token.actions.githubusercontent.com",
  jwksUrl: "https://token.actions.githubusercontent.com/.well-known/jwks",
  audiences: ["https://github.com/example"],
};

/** The `sub` of a GitHub Actions job on the main branch of `example/app`. */
export const GITHUB_SUBJECT = "repo:example/app:ref:refs/heads/main";
