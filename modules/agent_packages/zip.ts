/**
 * Just enough of the zip format for the Windows package: entries deflated once into the shared
 * part (local headers and data, with sizes and CRC-32 in the headers), and per download one
 * more small entry (the session's rescue.json) and the central directory that lists them all.
 * No zip64: every part stays far below 4 GiB.
 */
const encoder = new TextEncoder();

/** What the central directory needs to know of one entry. */
export interface ZipEntry {
  name: string;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  /** Unix permission bits (kept in the external attributes), e.g. 0o644. */
  mode: number;
}

const TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (the zip one), continued from `crc` over `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** A local file header (deflate, sizes and CRC known). */
export function localHeader(entry: Omit<ZipEntry, "offset">): Uint8Array<ArrayBuffer> {
  const name = encoder.encode(entry.name);
  const out = new Uint8Array(30 + name.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true); // version needed
  v.setUint16(6, 0x0800, true); // UTF-8 names
  v.setUint16(8, 8, true); // deflate
  v.setUint16(10, 0, true); // time
  v.setUint16(12, 0x21, true); // date: 1980-01-01
  v.setUint32(14, entry.crc, true);
  v.setUint32(18, entry.compressed, true);
  v.setUint32(22, entry.size, true);
  v.setUint16(26, name.length, true);
  out.set(name, 30);
  return out;
}

/** The central directory and its end record, for entries starting at offset 0. */
export function centralDirectory(entries: ZipEntry[], at: number): Uint8Array<ArrayBuffer> {
  const records = entries.map((entry) => {
    const name = encoder.encode(entry.name);
    const out = new Uint8Array(46 + name.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0 (so the mode is read)
    v.setUint16(6, 20, true);
    v.setUint16(8, 0x0800, true);
    v.setUint16(10, 8, true);
    v.setUint16(12, 0, true);
    v.setUint16(14, 0x21, true);
    v.setUint32(16, entry.crc, true);
    v.setUint32(20, entry.compressed, true);
    v.setUint32(24, entry.size, true);
    v.setUint16(28, name.length, true);
    v.setUint32(38, ((0o100000 | entry.mode) << 16) >>> 0, true);
    v.setUint32(42, entry.offset, true);
    out.set(name, 46);
    return out;
  });
  const size = records.reduce((n, r) => n + r.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, size, true);
  v.setUint32(16, at, true);
  const out = new Uint8Array(size + end.length);
  let offset = 0;
  for (const record of records) {
    out.set(record, offset);
    offset += record.length;
  }
  out.set(end, offset);
  return out;
}

/** Deflates `bytes` (raw deflate, as zip stores it). */
export async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
