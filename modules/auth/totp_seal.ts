/**
 * TOTP seeds at rest: sealed with AES-256-GCM under the key in DATA_DIR/secrets.json
 * (`Config.totpKey`), so a copy of the database (a backup, a dump, a read-only injection)
 * yields no seed. Stored as `v1:<iv>:<ciphertext>` (base64url). The user id is the
 * additional data: a sealed seed copied onto another person's row does not open there.
 * Rows written before sealing hold the bare base32 seed; they still open, and
 * `sealLegacySeeds` (run at start-up) seals them.
 */
import { and, eq, isNotNull, like, not, or } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { users } from "./schema.ts";

const VERSION = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

function aesKey(key: string | undefined): Promise<CryptoKey> {
  if (!key) throw new Error("Config.totpKey is missing: TOTP seeds cannot be sealed or opened");
  let imported = keys.get(key);
  if (!imported) {
    const raw = fromBase64Url(key);
    if (raw.length !== 32) throw new Error("Config.totpKey must be 32 bytes");
    imported = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(key, imported);
  }
  return imported;
}

/** Whether a stored value is sealed (as opposed to a legacy cleartext seed). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(`${VERSION}:`);
}

/** Seals `seed` for the row of `userId`. */
export async function sealSeed(key: string | undefined, userId: string, seed: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(userId) },
    await aesKey(key),
    new TextEncoder().encode(seed),
  );
  return `${VERSION}:${toBase64Url(iv)}:${toBase64Url(new Uint8Array(sealed))}`;
}

/**
 * The seed in a stored value (sealed, or legacy cleartext). Throws when a sealed value does
 * not open — another key, another user's row, or tampering: a second factor that cannot be
 * checked must fail closed.
 */
export async function openSeed(
  key: string | undefined,
  userId: string,
  stored: string,
): Promise<string> {
  if (!isSealed(stored)) return stored;
  const [, iv, body] = stored.split(":");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: new TextEncoder().encode(userId) },
      await aesKey(key),
      fromBase64Url(body),
    );
    return new TextDecoder().decode(plain);
  } catch (error) {
    throw new Error("A TOTP seed does not open with this server's key", { cause: error });
  }
}

/** Seals every seed still stored in clear (start-up); returns how many rows changed. */
export async function sealLegacySeeds(db: Database, key: string | undefined): Promise<number> {
  const clear = (column: typeof users.totpSecret | typeof users.totpPendingSecret) =>
    and(isNotNull(column), not(like(column, `${VERSION}:%`)));
  const rows = await db.select({
    id: users.id,
    secret: users.totpSecret,
    pending: users.totpPendingSecret,
  }).from(users).where(or(clear(users.totpSecret), clear(users.totpPendingSecret)));
  for (const row of rows) {
    const seal = async (value: string | null) =>
      value === null || isSealed(value) ? value : await sealSeed(key, row.id, value);
    await db.update(users).set({
      totpSecret: await seal(row.secret),
      totpPendingSecret: await seal(row.pending),
    }).where(eq(users.id, row.id));
  }
  return rows.length;
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}
