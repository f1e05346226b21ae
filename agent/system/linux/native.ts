/**
 * What Linux keeps in binary form: the size of a mounted file system (statvfs(3) from libc
 * over FFI — the same call `df` makes) and the logged-on sessions (utmp records).
 */

export interface FsSize {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
}

let _libc: { symbols: { statvfs(path: Uint8Array, out: Uint8Array): number } } | undefined;

/** statvfs(3) of `path`; undefined when the call fails (or libc cannot be opened). */
export function statvfs(path: string): FsSize | undefined {
  _libc ??= Deno.dlopen("libc.so.6", {
    statvfs: { parameters: ["buffer", "buffer"], result: "i32", nonblocking: false },
  }) as unknown as typeof _libc;
  // struct statvfs on 64-bit glibc: f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, … (u64 each).
  const out = new Uint8Array(128);
  const cPath = new TextEncoder().encode(`${path}\0`);
  if (_libc!.symbols.statvfs(cPath, out) !== 0) return undefined;
  const view = new DataView(out.buffer);
  const u64 = (i: number) => Number(view.getBigUint64(i * 8, true));
  const fragment = u64(1) || u64(0);
  return {
    totalBytes: u64(2) * fragment,
    freeBytes: u64(3) * fragment,
    availableBytes: u64(4) * fragment,
  };
}

export interface UtmpSession {
  user: string;
  line: string;
  host: string;
  since: string | null;
}

/** glibc's struct utmp on Linux: 384 bytes, type 7 = a user's login. */
const UTMP_SIZE = 384;
const USER_PROCESS = 7;

export function parseUtmp(bytes: Uint8Array): UtmpSession[] {
  const out: UtmpSession[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const str = (at: number, len: number) => {
    const slice = bytes.subarray(at, at + len);
    const end = slice.indexOf(0);
    return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
  };
  for (let at = 0; at + UTMP_SIZE <= bytes.length; at += UTMP_SIZE) {
    if (view.getInt16(at, true) !== USER_PROCESS) continue;
    const seconds = view.getInt32(at + 340, true);
    out.push({
      line: str(at + 8, 32),
      user: str(at + 44, 32),
      host: str(at + 76, 256),
      since: seconds > 0 ? new Date(seconds * 1000).toISOString() : null,
    });
  }
  return out;
}
