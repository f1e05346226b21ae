/**
 * The identity provider's client secret at rest: sealed with AES-256-GCM under a key derived
 * (HKDF-SHA-256, its own label) from the server's sealing key in DATA_DIR/secrets.json
 * (`Config.totpKey`, as webhook secrets and TOTP seeds), the organisation id as additional
 * data. A copy of the database alone does not let anyone act as this server at the IdP.
 */
import type { AppDeps } from "../http/mod.ts";

const VERSION = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

function _key(config: AppDeps["config"]): Promise<CryptoKey> {
  const base = config.totpKey;
  if (!base) throw new Error("Config.totpKey is missing: the SSO client secret cannot be sealed");
  let key = keys.get(base);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey("raw", _unb64(base), "HKDF", false, [
        "deriveKey",
      ]);
      return await crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new Uint8Array(32),
          info: new TextEncoder().encode("rescue sso client secret v1"),
        },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(base, key);
  }
  return key;
}

/** `secret` sealed for the organisation `orgId`: `v1:<iv>:<ciphertext>` (base64url). */
export async function sealClientSecret(
  config: AppDeps["config"],
  orgId: string,
  secret: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(orgId) },
    await _key(config),
    new TextEncoder().encode(secret),
  );
  return `${VERSION}:${_b64(iv)}:${_b64(new Uint8Array(sealed))}`;
}

/** The secret in a sealed value; throws when it does not open (another key or row). */
export async function openClientSecret(
  config: AppDeps["config"],
  orgId: string,
  sealed: string,
): Promise<string> {
  const [version, iv, body] = sealed.split(":");
  if (version !== VERSION || !iv || !body) throw new Error("Not a sealed SSO client secret");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: _unb64(iv), additionalData: new TextEncoder().encode(orgId) },
    await _key(config),
    _unb64(body),
  );
  return new TextDecoder().decode(plain);
}

function _b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function _unb64(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}
