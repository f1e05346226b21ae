/**
 * The agent's behaviour, independent of sockets and of the OS: what it does with each
 * server message, what it refuses, and when it captures and encodes the screen.
 *
 * - Every input message passes `capabilityNeeded` and the customer's consent first; without
 *   it the agent answers `refused` and touches nothing, whatever the server says.
 * - The screen is captured only while the customer allows view. Where the desktop can tell
 *   when the screen changed (X11 DAMAGE), the agent sleeps until it does and captures at
 *   once, at most 60 times a second; between changes it only looks at the pointer (30 Hz),
 *   which the screen's damage does not cover. Elsewhere it polls at 60 Hz while things
 *   change (30 Hz after a second of stillness) and compares frames. Either way it sends a
 *   frame only when something changed (an idle screen costs no bytes) and never encodes
 *   while the socket is still busy with earlier frames (so it never builds a queue: the
 *   next frame is simply newer).
 * - Motion mode: when most of the screen keeps changing and full-size frames take the
 *   encoder longer than half a frame interval (3 in a row), frames are halved in each
 *   direction before encoding, so full-screen video or scrolling stays smooth on a slow
 *   machine; full size returns (with a keyframe) 400 ms after the last such change. This is
 *   the agent's own CPU adaptation, like WebRTC's: the quality preset still sets the bitrate.
 * - Clipboard: while control is granted, the customer's clipboard is watched and sent when
 *   it changes; the technician's arrives as a `clipboard` message.
 */
import {
  type AgentMessage,
  type Capability,
  capabilityNeeded,
  encodeMediaFrame,
  type QualityPreset,
  type ServerMessage,
} from "../protocol/mod.ts";
import { ConsentKeeper } from "./consent.ts";
import type { CursorImage, DamageWatcher, Desktop, Frame, Rect } from "./platform/types.ts";
import { FrameDiffer } from "./platform/tiles.ts";

export interface EncoderLike {
  encode(
    bgrx: Uint8Array,
    stride: number,
    /** `dirty`: the only areas that changed since the previous frame, when known. */
    options?: { keyframe?: boolean; dirty?: readonly Rect[] },
  ): { data: Uint8Array; keyframe: boolean } | null;
  setPreset(preset: "greyscale" | "low" | "normal" | "high"): void;
  close(): void;
}

/** What the agent needs from its connection (a socket in production, a list in tests). */
export interface Link {
  send(message: AgentMessage): void;
  sendMedia(bytes: Uint8Array): void;
  /** Bytes accepted by the socket but not sent yet. */
  buffered(): number;
}

export interface AgentOptions {
  desktop: Desktop;
  /** An encoder for frames of this size; `screen` is the full screen's (motion mode halves). */
  encoder: (
    width: number,
    height: number,
    screen: { width: number; height: number },
  ) => EncoderLike;
  consent?: ConsentKeeper;
  log?: (message: string) => void;
  /** Called when the server ends the session. */
  onEnd?: (reason: string) => void;
  /** Halves a frame for motion mode; without it frames are always encoded at full size. */
  downscale?: (frame: Frame) => Frame;
}

const FAST_MS = 16;
const SLOW_MS = 33;
const STILL_AFTER_MS = 1_000;
const MAX_BUFFERED = 512 * 1024;
const CLIPBOARD_EVERY_MS = 400;
/** Motion mode (see the header): a "big" change covers this share of the screen… */
const MOTION_AREA = 0.4;
/** …and a big frame whose encode takes longer than this is "slow"… */
const MOTION_ENCODE_MS = 16;
/** …this many slow big frames in a row halve the frames… */
const MOTION_AFTER = 3;
/** …until this long after the last big change. */
const MOTION_HOLD_MS = 400;

