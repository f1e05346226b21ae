/**
 * The Windows desktop: GDI capture of the whole virtual desktop (every monitor, as the X11
 * backend captures the whole root window; `screens()` says where each monitor sits in it, and
 * screen_view.ts cuts one out), the pointer and its shape (windows_cursor.ts), SendInput
 * (windows_input.ts), the clipboard (windows_clipboard.ts), the whiteboard's overlay
 * (windows_overlay.ts) and the keyboard layout. All calls are synchronous FFI on the main
 * thread; each takes microseconds except the BitBlt. No damage(): the caller polls.
 */
import {
  acquireWin32,
  bitmapInfo,
  CAPTUREBLT,
  DIB_RGB_COLORS,
  fromWide,
  MONITORINFOEX,
  pointerCell,
  releaseWin32,
  SM,
  SRCCOPY,
  type Win32,
} from "./windows_ffi.ts";
import { CursorReader } from "./windows_cursor.ts";
import { type VirtualScreen, WindowsInput } from "./windows_input.ts";
import { WindowsClipboard } from "./windows_clipboard.ts";
import { WindowsOverlay } from "./windows_overlay.ts";
import { klidOfHkl, layoutName } from "./windows_keys.ts";
import { SCREEN_ID_PATTERN, SCREENS_MAX } from "../../protocol/limits.ts";
import {
  type CursorImage,
  type Desktop,
  type Frame,
  type MouseButton,
  type Overlay,
  type ScreenInfo,
  SecureDesktopError,
} from "./types.ts";
import { desktopNames, isSecureDesktop } from "./windows_input_desktop.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

/** Why Ctrl+Alt+Del cannot be sent from here (see ctrlAltDel()). */
export const CTRL_ALT_DEL_REFUSAL = "Windows takes Ctrl+Alt+Del only from a system service, " +
  "and the support app runs as the customer's own program; Ctrl+Shift+Esc opens Task Manager";

/** What a grab on the secure desktop throws (the agent's log; the technician gets its reason). */
const SECURE_DESKTOP = "Windows shows the secure desktop (a UAC prompt, the lock or the " +
  "sign-in screen), which only a system service can see";

/** The Windows implementation of `Desktop` (see types.ts for the contract of each method). */
export class WindowsDesktop implements Desktop {
  readonly #win: Win32;
  readonly #cursor: CursorReader;
  readonly #input: WindowsInput;
  readonly #clipboard: WindowsClipboard;
  readonly #overlays = new Set<WindowsOverlay>();
  #capture: DibCapture;
  #closed = false;

  constructor() {
    this.#win = acquireWin32();
    try {
      this.#capture = new DibCapture(this.#win, virtualScreen(this.#win));
    } catch (error) {
      releaseWin32();
      throw error;
    }
    this.#cursor = new CursorReader(this.#win);
    this.#input = new WindowsInput(this.#win, () => this.#capture.screen);
    this.#clipboard = new WindowsClipboard(this.#win);
  }

  get width(): number {
    return this.#capture.screen.width;
  }

  get height(): number {
    return this.#capture.screen.height;
  }

