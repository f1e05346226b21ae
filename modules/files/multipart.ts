/**
 * A streaming reader for `multipart/form-data`, for the plain (no-JavaScript) upload forms:
 * `Request.formData()` holds the whole body in memory and parses it in one go, which for a
 * 24 MB file blocks the event loop — everyone's requests — for over a second. Here the text
 * fields before the file are read (each bounded) and the file part is handed on as a stream
 * that yields bytes as they arrive; nothing is ever held beyond one chunk and a delimiter.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF2 = encoder.encode("\r\n\r\n");
const HEADERS_MAX = 16 * 1024;
const FIELD_MAX = 64 * 1024;

/** The form's text fields before the file, and the file part itself (not read yet). */
export interface MultipartUpload {
  fields: Record<string, string>;
  file?: { field: string; name: string; type: string; body: ReadableStream<Uint8Array> };
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined for anything else. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Reads parts up to the first one with a file name and returns it as a stream (its remaining
 * parts are never read). A malformed body throws a `SyntaxError` (the file stream errors).
 */
export async function readMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): Promise<MultipartUpload> {
  const input = new _Buffered(body.getReader());
  const fields: Record<string, string> = {};
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  // The body starts with the delimiter minus its CRLF (a preamble before it is allowed).
  await input.skipPast(encoder.encode(`--${boundary}`), FIELD_MAX);
  for (;;) {
    const after = await input.take(2);
    if (after === "--") break;
    if (after !== "\r\n") throw new SyntaxError("Malformed multipart body");
    const head = decoder.decode(await input.readUntil(CRLF2, HEADERS_MAX));
    const disposition = _header(head, "content-disposition") ?? "";
    const field = _param(disposition, "name") ?? "";
    const filename = _param(disposition, "filename");
    if (filename !== undefined) {
      const type = _header(head, "content-type") ?? "application/octet-stream";
      return { fields, file: { field, name: filename, type, body: input.streamUntil(delimiter) } };
    }
    fields[field] = decoder.decode(await input.readUntil(delimiter, FIELD_MAX));
  }
  await input.cancel();
  return { fields };
}

function _header(head: string, name: string): string | undefined {
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

/** A Content-Disposition parameter: quoted (browsers escape `"` as %22) or a bare token. */
function _param(disposition: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]*)`, "i")
    .exec(disposition);
  if (!match) return undefined;
  const raw = match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
  return raw.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

/** A byte reader with a small look-ahead buffer over a stream reader. */
class _Buffered {
  #buf = new Uint8Array(0);
  #done = false;
  constructor(private reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async #more(): Promise<boolean> {
    if (this.#done) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    const next = new Uint8Array(this.#buf.length + value.length);
    next.set(this.#buf);
    next.set(value, this.#buf.length);
    this.#buf = next;
    return true;
  }

  async take(n: number): Promise<string> {
    while (this.#buf.length < n) {
      if (!await this.#more()) throw new SyntaxError("Multipart body ended early");
    }
    const out = decoder.decode(this.#buf.subarray(0, n));
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** The bytes before `marker` (consumed with it); more than `max` of them is an error. */
  async readUntil(marker: Uint8Array, max: number): Promise<Uint8Array> {
    for (;;) {
      const at = _indexOf(this.#buf, marker);
      if (at >= 0) {
        const out = this.#buf.slice(0, at);
        this.#buf = this.#buf.subarray(at + marker.length);
        return out;
      }
      if (this.#buf.length > max + marker.length) {
        throw new SyntaxError("Multipart part too long");
      }
      if (!await this.#more()) throw new SyntaxError("Multipart body ended early");
    }
  }

  async skipPast(marker: Uint8Array, max: number): Promise<void> {
    await this.readUntil(marker, max);
  }

  /** The bytes before `marker`, as they arrive; holds back only what could start a marker. */
  streamUntil(marker: Uint8Array): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const at = _indexOf(this.#buf, marker);
          if (at >= 0) {
            if (at > 0) controller.enqueue(this.#buf.slice(0, at));
            this.#buf = new Uint8Array(0);
            await this.cancel();
            controller.close();
            return;
          }
          const safe = this.#buf.length - (marker.length - 1);
          if (safe > 0) {
            controller.enqueue(this.#buf.slice(0, safe));
            this.#buf = this.#buf.slice(safe);
            return;
          }
          if (!await this.#more()) {
            controller.error(new SyntaxError("Multipart body ended inside the file"));
            return;
          }
        }
      },
      cancel: async () => await this.cancel(),
    });
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function _indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (
    let at = haystack.indexOf(first);
    at !== -1 && at <= last;
    at = haystack.indexOf(first, at + 1)
  ) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}

/**
 * The value of `field` when it is the body's first part (forms put `_csrf` first), read from
 * the first few kilobytes only, and a body to use instead that replays those bytes and then
 * streams the rest — so a check before routing need not buffer an upload.
 */
export async function peekFirstField(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  field: string,
): Promise<{ value: string | undefined; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  while (size < FIELD_MAX) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
    if (_indexOf(_concat(chunks), delimiter) >= 0) break;
  }
  const prefix = _concat(chunks);
  const value = await _firstField(prefix, boundary, field).catch(() => undefined);
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      if (prefix.length > 0) controller.enqueue(prefix);
      if (done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { value, body: replay };
}

async function _firstField(
  prefix: Uint8Array,
  boundary: string,
  field: string,
): Promise<string | undefined> {
  const input = new _Buffered(ReadableStream.from([prefix]).getReader());
  await input.skipPast(encoder.encode(`--${boundary}`), FIELD_MAX);
  if (await input.take(2) !== "\r\n") return undefined;
  const disposition =
    _header(decoder.decode(await input.readUntil(CRLF2, HEADERS_MAX)), "content-disposition") ?? "";
  if (_param(disposition, "name") !== field || _param(disposition, "filename") !== undefined) {
    return undefined;
  }
  return decoder.decode(await input.readUntil(encoder.encode(`\r\n--${boundary}`), FIELD_MAX));
}

function _concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