export class Agent {
  readonly consent: ConsentKeeper;
  #link: Link | null = null;
  #differ = new FrameDiffer();
  /** Set once the desktop offered a change watcher (null: it cannot; undefined: not asked). */
  #watcher: DamageWatcher | null | undefined;
  #waiting = false;
  /** A change the damage loop saw but could not send yet (the socket was busy). */
  #pendingChange = false;
  #pendingRects: Rect[] = [];
  #lastCursor = "";
  #capturedAt = 0;
  #encoder: EncoderLike | null = null;
  #encoderSize = "";
  #motion = false;
  /** Where the pointer was drawn into the last frame. */
  #pointerRect: Rect | null = null;
  #slowBigFrames = 0;
  #lastBigAt = 0;
  #forceKeyframe = true;
  #preset: QualityPreset = "auto";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastChange = 0;
  #clipboardTimer: ReturnType<typeof setInterval> | undefined;
  #lastClipboard: string | null = null;
  #stopped = false;
  framesSent = 0;
  bytesSent = 0;
  refused = 0;
  /** Time spent per stage since start (ms): grab + cursor, diff, encode. */
  readonly timing = { grab: 0, diff: 0, encode: 0, ticks: 0, skippedBusy: 0, halved: 0 };

  constructor(private options: AgentOptions) {
    this.consent = options.consent ?? new ConsentKeeper();
  }

  /** A (new) connection is up and welcomed: say what is allowed and resume the picture. */
  attach(link: Link) {
    this.#link = link;
    for (const capability of this.consent.granted) {
      link.send({ type: "consent", capability, granted: true });
    }
    this.#forceKeyframe = true;
    this.#schedule(0);
    this.#watchClipboard();
  }

