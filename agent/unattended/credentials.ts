/**
 * The customer's OS credentials for unattended access, kept only on this computer:
 * AES-256-GCM under a key made here and stored beside them in the agent's data folder, both
 * files 0600 (readable by the account the service runs as, nobody else). Without an OS key
 * store this protects against reading the credentials file alone (a backup, a copied folder),
 * not against someone who can read the whole folder — which is why the server never gets
 * them and they expire with the grant (two weeks at most).
 */
import { join } from "node:path";

export const CREDENTIALS_FILE = "credentials.enc";
const KEY_FILE = "credentials.key";

export interface CredentialVault {
  store(credentials: { user: string; password: string }, untilAt: string | null): Promise<void>;
  /** The credentials while the grant lasts, else null (and they are removed). */
  read(now: Date): Promise<{ user: string; password: string } | null>;
  clear(): Promise<void>;
}

export function fileVault(dir: string): CredentialVault {
  const keyPath = join(dir, KEY_FILE);
  const dataPath = join(dir, CREDENTIALS_FILE);
  const key = async (create: boolean): Promise<CryptoKey | null> => {
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = await Deno.readFile(keyPath) as Uint8Array<ArrayBuffer>;
    } catch {
      if (!create) return null;
      raw = crypto.getRandomValues(new Uint8Array(32));
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      await Deno.writeFile(keyPath, raw, { mode: 0o600 });
    }
    return await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  };
  const vault: CredentialVault = {
    async store(credentials, untilAt) {
      const aes = (await key(true))!;
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plain = new TextEncoder().encode(JSON.stringify({ ...credentials, untilAt }));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aes, plain),
      );
      const out = new Uint8Array(12 + sealed.length);
      out.set(iv);
      out.set(sealed, 12);
      await Deno.writeFile(dataPath, out, { mode: 0o600 });
    },
    async read(now) {
      const aes = await key(false);
      if (!aes) return null;
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await Deno.readFile(dataPath) as Uint8Array<ArrayBuffer>;
      } catch {
        return null;
      }
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.slice(0, 12) },
        aes,
        bytes.slice(12),
      );
      const record = JSON.parse(new TextDecoder().decode(plain));
      if (record.untilAt && Date.parse(record.untilAt) <= now.getTime()) {
        await vault.clear();
        return null;
      }
      return { user: String(record.user), password: String(record.password) };
    },
    async clear() {
      for (const path of [dataPath, keyPath]) await Deno.remove(path).catch(() => {});
    },
  };
  return vault;
}
