/**
 * What the agent needs from the customer's desktop, independent of the operating system:
 * capture, cursor, input injection, clipboard and the keyboard layout. The X11 backend
 * (x11.ts) and the Windows one (windows.ts: GDI + SendInput) implement it; CoreGraphics
 * (macOS) can implement the same interface later.
 */
import type { KeyCode } from "../../protocol/key_codes.ts";

export type MouseButton = "left" | "middle" | "right";

/** One captured screen image. */
export interface Frame {
  width: number;
  height: number;
  /** Bytes per row (at least `width * 4`). */
  stride: number;
  /** B,G,R,X bytes (the X byte is junk, never alpha); valid until the next grab() or close() */
  data: Uint8Array;
}

/** The pointer's position and the cursor's shape. */
export interface CursorImage {
  /** Pointer position on the screen; the image's top-left corner is `x - hotX, y - hotY`. */
  x: number;
  y: number;
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  /**
   * Row-major `width * height` pixels, ARGB as 0xAARRGGBB per pixel, with the colour
   * **premultiplied** by alpha (as XFixes and the Render extension deliver them).
   */
  pixels: Uint32Array;
  /** Changes when the cursor's shape changes (not when it moves). */
  serial: number;
}

/** A rectangle of the screen, in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One of the desktop's screens (monitors): where it sits on the whole desktop. */
export interface ScreenInfo extends Rect {
  /** A stable name (X11: the RandR monitor's, e.g. "DP-1"). */
  id: string;
  primary: boolean;
}

/** Tells when and where the screen changed (X11: the DAMAGE extension). */
export interface DamageWatcher {
  /**
   * True when wait() also wakes for the pointer: it moved (whatever moved it, injected input
   * too) or the cursor's shape changed since the last take() — so the caller need not look at
   * the pointer between wake-ups. Then a true from wait() alone does not say the screen
   * changed: take() does. Absent or false: only the screen wakes it (X11: no XInput 2).
   */
  readonly pointer?: boolean;
  /**
   * With `pointer`: wait() has seen the pointer move or change shape since the last take() —
   * what a wrapper that calls take() inside its own wait() must carry over.
   */
  readonly moved?: boolean;
  /**
   * Resolves true as soon as part of the screen changed since the last take() (at once if
   * that already happened) — or, with `pointer`, the pointer did (unless `options.pointer`
   * is false: then only the screen ends this wait) — or false once timeoutMs passed without
   * that, or `options.signal` was aborted. Never blocks the event loop. At most one wait() at
   * a time.
   */
  wait(timeoutMs: number, options?: { signal?: AbortSignal; pointer?: boolean }): Promise<boolean>;
  /**
   * The rectangles that changed since the previous take(), clipped to the screen, and re-arms
   * the notification. Empty when nothing changed. At most 64 rectangles: more collapse into
   * their bounding box.
   */
  take(): Rect[];
  /** Releases the watcher; a pending wait() resolves false. */
  close(): void;
}

/**
 * The technician's drawings and laser pointer on the customer's screen (SPEC R4): shown over
 * every window, taking no input (clicks and keys reach the windows below), and part of what
 * the screen shows, so the picture sent to the technician carries them. Desktop pixels.
 */
/** One piece of a line on the overlay: x, y pairs (desktop pixels), its colour and width. */
export interface OverlayPiece {
  points: readonly number[];
  rgb: number;
  width: number;
}

export interface Overlay {
  /** Draws one piece of a line through `points` (x, y pairs; one pair: a dot) in 0xRRGGBB. */
  stroke(points: readonly number[], rgb: number, width: number): void;
  /** Erases every drawing. */
  clear(): void;
  /**
   * Replaces every drawing with these pieces, at once: no moment shows the screen without the
   * pieces that stay (Undo; a capture between a clear and the strokes drawn again showed none).
   */
  redraw(pieces: readonly OverlayPiece[]): void;
  /** The laser's dot centred on a point, or hidden (null). */
  laser(at: { x: number; y: number } | null): void;
  /**
   * Whether this desktop's grabs show the laser's dot (true: while the picture is recorded, so
   * the recording shows where the technician pointed) or leave it out (false, the start: the
   * technician's window paints its own dot at once).
   */
  laserInPicture(on: boolean): void;
  /** Removes everything it shows. */
  close(): void;
}

