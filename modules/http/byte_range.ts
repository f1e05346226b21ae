/**
 * Serving a file on disk with HTTP Range (RFC 9110 §14): one byte range answers 206 with
 * Content-Range, a range that starts past the end 416 with the size; anything we do not serve
 * (several ranges, another unit, nonsense) is ignored, as the RFC allows, and the whole file
 * goes out. Bytes are read from the open file as they are sent, never the whole file at once:
 * a browser's player seeking in an hour-long recording reads only what it shows.
 */

/** The first and last byte (inclusive) one range asks for, cut to the file's size. */
export interface ByteRange {
  start: number;
  end: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * The range `header` asks of a file of `size` bytes: null to send all of it (no header, or
 * one we do not serve), "unsatisfiable" for a 416.
 */
export function parseByteRange(
  header: string | undefined | null,
  size: number,
): ByteRange | "unsatisfiable" | null {
  const m = header ? SINGLE.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    // A suffix: the last N bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? Infinity : Number(m[2]);
  if (end < start) return null; // invalid: ignored, the whole file
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The response for `file` (open for reading, `size` bytes) under the request's Range header:
 * 200 with all of it, 206 with the range asked, or 416. The file is closed once sent,
 * cancelled or refused. `headers` are the download's own (type, disposition, caching).
 */
export async function fileResponse(
  file: Deno.FsFile,
  size: number,
  range: ByteRange | "unsatisfiable" | null,
  headers: Record<string, string>,
): Promise<Response> {
  const common = { ...headers, "accept-ranges": "bytes" };
  if (range === "unsatisfiable") {
    file.close();
    return new Response(null, {
      status: 416,
      headers: { ...common, "content-range": `bytes */${size}` },
    });
  }
  if (range === null) {
    return new Response(file.readable, {
      status: 200,
      headers: { ...common, "content-length": String(size) },
    });
  }
  const length = range.end - range.start + 1;
  await file.seek(range.start, Deno.SeekMode.Start);
  return new Response(_slice(file, length), {
    status: 206,
    headers: {
      ...common,
      "content-length": String(length),
      "content-range": `bytes ${range.start}-${range.end}/${size}`,
    },
  });
}

const CHUNK = 64 * 1024;

/** `length` bytes from the file's position, read a chunk at a time as the reader pulls. */
function _slice(file: Deno.FsFile, length: number): ReadableStream<Uint8Array> {
  let left = length;
  const close = () => {
    try {
      file.close();
    } catch {
      // closed already
    }
  };
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller) {
      const buffer = new Uint8Array(Math.min(CHUNK, left));
      const read = await file.read(buffer);
      if (read === null) {
        // The file shrank under us (deleted, cut): end what we have.
        close();
        controller.close();
        return;
      }
      left -= read;
      controller.enqueue(buffer.subarray(0, read));
      if (left === 0) {
        close();
        controller.close();
      }
    },
    cancel: close,
  });
}
