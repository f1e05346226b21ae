/**
 * XInput 2 raw pointer motion (libXi.so.6) for the damage watcher (x11_damage.ts), so the
 * agent learns that the pointer moved without asking the X server 30 times a second.
 *
 * Raw motion is selected on the root window and reported wherever the pointer is and whatever
 * moved it — a mouse, a touchpad, or XTest (the technician's own control, xdotool) — unlike
 * the core PointerMotionMask on the root, which only sees motion over the root window itself.
 * Version 2.2 is asked for: from 2.1 on, raw events reach the root even while another client
 * grabs the pointer (a menu open, a drag); a 2.0 server is still used. Not reported: a jump by
 * another client's XWarpPointer (what `xdotool mousemove` does; no device moved), which the
 * caller sees at its next wake-up — a change on the screen, a new cursor shape, or its look at
 * the pointer 4 times a second (screen.ts POINTER_LOOK_MS).
 *
 * Optional: without libXi (`openXInput` null), the XInputExtension or XInput 2
 * (`selectRawMotion` null), the caller looks at the pointer on a timer as before.
 *
 * Offsets are x86_64 LP64, checked against XInput2.h and Xlib.h by x11_xinput_abi_test.ts.
 */
import { cell32, cString, takeXError, type X11Libs } from "./x11_ffi.ts";

const XI_SYMBOLS = {
  XIQueryVersion: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  XISelectEvents: { parameters: ["pointer", "u64", "buffer", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** `XIEventMask { int deviceid; int mask_len; unsigned char *mask; }` */
export const XI_EVENT_MASK = { size: 16, deviceid: 0, maskLen: 4, mask: 8 };
/**
 * `XGenericEventCookie { int type; unsigned long serial; Bool send_event; Display *display;
 * int extension; int evtype; unsigned int cookie; void *data; }` — what Xlib's XNextEvent
 * writes for an XI 2 event. Only the header is read: the event's data (the raw valuators)
 * is never claimed, and Xlib frees an unclaimed cookie's data at the next XNextEvent.
 */
export const GENERIC_EVENT_COOKIE = { size: 56, type: 0, serial: 8, extension: 32, evtype: 36 };
/** Protocol constants (X.h, XI2.h). */
export const XI = {
  GenericEvent: 35,
  XI_RawMotion: 17,
  XIAllMasterDevices: 1,
  /** XIMaskLen(XI_LASTEVENT) rounded up to whole ints: 4 bytes hold events 0–31. */
  maskLen: 4,
  Success: 0,
};
const WANTED = { major: 2, minor: 2 };

/** Raw motion selected on one connection. */
export interface RawMotion {
  /** The XInputExtension's major opcode: a raw motion event's `extension`. */
  readonly opcode: number;
  /** Whether `event` (an XEvent as XNextEvent wrote it) is a raw motion event. */
  isRawMotion(event: DataView): boolean;
}

/** The opened libXi (see `openXInput`). */
export interface XInputLib {
  /**
   * Selects XI_RawMotion of every master pointer on `root` on connection `dpy` (flushed and
   * checked with XSync), or null when this X server cannot report it.
   */
  selectRawMotion(x: X11Libs, dpy: Deno.PointerObject, root: bigint): RawMotion | null;
  /**
   * Closes the library — only once every connection it was used on is closed: libXi hooks
   * itself into the closing of each connection it spoke on (even one it failed on).
   */
  close(): void;
}

/** Opens libXi, or null when it is not installed. */
export function openXInput(): XInputLib | null {
  let lib: Deno.DynamicLibrary<typeof XI_SYMBOLS>;
  try {
    lib = Deno.dlopen("libXi.so.6", XI_SYMBOLS);
  } catch {
    return null;
  }
  return {
    selectRawMotion: (x, dpy, root) => selectRawMotion(lib.symbols, x, dpy, root),
    close: () => lib.close(),
  };
}

function selectRawMotion(
  xi: Deno.DynamicLibrary<typeof XI_SYMBOLS>["symbols"],
  x: X11Libs,
  dpy: Deno.PointerObject,
  root: bigint,
): RawMotion | null {
  const opcode = cell32();
  if (!x.x.XQueryExtension(dpy, cString("XInputExtension"), opcode, cell32(), cell32())) {
    return null;
  }
  const major = Int32Array.of(WANTED.major), minor = Int32Array.of(WANTED.minor);
  // Answers the version both sides speak (at most the one asked for); 1.x has no raw events.
  if (xi.XIQueryVersion(dpy, major, minor) !== XI.Success || major[0] < 2) return null;
  const bits = new Uint8Array(XI.maskLen);
  bits[XI.XI_RawMotion >> 3] |= 1 << (XI.XI_RawMotion & 7);
  const mask = new DataView(new ArrayBuffer(XI_EVENT_MASK.size));
  mask.setInt32(XI_EVENT_MASK.deviceid, XI.XIAllMasterDevices, true);
  mask.setInt32(XI_EVENT_MASK.maskLen, bits.length, true);
  // XISelectEvents copies the mask into its request before it returns.
  mask.setBigUint64(
    XI_EVENT_MASK.mask,
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bits))),
    true,
  );
  takeXError();
  xi.XISelectEvents(dpy, root, new Uint8Array(mask.buffer), 1);
  x.x.XSync(dpy, 0);
  if (takeXError()) return null;
  const code = opcode[0];
  const C = GENERIC_EVENT_COOKIE;
  return {
    opcode: code,
    isRawMotion: (event) =>
      (event.getInt32(C.type, true) & 0x7f) === XI.GenericEvent &&
      event.getInt32(C.extension, true) === code &&
      event.getInt32(C.evtype, true) === XI.XI_RawMotion,
  };
}
