/**
 * The agent's SHA-256 for a bundle's small files: protocol/sha256.ts, one object per stream,
 * reset for each file. Large files still use node:crypto (text.ts `sha256`), several times
 * faster per byte and made once per file, not once per 4 KiB.
 */
export { Sha256 } from "../../protocol/sha256.ts";

/** Files up to this size are hashed with a reused `Sha256`; larger ones with node:crypto. */
export const SMALL_HASH_MAX = 64 * 1024;
