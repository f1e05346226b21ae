/**
 * Which desktop Windows shows now (the *input* desktop), so a grab can tell the secure desktop
 * from a failure: a UAC prompt, the lock and the sign-in screen are the "Winlogon" desktop (the
 * screen saver "Screen-saver"), which a program of the customer's own may not open — there
 * `OpenInputDesktop` fails (access denied) — nor copy (BitBlt fails, or on some versions gives a
 * black picture that would pass for a live one). Checked before each grab: three calls of
 * microseconds. Wine 8 answers with the thread's own desktop ("Default": its OpenInputDesktop is
 * a semi-stub, SwitchDesktop a stub), so there the check never finds a secure desktop.
 */
import { fromWide, type Win32 } from "./windows_ffi.ts";

/** Desktops that are not the customer's work and that this program cannot see. */
const SECURE_DESKTOPS = ["winlogon", "screen-saver"];
const DESKTOP_READOBJECTS = 0x0001;
const UOI_NAME = 2;

/**
 * Whether the input desktop `shown` is one this program cannot show (null: it could not even be
 * opened, which for a program of the customer's own means the secure desktop) — unless this
 * program's thread is on that very desktop (a system service that followed it there).
 */
export function isSecureDesktop(shown: string | null, own: string): boolean {
  if (shown === null) return true;
  const name = shown.toLowerCase();
  return SECURE_DESKTOPS.includes(name) && name !== own.toLowerCase();
}

/**
 * The input desktop's name (null when Windows does not let this program open it) and the name
 * of the desktop this thread captures.
 */
export function desktopNames(win: Win32): { shown: string | null; own: string } {
  const own = nameOf(win, win.user.GetThreadDesktop(win.kernel.GetCurrentThreadId()));
  const desktop = win.user.OpenInputDesktop(0, 0, DESKTOP_READOBJECTS);
  if (!desktop) return { shown: null, own };
  try {
    return { shown: nameOf(win, desktop), own };
  } finally {
    win.user.CloseDesktop(desktop);
  }
}

/** A desktop's name ("" when Windows would not give it: then the grab decides). */
function nameOf(win: Win32, desktop: Deno.PointerValue): string {
  if (!desktop) return "";
  const buffer = new Uint8Array(2 * 128);
  const needed = new Uint32Array(1);
  const ok = win.user.GetUserObjectInformationW(
    desktop,
    UOI_NAME,
    buffer,
    buffer.byteLength,
    new Uint8Array(needed.buffer),
  );
  return ok ? fromWide(buffer) : "";
}
