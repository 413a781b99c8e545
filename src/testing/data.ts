// Realistic data for the fake: ids, secrets, timestamps and page tokens shaped like Yandex Cloud's.
import { base64url } from "../auth/jwt.js";

/** The fake's default world: one organization, one cloud in it, one folder in that, where its service accounts are. */
export const DEFAULT_ORGANIZATION_ID = "bpf3crucp1v28b74p3rk";
export const DEFAULT_CLOUD_ID = "b1gia87mbaomkfvsleds";
export const DEFAULT_FOLDER_ID = "b1gvmob95yysaplct532";
/** The clouds the fake holds: those `clouds` gives, else the default cloud (the Cloud service's, and the folders' homes). */
export const cloudSeeds = <T extends { id: string; name: string }>(clouds: T[] | undefined) =>
  clouds ?? [{ id: DEFAULT_CLOUD_ID, name: "default" }];
/** The resource types of a cloud and a folder, as Yandex's access analyzer names them. */
export const CLOUD_TYPE = "resource-manager.cloud";
export const FOLDER_TYPE = "resource-manager.folder";
/** The resource type of a workload identity federation (the fake's name: Yandex documents none for the access analyzer). */
export const OIDC_FEDERATION_TYPE = "iam.workload.oidc.federation";

/**
 * Refuses seeds Yandex could never hold, naming the first: two with one id, or two of one name in one place (`placeOf`:
 * a folder's cloud). A fake that held them would answer what no test could meet against Yandex.
 */
export function checkSeeds<T extends { id: string; name: string }>(
  kind: string,
  seeds: readonly T[],
  placeOf: (seed: T) => string = () => "",
): void {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const seed of seeds) {
    if (ids.has(seed.id)) throw new Error(`createFakeIam: the ${kind} ${seed.id} is given twice`);
    const named = JSON.stringify([placeOf(seed), seed.name]);
    if (names.has(named))
      throw new Error(
        `createFakeIam: two ${kind}s are named ${JSON.stringify(seed.name)}${placeOf(seed) && ` in ${placeOf(seed)}`}; names are unique there`,
      );
    ids.add(seed.id);
    names.add(named);
  }
}

const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** `length` characters drawn from `alphabet`. */
export function randomText(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** An id like Yandex's: `aje` and 17 lowercase letters and digits. */
export const newId = (): string => `aje${randomText(LOWER, 17)}`;

/**
 * An API-key secret as Yandex's look: `AQVN` and 36 characters of base64url. Any of them may be `-` or `_`, the last 6
 * that `maskedSecret` shows too (the proto's comment on the mask names `[a-zA-Z0-9_]`, but real secrets hold `-`).
 */
export const newSecret = (): string => `AQVN${randomText(SECRET_CHARS, 36)}`;

/** `****` and the secret's last 6 characters. */
export const maskSecret = (secret: string): string => `****${secret.slice(-6)}`;

/** A moment (the fake's clock, in epoch milliseconds) as RFC 3339 with nanoseconds, as the real API writes it. */
export const timestamp = (now: number): string =>
  new Date(now).toISOString().replace(/\.(\d{3})Z$/, (_, ms) => `.${ms}${randomText("0123456789", 6)}Z`);

/**
 * `now` as a timestamp, or `earlier` if now would come before it: one resource's times never go backwards, though the
 * nanoseconds are random within a millisecond and a test's clock may be set back.
 */
export function notBefore(earlier: string, now: number): string {
  const next = timestamp(now);
  // Note: both are toISOString's fixed-width UTC form, so text order is time order (years 0 to 9999).
  return next < earlier ? earlier : next;
}

/** The bytes of a base64url text (throws on text that is not base64). */
export const fromBase64url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** The JSON object of a base64url part of a JWT (its header or payload); undefined if it is not one. */
export function jwtPart(part: string | undefined): Record<string, any> | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(fromBase64url(part ?? "")));
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The places of a list's items, in the order they joined it: a page token names the last item returned by its place, so
 * items deleted or added while a caller pages neither shift nor repeat the ones that remain (an offset would).
 */
export function places() {
  let next = 0;
  let held = new Map<string, number>();
  return {
    /** Puts an item (by its key) at the end of the list: a new item, or one added again after it was removed. */
    put(key: string): void {
      held.set(key, ++next);
    },
    /** An item's place; one never put is put now. */
    of(key: string): number {
      const place = held.get(key);
      if (place !== undefined) return place;
      this.put(key);
      return next;
    },
    /** No places: a list that starts again. */
    clear(): void {
      held = new Map();
      next = 0;
    },
  };
}

/** A list's places, from `places()`. */
export type Places = ReturnType<typeof places>;

/** An opaque page token that names the place of the last item of a page (base64url), and back; undefined for a token it did not make. */
export const pageToken = (place: number): string => base64url(`after:${place}`);
export function pageAfter(token: string): number | undefined {
  try {
    const text = new TextDecoder().decode(fromBase64url(token));
    return /^after:\d{1,15}$/.test(text) ? Number(text.slice(6)) : undefined;
  } catch {
    return undefined;
  }
}