  detach() {
    this.#link = null;
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    clearInterval(this.#clipboardTimer);
    this.#encoder?.close();
    this.#encoder = null;
  }

  async handle(message: ServerMessage): Promise<void> {
    const needed = capabilityNeeded(message);
    if (needed && !this.consent.allows(needed)) {
      this.refused++;
      this.#send({ type: "refused", of: message.type, reason: `${needed} is not granted` });
      return;
    }
    const desktop = this.options.desktop;
    switch (message.type) {
      case "welcome":
      case "error":
        return;
      case "ping":
        this.#send({ type: "pong", at: message.at });
        return;
      case "request":
        if (this.consent.allows(message.capability)) {
          this.#send({ type: "consent", capability: message.capability, granted: true });
          return;
        }
        this.#send({
          type: "ask",
          capability: message.capability,
          nonce: this.consent.ask(message.capability),
        });
        return;
      case "grant": {
        const verdict = await this.consent.answer(
          message.capability,
          message.nonce,
          message.granted,
          message.signature,
        );
        if (!verdict.ok) {
          this.refused++;
          this.#send({ type: "refused", of: "grant", reason: verdict.reason });
          return;
        }
        if (!message.granted) {
          this.#send({ type: "consent", capability: message.capability, granted: false });
        }
        this.#announce(verdict.changed, true);
        return;
      }
      case "revoke":
        this.revoke(message.capability);
        return;
      case "end":
        this.stop();
        this.options.onEnd?.(message.reason);
        return;
      case "keyframe":
        this.#forceKeyframe = true;
        this.#schedule(0);
        return;
      case "quality":
        this.#preset = message.preset;
        this.#encoder?.setPreset(message.preset === "auto" ? "normal" : message.preset);
        return;
      case "pointer":
        desktop.pointer(message.x, message.y);
        this.#changed();
        return;
      case "button":
        desktop.button(message.button, message.down, message.x, message.y);
        this.#changed();
        return;
      case "wheel":
        desktop.wheel(message.dx, message.dy);
        this.#changed();
        return;
      case "key":
        desktop.key(message.keysym, message.down);
        this.#changed();
        return;
      case "ctrlAltDel":
        desktop.ctrlAltDel();
        return;
      case "clipboard":
        this.#lastClipboard = message.text;
        await desktop.clipboardWrite(message.text);
        return;
    }
  }

  /** Takes a capability back — from the server, or from the customer at the agent. */
  revoke(capability: Capability) {
    this.#announce(this.consent.revoke(capability), false);
  }

  #announce(changed: Capability[], granted: boolean) {
    for (const capability of changed) this.#send({ type: "consent", capability, granted });
    if (changed.includes("view")) {
      this.#forceKeyframe = true;
      this.#schedule(0);
    }
    if (changed.includes("control")) this.#watchClipboard();
  }

  #send(message: AgentMessage) {
    this.#link?.send(message);
  }

  #changed() {
    this.#lastChange = performance.now();
  }

  #schedule(ms: number) {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
  }

  #tick() {
    const link = this.#link;
    if (!link || !this.consent.allows("view")) return; // resumed by attach / grant
    this.#watcher ??= this.options.desktop.damage?.() ?? null;
    if (this.#watcher) {
      this.#onDamage(this.#watcher);
      return;
    }
    const now = performance.now();
    try {
      this.timing.ticks++;
      if (link.buffered() <= MAX_BUFFERED) this.#capture(link);
      else this.timing.skippedBusy++;
    } catch (error) {
      this.options.log?.(`capture failed: ${error}`);
    }
    const still = now - this.#lastChange > STILL_AFTER_MS;
    this.#schedule(Math.max(0, (still ? SLOW_MS : FAST_MS) - (performance.now() - now)));
  }

  /**
   * The damage-driven loop: wait for a change (or, after SLOW_MS, look at the pointer),
   * capture, repeat. One wait at a time; #schedule(0) while waiting is a no-op.
   */
  async #onDamage(watcher: DamageWatcher) {
    if (this.#waiting) return;
    this.#waiting = true;
    let damaged = false;
    try {
      damaged = await watcher.wait(this.#forceKeyframe || this.#pendingChange ? 0 : SLOW_MS);
      // At most one frame per FAST_MS: a paint in progress finishes meanwhile.
      const since = performance.now() - this.#capturedAt;
      if (damaged && since < FAST_MS) await new Promise((r) => setTimeout(r, FAST_MS - since));
    } catch (error) {
      this.options.log?.(`damage: ${error}`);
    } finally {
      this.#waiting = false;
    }
    const link = this.#link;
    if (this.#stopped || !link || !this.consent.allows("view")) return;
    let retry = false;
    try {
      this.timing.ticks++;
      // Rectangles of a change that waited for the socket are still owed to the encoder.
      const rects = [...this.#pendingRects, ...watcher.take()];
      this.#pendingRects = [];
      const cursor = this.options.desktop.cursor();
      const pointer = cursor ? `${cursor.x},${cursor.y},${cursor.serial}` : "";
      const changed = this.#pendingChange || damaged || rects.length > 0 ||
        pointer !== this.#lastCursor;
      this.#lastCursor = pointer;
      const area = rects.reduce((sum, r) => sum + r.width * r.height, 0);
      if (changed || this.#forceKeyframe || this.#motionOver()) {
        if (link.buffered() <= MAX_BUFFERED) {
          this.#pendingChange = false;
          this.#capture(link, { changed, cursor, area, rects });
        } else {
          // The change is kept and sent once the socket has room.
          this.timing.skippedBusy++;
          this.#pendingChange = changed;
          this.#pendingRects = rects.length > 64 ? [boundingBox(rects)] : rects;
          retry = true;
        }
      }
    } catch (error) {
      this.options.log?.(`capture failed: ${error}`);
    }
    this.#schedule(retry ? FAST_MS : 0);
  }

  /**
   * Grabs, draws the pointer in and encodes one frame. `known` comes from the damage loop
   * (whether something changed, how many pixels, and the pointer it already read); without
   * it the frame is compared with the previous one.
   */
  #capture(
    link: Link,
    known?: { changed: boolean; cursor: CursorImage | null; area: number; rects: Rect[] },
  ) {
    const desktop = this.options.desktop;
    const t0 = performance.now();
    this.#capturedAt = t0;
    const frame = desktop.grab();
    const cursor = known ? known.cursor : desktop.cursor();
    if (cursor) drawCursor(frame, cursor);
    const t1 = performance.now();
    let changed: boolean, area: number, dirty: Rect[];
    if (known) {
      ({ changed, area } = known);
      // The pointer is drawn in by us: where it was and where it is changed too.
      const pointer = cursor ? cursorRect(cursor) : null;
      dirty = [...known.rects, ...(this.#pointerRect ? [this.#pointerRect] : [])];
      if (pointer) dirty.push(pointer);
      this.#pointerRect = pointer;
    } else {
      const diff = this.#differ.update(frame);
      changed = diff.changed;
      dirty = diff.rects.map((r) => ({ x: r.x, y: r.y, width: r.w, height: r.h }));
      area = dirty.reduce((sum, r) => sum + r.width * r.height, 0);
    }
    const t2 = performance.now();
    this.timing.grab += t1 - t0;
    this.timing.diff += t2 - t1;
    const big = area >= MOTION_AREA * frame.width * frame.height;
    if (big) this.#lastBigAt = t2;
    const leaving = this.#motionOver();
    if (leaving) this.#motion = false; // full size again: a new encoder, a keyframe
    if (!changed && !this.#forceKeyframe && !leaving) return;
    if (changed) this.#changed();
    const source = this.#motion && this.options.downscale ? this.options.downscale(frame) : frame;
    if (source !== frame) this.timing.halved++;
    const size = `${source.width}x${source.height}`;
    if (!this.#encoder || this.#encoderSize !== size) {
      this.#encoder?.close();
      this.#encoder = this.options.encoder(source.width, source.height, {
        width: frame.width,
        height: frame.height,
      });
      this.#encoderSize = size;
      this.#encoder.setPreset(this.#preset === "auto" ? "normal" : this.#preset);
      this.#forceKeyframe = true;
    }
    const capturedAt = Date.now();
    const encoded = this.#encoder.encode(source.data, source.stride, {
      keyframe: this.#forceKeyframe,
      dirty: source === frame ? dirty : undefined,
    });
    const encodeMs = performance.now() - t2;
    this.timing.encode += encodeMs;
    if (!this.#motion && this.options.downscale) {
      this.#slowBigFrames = big && encodeMs > MOTION_ENCODE_MS ? this.#slowBigFrames + 1 : 0;
      if (this.#slowBigFrames >= MOTION_AFTER) {
        this.#motion = true;
        this.#slowBigFrames = 0;
      }
    }
    if (!encoded) return;
    this.#forceKeyframe = false;
    const bytes = encodeMediaFrame({
      codec: "vp8",
      keyframe: encoded.keyframe,
      width: frame.width,
      height: frame.height,
      capturedAt,
      data: encoded.data,
    });
    link.sendMedia(bytes);
    this.framesSent++;
    this.bytesSent += bytes.byteLength;
  }

  /** In motion mode, and the last big change is long enough ago to go back to full size. */
  #motionOver(): boolean {
    return this.#motion && performance.now() - this.#lastBigAt > MOTION_HOLD_MS;
  }

  #watchClipboard() {
    if (this.#clipboardTimer || !this.consent.allows("control")) return;
    this.#clipboardTimer = setInterval(async () => {
      if (!this.consent.allows("control")) {
        clearInterval(this.#clipboardTimer);
        this.#clipboardTimer = undefined;
        return;
      }
      try {
        const text = await this.options.desktop.clipboardRead();
        if (this.#lastClipboard === null) {
          this.#lastClipboard = text; // what was there before control is not sent
          return;
        }
        if (text === this.#lastClipboard || text.length > 60_000) return;
        this.#lastClipboard = text;
        this.#send({ type: "clipboard", text });
      } catch (error) {
        this.options.log?.(`clipboard: ${error}`);
      }
    }, CLIPBOARD_EVERY_MS);
  }
}

