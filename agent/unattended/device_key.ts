/**
 * The device key of unattended access: an Ed25519 key pair made on this computer with
 * WebCrypto the first time it is needed, kept in the agent's config folder
 * (`device-key.json`, mode 0600 — read and written by the agent's own user only). The
 * public half (SPKI, base64url) goes to the server once, with the customer's approval; the
 * private half never leaves the file. A damaged file is an error, never silently replaced:
 * a new key would lock the computer out of the access the customer gave.
 */
import { base64url, fromBase64url } from "../../protocol/mod.ts";

export const DEVICE_KEY_FILE = "device-key.json";

export interface DeviceKey {
  /** Ed25519 public key, SPKI, base64url (59 characters). */
  publicKey: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

interface Stored {
  v: 1;
  publicKey: string;
  privateKey: string;
}

async function _fromStored(stored: Stored): Promise<DeviceKey> {
  const key = await crypto.subtle.importKey(
    "pkcs8",
    fromBase64url(stored.privateKey),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return {
    publicKey: stored.publicKey,
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign("Ed25519", key, data as Uint8Array<ArrayBuffer>)),
  };
}

/** The device key kept in `dir`, or null when this computer has none. */
export async function loadDeviceKey(dir: string): Promise<DeviceKey | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${DEVICE_KEY_FILE}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const stored = JSON.parse(text) as Stored;
  if (stored?.v !== 1 || typeof stored.privateKey !== "string") {
    throw new Error(`The device key in ${dir} is damaged`);
  }
  return await _fromStored(stored);
}

/** The device key, made and stored (0600) on first use. */
export async function deviceKey(dir: string): Promise<DeviceKey> {
  const existing = await loadDeviceKey(dir);
  if (existing) return existing;
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const stored: Stored = {
    v: 1,
    publicKey: base64url(new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey))),
    privateKey: base64url(
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
    ),
  };
  await Deno.mkdir(dir, { recursive: true });
  const file = `${dir}/${DEVICE_KEY_FILE}`;
  // Created 0600 and no wider whatever the umask; never overwrites one made meanwhile.
  await Deno.writeTextFile(file, JSON.stringify(stored) + "\n", { mode: 0o600, createNew: true });
  if (Deno.build.os !== "windows") await Deno.chmod(file, 0o600);
  return await _fromStored(stored);
}

/** Forgets the key (after the customer revoked access): the computer can no longer prove itself. */
export async function removeDeviceKey(dir: string): Promise<void> {
  await Deno.remove(`${dir}/${DEVICE_KEY_FILE}`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