  /**
   * The virtual desktop's pixels. Its size is read on every grab (GetSystemMetrics is a
   * memory read): a resolution change or a monitor plugged in re-creates the DIB section.
   */
  grab(): Frame {
    this.#open();
    // The secure desktop (a UAC prompt, the lock or sign-in screen) is said as such: the
    // technician is told to wait for the customer, not that capture broke.
    const { shown, own } = desktopNames(this.#win);
    if (isSecureDesktop(shown, own)) throw new SecureDesktopError(SECURE_DESKTOP);
    const now = virtualScreen(this.#win);
    if (!sameRect(now, this.#capture.screen)) this.#recreate(now);
    if (this.#capture.grab()) return this.#capture.frame;
    this.#recreate(now); // a display change between the size check and the copy
    if (this.#capture.grab()) return this.#capture.frame;
    throw new Error("Windows refused the screen copy");
  }

  cursor(): CursorImage | null {
    this.#open();
    const { x, y } = this.#capture.screen;
    return this.#cursor.read(x, y);
  }

  pointer(x: number, y: number): void {
    this.#open();
    this.#input.pointer(x, y);
  }

  button(button: MouseButton, down: boolean, x: number, y: number): void {
    this.#open();
    this.#input.button(button, down, x, y);
  }

  wheel(dx: number, dy: number): void {
    this.#open();
    this.#input.wheel(dx, dy);
  }

  key(keysym: number, down: boolean, code?: KeyCode): void {
    this.#open();
    this.#input.key(keysym, down, code);
  }

  releaseInput(): void {
    if (!this.#closed) this.#input.releaseAll();
  }

  /**
   * Never typed: Windows reserves Ctrl+Alt+Del (the Secure Attention Sequence) to the system —
   * injected, the three keys reach the focused program as plain keys, which is not what a
   * technician means. Only `SendSAS` sends it, from a service running as LocalSystem with the
   * "software SAS" policy set — the support app runs as the customer's program. Opening Task
   * Manager instead would do something the technician did not ask for; the reason says how.
   */
  ctrlAltDel(): string | null {
    this.#open();
    return CTRL_ALT_DEL_REFUSAL;
  }

  clipboardRead(): Promise<string> {
    this.#open();
    return this.#clipboard.read();
  }

  clipboardWrite(text: string): Promise<void> {
    this.#open();
    return this.#clipboard.write(text);
  }

  /**
   * The layout of the window that has the keyboard (each program's thread has its own on
   * Windows): its HKL's high word is the layout (e.g. 0x0407 on a German keyboard), unless it
   * is a device handle (0xF…, e.g. Dvorak); then this process's own layout id.
   */
  keyboardLayout(): string {
    this.#open();
    const { user } = this.#win;
    const thread = user.GetWindowThreadProcessId(user.GetForegroundWindow(), null);
    const klid = klidOfHkl(BigInt(Deno.UnsafePointer.value(user.GetKeyboardLayout(thread))));
    if (klid) return layoutName(klid);
    const own = new Uint8Array(2 * 9);
    if (!user.GetKeyboardLayoutNameW(own)) return "unknown";
    return layoutName(fromWide(own));
  }

  /** The monitors (EnumDisplayMonitors), in the virtual desktop's pixels, primary first. */
  screens(): ScreenInfo[] {
    this.#open();
    const { user } = this.#win;
    const origin = this.#capture.screen;
    const found: ScreenInfo[] = [];
    const callback = new Deno.UnsafeCallback(
      { parameters: ["pointer", "pointer", "pointer", "isize"], result: "i32" } as const,
      (monitor) => {
        const info = new Uint8Array(MONITORINFOEX.size);
        const v = new DataView(info.buffer);
        v.setUint32(0, MONITORINFOEX.size, true);
        if (!monitor || !user.GetMonitorInfoW(monitor, info)) return 1;
        const at = MONITORINFOEX.monitor;
        const left = v.getInt32(at, true), top = v.getInt32(at + 4, true);
        const rect = clip({
          x: left - origin.x,
          y: top - origin.y,
          width: v.getInt32(at + 8, true) - left,
          height: v.getInt32(at + 12, true) - top,
        }, origin);
        if (rect && found.length < SCREENS_MAX) {
          const device = fromWide(info.subarray(MONITORINFOEX.device)).replace(/^\\\\\.\\/, "");
          const id = SCREEN_ID_PATTERN.test(device) && !found.some((s) => s.id === device)
            ? device
            : `screen-${found.length + 1}`;
          const primary = (v.getUint32(MONITORINFOEX.flags, true) & MONITORINFOEX.PRIMARY) !== 0;
          found.push({ id, ...rect, primary });
        }
        return 1;
      },
    );
    try {
      user.EnumDisplayMonitors(null, null, callback.pointer, 0n);
    } finally {
      callback.close();
    }
    return found.sort((a, b) => Number(b.primary) - Number(a.primary) || a.x - b.x || a.y - b.y);
  }

  /** The whiteboard's and laser's layered windows (windows_overlay.ts); closed with this. */
  overlay(): Overlay {
    this.#open();
    const overlay: WindowsOverlay = new WindowsOverlay(this.#win, {
      screen: () => this.#capture.screen,
      closed: () => this.#overlays.delete(overlay),
    });
    this.#overlays.add(overlay);
    return overlay;
  }

  close(): void {
    if (this.#closed) return;
    // Never leave a technician's key or button stuck down on the customer's machine.
    this.#input.releaseAll();
    for (const overlay of [...this.#overlays]) overlay.close();
    this.#closed = true;
    this.#capture.close();
    releaseWin32();
  }

  #open(): void {
    if (this.#closed) throw new Error("This desktop is closed");
  }

  #recreate(screen: VirtualScreen): void {
    this.#capture.close();
    this.#capture = new DibCapture(this.#win, screen);
  }
}

/**
 * BitBlt from the screen's DC into a top-down 32-bit DIB section, whose bits are the frame's
 * buffer (no copy). CAPTUREBLT includes layered windows (tooltips, menus' shadows, translucent
 * windows), which a plain SRCCOPY misses.
 */
class DibCapture {
  readonly frame: Frame;
  readonly #screenDc: Deno.PointerObject;
  readonly #memDc: Deno.PointerObject;
  readonly #bitmap: Deno.PointerObject;
  readonly #previous: Deno.PointerValue;

  constructor(private readonly win: Win32, readonly screen: VirtualScreen) {
    const { user, gdi } = win;
    const { width, height } = screen;
    if (width < 1 || height < 1) throw new Error(`Windows reports a ${width}×${height} desktop`);
    const screenDc = user.GetDC(null);
    if (!screenDc) throw new Error("Windows gave no device context for the screen");
    const memDc = gdi.CreateCompatibleDC(screenDc);
    const bits = pointerCell();
    const bitmap = memDc &&
      gdi.CreateDIBSection(memDc, bitmapInfo(width, height, 32), DIB_RGB_COLORS, bits, null, 0);
    const data = Deno.UnsafePointer.create(bits[0]);
    if (!memDc || !bitmap || !data) {
      if (bitmap) gdi.DeleteObject(bitmap);
      if (memDc) gdi.DeleteDC(memDc);
      user.ReleaseDC(null, screenDc);
      throw new Error(
        `Windows could not make a ${width}×${height} capture bitmap (out of memory?)`,
      );
    }
    this.#screenDc = screenDc;
    this.#memDc = memDc;
    this.#bitmap = bitmap;
    this.#previous = gdi.SelectObject(memDc, bitmap);
    const buffer = Deno.UnsafePointerView.getArrayBuffer(data, width * height * 4);
    this.frame = { width, height, stride: width * 4, data: new Uint8Array(buffer) };
  }

  /** Copies the screen into the frame's buffer; false when Windows refuses. */
  grab(): boolean {
    const { x, y, width, height } = this.screen;
    const ok = this.win.gdi.BitBlt(
      this.#memDc,
      0,
      0,
      width,
      height,
      this.#screenDc,
      x,
      y,
      SRCCOPY | CAPTUREBLT,
    );
    this.win.gdi.GdiFlush(); // GDI may batch the copy: the bits are read right after
    return ok !== 0;
  }

  close(): void {
    const { user, gdi } = this.win;
    gdi.SelectObject(this.#memDc, this.#previous);
    gdi.DeleteObject(this.#bitmap);
    gdi.DeleteDC(this.#memDc);
    user.ReleaseDC(null, this.#screenDc);
  }
}

function virtualScreen(win: Win32): VirtualScreen {
  const m = win.user.GetSystemMetrics;
  return {
    x: m(SM.XVIRTUALSCREEN),
    y: m(SM.YVIRTUALSCREEN),
    width: m(SM.CXVIRTUALSCREEN),
    height: m(SM.CYVIRTUALSCREEN),
  };
}

function sameRect(a: VirtualScreen, b: VirtualScreen): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** A monitor's rectangle inside the virtual desktop; null for a sliver (under 16 pixels). */
function clip(r: VirtualScreen, size: { width: number; height: number }) {
  const x = Math.max(0, r.x), y = Math.max(0, r.y);
  const right = Math.min(size.width, r.x + r.width), bottom = Math.min(size.height, r.y + r.height);
  if (right - x < 16 || bottom - y < 16) return null;
  return { x, y, width: right - x, height: bottom - y };
}
