/**
 * The customer's desktop as the agent sees it: capture, cursor, input, clipboard and
 * keyboard layout behind one `Desktop` interface, plus changed-tile detection for the
 * encoder. X11 (Linux) and Windows (GDI + SendInput, windows.ts) are built; macOS
 * (CoreGraphics) will implement the same interface.
 */
import type { Desktop, OpenDesktopOptions } from "./types.ts";
import { X11Desktop } from "./x11.ts";
import { WindowsDesktop } from "./windows.ts";

export type {
  CursorImage,
  DamageWatcher,
  Desktop,
  Frame,
  MouseButton,
  OpenDesktopOptions,
  Overlay,
  Rect,
} from "./types.ts";
export { boundingBox, changedTiles, FrameDiffer, type TileRect } from "./tiles.ts";
export {
  describeDesktopProblem,
  type DesktopProblem,
  desktopProblem,
  explainDesktopError,
} from "./libraries.ts";

/**
 * A desktop that cannot be shared (no backend for this system, a missing library, no X
 * display): the agent still joins — for the chat, files and system information — and offers
 * neither view nor control, so nothing here is ever called.
 */
export class NoDesktop implements Desktop {
  readonly width = 1;
  readonly height = 1;
  grab(): never {
    throw new Error("this system's desktop cannot be shared");
  }
  cursor() {
    return null;
  }
  pointer() {}
  button() {}
  wheel() {}
  key() {}
  ctrlAltDel() {
    return "this system's desktop cannot be shared";
  }
  clipboardRead() {
    return Promise.resolve("");
  }
  clipboardWrite() {
    return Promise.resolve();
  }
  keyboardLayout() {
    return "unknown";
  }
  close() {}
}

/**
 * Opens the desktop of the system we run on. Linux needs an X display (`options.display`
 * or $DISPLAY) with MIT-SHM, XTEST and XFIXES, and `--allow-ffi` (plus `--allow-env` for
 * $DISPLAY, `--allow-run` to ask `setxkbmap` for the layout). Windows needs `--allow-ffi`
 * (user32, gdi32, kernel32). Throws on macOS, whose backend is not built yet.
 */
export function openDesktop(options: OpenDesktopOptions = {}): Desktop {
  switch (Deno.build.os) {
    case "linux":
      return new X11Desktop(options.display);
    case "windows":
      return new WindowsDesktop();
    case "darwin":
      throw new Error("The macOS desktop backend (CoreGraphics) is not built yet");
    default:
      throw new Error(`There is no desktop backend for ${Deno.build.os}`);
  }
}
