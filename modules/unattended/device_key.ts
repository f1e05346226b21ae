/** A device's Ed25519 public key (SPKI, base64url, as the agent sends it) as a key to verify with. */

export function base64urlBytes(base64url: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(
    atob(base64url.replaceAll("-", "+").replaceAll("_", "/")),
    (c) => c.charCodeAt(0),
  );
}

/** Throws when `spki` is not an Ed25519 public key. */
export function importDeviceKey(spki: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", base64urlBytes(spki), { name: "Ed25519" }, false, [
    "verify",
  ]);
}
