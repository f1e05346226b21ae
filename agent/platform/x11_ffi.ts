/**
 * Symbol tables for the X11 backend (`Deno.dlopen` of libX11, libXext (MIT-SHM), libXtst,
 * libXfixes and libc) and the struct offsets it reads. Offsets are x86_64 LP64 and were
 * checked against the Debian 12 headers with `offsetof`; no headers are needed at run time.
 *
 * The libraries are opened once per process and reference-counted, because Xlib's error
 * handler is process-global: every open `X11Desktop` shares one handler callback, and the
 * last `close()` releases the libraries (so `deno test` sees no leaked resources).
 */

/** A display, a window and seven out-parameters: XGetGeometry's and XQueryPointer's shape. */
const _WINDOW_QUERY = {
  parameters: [
    "pointer",
    "u64",
    "buffer",
    "buffer",
    "buffer",
    "buffer",
    "buffer",
    "buffer",
    "buffer",
  ],
  result: "i32",
} as const;

const X11_SYMBOLS = {
  XOpenDisplay: { parameters: ["buffer"], result: "pointer" },
  XCloseDisplay: { parameters: ["pointer"], result: "i32" },
  XDefaultScreen: { parameters: ["pointer"], result: "i32" },
  XRootWindow: { parameters: ["pointer", "i32"], result: "u64" },
  XDefaultVisual: { parameters: ["pointer", "i32"], result: "pointer" },
  XDefaultDepth: { parameters: ["pointer", "i32"], result: "i32" },
  XGetGeometry: _WINDOW_QUERY,
  XFlush: { parameters: ["pointer"], result: "i32" },
  XAutoRepeatOff: { parameters: ["pointer"], result: "i32" },
  XAutoRepeatOn: { parameters: ["pointer"], result: "i32" },
  /** (display, XKeyboardState*): global_auto_repeat is the int at offset 24 on LP64. */
  XGetKeyboardControl: { parameters: ["pointer", "buffer"], result: "i32" },
  XSync: { parameters: ["pointer", "i32"], result: "i32" },
  XFree: { parameters: ["pointer"], result: "i32" },
  XDestroyImage: { parameters: ["pointer"], result: "i32" },
  XGetImage: {
    parameters: ["pointer", "u64", "i32", "i32", "u32", "u32", "u64", "i32"],
    result: "pointer",
  },
  XSetErrorHandler: { parameters: ["function"], result: "function" },
  XGrabKey: {
    parameters: ["pointer", "i32", "u32", "u64", "i32", "i32", "i32"],
    result: "i32",
  },
  XUngrabKey: { parameters: ["pointer", "i32", "u32", "u64"], result: "i32" },
  XQueryPointer: _WINDOW_QUERY,
  XGetPointerMapping: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  XDisplayKeycodes: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  XGetKeyboardMapping: { parameters: ["pointer", "u8", "i32", "buffer"], result: "pointer" },
  XChangeKeyboardMapping: { parameters: ["pointer", "i32", "i32", "buffer", "i32"], result: "i32" },
  XConvertCase: { parameters: ["u64", "buffer", "buffer"], result: "void" },
  XQueryKeymap: { parameters: ["pointer", "buffer"], result: "i32" },
  XInternAtom: { parameters: ["pointer", "buffer", "i32"], result: "u64" },
  XGetAtomName: { parameters: ["pointer", "u64"], result: "pointer" },
  XGetWindowProperty: {
    parameters: [
      "pointer", // display
      "u64", // window
      "u64", // property
      "i64", // long_offset (32-bit units)
      "i64", // long_length
      "i32", // delete
      "u64", // req_type
      "buffer", // actual_type_return
      "buffer", // actual_format_return
      "buffer", // nitems_return
      "buffer", // bytes_after_return
      "buffer", // prop_return (unsigned char **)
    ],
    result: "i32",
  },
  XChangeProperty: {
    parameters: ["pointer", "u64", "u64", "u64", "i32", "i32", "buffer", "i32"],
    result: "i32",
  },
  XDeleteProperty: { parameters: ["pointer", "u64", "u64"], result: "i32" },
  XCreateSimpleWindow: {
    parameters: ["pointer", "u64", "i32", "i32", "u32", "u32", "u32", "u64", "u64"],
    result: "u64",
  },
  XDestroyWindow: { parameters: ["pointer", "u64"], result: "i32" },
  XSelectInput: { parameters: ["pointer", "u64", "i64"], result: "i32" },
  XSetSelectionOwner: { parameters: ["pointer", "u64", "u64", "u64"], result: "i32" },
  XGetSelectionOwner: { parameters: ["pointer", "u64"], result: "u64" },
  XConvertSelection: { parameters: ["pointer", "u64", "u64", "u64", "u64", "u64"], result: "i32" },
  XSendEvent: { parameters: ["pointer", "u64", "i32", "i64", "buffer"], result: "i32" },
  XPending: { parameters: ["pointer"], result: "i32" },
  XNextEvent: { parameters: ["pointer", "buffer"], result: "i32" },
  XPeekEvent: { parameters: ["pointer", "buffer"], result: "i32" },
  XEventsQueued: { parameters: ["pointer", "i32"], result: "i32" },
  XNextRequest: { parameters: ["pointer"], result: "u64" },
  // ConnectionNumber() is a macro; this is its function form (the socket's fd).
  XConnectionNumber: { parameters: ["pointer"], result: "i32" },
  XQueryExtension: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  XExtendedMaxRequestSize: { parameters: ["pointer"], result: "i64" },
  XMaxRequestSize: { parameters: ["pointer"], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

const XEXT_SYMBOLS = {
  XShmQueryExtension: { parameters: ["pointer"], result: "i32" },
  XShmCreateImage: {
    parameters: ["pointer", "pointer", "u32", "i32", "pointer", "pointer", "u32", "u32"],
    result: "pointer",
  },
  XShmAttach: { parameters: ["pointer", "pointer"], result: "i32" },
  XShmDetach: { parameters: ["pointer", "pointer"], result: "i32" },
  XShmGetImage: {
    parameters: ["pointer", "u64", "pointer", "i32", "i32", "u64"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

const XTST_SYMBOLS = {
  XTestQueryExtension: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  XTestFakeMotionEvent: { parameters: ["pointer", "i32", "i32", "i32", "u64"], result: "i32" },
  XTestFakeButtonEvent: { parameters: ["pointer", "u32", "i32", "u64"], result: "i32" },
  XTestFakeKeyEvent: { parameters: ["pointer", "u32", "i32", "u64"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const XFIXES_SYMBOLS = {
  XFixesQueryExtension: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  XFixesGetCursorImage: { parameters: ["pointer"], result: "pointer" },
  XFixesCreateRegion: { parameters: ["pointer", "pointer", "i32"], result: "u64" },
  XFixesFetchRegion: { parameters: ["pointer", "u64", "buffer"], result: "pointer" },
  XFixesDestroyRegion: { parameters: ["pointer", "u64"], result: "void" },
  XFixesSelectCursorInput: { parameters: ["pointer", "u64", "u64"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

const LIBC_SYMBOLS = {
  calloc: { parameters: ["usize", "usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
  shmget: { parameters: ["i32", "usize", "i32"], result: "i32" },
  shmat: { parameters: ["i32", "pointer", "i32"], result: "pointer" },
  shmdt: { parameters: ["pointer"], result: "i32" },
  shmctl: { parameters: ["i32", "i32", "pointer"], result: "i32" },
  // Off the main thread (returns a Promise): it waits on an X connection's socket without
  // blocking the event loop, and touches only the fd, never Xlib.
  poll: { parameters: ["pointer", "u64", "i32"], result: "i32", nonblocking: true },
  // An eventfd ends such a poll early (a wait given up): written on the main thread.
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened libraries; `x`, `ext`, `tst`, `fixes` and `c` are their symbol tables. */
export interface X11Libs {
  x: Deno.DynamicLibrary<typeof X11_SYMBOLS>["symbols"];
  ext: Deno.DynamicLibrary<typeof XEXT_SYMBOLS>["symbols"];
  tst: Deno.DynamicLibrary<typeof XTST_SYMBOLS>["symbols"];
  fixes: Deno.DynamicLibrary<typeof XFIXES_SYMBOLS>["symbols"];
  c: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];
}

/** An X protocol error caught by the shared handler instead of Xlib's default (exit). */
export interface XError {
  code: number;
  request: number;
  minor: number;
}

/** Struct offsets (bytes) and protocol constants used by the backend. */
export const XIMAGE = { width: 0, height: 4, data: 16, bytesPerLine: 44, bitsPerPixel: 48 };
export const SHM_INFO = { size: 32, shmid: 8, shmaddr: 16, readOnly: 24 };
export const CURSOR_IMAGE = {
  x: 0,
  y: 2,
  width: 4,
  height: 6,
  xhot: 8,
  yhot: 10,
  serial: 16,
  pixels: 24,
};
export const XEVENT_SIZE = 192;
/** Offsets inside an XEvent for the selection and property events (all 64-bit fields). */
export const EV = {
  type: 0,
  display: 24,
  // SelectionRequest
  reqOwner: 32,
  reqRequestor: 40,
  reqSelection: 48,
  reqTarget: 56,
  reqProperty: 64,
  reqTime: 72,
  // SelectionNotify
  notRequestor: 32,
  notSelection: 40,
  notTarget: 48,
  notProperty: 56,
  notTime: 64,
  // SelectionClear
  clrWindow: 32,
  clrSelection: 40,
  // PropertyNotify
  propWindow: 32,
  propAtom: 40,
  propState: 56,
};
export const X = {
  ZPixmap: 2,
  AllPlanes: 0xffffffffffffffffn,
  PropertyNotify: 28,
  SelectionClear: 29,
  SelectionRequest: 30,
  SelectionNotify: 31,
  PropertyNewValue: 0,
  PropertyDelete: 1,
  PropertyChangeMask: 1 << 22,
  PropModeReplace: 0,
  AnyPropertyType: 0n,
  XA_ATOM: 4n,
  XA_STRING: 31n,
  ShiftMask: 1,
  LockMask: 2,
  ControlMask: 4,
  Mod1Mask: 8,
  GrabModeAsync: 1,
  BadAccess: 10,
  IPC_PRIVATE: 0,
  IPC_CREAT: 0o1000,
  IPC_RMID: 0,
};

let refs = 0;
let opened: { libs: X11Libs; close: () => void } | null = null;
let lastError: XError | null = null;

/** Opens (or shares) the libraries and installs the shared X error handler. */
export function acquireX11(): X11Libs {
  if (opened) {
    refs++;
    return opened.libs;
  }
  const handles = [
    Deno.dlopen("libc.so.6", LIBC_SYMBOLS),
    Deno.dlopen("libX11.so.6", X11_SYMBOLS),
    Deno.dlopen("libXext.so.6", XEXT_SYMBOLS),
    Deno.dlopen("libXtst.so.6", XTST_SYMBOLS),
    Deno.dlopen("libXfixes.so.3", XFIXES_SYMBOLS),
  ] as const;
  const [c, x11, ext, tst, fixes] = handles;
  // Xlib's default error handler prints and calls exit(): a stale window id from a
  // clipboard requestor or an unsupported button would end the whole agent.
  const handler = new Deno.UnsafeCallback(
    { parameters: ["pointer", "pointer"], result: "i32" } as const,
    (_dpy, event) => {
      if (event) {
        const view = new Deno.UnsafePointerView(event);
        lastError = {
          code: view.getUint8(32),
          request: view.getUint8(33),
          minor: view.getUint8(34),
        };
      }
      return 0;
    },
  );
  const previous = x11.symbols.XSetErrorHandler(handler.pointer);
  const libs: X11Libs = {
    x: x11.symbols,
    ext: ext.symbols,
    tst: tst.symbols,
    fixes: fixes.symbols,
    c: c.symbols,
  };
  opened = {
    libs,
    close: () => {
      x11.symbols.XSetErrorHandler(previous);
      handler.close();
      for (const h of handles) h.close();
    },
  };
  refs = 1;
  return libs;
}

/** Drops one reference; the last one restores Xlib's handler and closes the libraries. */
export function releaseX11(): void {
  if (!opened || --refs > 0) return;
  opened.close();
  opened = null;
}

/** The X error caught since the last call, if any (call after `XSync`). */
export function takeXError(): XError | null {
  const error = lastError;
  lastError = null;
  return error;
}

/** A NUL-terminated C string. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text + "\0");
}

/** An 8-byte out-parameter cell (`Window*`, `unsigned long*`, `T**`). */
export function cell64(): BigUint64Array<ArrayBuffer> {
  return new BigUint64Array(1);
}

/** A 4-byte out-parameter cell (`int*`, `unsigned int*`). */
export function cell32(): Int32Array<ArrayBuffer> {
  return new Int32Array(1);
}

/** XIDs, atoms and keysyms fit in 53 bits; FFI hands u64 back as number or bigint. */
export function num(value: number | bigint): number {
  return typeof value === "bigint" ? Number(value) : value;
}

/** One window property: its type atom and bytes (format-32 items come back as longs). */
export function getProperty(
  x: X11Libs,
  dpy: Deno.PointerObject,
  window: bigint,
  property: bigint,
  remove: boolean,
): { type: bigint; format: number; data: Uint8Array } | null {
  const type = cell64(), format = cell32(), items = cell64(), after = cell64(), out = cell64();
  const status = x.x.XGetWindowProperty(
    dpy,
    window,
    property,
    0n,
    1n << 28n,
    remove ? 1 : 0,
    X.AnyPropertyType,
    type,
    format,
    items,
    after,
    out,
  );
  const p = Deno.UnsafePointer.create(out[0]);
  if (status !== 0 || type[0] === 0n) {
    if (p) x.x.XFree(p);
    return null;
  }
  const unit = format[0] === 32 ? 8 : format[0] / 8;
  const length = Number(items[0]) * unit;
  const data = new Uint8Array(length);
  if (p && length > 0) data.set(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, length)));
  if (p) x.x.XFree(p);
  return { type: type[0], format: format[0], data };
}
