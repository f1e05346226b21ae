/** Bytes for upload and file-store tests: random content, and a stream that hands it out in chunks. */

/** `size` random bytes (getRandomValues fills at most 64 KiB a call). */
export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return bytes;
}

/** `bytes` as a stream of `chunk`-sized pieces: without Content-Length, its size shows only
 * by reading it. */
export function chunkedStream(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}
