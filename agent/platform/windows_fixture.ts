// Test fixture for windows_test.ts, run by the Windows Deno under Wine: opens the desktop
// (WindowsDesktop itself: mod.ts would pull in the agent's strings and their npm packages,
// which this Deno, with no network, has not got) and obeys one command a line on stdin,
// answering each with one JSON line on stdout.
//   grab                      → { width, height, stride, length, pixels: [[x, y, 0xRRGGBB]…] }
//   cursor                    → the CursorImage without pixels, plus `opaque` (pixel count)
//   pointer x y | click x y   → { ok }
//   key sym down(0|1)         → { ok }      type text           → { ok } (keysyms of the text)
//   clipread | clipwrite text → { text } | { ok }
//   screens | layout | cad    → the call's answer
//   window x y w h            → { ok } (a window of this process, made the foreground one)
//   setcursor arrow|ibeam|mono → { ok } (this thread's cursor; mono: a CreateCursor pattern)
//   edit x y w h              → { ok } (a 200-line multi-line EDIT window of our own, focused)
//   wheel dx dy               → { line } (the EDIT's first visible line once the wheel is read)
//   overlay stroke rgb width x y … | overlay redraw rgb width x y … | overlay clear
//   overlay laser x y | overlay nolaser | overlay close → { ok, laserAffinity } (one overlay,
//   opened at first; laserAffinity: the laser window's display affinity, null before it is made)
//   front                     → { ok } (the EDIT window made the foreground one again)
//   foreground                → { ours } (whether the foreground window is this process's)
// Wine keeps a cursor's pictures in the process that made it, so GetIconInfo reads only this
// process's cursors there (Windows shares them): the cursor tests use a window of our own.
import { WindowsDesktop } from "./windows.ts";
import { acquireWin32 } from "./windows_ffi.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

const desktop = new WindowsDesktop();
/**
 * The backend's own user32 table (windows_ffi.ts: CreateWindowExW, LoadCursorW, the foreground
 * window and its thread) plus the window, focus, message-loop and cursor calls only this
 * fixture makes.
 */
const user32 = {
  ...acquireWin32().user,
  ...Deno.dlopen("user32.dll", {
    SetForegroundWindow: { parameters: ["pointer"], result: "i32" },
    SetCursor: { parameters: ["pointer"], result: "pointer" },
    SetFocus: { parameters: ["pointer"], result: "pointer" },
    SendMessageW: { parameters: ["pointer", "u32", "usize", "isize"], result: "isize" },
    PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
    TranslateMessage: { parameters: ["buffer"], result: "i32" },
    DispatchMessageW: { parameters: ["buffer"], result: "isize" },
    CreateCursor: {
      parameters: ["pointer", "i32", "i32", "i32", "i32", "buffer", "buffer"],
      result: "pointer",
    },
  }).symbols,
};
const wide = (text: string) =>
  new Uint8Array(new Uint16Array([...text].map((c) => c.charCodeAt(0)).concat(0)).buffer);
/** A 32×32 monochrome cursor, 8 rows each: black, white, transparent, inverted (AND/XOR 00, 01, 10, 11). */
function monoCursor(): Deno.PointerValue {
  const and = new Uint8Array(128), xor = new Uint8Array(128);
  for (let row = 0; row < 32; row++) {
    const band = row >> 3;
    and.fill(band >= 2 ? 0xff : 0, row * 4, row * 4 + 4);
    xor.fill(band % 2 ? 0xff : 0, row * 4, row * 4 + 4);
  }
  return user32.CreateCursor(null, 3, 4, 32, 32, and, xor);
}
const cursors: Record<string, () => Deno.PointerValue> = {
  arrow: () => user32.LoadCursorW(null, Deno.UnsafePointer.create(32512n)),
  ibeam: () => user32.LoadCursorW(null, Deno.UnsafePointer.create(32513n)),
  mono: monoCursor,
};
const made = new Map<string, Deno.PointerValue>();
let overlay: ReturnType<typeof desktop.overlay> | null = null;
let edit: Deno.PointerValue = null;
/** Hands this thread's queued messages (the wheel's) to our windows. */
function pump(): void {
  const msg = new Uint8Array(48);
  while (user32.PeekMessageW(msg, null, 0, 0, 1)) {
    user32.TranslateMessage(msg);
    user32.DispatchMessageW(msg);
  }
}
const EM_GETFIRSTVISIBLELINE = 0xce;
const out = (value: unknown) => console.log(JSON.stringify(value));
const keysym = (c: string) => {
  const cp = c.codePointAt(0)!;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) ? cp : 0x1000000 + cp;
};

async function* readLines(): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, end).replace(/\r$/, "");
      buffered = buffered.slice(end + 1);
    }
  }
}

