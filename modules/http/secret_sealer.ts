/**
 * Secrets the server keeps and must use again (a webhook's signing secret, the identity
 * provider's client secret), sealed at rest with AES-256-GCM under a key derived (HKDF-SHA-256,
 * one label per use) from the server's sealing key in DATA_DIR/secrets.json (`Config.totpKey`,
 * which seals TOTP seeds), with the owning row's id as additional data: a copy of the database
 * alone opens none of them, and a value moved to another row does not open.
 * Sealed form: `v1:<iv>:<ciphertext>`, in base64 or base64url as the use chose when it began.
 */
import type { AppDeps } from "./types.ts";

type Config = AppDeps["config"];

const VERSION = "v1";

export interface SecretSealer {
  seal(config: Config, owner: string, secret: string): Promise<string>;
  /** The secret in a sealed value; throws when it does not open (another key or row). */
  open(config: Config, owner: string, sealed: string): Promise<string>;
}

/**
 * A sealer for one use: `label` names its key (HKDF info), `what` its secrets in errors,
 * `encoding` how sealed values are written.
 */
export function secretSealer(
  options: { label: string; what: string; encoding: "base64" | "base64url" },
): SecretSealer {
  const keys = new Map<string, Promise<CryptoKey>>();
  const url = options.encoding === "base64url";
  const b64 = (bytes: Uint8Array) => {
    const text = btoa(String.fromCharCode(...bytes));
    return url ? text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : text;
  };
  const key = (config: Config): Promise<CryptoKey> => {
    const base = config.totpKey;
    if (!base) throw new Error(`Config.totpKey is missing: ${options.what} cannot be sealed`);
    let derived = keys.get(base);
    if (!derived) {
      derived = (async () => {
        const material = await crypto.subtle.importKey("raw", _unb64(base), "HKDF", false, [
          "deriveKey",
        ]);
        return await crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(32),
            info: new TextEncoder().encode(options.label),
          },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        );
      })();
      keys.set(base, derived);
    }
    return derived;
  };
  return {
    async seal(config, owner, secret) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(owner) },
        await key(config),
        new TextEncoder().encode(secret),
      );
      return `${VERSION}:${b64(iv)}:${b64(new Uint8Array(sealed))}`;
    },
    async open(config, owner, sealed) {
      const [version, iv, body] = sealed.split(":");
      if (version !== VERSION || !iv || !body) throw new Error(`Not a sealed ${options.what}`);
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: _unb64(iv), additionalData: new TextEncoder().encode(owner) },
        await key(config),
        _unb64(body),
      );
      return new TextDecoder().decode(plain);
    },
  };
}

/** Base64 or base64url, padded or not. */
function _unb64(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}
