/** A device's Ed25519 public key (SPKI, base64url, as the agent sends it) as a key to verify with. */

import { fromBase64url } from "../../protocol/mod.ts";

export { fromBase64url as base64urlBytes };

/** Throws when `spki` is not an Ed25519 public key. */
export function importDeviceKey(spki: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", fromBase64url(spki), { name: "Ed25519" }, false, [
    "verify",
  ]);
}
