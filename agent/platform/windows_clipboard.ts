/**
 * The Windows clipboard as text (CF_UNICODETEXT). Only one program can have it open at a time,
 * and clipboard viewers and managers open it right after every change, so opening is retried
 * for a while. Line ends are Windows' CRLF on the clipboard and "\n" to the technician.
 */
import { fromWide, wide, type Win32 } from "./windows_ffi.ts";

const CF_UNICODETEXT = 13;
const GMEM_MOVEABLE = 0x0002;
/**
 * HWND_MESSAGE: a window that is never shown and gets no broadcasts (made when used: making a
 * pointer needs --allow-ffi, which a program that only imports this module may not have).
 */
const HWND_MESSAGE = -3n;
const OPEN_TRIES = 40;
const OPEN_PAUSE_MS = 25;
/** More than the protocol carries; a larger clipboard is cut here rather than read whole. */
const READ_MAX_BYTES = 8 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WindowsClipboard {
  constructor(private readonly win: Win32) {}

  async read(): Promise<string> {
    const { user, kernel } = this.win;
    await this.#open(null);
    try {
      const handle = user.GetClipboardData(CF_UNICODETEXT);
      if (!handle) return "";
      const data = kernel.GlobalLock(handle);
      if (!data) return "";
      try {
        const size = Math.min(Number(kernel.GlobalSize(handle)), READ_MAX_BYTES) & ~1;
        const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, size)).slice();
        return fromWide(bytes).replaceAll("\r\n", "\n");
      } finally {
        kernel.GlobalUnlock(handle);
      }
    } finally {
      user.CloseClipboard();
    }
  }

  /**
   * Puts `text` on the clipboard. The clipboard needs an owner window for SetClipboardData
   * (with none, EmptyClipboard leaves it ownerless and Windows may refuse the data): a hidden
   * message-only window owns it during the call and is destroyed after; the text stays.
   */
  async write(text: string): Promise<void> {
    const { user, kernel } = this.win;
    const bytes = wide(text.replace(/\r?\n/g, "\r\n"));
    const owner = user.CreateWindowExW(
      0,
      wide("STATIC"),
      wide(""),
      0,
      0,
      0,
      0,
      0,
      Deno.UnsafePointer.create(HWND_MESSAGE),
      null,
      null,
      null,
    );
    try {
      await this.#open(owner);
      try {
        if (!user.EmptyClipboard()) throw new Error("Windows would not empty the clipboard");
        const handle = kernel.GlobalAlloc(GMEM_MOVEABLE, BigInt(bytes.length));
        if (!handle) throw new Error("No memory for the clipboard's text");
        const data = kernel.GlobalLock(handle);
        if (!data) {
          kernel.GlobalFree(handle);
          throw new Error("No memory for the clipboard's text");
        }
        new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, bytes.length)).set(bytes);
        kernel.GlobalUnlock(handle);
        // Once set, the memory is the system's; only a refusal leaves it ours to free.
        if (!user.SetClipboardData(CF_UNICODETEXT, handle)) {
          kernel.GlobalFree(handle);
          throw new Error("Windows refused the text for the clipboard");
        }
      } finally {
        user.CloseClipboard();
      }
    } finally {
      if (owner) user.DestroyWindow(owner);
    }
  }

  async #open(owner: Deno.PointerValue): Promise<void> {
    for (let i = 0; i < OPEN_TRIES; i++) {
      if (this.win.user.OpenClipboard(owner)) return;
      await sleep(OPEN_PAUSE_MS);
    }
    throw new Error(
      `Another program keeps the clipboard open (tried for ${OPEN_TRIES * OPEN_PAUSE_MS} ms)`,
    );
  }
}