function boundingBox(rects: Rect[]): Rect {
  const x = Math.min(...rects.map((r) => r.x)), y = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** The screen area the cursor image covers. */
function cursorRect(cursor: CursorImage): Rect {
  return {
    x: cursor.x - cursor.hotX,
    y: cursor.y - cursor.hotY,
    width: cursor.width,
    height: cursor.height,
  };
}

/** Blends the cursor (ARGB, premultiplied as XFixes gives it) into a B,G,R,X frame. */
export function drawCursor(frame: Frame, cursor: CursorImage) {
  const left = cursor.x - cursor.hotX;
  const top = cursor.y - cursor.hotY;
  const data = frame.data;
  for (let row = 0; row < cursor.height; row++) {
    const y = top + row;
    if (y < 0 || y >= frame.height) continue;
    for (let col = 0; col < cursor.width; col++) {
      const x = left + col;
      if (x < 0 || x >= frame.width) continue;
      const argb = cursor.pixels[row * cursor.width + col];
      const alpha = argb >>> 24;
      if (alpha === 0) continue;
      const at = y * frame.stride + x * 4;
      const r = (argb >>> 16) & 0xff, g = (argb >>> 8) & 0xff, b = argb & 0xff;
      if (alpha === 255) {
        data[at] = b;
        data[at + 1] = g;
        data[at + 2] = r;
      } else {
        const keep = 255 - alpha;
        data[at] = Math.min(255, b + data[at] * keep / 255);
        data[at + 1] = Math.min(255, g + data[at + 1] * keep / 255);
        data[at + 2] = Math.min(255, r + data[at + 2] * keep / 255);
      }
    }
  }
}
