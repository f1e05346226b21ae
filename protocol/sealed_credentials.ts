/**
 * OS credentials typed at Connect, sealed to the device (issue 19): the server never sends
 * them in the clear on the device socket nor through the live notice that reaches the
 * instance holding the device. The device makes an X25519 key pair and keeps the private
 * half (agent/unattended/sealing_key.ts); its public half comes with its hello, covered by
 * the device-key proof. The server seals `{user, password}` to it:
 *
 *   ephemeral X25519 key pair → shared secret with the device's public key →
 *   HKDF-SHA-256 (salt: ephemeral ‖ device public key, info: `SEAL_INFO`) → AES-256-GCM key;
 *   associated data `SEAL_INFO \n sessionId`, so a blob opens only for the session it was
 *   sealed for (a copied blob cannot be replayed into another session).
 *
 * The blob is `version (1) ‖ ephemeral public key (32) ‖ IV (12) ‖ ciphertext ‖ tag (16)`,
 * base64url; the plaintext is `user length (2, big-endian) ‖ user ‖ password` in UTF-8 (no
 * JSON escaping, so its size is bounded by the fields' own limits). WebCrypto only: both the
 * server and the agent import this file.
 */
import { base64url, fromBase64url } from "./base64url.ts";
import {
  ConnectCredentialsSchema,
  SealedCredentialsSchema,
  SealingPublicKeySchema,
} from "./device.ts";

const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const HEADER_BYTES = 1 + KEY_BYTES + IV_BYTES;
/** The HKDF info and the start of the associated data: names the format and its version. */
export const SEAL_INFO = "rescue-sealed-credentials-v1";

export interface PlainCredentials {
  user: string;
  password: string;
}

/** Why a blob did not open; `message` says it in words, never with the credentials. */
export class SealError extends Error {
  constructor(
    readonly code: "malformed" | "unopenable",
    message: string,
  ) {
    super(message);
    this.name = "SealError";
  }
}

/** Seals `credentials` to the device's X25519 public key for session `sessionId`. */
export async function sealCredentials(
  devicePublicKey: string,
  sessionId: string,
  credentials: PlainCredentials,
): Promise<string> {
  const parsed = ConnectCredentialsSchema.parse(credentials);
  if (!SealingPublicKeySchema.safeParse(devicePublicKey).success) {
    throw new TypeError("The device's sealing key is not an X25519 public key");
  }
  const recipient = fromBase64url(devicePublicKey);
  const device = await importSealingPublicKey(devicePublicKey);
  const ephemeral = await crypto.subtle.generateKey({ name: "X25519" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const ephemeralRaw = new Uint8Array(await crypto.subtle.exportKey("raw", ephemeral.publicKey));
  const aes = await _aesKey(ephemeral.privateKey, device, ephemeralRaw, recipient, "encrypt");
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = _plain(parsed);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: _associated(sessionId) },
      aes,
      plain,
    ),
  );
  plain.fill(0);
  const out = new Uint8Array(HEADER_BYTES + sealed.length);
  out[0] = VERSION;
  out.set(ephemeralRaw, 1);
  out.set(iv, 1 + KEY_BYTES);
  out.set(sealed, HEADER_BYTES);
  return base64url(out);
}

/**
 * Opens a blob with the device's private key (`ownPublicKey` is its public half, as sent in
 * the hello) for session `sessionId`. Throws a `SealError`: `malformed` (not a blob of this
 * format), `unopenable` (sealed to another key or for another session, or altered).
 */
export async function openSealedCredentials(
  privateKey: CryptoKey,
  ownPublicKey: string,
  sessionId: string,
  sealed: unknown,
): Promise<PlainCredentials> {
  if (!SealedCredentialsSchema.safeParse(sealed).success) {
    throw new SealError("malformed", "The sealed credentials are not in the expected form");
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(sealed as string);
  } catch {
    throw new SealError("malformed", "The sealed credentials are not base64url");
  }
  if (bytes[0] !== VERSION) {
    throw new SealError("malformed", `Sealed credentials of version ${bytes[0]} are not known`);
  }
  const ephemeralRaw = bytes.slice(1, 1 + KEY_BYTES);
  const iv = bytes.slice(1 + KEY_BYTES, HEADER_BYTES);
  let plain: Uint8Array;
  try {
    const ephemeral = await crypto.subtle.importKey(
      "raw",
      ephemeralRaw,
      { name: "X25519" },
      false,
      [],
    );
    const aes = await _aesKey(
      privateKey,
      ephemeral,
      ephemeralRaw,
      fromBase64url(ownPublicKey),
      "decrypt",
    );
    plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: _associated(sessionId) },
        aes,
        bytes.slice(HEADER_BYTES),
      ),
    );
  } catch {
    throw new SealError(
      "unopenable",
      "The sealed credentials do not open with this device's key for this session",
    );
  }
  const credentials = _unplain(plain);
  plain.fill(0);
  if (!credentials) throw new SealError("malformed", "The sealed credentials are incomplete");
  return credentials;
}

/** Imports a device's sealing public key (throws when it is not one). */
export function importSealingPublicKey(publicKey: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", fromBase64url(publicKey), { name: "X25519" }, false, []);
}

async function _aesKey(
  own: CryptoKey,
  other: CryptoKey,
  ephemeralRaw: Uint8Array<ArrayBuffer>,
  recipientRaw: Uint8Array<ArrayBuffer>,
  usage: "encrypt" | "decrypt",
): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: "X25519", public: other }, own, 256);
  const secret = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const salt = new Uint8Array(2 * KEY_BYTES);
  salt.set(ephemeralRaw);
  salt.set(recipientRaw, KEY_BYTES);
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: new TextEncoder().encode(SEAL_INFO) },
    secret,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

function _associated(sessionId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${SEAL_INFO}\n${sessionId}`);
}

function _plain({ user, password }: PlainCredentials): Uint8Array<ArrayBuffer> {
  const u = new TextEncoder().encode(user);
  const p = new TextEncoder().encode(password);
  const out = new Uint8Array(2 + u.length + p.length);
  new DataView(out.buffer).setUint16(0, u.length);
  out.set(u, 2);
  out.set(p, 2 + u.length);
  p.fill(0);
  return out;
}

function _unplain(plain: Uint8Array): PlainCredentials | null {
  if (plain.length < 2) return null;
  const length = new DataView(plain.buffer, plain.byteOffset).getUint16(0);
  if (2 + length > plain.length) return null;
  const text = new TextDecoder("utf-8", { fatal: true });
  try {
    const credentials = {
      user: text.decode(plain.subarray(2, 2 + length)),
      password: text.decode(plain.subarray(2 + length)),
    };
    return ConnectCredentialsSchema.safeParse(credentials).success ? credentials : null;
  } catch {
    return null;
  }
}
