/**
 * Windows input by SendInput: the pointer in absolute coordinates over the whole virtual
 * desktop, buttons, the wheel, and keys by X11 keysym (windows_keys.ts). Every key and button
 * the technician holds is tracked, so releaseAll() can let go of them (control taken back,
 * the technician gone, the desktop closed).
 *
 * SendInput cannot reach the secure desktop (UAC prompts, the sign-in and lock screens) nor,
 * from a program that is not elevated, an elevated window (UIPI): Windows drops those events
 * without saying so (SendInput's count does not tell), so nothing here can report it either.
 */
import {
  INPUT_SIZE,
  KEYEVENTF,
  keyInput,
  MOUSEEVENTF,
  mouseInput,
  SM,
  WHEEL_DELTA,
  type Win32,
} from "./windows_ffi.ts";
import {
  keysymChar,
  SCAN_CODES,
  specialKey,
  VK_CAPITAL,
  VK_LCONTROL,
  VK_LMENU,
  VK_LSHIFT,
  VK_RMENU,
  VK_RSHIFT,
  VK_SHIFT,
} from "./windows_keys.ts";
import type { MouseButton } from "./types.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

const MAX_WHEEL_CLICKS = 100;
const MAPVK_VK_TO_VSC = 0;
const MAPVK_VSC_TO_VK_EX = 3;

/** One key event as SendInput takes it (KEYUP is added for the release). */
interface Stroke {
  vk: number;
  scan: number;
  flags: number;
}

/** The virtual desktop's rectangle in Windows' screen coordinates. */
export interface VirtualScreen {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The normalised absolute coordinate (0…65535) that Windows maps back onto `pixel` of a
 * `size`-pixel span: it computes `floor(n * size / 65536)`, so the middle of the pixel is aimed
 * at and any rounding lands on it.
 */
export function normalise(pixel: number, size: number): number {
  const p = Math.max(0, Math.min(size - 1, Math.round(pixel)));
  return Math.min(65535, Math.floor((p + 0.5) * 65536 / size));
}

const BUTTON_FLAGS: Record<MouseButton, [number, number]> = {
  left: [MOUSEEVENTF.LEFTDOWN, MOUSEEVENTF.LEFTUP],
  right: [MOUSEEVENTF.RIGHTDOWN, MOUSEEVENTF.RIGHTUP],
  middle: [MOUSEEVENTF.MIDDLEDOWN, MOUSEEVENTF.MIDDLEUP],
};

export class WindowsInput {
  /** keysym → the strokes pressed for it (one, or a character's UTF-16 units). */
  readonly #keys = new Map<number, Stroke[]>();
  /** Physical key → its scan-code stroke, held down. */
  readonly #codes = new Map<KeyCode, Stroke>();
  readonly #buttons = new Set<MouseButton>();

  constructor(private readonly win: Win32, private readonly screen: () => VirtualScreen) {}

  /** Moves the pointer to (x, y) of the virtual desktop (0, 0 = its top-left corner). */
  pointer(x: number, y: number): void {
    this.#send([this.#at(x, y)]);
  }

  /**
   * Presses or releases `button` at (x, y), the move and the click in one event. The
   * technician's left button is the customer's primary one: on a left-handed customer's
   * machine (buttons swapped) Windows turns LEFTDOWN into a right click, so it is swapped back.
   */
  button(button: MouseButton, down: boolean, x: number, y: number): void {
    const flags = BUTTON_FLAGS[button];
    if (!flags) throw new TypeError(`Unknown mouse button ${button}`);
    const swapped = button !== "middle" && this.win.user.GetSystemMetrics(SM.SWAPBUTTON) !== 0;
    const physical = swapped ? BUTTON_FLAGS[button === "left" ? "right" : "left"] : flags;
    const move = this.#at(x, y);
    this.#send([{ ...move, flags: move.flags | physical[down ? 0 : 1] }]);
    if (down) this.#buttons.add(button);
    else this.#buttons.delete(button);
  }

  /** Wheel clicks of WHEEL_DELTA; positive dy scrolls down (a negative wheel), dx right. */
  wheel(dx: number, dy: number): void {
    const events: { flags: number; data: number }[] = [];
    const clicks = (n: number) => Math.min(MAX_WHEEL_CLICKS, Math.round(Math.abs(n)));
    for (let i = 0; i < clicks(dy); i++) {
      events.push({ flags: MOUSEEVENTF.WHEEL, data: dy > 0 ? -WHEEL_DELTA : WHEEL_DELTA });
    }
    for (let i = 0; i < clicks(dx); i++) {
      events.push({ flags: MOUSEEVENTF.HWHEEL, data: dx > 0 ? WHEEL_DELTA : -WHEEL_DELTA });
    }
    if (events.length) this.#send(events);
  }

