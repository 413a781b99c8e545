// Where an example keeps a secret it was shown once: a new file, made before anything is created, that no one else can
// read even for an instant, and that stays once it holds the secret, whatever fails afterwards.
import { rmdirSync, rmSync } from "node:fs";
import { mkdtemp, open, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A file for one secret, open and empty; `save` writes it, `close` ends it. */
export interface SecretFile {
  path: string;
  /** Whether the file holds the whole secret (written and synced). */
  readonly saved: boolean;
  /** Writes the secret and syncs it to disk; from then on the file stays. */
  save(text: string): Promise<void>;
  /** Closes the file; one that does not hold the whole secret goes (what was written may be part of one). */
  close(): Promise<void>;
}

/**
 * Every secret file open now (from its open to the end of its close), with the private directory made for it, if any,
 * and whether its secret has begun to be written.
 */
const OPEN_FILES = new Set<{ file: SecretFile; ownDir: string | undefined; writing: boolean }>();

/**
 * Removes, at once and synchronously, every secret file open now that does not hold its secret (and the private
 * directory made for it), for a command that stops before its files are closed (a second interrupt): a rerun then finds
 * no empty file in its way. A file whose secret has begun to be written stays (it is being synced: the secret the
 * create brought is in it, and the only copy). Returns what it removed, what it could not (each with why), and what it
 * kept, whose secret was being written.
 */
export function removeUnsavedSync(): { removed: string[]; failed: string[]; kept: string[] } {
  const removed: string[] = [];
  const failed: string[] = [];
  const kept: string[] = [];
  for (const entry of OPEN_FILES) {
    if (entry.file.saved) continue;
    if (entry.writing) {
      kept.push(entry.file.path);
      continue;
    }
    OPEN_FILES.delete(entry);
    try {
      rmSync(entry.file.path, { force: true });
      removed.push(entry.file.path);
    } catch (error) {
      failed.push(`${entry.file.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      continue;
    }
    // Note: the directory made for the file alone; anything else in it keeps it.
    if (entry.ownDir)
      try {
        rmdirSync(entry.ownDir);
      } catch {}
  }
  return { removed, failed, kept };
}

/**
 * Opens a new file for a secret: `path` if given, else `name` in a new private directory under the system's temp dir.
 * Note: "wx" never overwrites (an existing path stops everything before anything changes), and mode 0600 holds from
 * the file's creation.
 */
export async function secretFile(path: string | undefined, name: string, prefix: string): Promise<SecretFile> {
  const ownDir = path === undefined ? await mkdtemp(join(tmpdir(), prefix)) : undefined;
  const at = ownDir ? join(ownDir, name) : resolve(path as string);
  const file = await open(at, "wx", 0o600).catch(async (error: unknown) => {
    if (ownDir) await rmdir(ownDir);
    throw error;
  });
  let saved = false;
  const secret: SecretFile = {
    path: at,
    get saved() {
      return saved;
    },
    async save(text) {
      // Note: from here the file may hold the secret, which a second interrupt must not remove (removeUnsavedSync).
      entry.writing = true;
      await file.writeFile(text);
      await file.sync();
      saved = true;
    },
    async close() {
      try {
        await file.close();
        if (saved) return;
        await rm(at, { force: true });
        if (ownDir) await rmdir(ownDir);
      } finally {
        OPEN_FILES.delete(entry);
      }
    },
  };
  const entry = { file: secret, ownDir, writing: false };
  OPEN_FILES.add(entry);
  return secret;
}
