/**
 * Just enough of the tar format (POSIX ustar) to pack the support app: one header per file,
 * the bytes padded to 512, and the two zero blocks that end an archive. Names up to 100 bytes.
 */
const BLOCK = 512;
const encoder = new TextEncoder();

/** The 512-byte header of a regular file `name` of `size` bytes with `mode` (e.g. 0o755). */
export function tarHeader(
  name: string,
  size: number,
  mode: number,
  mtime = 0,
): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(BLOCK);
  const put = (text: string, at: number, length: number) => {
    const bytes = encoder.encode(text);
    if (bytes.length > length) throw new Error(`tar: ${text} does not fit`);
    header.set(bytes, at);
  };
  const octal = (value: number, length: number) =>
    value.toString(8).padStart(length - 1, "0") + "\0";
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime), 12), 136, 12);
  put("        ", 148, 8); // checksum counted as spaces
  put("0", 156, 1); // a regular file
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return header;
}

/** Zero bytes that bring `size` to a whole number of blocks. */
export function tarPadding(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A whole entry for bytes held in memory. */
export function tarFile(name: string, bytes: Uint8Array, mode: number): Uint8Array<ArrayBuffer> {
  const header = tarHeader(name, bytes.length, mode);
  const out = new Uint8Array(BLOCK + bytes.length + tarPadding(bytes.length).length);
  out.set(header);
  out.set(bytes, BLOCK);
  return out;
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(2 * BLOCK);
}
