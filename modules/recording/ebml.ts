/**
 * EBML, the binary format Matroska is written in (RFC 8794): each element is its ID (the
 * ID's own bytes, length marker included), a size as a variable-length integer, then its
 * data. Only what a streaming writer needs: IDs, sizes (and the "unknown" size of an
 * element still being written), unsigned and float numbers, strings, bytes, and masters.
 */

/** The 8-byte "unknown size" (all value bits set): an element whose end is not known yet. */
export const UNKNOWN_SIZE = Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** The bytes of an element ID (IDs carry their own length marker, so are written as is). */
export function idBytes(id: number): Uint8Array {
  const out: number[] = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 256)) out.unshift(rest & 0xff);
  return Uint8Array.from(out);
}

/**
 * A data size as a variable-length integer: the shortest that holds it, or exactly `width`
 * bytes (a size patched in later must keep the room it was given). All-ones is reserved for
 * "unknown", so a value of 2^(7w) - 1 needs one byte more.
 */
export function sizeBytes(size: number, width?: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Bad EBML size ${size}`);
  let w = 1;
  while (size >= 2 ** (7 * w) - 1) w++;
  if (width !== undefined) {
    if (width < w || width > 8) throw new RangeError(`Size ${size} does not fit ${width} bytes`);
    w = width;
  }
  const out = new Uint8Array(w);
  let rest = size;
  for (let i = w - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0] |= 0x80 >> (w - 1);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** An element with `data` as its body. */
export function element(id: number, data: Uint8Array): Uint8Array {
  return concat([idBytes(id), sizeBytes(data.byteLength), data]);
}

/** An element holding other elements. */
export function master(id: number, children: readonly Uint8Array[]): Uint8Array {
  return element(id, concat(children));
}

/** An unsigned integer element in as few bytes as hold it. */
export function uint(id: number, value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Bad EBML uint ${value}`);
  const out: number[] = [];
  let rest = value;
  do {
    out.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return element(id, Uint8Array.from(out));
}

/** A signed integer element in 8 bytes (Matroska's DateUTC). */
export function int64(id: number, value: bigint): Uint8Array {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigInt64(0, value);
  return element(id, data);
}

/** A float element, always 8 bytes (so one written as a placeholder can be patched). */
export function float64(id: number, value: number): Uint8Array {
  return element(id, float64Bytes(value));
}

export function float64Bytes(value: number): Uint8Array {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setFloat64(0, value);
  return data;
}

export function text(id: number, value: string): Uint8Array {
  return element(id, new TextEncoder().encode(value));
}
