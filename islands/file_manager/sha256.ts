/**
 * The page's SHA-256 of a file from either side: `crypto.subtle.digest` for one that fits in a
 * buffer, protocol/sha256.ts fed piece by piece for larger ones.
 */
import { Sha256 } from "../../protocol/sha256.ts";

export { Sha256 };

const SUBTLE_MAX = 32 * 1024 * 1024;

/** The SHA-256 of a blob (a File from either side), read in pieces when large. */
export async function hashBlob(blob: Blob, signal?: AbortSignal): Promise<string> {
  if (blob.size <= SUBTLE_MAX) {
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  const hash = new Sha256();
  const reader = blob.stream().getReader();
  for (;;) {
    signal?.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) return hash.hex();
    hash.update(value);
  }
}
