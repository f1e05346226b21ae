/**
 * Typing the customer's credentials into a greeter through the desktop's own key path — the
 * XTest injection remote control uses (`Desktop.key`, x11_keyboard.ts), so layouts, Shift
 * levels and characters the keymap lacks behave as they do for a technician's keys.
 *
 * The password is copied once into a typed array of code points and typed from there; that
 * array (and the user name's) is zeroed when typing ends, however it ends. The JavaScript
 * strings the credentials arrived in cannot be wiped — the caller drops them — and the
 * keysyms pass through Xlib's own request buffer, which XFlush sends and reuses.
 */
import type { Desktop } from "../platform/mod.ts";
import type { GreeterStep } from "./greeter.ts";

const SHIFT_L = 0xffe1;

/** Credentials as code points, zeroed by `wipe()`. */
export class SecretText {
  #points: Uint32Array;

  private constructor(points: Uint32Array) {
    this.#points = points;
  }

  static from(text: string): SecretText {
    const points = new Uint32Array(text.length);
    let n = 0;
    for (const char of text) points[n++] = char.codePointAt(0)!;
    return new SecretText(points.subarray(0, n));
  }

  get length(): number {
    return this.#points.length;
  }

  /** The keysym of each character, or null when one cannot be typed (a control character). */
  keysyms(): Uint32Array | null {
    const syms = new Uint32Array(this.#points.length);
    for (let i = 0; i < this.#points.length; i++) {
      const sym = keysymOf(this.#points[i]);
      if (sym === null) {
        syms.fill(0);
        return null;
      }
      syms[i] = sym;
    }
    return syms;
  }

  wipe(): void {
    this.#points.fill(0);
  }
}

/** The X keysym of one character: Latin-1 as it is, the rest at 0x1000000 + code point. */
export function keysymOf(codePoint: number): number | null {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return null;
  if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return null;
  return codePoint <= 0xff ? codePoint : 0x1000000 + codePoint;
}

export type TypeResult = { ok: true } | { ok: false; code: "untypeable" | "failed"; why: string };

/**
 * Types the greeter's steps: the user name, the password, the keys and pauses between.
 * Checks every character can be typed before the first key (nothing half-typed for that);
 * zeroes its copies at the end. `sleep` is injected for tests.
 */
export async function typeIntoGreeter(
  desktop: Pick<Desktop, "key">,
  steps: readonly GreeterStep[],
  credentials: { user: SecretText; password: SecretText },
  options: {
    sleep?: (ms: number) => Promise<void>;
    keyGapMs?: number;
    /** Resolves once the greeter asks its next question (a `forPrompt` pause waits for it). */
    prompted?: () => Promise<void>;
  } = {},
): Promise<TypeResult> {
  const sleep = options.sleep ??
    ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const gap = options.keyGapMs ?? 8;
  const user = credentials.user.keysyms();
  const password = credentials.password.keysyms();
  try {
    if (!user || !password) {
      return {
        ok: false,
        code: "untypeable",
        why: `the ${!user ? "user name" : "password"} holds a character no key types`,
      };
    }
    for (const step of steps) {
      if (step.type === "pause") {
        await (step.forPrompt && options.prompted ? options.prompted() : sleep(step.ms));
      } else if (step.type === "key") {
        // Shift held by its own key: the keysym ISO_Left_Tab alone reaches GTK as a plain Tab.
        if (step.shift) desktop.key(SHIFT_L, true);
        await _press(desktop, [step.keysym], gap, sleep);
        if (step.shift) desktop.key(SHIFT_L, false);
      } else await _press(desktop, step.type === "user" ? user : password, gap, sleep);
    }
    return { ok: true };
  } catch (error) {
    // Only the error's kind: the key path's messages may name a keysym, i.e. a character.
    return {
      ok: false,
      code: "failed",
      why: `the key injection failed (${error instanceof Error ? error.name : "error"})`,
    };
  } finally {
    user?.fill(0);
    password?.fill(0);
    credentials.user.wipe();
    credentials.password.wipe();
  }
}

async function _press(
  desktop: Pick<Desktop, "key">,
  keysyms: ArrayLike<number>,
  gapMs: number,
  sleep: (ms: number) => Promise<void>,
) {
  for (let i = 0; i < keysyms.length; i++) {
    desktop.key(keysyms[i], true);
    desktop.key(keysyms[i], false);
    // A greeter reads its keys as they come; a short gap keeps a busy one from dropping any.
    if (gapMs > 0) await sleep(gapMs);
  }
}