/**
 * A screen of the customer's desktop (X11 or Windows; see `openDesktop`). On Windows it is
 * the whole virtual desktop, its top-left corner (0, 0) whatever Windows' own coordinates are.
 */
/**
 * Thrown by `Desktop.grab()` when the system shows a screen this program may not read: Windows'
 * secure desktop (a UAC prompt, the lock or the sign-in screen). The picture is paused with
 * reason `secure_desktop` (capture_notice.ts) until a grab works again.
 */
export class SecureDesktopError extends Error {
  override name = "SecureDesktopError";
}

export interface Desktop {
  readonly width: number;
  readonly height: number;
  /** Captures the whole screen into a reused buffer. */
  grab(): Frame;
  /** Pointer position and cursor shape, or null when the system cannot tell. */
  cursor(): CursorImage | null;
  /** Moves the pointer to an absolute screen position. */
  pointer(x: number, y: number): void;
  /** Moves to (x, y) then presses or releases; down, pointer moves, up is a drag. */
  button(button: MouseButton, down: boolean, x: number, y: number): void;
  /** One wheel click per unit; positive dy scrolls down, positive dx scrolls right. */
  wheel(dx: number, dy: number): void;
  /**
   * Presses or releases the key that produces `keysym` (X11 keysyms are the portable key
   * identity). Modifiers are plain keysyms (Shift_L 0xffe1, Control_L 0xffe3, Alt_L 0xffe9,
   * Super_L 0xffeb). A keysym on a key's shifted level gets Shift pressed for it (and a held
   * Shift released for an unshifted one); a keysym the layout lacks is still typed.
   * With `code` (a physical key, the technician typing in the customer's layout) the key at
   * that position of the customer's keyboard is pressed as it is — no Shift added or lifted: the
   * modifiers held decide what it types — and `keysym` is used only where the keyboard has no
   * such key. A release with `code` lets go of what its press pressed.
   */
  key(keysym: number, down: boolean, code?: KeyCode): void;
  /**
   * Presses and releases Control+Alt+Delete where something on the desktop answers it;
   * returns null when pressed, else why not (nothing was typed).
   */
  ctrlAltDel(): string | null;
  /** The clipboard as text ("" when it is empty or holds no text). */
  clipboardRead(): Promise<string>;
  /** Puts text on the clipboard; it stays there until something else takes it or close(). */
  clipboardWrite(text: string): Promise<void>;
  /** The keyboard layout's name, e.g. "us", "de(nodeadkeys)" or "us,ru"; "unknown" if unsure. */
  keyboardLayout(): string;
  /**
   * The screens (monitors) the desktop spans, primary first; [] or absent when the system
   * cannot tell (then the desktop is shown whole). Cheap enough to call every few seconds.
   */
  screens?(): ScreenInfo[];
  /**
   * A new overlay for the whiteboard and laser (throws when this desktop cannot show one);
   * absent: this system cannot draw on the customer's screen.
   */
  overlay?(): Overlay;
  /** A change watcher, or null when this system cannot tell (the caller then polls). */
  damage?(): DamageWatcher | null;
  /**
   * Releases every key and button the technician holds and gives the keyboard back its own
   * auto-repeat (control taken back, the technician's connection gone); absent: nothing held.
   */
  releaseInput?(): void;
  /** Releases everything; the Desktop must not be used afterwards. */
  close(): void;
}

/** Options for `openDesktop`. */
export interface OpenDesktopOptions {
  /** X11: the display to open (default: the DISPLAY environment variable). */
  display?: string;
}
