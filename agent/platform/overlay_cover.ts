/**
 * When the whiteboard's drawings step back (SPEC R4): the overlay keeps itself on top of every
 * window (x11_overlay.ts), which would also put the technician's drawings over a lock screen.
 * X11 screen lockers (xscreensaver, i3lock, xsecurelock, slock) and other full-screen takeovers
 * map an override-redirect window over the whole screen — one no window manager placed, so the
 * overlay cannot tell it from ordinary windows otherwise. While such a window is mapped the
 * drawings and the laser are hidden (kept, not erased) and shown again once it goes. A
 * full-screen *managed* window (a video, a presentation) does not count: the drawings stay over
 * it, as the technician means them to. Lockers that switch to another virtual terminal
 * (light-locker, GDM's) take the whole X screen away from the capture and the overlay alike.
 */

export interface MappedWindow {
  overrideRedirect: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether a window just mapped takes the whole screen the way a lock screen does. */
export function coversScreen(w: MappedWindow, screen: { width: number; height: number }): boolean {
  return w.overrideRedirect && w.x <= 0 && w.y <= 0 && w.x + w.width >= screen.width &&
    w.y + w.height >= screen.height;
}

/** The covering windows mapped now; the drawings hide while there is one. */
export class CoverWatch {
  readonly #covers = new Set<bigint>();

  get covered(): boolean {
    return this.#covers.size > 0;
  }

  /** A window was mapped; returns whether the drawings must now hide (they showed). */
  mapped(id: bigint, covering: boolean): boolean {
    if (!covering || this.#covers.has(id)) return false;
    this.#covers.add(id);
    return this.#covers.size === 1;
  }

  /** A window was unmapped or destroyed; returns whether the drawings may show again. */
  gone(id: bigint): boolean {
    return this.#covers.delete(id) && this.#covers.size === 0;
  }
}
