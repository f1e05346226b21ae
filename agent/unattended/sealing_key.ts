/**
 * The device's sealing key (issue 19): an X25519 key pair made on this computer with
 * WebCrypto the first time the service starts, kept beside the device key in the agent's
 * config folder (`sealing-key.json`, mode 0600). Its public half goes with every hello on the
 * device socket, signed with the device key (protocol/device.ts); the server seals the OS
 * credentials a technician types at Connect to it (protocol/sealed_credentials.ts), so only
 * this computer can open them, and only for the session they were sealed for. Unlike the
 * device key nothing else depends on it: a damaged file is replaced by a new pair, which the
 * next hello announces.
 */
import {
  base64url,
  fromBase64url,
  openSealedCredentials,
  type PlainCredentials,
} from "../../protocol/mod.ts";

export const SEALING_KEY_FILE = "sealing-key.json";

export interface SealingKey {
  /** X25519 public key, raw, base64url (43 characters). */
  publicKey: string;
  /** Opens credentials sealed to this key for `sessionId` (throws a `SealError`). */
  open(sessionId: string, sealed: string): Promise<PlainCredentials>;
}

interface Stored {
  v: 1;
  publicKey: string;
  privateKey: string;
}

async function _fromStored(stored: Stored): Promise<SealingKey> {
  const key = await crypto.subtle.importKey(
    "pkcs8",
    fromBase64url(stored.privateKey),
    { name: "X25519" },
    false,
    ["deriveBits"],
  );
  return {
    publicKey: stored.publicKey,
    open: (sessionId, sealed) => openSealedCredentials(key, stored.publicKey, sessionId, sealed),
  };
}

async function _load(file: string): Promise<SealingKey | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    const stored = JSON.parse(text) as Stored;
    if (stored?.v !== 1 || typeof stored.publicKey !== "string") return null;
    return await _fromStored(stored);
  } catch {
    return null;
  }
}

/** The sealing key kept in `dir`, made (0600) when there is none or it is damaged. */
export async function sealingKey(dir: string): Promise<SealingKey> {
  const file = `${dir}/${SEALING_KEY_FILE}`;
  const existing = await _load(file);
  if (existing) return existing;
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const stored: Stored = {
    v: 1,
    publicKey: base64url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))),
    privateKey: base64url(
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
    ),
  };
  await Deno.mkdir(dir, { recursive: true });
  // Written aside and renamed: a reader never sees half a file; 0600 whatever the umask.
  const temporary = `${file}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(stored) + "\n", { mode: 0o600 });
  if (Deno.build.os !== "windows") await Deno.chmod(temporary, 0o600);
  await Deno.rename(temporary, file);
  return await _fromStored(stored);
}

/** Forgets the key (with the device key, when access is removed). */
export async function removeSealingKey(dir: string): Promise<void> {
  await Deno.remove(`${dir}/${SEALING_KEY_FILE}`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