  /**
   * Presses or releases the key typing `keysym`, or with `code` the key at that position of the
   * customer's keyboard by its scan code (KEYEVENTF_SCANCODE): Windows reads it through the
   * foreground window's layout with the modifiers held as they are, so no Shift is added or
   * lifted.
   */
  key(keysym: number, down: boolean, code?: KeyCode): void {
    if (!Number.isInteger(keysym) || keysym <= 0) throw new TypeError(`Bad keysym ${keysym}`);
    if (code !== undefined && Object.hasOwn(SCAN_CODES, code)) return this.#keyAt(code, down);
    if (!down) return this.#release(keysym);
    const special = specialKey(keysym);
    if (special) {
      const stroke = this.#stroke(special.vk, special.extended);
      this.#keys.set(keysym, [stroke]);
      return this.#sendKeys([stroke], []);
    }
    const char = keysymChar(keysym);
    if (char === undefined) return; // a dead key or a function Windows has no key for
    this.#typeChar(keysym, char);
  }

  /**
   * Windows ignores `wVk` with KEYEVENTF_SCANCODE and reads the key from the scan code; Wine
   * (8.0) reads `wVk` instead and types nothing for 0, so the foreground layout's virtual key
   * for that scan code goes along (MAPVK_VSC_TO_VK_EX: the same key either way).
   */
  #keyAt(code: KeyCode, down: boolean): void {
    const held = this.#codes.get(code);
    const scan = SCAN_CODES[code];
    const vk = held?.vk ?? this.win.user.MapVirtualKeyExW(scan, MAPVK_VSC_TO_VK_EX, this.#layout());
    const stroke = { vk, scan, flags: KEYEVENTF.SCANCODE };
    if (down) this.#codes.set(code, stroke);
    else this.#codes.delete(code);
    this.#sendKeys(down ? [stroke] : [], down ? [] : [stroke]);
  }

