/**
 * The customer's screens (monitors) on X11: RandR 1.5's monitor list (`XRRGetMonitors`), the
 * same list `xrandr --listmonitors` prints — outputs of the graphics card and monitors an admin
 * defined with `xrandr --setmonitor`. libXrandr is opened on first use and kept for the life
 * of the process; without it (or without RandR 1.5 on the server) the desktop is one screen.
 *
 * `XRRMonitorInfo` on x86_64 LP64 (Xrandr.h): Atom name @0 (8), Bool primary @8, Bool
 * automatic @12, int noutput @16, int x @20, y @24, width @28, height @32, mwidth @36,
 * mheight @40, RROutput *outputs @48; 56 bytes.
 */
import { SCREEN_ID_PATTERN, SCREENS_MAX } from "../../protocol/limits.ts";
import { cell32, type X11Libs } from "./x11_ffi.ts";
import type { ScreenInfo } from "./types.ts";

const XRANDR_SYMBOLS = {
  XRRGetMonitors: { parameters: ["pointer", "u64", "i32", "buffer"], result: "pointer" },
  XRRFreeMonitors: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

const MONITOR = { name: 0, primary: 8, x: 20, y: 24, width: 28, height: 32, size: 56 };

let xrandr: Deno.DynamicLibrary<typeof XRANDR_SYMBOLS>["symbols"] | null | undefined;

function library(): typeof xrandr {
  if (xrandr !== undefined) return xrandr;
  try {
    xrandr = Deno.dlopen("libXrandr.so.2", XRANDR_SYMBOLS).symbols;
  } catch {
    xrandr = null;
  }
  return xrandr;
}

/**
 * The active monitors inside a `width`×`height` root window, primary first, then left to
 * right and top to bottom; [] when RandR cannot tell. Monitors are clipped to the root window;
 * names that are not valid screen ids become `screen-N`.
 */
export function listX11Screens(
  x: X11Libs,
  dpy: Deno.PointerObject,
  root: bigint,
  size: { width: number; height: number },
): ScreenInfo[] {
  const lib = library();
  if (!lib) return [];
  const count = cell32();
  const list = lib.XRRGetMonitors(dpy, root, 1, count);
  if (!list) return [];
  const screens: ScreenInfo[] = [];
  try {
    const view = new Deno.UnsafePointerView(list);
    for (let i = 0; i < Math.min(count[0], SCREENS_MAX); i++) {
      const at = i * MONITOR.size;
      const rect = clip({
        x: view.getInt32(at + MONITOR.x),
        y: view.getInt32(at + MONITOR.y),
        width: view.getInt32(at + MONITOR.width),
        height: view.getInt32(at + MONITOR.height),
      }, size);
      if (!rect) continue;
      const atom = view.getBigUint64(at + MONITOR.name);
      const id = uniqueId(atomName(x, dpy, atom), screens.length + 1, screens);
      screens.push({ id, ...rect, primary: view.getInt32(at + MONITOR.primary) !== 0 });
    }
  } finally {
    lib.XRRFreeMonitors(list);
  }
  return screens.sort((a, b) => Number(b.primary) - Number(a.primary) || a.x - b.x || a.y - b.y);
}

function atomName(x: X11Libs, dpy: Deno.PointerObject, atom: bigint): string {
  if (atom === 0n) return "";
  const p = x.x.XGetAtomName(dpy, atom);
  if (!p) return "";
  try {
    return new Deno.UnsafePointerView(p).getCString();
  } finally {
    x.x.XFree(p);
  }
}

function uniqueId(name: string, n: number, taken: ScreenInfo[]): string {
  const id = SCREEN_ID_PATTERN.test(name) ? name : `screen-${n}`;
  return taken.some((s) => s.id === id) ? `${id.slice(0, 28)}~${n}` : id;
}

function clip(
  r: { x: number; y: number; width: number; height: number },
  size: { width: number; height: number },
): Omit<ScreenInfo, "id" | "primary"> | null {
  const x = Math.max(0, r.x), y = Math.max(0, r.y);
  const right = Math.min(size.width, r.x + r.width), bottom = Math.min(size.height, r.y + r.height);
  if (right - x < 16 || bottom - y < 16) return null;
  return { x, y, width: right - x, height: bottom - y };
}

/** For tests: whether libXrandr could be opened. */
export function hasXrandr(): boolean {
  return library() !== null;
}
