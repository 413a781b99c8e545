// The JWT of a service account's authorized key, signed with WebCrypto alone: PS256 is RSA-PSS with SHA-256 and a 32-byte salt.
import { createIamToken, defaultServer } from "../../generated/contract.js";

/** The token endpoint, which every JWT names as its audience (the real one, also when a fake answers). */
export const AUDIENCE = `${defaultServer}${createIamToken.path}`;
/** The longest lifetime Yandex accepts for a JWT, in seconds. */
export const JWT_LIFETIME_S = 3600;

const PREFIX_LINE = /^PLEASE DO NOT REMOVE THIS LINE!.*$/m;

/** Base64url of bytes or a string. */
export const base64url = (data: Uint8Array | string): string =>
  btoa(String.fromCharCode(...(typeof data === "string" ? new TextEncoder().encode(data) : data)))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");

/** Imports a PKCS#8 PEM private key for PS256; the line Yandex puts before it is dropped first. */
export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const body = pem
    .replace(PREFIX_LINE, "")
    .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "")
    .replace(/\s+/g, "");
  const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("pkcs8", der, { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
}

/** A JWT for the token endpoint: header `{typ, alg: PS256, kid}`, payload `{iss, aud, iat, exp}` with exp − iat = 3600 s. */
export async function signJwt(key: CryptoKey, keyId: string, serviceAccountId: string, nowMs = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "PS256", kid: keyId }));
  const payload = base64url(JSON.stringify({ iss: serviceAccountId, aud: AUDIENCE, iat, exp: iat + JWT_LIFETIME_S }));
  const signature = await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, key, new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
}