  /** Lets go of every key and button the technician holds. */
  releaseAll(): void {
    const ups = [...this.#keys.values()].flat().reverse();
    ups.unshift(...[...this.#codes.values()].reverse());
    this.#keys.clear();
    this.#codes.clear();
    if (ups.length) this.#sendKeys([], ups);
    for (const button of [...this.#buttons]) {
      const { x, y } = this.#cursorPos();
      this.button(button, false, x, y);
    }
  }

  /**
   * A character by the key that types it on the foreground window's layout (VkKeyScanExW),
   * with Shift (and AltGr, which Windows reads as Ctrl+Alt) pressed or lifted around it as its
   * level needs — as the X11 backend does — so shortcuts (Ctrl+C) reach programs as keys. A
   * character the layout lacks goes as KEYEVENTF_UNICODE (a VK_PACKET programs read as text).
   */
  #typeChar(keysym: number, char: string): void {
    const { user } = this.win;
    const unit = char.length === 1 ? char.charCodeAt(0) : -1;
    const scan = unit >= 0 ? user.VkKeyScanExW(unit, this.#layout()) : -1;
    const vk = scan & 0xff, mods = (scan >> 8) & 0xff;
    // -1: not on this layout; Ctrl or Alt alone: a control character; 8+: Hankaku and such.
    if (scan === -1 || vk === 0xff || (mods & 6) === 2 || (mods & 6) === 4 || mods > 7) {
      // One event per UTF-16 unit: a character beyond the BMP is its two surrogates.
      const strokes = Array.from({ length: char.length }, (_, i) => ({
        vk: 0,
        scan: char.charCodeAt(i),
        flags: KEYEVENTF.UNICODE,
      }));
      this.#keys.set(keysym, strokes);
      return this.#sendKeys(strokes, []);
    }
    const stroke = this.#stroke(vk, false);
    const before: Stroke[] = [], after: Stroke[] = [];
    const altGrHeld = this.#down(VK_RMENU) || (this.#down(VK_LCONTROL) && this.#down(VK_LMENU));
    if ((mods & 6) === 6 && !altGrHeld) {
      const ctrl = this.#stroke(VK_LCONTROL, false), alt = this.#stroke(VK_LMENU, false);
      before.push(ctrl, alt);
      after.push(up(alt), up(ctrl));
    }
    const letter = char.toLowerCase() !== char.toUpperCase();
    const shiftDown = this.#down(VK_SHIFT);
    const capsLock = letter && this.#capsLock();
    if ((shiftDown !== capsLock) !== ((mods & 1) !== 0)) {
      if (!shiftDown) {
        const shift = this.#stroke(VK_LSHIFT, false);
        before.push(shift);
        after.unshift(up(shift));
      } else {
        for (const vkShift of [VK_LSHIFT, VK_RSHIFT]) {
          if (!this.#down(vkShift)) continue;
          const shift = this.#stroke(vkShift, false);
          before.push(up(shift));
          after.unshift(shift);
        }
      }
    }
    this.#keys.set(keysym, [stroke]);
    this.#sendKeys([...before, stroke, ...after], []);
  }

  #release(keysym: number): void {
    let strokes = this.#keys.get(keysym);
    this.#keys.delete(keysym);
    if (!strokes) {
      // A release for a key never pressed here (e.g. held before control was given): a
      // special key is let go anyway, so nothing stays stuck.
      const special = specialKey(keysym);
      if (!special) return;
      strokes = [this.#stroke(special.vk, special.extended)];
    }
    this.#sendKeys([], [...strokes].reverse());
  }

  #stroke(vk: number, extended: boolean): Stroke {
    const scan = this.win.user.MapVirtualKeyW(vk, MAPVK_VK_TO_VSC) & 0xff;
    return { vk, scan, flags: extended ? KEYEVENTF.EXTENDEDKEY : 0 };
  }

  /** Whether a key is down now, whoever pressed it. */
  #down(vk: number): boolean {
    return (this.win.user.GetAsyncKeyState(vk) & 0x8000) !== 0;
  }

  /**
   * Whether Caps Lock is on. GetKeyState is this thread's view of the keys; this thread reads
   * no keyboard input (its windows never take the focus), so Windows keeps the view in step
   * with the system's. Attaching to the foreground thread's input (AttachThreadInput), which
   * some programs do here, read Caps Lock as off every time under Wine and upset the Shift
   * that followed.
   */
  #capsLock(): boolean {
    return (this.win.user.GetKeyState(VK_CAPITAL) & 1) !== 0;
  }

  /** The layout of the window the keys go to (each thread has its own on Windows). */
  #layout(): Deno.PointerValue {
    const { user } = this.win;
    const thread = user.GetWindowThreadProcessId(user.GetForegroundWindow(), null);
    return user.GetKeyboardLayout(thread);
  }

  #sendKeys(downs: Stroke[], ups: Stroke[]): void {
    const all = [...downs, ...ups.map((s) => (s.flags & KEYEVENTF.KEYUP ? s : up(s)))];
    const buf = new Uint8Array(all.length * INPUT_SIZE);
    all.forEach((s, i) => keyInput(buf, i, s));
    this.win.user.SendInput(all.length, buf, INPUT_SIZE);
  }

  #send(events: { dx?: number; dy?: number; data?: number; flags: number }[]): void {
    const buf = new Uint8Array(events.length * INPUT_SIZE);
    events.forEach((e, i) => mouseInput(buf, i, e));
    this.win.user.SendInput(events.length, buf, INPUT_SIZE);
  }

  /** The absolute move to (x, y) of the virtual desktop, as MOUSEINPUT fields. */
  #at(x: number, y: number): { dx: number; dy: number; flags: number } {
    const s = this.screen();
    return {
      dx: normalise(x, s.width),
      dy: normalise(y, s.height),
      flags: MOUSEEVENTF.MOVE | MOUSEEVENTF.ABSOLUTE | MOUSEEVENTF.VIRTUALDESK,
    };
  }

  #cursorPos(): { x: number; y: number } {
    const info = new Uint8Array(24);
    const v = new DataView(info.buffer);
    v.setUint32(0, 24, true);
    this.win.user.GetCursorInfo(info);
    const s = this.screen();
    return { x: v.getInt32(16, true) - s.x, y: v.getInt32(20, true) - s.y };
  }
}

function up(s: Stroke): Stroke {
  return { ...s, flags: s.flags | KEYEVENTF.KEYUP };
}