const lines = readLines();
out({ ready: true, width: desktop.width, height: desktop.height });
for await (const line of lines) {
  const [command, ...args] = line.trim().split(" ");
  const n = args.map(Number);
  try {
    switch (command) {
      case "grab": {
        const frame = desktop.grab();
        const pixels = [];
        for (let i = 0; i + 1 < n.length; i += 2) {
          const at = n[i + 1] * frame.stride + n[i] * 4;
          const d = frame.data;
          pixels.push([n[i], n[i + 1], (d[at + 2] << 16) | (d[at + 1] << 8) | d[at]]);
        }
        const { width, height, stride } = frame;
        out({ width, height, stride, length: frame.data.length, pixels });
        break;
      }
      case "cursor": {
        const c = desktop.cursor();
        if (!c) out(null);
        else {
          const { pixels, ...rest } = c;
          const count = (f: (p: number) => boolean) => pixels.filter(f).length;
          out({
            ...rest,
            opaque: count((p) => p >>> 24 === 0xff),
            black: count((p) => p === 0xff000000),
            white: count((p) => p === 0xffffffff),
            clear: count((p) => p === 0),
          });
        }
        break;
      }
      case "pointer":
        desktop.pointer(n[0], n[1]);
        out({ ok: true });
        break;
      case "click":
        desktop.button("left", true, n[0], n[1]);
        desktop.button("left", false, n[0], n[1]);
        out({ ok: true });
        break;
      case "key": // keysym, 1/0, and a physical key's code (KeyA) or none
        desktop.key(n[0], n[1] === 1, args[2] as KeyCode | undefined);
        out({ ok: true });
        break;
      case "type": {
        for (const c of line.slice(5)) {
          desktop.key(keysym(c), true);
          desktop.key(keysym(c), false);
        }
        out({ ok: true });
        break;
      }
      case "clipread":
        out({ text: await desktop.clipboardRead() });
        break;
      case "clipwrite":
        await desktop.clipboardWrite(line.slice(10).replaceAll("\\n", "\n"));
        out({ ok: true });
        break;
      case "window": {
        const style = 0x90000000; // WS_POPUP | WS_VISIBLE
        const hwnd = user32.CreateWindowExW(
          8,
          wide("STATIC"),
          wide(""),
          style,
          n[0],
          n[1],
          n[2],
          n[3],
          null,
          null,
          null,
          null,
        );
        out({ ok: hwnd !== null && user32.SetForegroundWindow(hwnd) !== 0 });
        break;
      }
      case "edit": {
        const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\r\n");
        // WS_POPUP | WS_VISIBLE | WS_BORDER | WS_VSCROLL | ES_MULTILINE
        const style = 0x90a00004;
        edit = user32.CreateWindowExW(
          8,
          wide("EDIT"),
          wide(text),
          style,
          n[0],
          n[1],
          n[2],
          n[3],
          null,
          null,
          null,
          null,
        );
        user32.SetForegroundWindow(edit);
        user32.SetFocus(edit);
        pump();
        out({ ok: edit !== null });
        break;
      }
      case "wheel": {
        desktop.wheel(n[0], n[1]);
        for (let i = 0; i < 10; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          pump();
        }
        out({ line: Number(user32.SendMessageW(edit, EM_GETFIRSTVISIBLELINE, 0n, 0n)) });
        break;
      }
      case "overlay": {
        overlay ??= desktop.overlay();
        const [rgb, width, ...points] = n.slice(1);
        if (args[0] === "stroke") overlay.stroke(points, rgb, width);
        else if (args[0] === "redraw") overlay.redraw([{ points, rgb, width }]);
        else if (args[0] === "clear") overlay.clear();
        else if (args[0] === "laser") overlay.laser({ x: n[1], y: n[2] });
        else if (args[0] === "nolaser") overlay.laser(null);
        else if (args[0] === "close") {
          overlay.close();
          overlay = null;
        }
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        const affinity = (overlay as { laserAffinity?: number | null } | null)?.laserAffinity;
        out({ ok: true, laserAffinity: affinity ?? null });
        break;
      }
      case "foreground": {
        const pid = new Uint32Array(1);
        user32.GetWindowThreadProcessId(user32.GetForegroundWindow(), Deno.UnsafePointer.of(pid));
        out({ ours: pid[0] === Deno.pid });
        break;
      }
      case "front":
        user32.SetForegroundWindow(edit);
        user32.SetFocus(edit);
        out({ ok: true });
        break;
      case "setcursor": {
        if (!made.has(args[0])) made.set(args[0], cursors[args[0]]());
        user32.SetCursor(made.get(args[0])!);
        out({ ok: made.get(args[0]) !== null });
        break;
      }
      case "screens":
        out(desktop.screens?.() ?? null);
        break;
      case "layout":
        out({ layout: desktop.keyboardLayout() });
        break;
      case "cad":
        out({ reason: desktop.ctrlAltDel() });
        break;
      case "quit":
        desktop.close();
        out({ ok: true });
        Deno.exit(0);
        break;
      default:
        out({ error: `unknown command ${command}` });
    }
  } catch (error) {
    out({ error: String(error) });
  }
}
desktop.close();
