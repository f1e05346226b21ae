/**
 * Endpoint secrets: made by the server (`whsec_` + 32 random bytes, base64 — the form the
 * Standard Webhooks libraries take), shown to the admin once, and stored sealed with
 * AES-256-GCM, the endpoint's id as additional data. The key is derived (HKDF-SHA-256, its
 * own label) from the server's sealing key in DATA_DIR/secrets.json (`Config.totpKey`,
 * which seals TOTP seeds): a copy of the database alone lets nobody sign as this server.
 */
import type { AppDeps } from "../http/mod.ts";

const VERSION = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

/** A new signing secret. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

function _key(config: AppDeps["config"]): Promise<CryptoKey> {
  const base = config.totpKey;
  if (!base) throw new Error("Config.totpKey is missing: webhook secrets cannot be sealed");
  let key = keys.get(base);
  if (!key) {
    key = (async () => {
      const raw = Uint8Array.from(
        atob(base.replace(/-/g, "+").replace(/_/g, "/")),
        (c) => c.charCodeAt(0),
      );
      const material = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
      return await crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new Uint8Array(32),
          info: new TextEncoder().encode("rescue webhook secrets v1"),
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

/** `secret` sealed for the endpoint `endpointId`: `v1:<iv>:<ciphertext>` (base64). */
export async function sealWebhookSecret(
  config: AppDeps["config"],
  endpointId: string,
  secret: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(endpointId) },
    await _key(config),
    new TextEncoder().encode(secret),
  );
  return `${VERSION}:${_b64(iv)}:${_b64(new Uint8Array(sealed))}`;
}

/** The secret in a sealed value; throws when it does not open (another key or row). */
export async function openWebhookSecret(
  config: AppDeps["config"],
  endpointId: string,
  sealed: string,
): Promise<string> {
  const [version, iv, body] = sealed.split(":");
  if (version !== VERSION || !iv || !body) throw new Error("Not a sealed webhook secret");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: _unb64(iv), additionalData: new TextEncoder().encode(endpointId) },
    await _key(config),
    _unb64(body),
  );
  return new TextDecoder().decode(plain);
}

function _b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function _unb64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
