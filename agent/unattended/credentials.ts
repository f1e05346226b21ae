/**
 * The customer's OS credentials for unattended access, kept only on this computer:
 * AES-256-GCM under a key derived (HKDF-SHA-256) from a random secret stored beside them in
 * the agent's data folder and this machine's id (`machineId`: /etc/machine-id, on Windows the
 * registry's MachineGuid), both files 0600 (readable by the account the service runs as,
 * nobody else). A copy of the folder on another computer
 * cannot open them; on this computer, without an OS key store, someone who can read the whole
 * folder as that account can — which is why the server never gets them and they expire with
 * the grant (two weeks at most, checked again here: `CREDENTIALS_MAX_MS`).
 */
import { join } from "node:path";
import { HKLM, KEY_WOW64_64KEY, openKey } from "../system/windows/registry.ts";

export const CREDENTIALS_FILE = "credentials.enc";
const KEY_FILE = "credentials.key";
/** Two weeks, and an hour for a daylight-saving change inside them (the server's own limit). */
export const CREDENTIALS_MAX_MS = 14 * 24 * 3_600_000 + 3_600_000;

export interface OsCredentials {
  user: string;
  password: string;
}

export interface CredentialVault {
  store(credentials: OsCredentials, untilAt: string | null): Promise<void>;
  /**
   * The credentials while the grant lasts, else null (and they are removed). Rejects when
   * they cannot be opened here (another computer's files, a changed machine id).
   */
  read(now: Date): Promise<OsCredentials | null>;
  /** Wipes the credentials and their key (revoked, removed, expired). */
  clear(): Promise<void>;
}

/**
 * This machine's id: systemd's (or D-Bus's) on Linux; on Windows the MachineGuid Windows setup
 * writes once per installation (`HKLM\SOFTWARE\Microsoft\Cryptography`, its 64-bit view —
 * what Windows itself and most products take as the machine's identity; a changed computer
 * name keeps it). The host name only where neither can be read (a system without them, or a
 * registry that refuses): then renaming the computer makes the kept credentials unreadable
 * and the customer gives them again.
 */
export async function machineId(): Promise<string> {
  if (Deno.build.os === "windows") return windowsMachineGuid() || Deno.hostname();
  for (const path of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    const id = await Deno.readTextFile(path).then((text) => text.trim()).catch(() => "");
    if (id) return id;
  }
  return Deno.hostname();
}

/** Windows' MachineGuid, "" when it cannot be read. */
export function windowsMachineGuid(): string {
  try {
    using key = openKey(HKLM, "SOFTWARE\\Microsoft\\Cryptography", KEY_WOW64_64KEY);
    return key?.text("MachineGuid").trim() ?? "";
  } catch {
    return "";
  }
}

export function fileVault(dir: string, options: { machineId?: string } = {}): CredentialVault {
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
    const secret = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
    const salt = new TextEncoder().encode(options.machineId ?? await machineId());
    return await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info: new TextEncoder().encode("os-credentials:v2") },
      secret,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  };
  const vault: CredentialVault = {
    async store(credentials, untilAt) {
      const aes = (await key(true))!;
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plain = new TextEncoder().encode(JSON.stringify({ ...credentials, untilAt }));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aes, plain),
      );
      plain.fill(0);
      const out = new Uint8Array(12 + sealed.length);
      out.set(iv);
      out.set(sealed, 12);
      await Deno.writeFile(dataPath, out, { mode: 0o600 });
    },
    async read(now) {
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await Deno.readFile(dataPath) as Uint8Array<ArrayBuffer>;
      } catch {
        return null;
      }
      const aes = await key(false);
      if (!aes) throw new Error("The stored credentials have no key on this computer");
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: bytes.slice(0, 12) },
          aes,
          bytes.slice(12),
        );
      } catch {
        throw new Error("The stored credentials cannot be opened on this computer");
      }
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

/**
 * Whether `terms` may keep the customer's credentials here: the window must end, at most two
 * weeks after it starts (or after now, for a window already running) — the agent's own check
 * of the limit the server enforces too.
 */
export function credentialsWindowProblem(
  terms: { fromAt: string; untilAt: string | null },
  now: Date,
): string | null {
  if (terms.untilAt === null) return "A window without an end cannot keep your credentials";
  const start = Math.max(Date.parse(terms.fromAt), now.getTime());
  if (Date.parse(terms.untilAt) - start > CREDENTIALS_MAX_MS) {
    return "Your credentials are kept two weeks at most";
  }
  return null;
}
