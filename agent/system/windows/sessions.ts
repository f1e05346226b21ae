/**
 * Who is logged on to a Windows computer: its Terminal Services sessions
 * (WTSEnumerateSessionsW), each active or disconnected one with a user named by
 * WTSQuerySessionInformationW — the user, the station (Console, RDP-Tcp#3) and, for a remote
 * one, the client's name. The logon time is not read (since: null).
 */
import { readWideAt, u32, win32 } from "./ffi.ts";

const WTS_USER_NAME = 5;
const WTS_CLIENT_NAME = 10;
const WTS_ACTIVE = 0;
const WTS_DISCONNECTED = 4;
/** sizeof(WTS_SESSION_INFOW) on x64: SessionId 0, pWinStationName 8, State 16. */
const INFO_SIZE = 24;

export interface SessionRow {
  user: string;
  line: string;
  host: string;
  since: string | null;
}

function _query(id: number, what: number): string {
  const wts = win32().wtsapi32!;
  const out = new BigUint64Array(1);
  const bytes = new Uint32Array(1);
  if (
    !wts.WTSQuerySessionInformationW(
      null,
      id,
      what,
      new Uint8Array(out.buffer),
      new Uint8Array(bytes.buffer),
    )
  ) {
    return "";
  }
  const pointer = Deno.UnsafePointer.create(out[0]);
  try {
    return readWideAt(pointer, 256);
  } finally {
    wts.WTSFreeMemory(pointer);
  }
}

/** The logged-on sessions; [] where Windows has none to say (or no wtsapi32.dll). */
export function sessions(): SessionRow[] {
  const wts = win32().wtsapi32;
  if (!wts) return [];
  const out = new BigUint64Array(1);
  const count = new Uint32Array(1);
  if (
    !wts.WTSEnumerateSessionsW(null, 0, 1, new Uint8Array(out.buffer), new Uint8Array(count.buffer))
  ) {
    return [];
  }
  const array = Deno.UnsafePointer.create(out[0]);
  if (array === null) return [];
  try {
    const n = Math.min(count[0], 200);
    const bytes = new Uint8Array(new Deno.UnsafePointerView(array).getArrayBuffer(n * INFO_SIZE));
    const rows: SessionRow[] = [];
    for (let i = 0; i < n; i++) {
      const at = i * INFO_SIZE;
      const state = u32(bytes, at + 16);
      if (state !== WTS_ACTIVE && state !== WTS_DISCONNECTED) continue;
      const id = u32(bytes, at);
      const user = _query(id, WTS_USER_NAME);
      if (!user) continue; // the services' session 0, a listener
      const station = readWideAt(
        Deno.UnsafePointer.create(new DataView(bytes.buffer).getBigUint64(at + 8, true)),
        64,
      );
      rows.push({
        user: user.slice(0, 64),
        line: `${station || `session ${id}`}${state === WTS_DISCONNECTED ? " (disconnected)" : ""}`
          .slice(0, 64),
        host: _query(id, WTS_CLIENT_NAME).slice(0, 256),
        since: null,
      });
    }
    return rows;
  } finally {
    wts.WTSFreeMemory(array);
  }
}
