/**
 * Random secrets and their fingerprints: session ids, API tokens, device tokens, recovery
 * codes and CSRF seeds are made here, and only their SHA-256 is ever stored.
 */
export { base64url, randomToken, sha256Hex, timingSafeEqual } from "./tokens.ts";
