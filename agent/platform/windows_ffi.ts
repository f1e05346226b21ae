/**
 * Symbol tables for the Windows backend (`Deno.dlopen` of user32.dll, gdi32.dll and
 * kernel32.dll) and the struct layouts it reads and writes. Layouts are x64 (LLP64: pointers
 * and handles 8 bytes, `long` 4); every Windows since Vista has these DLLs, so a failed open
 * means a broken system or a missing `--allow-ffi`, worded by `openWin32()`.
 */

const USER32 = {
  GetSystemMetrics: { parameters: ["i32"], result: "i32" },
  GetDC: { parameters: ["pointer"], result: "pointer" },
  ReleaseDC: { parameters: ["pointer", "pointer"], result: "i32" },
  /** (CURSORINFO*) */
  GetCursorInfo: { parameters: ["buffer"], result: "i32" },
  /** (NULL, IDC_*): a system cursor, as this process has it. */
  LoadCursorW: { parameters: ["pointer", "pointer"], result: "pointer" },
  /** (HICON, ICONINFO*): the caller deletes the two bitmaps it gets. */
  GetIconInfo: { parameters: ["pointer", "buffer"], result: "i32" },
  /** (count, INPUT[], sizeof(INPUT)) → how many were inserted */
  SendInput: { parameters: ["u32", "buffer", "i32"], result: "u32" },
  MapVirtualKeyW: { parameters: ["u32", "u32"], result: "u32" },
  MapVirtualKeyExW: { parameters: ["u32", "u32", "pointer"], result: "u32" },
  VkKeyScanExW: { parameters: ["u16", "pointer"], result: "i16" },
  GetKeyboardLayout: { parameters: ["u32"], result: "pointer" },
  GetKeyboardLayoutNameW: { parameters: ["buffer"], result: "i32" },
  GetForegroundWindow: { parameters: [], result: "pointer" },
  /** (flags, inherit, access): the desktop shown now; NULL for the secure desktop (denied). */
  OpenInputDesktop: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  /** (HDESK/HWINSTA, UOI_*, buffer, its bytes, bytes needed) */
  GetUserObjectInformationW: {
    parameters: ["pointer", "i32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  CloseDesktop: { parameters: ["pointer"], result: "i32" },
  /** (thread id): the desktop that thread's windows and GDI calls belong to (not to be closed). */
  GetThreadDesktop: { parameters: ["u32"], result: "pointer" },
  GetWindowThreadProcessId: { parameters: ["pointer", "pointer"], result: "u32" },
  GetAsyncKeyState: { parameters: ["i32"], result: "i16" },
  GetKeyState: { parameters: ["i32"], result: "i16" },
  OpenClipboard: { parameters: ["pointer"], result: "i32" },
  CloseClipboard: { parameters: [], result: "i32" },
  EmptyClipboard: { parameters: [], result: "i32" },
  GetClipboardData: { parameters: ["u32"], result: "pointer" },
  SetClipboardData: { parameters: ["u32", "pointer"], result: "pointer" },
  /** A hidden window to own what we put on the clipboard (see windows_clipboard.ts). */
  CreateWindowExW: {
    parameters: [
      "u32",
      "buffer",
      "buffer",
      "u32",
      "i32",
      "i32",
      "i32",
      "i32",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
    ],
    result: "pointer",
  },
  DestroyWindow: { parameters: ["pointer"], result: "i32" },
  /** (HDC, RECT*, MONITORENUMPROC, LPARAM) */
  EnumDisplayMonitors: { parameters: ["pointer", "pointer", "function", "isize"], result: "i32" },
  /** (HMONITOR, MONITORINFOEXW*) */
  GetMonitorInfoW: { parameters: ["pointer", "buffer"], result: "i32" },
  /** Windows 10 1703+: real pixels on scaled screens (else GDI hands out scaled ones). */
  SetProcessDpiAwarenessContext: { parameters: ["isize"], result: "i32", optional: true },
  SetProcessDPIAware: { parameters: [], result: "i32", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

const GDI32 = {
  CreateCompatibleDC: { parameters: ["pointer"], result: "pointer" },
  DeleteDC: { parameters: ["pointer"], result: "i32" },
  /** (HDC, BITMAPINFO*, usage, void** bits, section, offset) */
  CreateDIBSection: {
    parameters: ["pointer", "buffer", "u32", "buffer", "pointer", "u32"],
    result: "pointer",
  },
  SelectObject: { parameters: ["pointer", "pointer"], result: "pointer" },
  DeleteObject: { parameters: ["pointer"], result: "i32" },
  BitBlt: {
    parameters: ["pointer", "i32", "i32", "i32", "i32", "pointer", "i32", "i32", "u32"],
    result: "i32",
  },
  GdiFlush: { parameters: [], result: "i32" },
  /** (HDC, HBITMAP, start, lines, bits, BITMAPINFO*, usage) */
  GetDIBits: {
    parameters: ["pointer", "pointer", "u32", "u32", "buffer", "buffer", "u32"],
    result: "i32",
  },
  GetObjectW: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const KERNEL32 = {
  GlobalAlloc: { parameters: ["u32", "usize"], result: "pointer" },
  GlobalLock: { parameters: ["pointer"], result: "pointer" },
  GlobalUnlock: { parameters: ["pointer"], result: "i32" },
  GlobalFree: { parameters: ["pointer"], result: "pointer" },
  GlobalSize: { parameters: ["pointer"], result: "usize" },
  GetCurrentThreadId: { parameters: [], result: "u32" },
} as const satisfies Deno.ForeignLibraryInterface;

export interface Win32 {
  user: Deno.DynamicLibrary<typeof USER32>["symbols"];
  gdi: Deno.DynamicLibrary<typeof GDI32>["symbols"];
  kernel: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
}

let libs: { win: Win32; close(): void } | null = null;
let users = 0;

/**
 * The three system DLLs, opened once per process and reference-counted (the last
 * `releaseWin32()` closes them, so `deno test` sees no leaked resources). Throws an error that
 * names what is wrong in words a technician can pass on.
 */
export function acquireWin32(): Win32 {
  if (!libs) {
    const opened: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>[] = [];
    const open = <S extends Deno.ForeignLibraryInterface>(name: string, symbols: S) => {
      try {
        const lib = Deno.dlopen(name, symbols);
        opened.push(lib);
        return lib.symbols;
      } catch (error) {
        for (const lib of opened) lib.close();
        const text = error instanceof Error ? error.message : String(error);
        if (error instanceof Deno.errors.NotCapable || /--allow-ffi/.test(text)) {
          throw new Error(
            "The support app was started without --allow-ffi: it cannot see the screen",
          );
        }
        throw new Error(`Windows' ${name} could not be loaded (${text.split("\n")[0]})`);
      }
    };
    const win = {
      user: open("user32.dll", USER32),
      gdi: open("gdi32.dll", GDI32),
      kernel: open("kernel32.dll", KERNEL32),
    };
    libs = { win, close: () => opened.forEach((lib) => lib.close()) };
    makeDpiAware(win);
  }
  users++;
  return libs.win;
}

export function releaseWin32(): void {
  if (users > 0 && --users === 0 && libs) {
    libs.close();
    libs = null;
  }
}

/**
 * Per-monitor DPI awareness for the whole process, before anything measures the screen: an
 * unaware program on a 150 % screen gets 1280×720 for a 1920×1080 screen and a blurred,
 * stretched capture, and its pointer positions miss. Fails harmlessly when already set.
 */
function makeDpiAware(win: Win32): void {
  const PER_MONITOR_AWARE_V2 = -4n;
  const { SetProcessDpiAwarenessContext, SetProcessDPIAware } = win.user;
  if (SetProcessDpiAwarenessContext?.(PER_MONITOR_AWARE_V2)) return;
  SetProcessDPIAware?.();
}

/** GetSystemMetrics indexes. */
export const SM = {
  CXSCREEN: 0,
  CYSCREEN: 1,
  SWAPBUTTON: 23,
  XVIRTUALSCREEN: 76,
  YVIRTUALSCREEN: 77,
  CXVIRTUALSCREEN: 78,
  CYVIRTUALSCREEN: 79,
} as const;

export const SRCCOPY = 0x00cc0020;
/** Includes layered (translucent) windows, which a plain SRCCOPY leaves out. */
export const CAPTUREBLT = 0x40000000;
export const DIB_RGB_COLORS = 0;

/** BITMAPINFOHEADER (40 bytes) for a top-down (negative height) uncompressed DIB. */
export function bitmapInfo(width: number, height: number, bits: 1 | 32): Uint8Array {
  // A 1-bit DIB comes with its two-colour table after the header.
  const info = new Uint8Array(40 + (bits === 1 ? 8 : 0));
  const v = new DataView(info.buffer);
  v.setUint32(0, 40, true);
  v.setInt32(4, width, true);
  v.setInt32(8, -height, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, bits, true);
  return info;
}

/** BITMAP: bmWidth @4, bmHeight @8, bmBitsPixel @18; 32 bytes. */
export const BITMAP = { width: 4, height: 8, bitsPixel: 18, size: 32 } as const;
/** CURSORINFO: cbSize @0, flags @4, hCursor @8, ptScreenPos @16; 24 bytes. */
export const CURSORINFO = { flags: 4, cursor: 8, x: 16, y: 20, size: 24, SHOWING: 1 } as const;
/** ICONINFO: xHotspot @4, yHotspot @8, hbmMask @16, hbmColor @24; 32 bytes. */
export const ICONINFO = { hotX: 4, hotY: 8, mask: 16, color: 24, size: 32 } as const;
/** MONITORINFOEXW: cbSize @0, rcMonitor @4, rcWork @20, dwFlags @36, szDevice @40; 104. */
export const MONITORINFOEX = { monitor: 4, flags: 36, device: 40, size: 104, PRIMARY: 1 } as const;

/** INPUT is 40 bytes on x64: type @0, then MOUSEINPUT or KEYBDINPUT @8. */
export const INPUT_SIZE = 40;
export const INPUT_MOUSE = 0;
export const INPUT_KEYBOARD = 1;

export const MOUSEEVENTF = {
  MOVE: 0x0001,
  LEFTDOWN: 0x0002,
  LEFTUP: 0x0004,
  RIGHTDOWN: 0x0008,
  RIGHTUP: 0x0010,
  MIDDLEDOWN: 0x0020,
  MIDDLEUP: 0x0040,
  WHEEL: 0x0800,
  HWHEEL: 0x1000,
  VIRTUALDESK: 0x4000,
  ABSOLUTE: 0x8000,
} as const;

export const KEYEVENTF = { EXTENDEDKEY: 0x1, KEYUP: 0x2, UNICODE: 0x4, SCANCODE: 0x8 } as const;
export const WHEEL_DELTA = 120;

/** Writes one MOUSEINPUT at `index` of an INPUT array. */
export function mouseInput(
  buf: Uint8Array,
  index: number,
  m: { dx?: number; dy?: number; data?: number; flags: number },
): void {
  const v = new DataView(buf.buffer, buf.byteOffset + index * INPUT_SIZE, INPUT_SIZE);
  v.setUint32(0, INPUT_MOUSE, true);
  v.setInt32(8, m.dx ?? 0, true);
  v.setInt32(12, m.dy ?? 0, true);
  v.setInt32(16, m.data ?? 0, true);
  v.setUint32(20, m.flags, true);
}

/** Writes one KEYBDINPUT at `index` of an INPUT array. */
export function keyInput(
  buf: Uint8Array,
  index: number,
  k: { vk: number; scan: number; flags: number },
): void {
  const v = new DataView(buf.buffer, buf.byteOffset + index * INPUT_SIZE, INPUT_SIZE);
  v.setUint32(0, INPUT_KEYBOARD, true);
  v.setUint16(8, k.vk, true);
  v.setUint16(10, k.scan, true);
  v.setUint32(12, k.flags, true);
}

/** A NUL-terminated UTF-16 string for a `W` function. */
export function wide(text: string): Uint8Array {
  const out = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return new Uint8Array(out.buffer);
}

/** The UTF-16 text in `bytes` up to its first NUL. */
export function fromWide(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  const end = units.indexOf(0);
  return UTF16.decode(units.subarray(0, end < 0 ? units.length : end));
}

const UTF16 = new TextDecoder("utf-16le");

/** A pointer-sized out-parameter. */
export function pointerCell(): BigUint64Array {
  return new BigUint64Array(1);
}

/** The pointer in an out-parameter or struct field. */
export function pointerAt(view: DataView, offset: number): Deno.PointerValue {
  return Deno.UnsafePointer.create(view.getBigUint64(offset, true));
}
