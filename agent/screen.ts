// Over 400 lines on purpose: capture pacing, motion mode, refinement and rate control share one frame loop and its timing; the encoder and scaling are already in agent/media.
/**
 * The picture: when the agent captures the screen and how it encodes and sends it. Used by
 * `Agent` (agent.ts), which decides whether the customer allows it.
 *
 * - Where the desktop can tell when the screen changed (X11 DAMAGE), the sender sleeps until
 *   it does and captures at once, at most 60 times a second on average (capture_pacer.ts).
 *   The pointer, which the screen's damage does not cover, wakes it too where the desktop
 *   reports its moves and shapes (X11: XInput 2 raw motion and XFixes cursor notification),
 *   so a still screen under a still pointer sleeps until the next refinement or keep-alive,
 *   looking at the pointer only 4 times a second (POINTER_LOOK_MS: a warp sends no event);
 *   where it does not, the sender looks at the pointer 30 times a second between changes.
 *   Elsewhere it polls at 60 Hz while things change (30 Hz after a second of stillness) and
 *   compares frames.
 *   Either way it sends a frame only when something changed (an idle screen costs an empty
 *   frame of ≈ 0.5 KB every KEEPALIVE_MS, so the browser does not ask for keyframes),
 *   tells the encoder which areas changed, and never encodes while the socket is still busy
 *   with earlier frames (so it never builds a queue: the next frame is simply newer).
 * - Motion mode: when most of the screen keeps changing and full-size frames take the encoder so
 *   long that 30 frames a second no longer fit (the median of the last big frames' encode CPU
 *   times mostly over MOTION_ENCODE_MS — a few slow frames among fast ones are a spike, not a slow machine;
 *   the first frames of a motion are not judged), or the machine is so busy that not even 15
 *   full-size frames a second get through (wall times over MOTION_STARVED_MS), frames are halved
 *   in each direction before encoding, so full-screen video or scrolling stays smooth on a machine too
 *   slow (or too busy) for full size; full size returns (with a near-lossless keyframe) 250 ms
 *   after the last such change, and is tried again during long motion (after 4 s, then 8, 16, 32 s
 *   while tries fail) when half-size encodes are fast enough to suggest the machine has room again.
 *   Halving costs text everything (a 1080p page scrolled at half size decodes at ≈ 16 dB against ≈
 *   33 dB at full size, tools/bench_vp8.ts), so it is the last resort, not the answer to an encode
 *   that merely takes more than half a frame interval. This is the agent's own CPU adaptation, like
 *   WebRTC's: the quality preset still sets the bitrate.
 * - Refinement: every frame is lossy (the encoder spends what the bitrate allows), so at
 *   Normal and High (and Automatic's choice of them) the still picture is sent once more,
 *   near-losslessly (`refine`), REFINE_AFTER_MS after the last frame when nothing changed —
 *   text is sharp within half a second of stillness. Not at Low or Greyscale, which are lossy
 *   on purpose. Back at full size after motion mode, the new encoder's keyframe is itself
 *   near-lossless (one encode instead of a coarse keyframe and its refinement).
 * - Frames carry their capture times to the encoder, whose rate control budgets by them.
 * - The pointer is drawn into the frames (cursor.ts) until the server asks for it apart
 *   (`setCursorMode`, issue 14): then the frames leave it out and a move is a `cursor` message
 *   (cursor_sender.ts) — no grab, no encode, no refinement.
 * - Pipelining: in motion faster than the frame loop (a 60 Hz page), an encoder that can code on
 *   another thread (`encodeAsync`: H.264) codes one frame while the next is grabbed; at most two
 *   are out, and they are sent in the order grabbed (PIPELINE_GAP_MS says why not always).
 */
import {
  type AgentMessage,
  encodeMediaFrame,
  type QualityPreset,
  type VideoCodec,
} from "../protocol/mod.ts";
import { FrameDiffer } from "./platform/tiles.ts";
import { threadCpuClock } from "./platform/thread_cpu.ts";
import type { CursorImage, DamageWatcher, Desktop, Frame, Rect } from "./platform/types.ts";
import { cursorRect, drawCursor } from "./cursor.ts";
import { CURSOR_MIN_GAP_MS, CursorSender } from "./cursor_sender.ts";
import { CapturePacer } from "./capture_pacer.ts";
import { CaptureNotice } from "./capture_notice.ts";

/** What the agent needs from its connection (a socket in production, a list in tests). */
export interface Link {
  send(message: AgentMessage): void;
  sendMedia(bytes: Uint8Array): void;
  /** Bytes accepted by the socket but not sent yet. */
  buffered(): number;
}

export interface EncoderLike {
  /** The codec of its frames, named in each media header (absent: VP8). */
  readonly codec?: "vp8" | "h264";
  encode(
    bgrx: Uint8Array,
    stride: number,
    /** `dirty`: the only areas that changed since the previous frame, when known. */
    /** `at`: capture time (ms, steady clock), for rate control. */
    /** `refine`: code this frame near-losslessly (only asked of encoders with `refine`). */
    options?: { keyframe?: boolean; dirty?: readonly Rect[]; at?: number; refine?: boolean },
  ): { data: Uint8Array; keyframe: boolean } | null;
  /** The last frame again with nothing coded (absent: no keep-alive frames). */
  empty?(options?: { at?: number }): { data: Uint8Array; keyframe: boolean } | null;
  /**
   * As `encode`, but coded on another thread (absent: `encode` is used): the frame is read
   * before this returns, the promise brings the result and what the coding cost (CPU on every
   * thread, and wall time from the start of its coding). One more frame may be handed over
   * while one is coded; until both are done nothing else is asked of the encoder but
   * `setPreset` and `close`.
   */
  encodeAsync?(
    bgrx: Uint8Array,
    stride: number,
    options?: { keyframe?: boolean; dirty?: readonly Rect[]; at?: number; refine?: boolean },
  ): Promise<
    { data: Uint8Array; keyframe: boolean; spent: { cpuMs: number; wallMs: number } } | null
  >;
  /** Re-codes the last frame near-losslessly (absent: no refinement). */
  refine?(options?: { at?: number }): { data: Uint8Array; keyframe: boolean } | null;
  setPreset(preset: "greyscale" | "low" | "normal" | "high"): void;
  close(): void;
}

export interface ScreenOptions {
  desktop: Desktop;
  /**
   * An encoder for frames of this size; `screen` is the full screen's (motion mode halves);
   * `codec` the one the server chose (`setCodec`; VP8 until it says otherwise).
   */
  encoder: (
    width: number,
    height: number,
    screen: { width: number; height: number },
    codec: VideoCodec,
  ) => EncoderLike;
  /** Halves a frame for motion mode; without it frames are always encoded at full size. */
  downscale?: (frame: Frame) => Frame;
  log?: (message: string) => void;
  /**
   * The steady clock (ms) of every timing decision — pacing, motion mode, refinement, keep-alive
   * (default performance.now; tests leave out the time a busy machine stole from their pacing).
   */
  now?: () => number;
  /** The clock that times encodes for motion mode (default `now`; tests fake it). */
  encodeClock?: () => number;
  /**
   * The encoding thread's CPU clock (ms) for motion mode; default the thread's own
   * (platform/thread_cpu.ts), else — and whenever `encodeClock` is faked — `encodeClock`.
   */
  encodeCpuClock?: () => number;
}

/** Where frames go, and whether they may be taken now (the customer allows view). */
export interface ScreenSource {
  link(): Link | null;
  allowed(): boolean;
}

const FAST_MS = 16;
const SLOW_MS = 33;
const STILL_AFTER_MS = 1_000;
const MAX_BUFFERED = 512 * 1024;
/** Motion mode (see the header): a "big" change covers this share of the screen… */
const MOTION_AREA = 0.4;
/**
 * …and a big frame whose encode takes the encoder more CPU than this is "slow": with the grab,
 * the pointer and the send (≈ 3–5 ms), full size no longer fits 30 frames a second (33 ms).
 * CPU time, not wall time: on a busy machine an encode's wall time also counts the time other
 * processes held the CPU (bench:remote, a quiet 2-core machine whose other core decoded the
 * viewer: 1080p scrolling frames of 16 ms CPU took 19–56 ms, and halving them cost the text
 * 9 dB at the same frame rate)…
 */
const MOTION_ENCODE_MS = 28;
/**
 * …or whose wall time is over this: not even 15 full-size frames a second get through, so the
 * machine (not the encoder) is the limit and halving our share of it is the way to keep motion.
 */
const MOTION_STARVED_MS = 66;
/**
 * The first big delta frames after a keyframe or after stillness are not judged: the first
 * frame of a scroll carries the whole move (50 ms CPU at 1080p where the next ones take 16) and
 * the moment motion starts is the moment every other process on the machine gets busy too.
 */
const MOTION_WARMUP = 2;
/**
 * …judged over the last MOTION_WINDOW big full-size frames (keyframes not counted), at least
 * MOTION_AFTER of them, by whether most of them are slow: on a quiet 2-core machine scrolling a 1080p page encodes
 * in 12–14 ms with single frames over 28 ms (bench:remote), and three of those in a row used to
 * halve the picture for seconds. A try of full size (below) is judged over its first
 * MOTION_TRY_FRAMES frames the same way…
 */
const MOTION_WINDOW = 8;
const MOTION_AFTER = 6;
const MOTION_TRY_FRAMES = 3;
/** …until this long after the last big change… */
const MOTION_HOLD_MS = 250;
/**
 * …or until full size is tried again during motion: after this long, doubled after each try
 * that fell back, up to the max — and only while half-size encodes are fast enough that full
 * size (≈ 2–2.5× their time, measured at 1080p; MOTION_FULL_COST with a margin) would fit:
 * on a starved machine every encode is slow and a try would only stall the picture. A try
 * falls back once most of its first MOTION_TRY_FRAMES judged big frames are slow.
 */
const MOTION_RETRY_MS = 4_000;
const MOTION_RETRY_MAX_MS = 32_000;
const MOTION_FULL_COST = 3;
/**
 * …and only while half size keeps up with the screen (frames this close together, smoothed):
 * a machine that cannot even send 20 half-size frames a second has no room for full size
 * (bench:remote at load 20–29: each try cost the starved viewer and agent seconds).
 */
const MOTION_RETRY_GAP_MS = 50;
/**
 * Frames come from motion this close together (smoothed): code each on another thread while
 * the next is grabbed (EncoderLike.encodeAsync). One loop of grab, encode and send takes 11–15
 * ms for a 1080p scroll, near a 60 Hz page's 16.7, so paints merged (bench:remote scrolling60,
 * quiet: the agent sent 50–56 frames a second, 53–58 pipelined; the viewer showed 53.5 and
 * 55.9). A slower change is not: handing a frame over costs ≈ 3 ms of latency (a thread's
 * wake-up, its caches; 30 Hz scrolling p50 22 → 31 ms when every big frame went over), and
 * at 30 Hz the loop keeps up anyway.
 */
const PIPELINE_GAP_MS = 22;
/** Stillness after the last frame before the picture is refined (see the header). */
const REFINE_AFTER_MS = 150;
/**
 * A still screen sends an empty frame (every macroblock skipped, ≈ 0.5 KB at 1080p) this long after the
 * last frame: a browser that decodes nothing for 3 s asks for a keyframe (WebRTC's receive
 * stream, while packets arrived in the last few seconds), so without it an idle screen cost a
 * 150 KB keyframe and its refinement every 3 s (bench:remote idle: 0.05 MB/s).
 */
const KEEPALIVE_MS = 2_000;
/**
 * With pointer events, a still screen still looks at the pointer this often: another client's
 * XWarpPointer (an application centring the pointer on a dialog) moves it without a device's
 * motion, so no event says so — without this look the technician would see it where it was
 * until the keep-alive. 4 looks a second instead of 30.
 */
const POINTER_LOOK_MS = 250;
/** See #capture: keyframes without a change are refined at most this often. */
const REFINE_COOLDOWN_MS = 3_000;

export class ScreenSender {
  #differ = new FrameDiffer();
  /** Set once the desktop offered a change watcher (null: it cannot; undefined: not asked). */
  #watcher: DamageWatcher | null | undefined;
  #waiting = false;
  /** Ends the damage loop's wait early (#schedule: something is owed now). */
  #interrupt: AbortController | null = null;
  /** Until then pointer events do not end a wait (see #onDamage). */
  #pointerQuietUntil = -Infinity;
  /** A change the damage loop saw but could not send yet (the socket was busy). */
  #pendingChange = false;
  #pendingRects: Rect[] = [];
  #lastCursor = "";
  #pacer = new CapturePacer();
  #encoder: EncoderLike | null = null;
  #encoderSize = "";
  #codec: VideoCodec = "vp8";
  #motion = false;
  /** The technician chose "high" explicitly: no motion mode. */
  #fullSizeOnly = false;
  /** Where the pointer was drawn into the last frame. */
  #pointerRect: Rect | null = null;
  /** The pointer goes apart from the frames (`cursorMode`; a new connection starts drawn in). */
  #separate = false;
  /** Sends the pointer while it goes apart (cursor_sender.ts). */
  readonly cursor: CursorSender;
  /** Encode CPU and wall times (ms) of the last big full-size delta frames (MOTION_WINDOW). */
  #bigEncodes: { cpu: number; wall: number }[] = [];
  /** Big delta frames still to skip before judging (see MOTION_WARMUP). */
  #warmup = MOTION_WARMUP;
  /** No motion mode yet since the screen was last still (see MOTION_RETRY_MS). */
  #freshMotion = true;
  #lastBigAt = 0;
  /** Smoothed gap between big changes (ms): under PIPELINE_GAP_MS, frames are pipelined. */
  #bigGapMs = 33;
  /** When motion mode began, how long until full size is tried, when it last was. */
  #motionSince = 0;
  #retryMs = MOTION_RETRY_MS;
  #retriedAt = -Infinity;
  /** Full size is being tried again (see MOTION_RETRY_MS). */
  #trying = false;
  /** Half-size encodes in this motion: their smoothed time and how many. */
  #halfMs = 0;
  #halfFrames = 0;
  #halfGapMs = 0;
  #lastHalfAt = 0;
  #forceKeyframe = true;
  /**
   * Frames handed to an encoder that codes on another thread and not sent yet (at most 2: one
   * coded, one converted and waiting), and a promise of the first one's end.
   */
  #flights: Promise<void>[] = [];
  /** Counts encoders: a frame coded by one replaced since is not sent. */
  #epoch = 0;
  /** A lossy frame went out at a preset that refines; not refined yet. */
  #refineDue = false;
  #lastFrameAt = 0;
  #lastRefineAt = -Infinity;
  #preset: QualityPreset = "auto";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastChange = 0;
  #stopped = false;
  /**
   * Whether the screen can be captured, as the log and the technicians hear it
   * (capture_notice.ts): a screen that cannot be read for a while (Windows' secure desktop — a
   * UAC prompt, the lock screen) is one line and one `capture` message, not one every tick.
   */
  readonly #notice: CaptureNotice;
  framesSent = 0;
  bytesSent = 0;
  refinements = 0;
  /** Empty frames sent to keep a still picture's decoders from asking for keyframes. */
  keepalives = 0;
  /** Time spent per stage since start (ms): grab + cursor, diff, encode. */
  readonly timing = {
    grab: 0,
    diff: 0,
    encode: 0,
    ticks: 0,
    skippedBusy: 0,
    halved: 0,
    keyframes: 0,
    refined: 0,
  };

  readonly #now: () => number;

  constructor(private options: ScreenOptions, private source: ScreenSource) {
    this.#now = options.now ?? performance.now.bind(performance);
    this.#notice = new CaptureNotice((line) => options.log?.(line));
    this.cursor = new CursorSender({
      link: () => source.link(),
      allowed: () => source.allowed(),
      now: this.#now,
      log: options.log,
    });
  }

  /** Starts (or restarts) the picture with a keyframe: a new link, view granted, asked for. */
  resume() {
    this.#forceKeyframe = true;
    this.#schedule(0);
  }

  /**
   * The picture starts over for its viewers (another screen shown, view given again): a
   * keyframe, and with the pointer apart its shape again.
   */
  newPicture() {
    this.cursor.oweShape();
    this.resume();
  }

  /**
   * `cursorMode`: the pointer apart from the frames (cursor_sender.ts) or drawn in again. The
   * next frame codes the pointer's area again — without it, or with it — so the viewers'
   * picture is right at once (and refined after it like any change).
   */
  setCursorMode(separate: boolean) {
    if (separate === this.#separate) return;
    this.#separate = separate;
    if (separate) this.cursor.oweShape();
    else this.cursor.stop();
    // Going apart, #capture adds where it was drawn to the frame's changes; back, where it is.
    if (!separate || this.#pointerRect) this.#pendingChange = true;
    this.#lastCursor = "";
    this.#schedule(0);
  }

  /**
   * The encoder preset. `auto`: chosen by the server from measurements; an explicit "high"
   * (not auto) keeps frames at full size during motion, at whatever frame rate that allows.
   */
  setPreset(preset: QualityPreset, auto = false) {
    const wasGrey = this.#preset === "greyscale", refined = this.#refines();
    this.#preset = preset;
    this.#fullSizeOnly = preset === "high" && !auto;
    if (this.#fullSizeOnly && this.#motion) {
      this.#motion = false;
      this.resume(); // full size now, not at the next change
    }
    this.#encoder?.setPreset(preset === "auto" ? "normal" : preset);
    // A still screen keeps its picture through a switch (Automatic's Normal ↔ High probe costs
    // nothing), unless the picture must change: into or out of greyscale a new one, and from
    // Low a refinement — not a keyframe on every switch, as the viewer's PLI used to get.
    if (!this.#encoder) return;
    if (wasGrey !== (preset === "greyscale")) this.resume();
    else if (!refined && this.#refines()) {
      this.#refineDue = true;
      this.#interrupt?.abort(); // a still screen's wait may be longer than REFINE_AFTER_MS
    }
  }

  /** The codec the next encoder codes in (the server's `codec`; VP8 on each new connection). */
  get codec(): VideoCodec {
    return this.#codec;
  }

  /**
   * Encode in `codec` from the next frame: the old encoder is closed and the new one starts with
   * a keyframe (preset, motion mode and refinement carry on; the new encoder gets the preset).
   */
  setCodec(codec: VideoCodec) {
    if (codec === this.#codec) return;
    this.#codec = codec;
    if (!this.#encoder) return;
    this.#dropEncoder();
    this.resume();
  }

  /** The technician's input arrived: the screen is about to change (poll fast). */
  inputArrived() {
    this.#changed();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#dropEncoder();
    this.cursor.stop();
  }

  /** Closes the encoder (one coding a frame frees itself after it); its frames are not sent. */
  #dropEncoder() {
    this.#encoder?.close();
    this.#encoder = null;
    this.#epoch++;
  }

  #changed() {
    this.#lastChange = this.#now();
  }

  #schedule(ms: number) {
    if (this.#stopped) return;
    // A still screen's wait can be long (#stillWaitMs): whatever asks for a tick now (a viewer's
    // keyframe, a new codec or link) must not wait for its end.
    this.#interrupt?.abort();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
  }

  #tick() {
    const link = this.source.link();
    if (!link || !this.source.allowed()) return; // resumed by resume()
    if (this.#watcher === undefined) {
      this.#watcher = this.options.desktop.damage?.() ?? null;
      if (this.#watcher && !this.#watcher.pointer) {
        this.options.log?.("damage: no pointer events; the pointer is looked at 30 times a second");
      }
    }
    if (this.#watcher) {
      this.#onDamage(this.#watcher);
      return;
    }
    const now = this.#now();
    try {
      this.timing.ticks++;
      if (this.#separate) this.cursor.look(this.options.desktop.cursor(), this.options.desktop);
      if (link.buffered() <= MAX_BUFFERED && this.#flights.length < 2) {
        this.#capture(link);
        this.#captureWorks();
      } else this.timing.skippedBusy++;
    } catch (error) {
      this.#captureFailed(error);
    }
    const still = now - this.#lastChange > STILL_AFTER_MS;
    this.#schedule(Math.max(0, (still ? SLOW_MS : FAST_MS) - (this.#now() - now)));
  }

  /**
   * The damage-driven loop: wait for a change (with a watcher that reports the pointer, also
   * for a pointer move or a new cursor shape; without, after SLOW_MS, to look at the pointer),
   * capture, repeat. One wait at a time; #schedule ends it early.
   */
  async #onDamage(watcher: DamageWatcher) {
    if (this.#waiting) return;
    this.#waiting = true;
    const interrupt = this.#interrupt = new AbortController();
    const signal = interrupt.signal;
    let woke = false;
    try {
      const owed = this.#forceKeyframe || this.#pendingChange;
      const ms = owed ? 0 : this.#stillWaitMs(watcher);
      // A pointer wake-up that found nothing new (raw motion of a mouse pushed against the
      // screen's edge, a wheel's) makes pointer events wait SLOW_MS: at most today's 30 looks a
      // second, however fast the device reports — while damage still wakes at once.
      const quiet = Math.ceil(this.#pointerQuietUntil - this.#now());
      if (quiet > 0 && ms > 0) {
        woke = await watcher.wait(Math.min(ms, quiet), { signal, pointer: false });
      }
      if (!woke && !signal.aborted) {
        woke = await watcher.wait(quiet > 0 ? Math.max(0, ms - quiet) : ms, { signal });
      }
      // At most MAX_RATE frames a second, a late one not holding back the next (capture_pacer.ts).
      const wait = this.#pacer.waitMs(this.#now());
      if (woke && wait > 0) await new Promise((r) => setTimeout(r, wait));
      // An encoder coding on another thread takes one more frame while it codes one, no more.
      while (this.#flights.length >= 2) await this.#flights[0];
    } catch (error) {
      this.options.log?.(`damage: ${error}`);
    } finally {
      this.#waiting = false;
      this.#interrupt = null;
    }
    const link = this.source.link();
    if (this.#stopped || !link || !this.source.allowed()) return;
    let retry = false;
    try {
      this.timing.ticks++;
      // Rectangles of a change that waited for the socket are still owed to the encoder.
      const rects = [...this.#pendingRects, ...watcher.take()];
      this.#pendingRects = [];
      const cursor = this.options.desktop.cursor();
      const pointer = cursor ? `${cursor.x},${cursor.y},${cursor.serial}` : "";
      // Apart from the frames the pointer is a message, never a reason for a frame.
      const moved = this.#separate
        ? this.cursor.look(cursor, this.options.desktop)
        : pointer !== this.#lastCursor;
      // A watcher that reports the pointer wakes for it too: then only take() and the pointer
      // itself say what changed.
      const changed = this.#pendingChange || rects.length > 0 || (moved && !this.#separate) ||
        (woke && !watcher.pointer);
      this.#lastCursor = pointer;
      // A wake-up that found nothing new holds pointer events SLOW_MS; apart, one that found a
      // move holds them for the shortest gap between messages (a 1000 Hz mouse wakes the loop
      // at most 125 times a second; the sender paces what goes out).
      if (woke && watcher.pointer && !changed) {
        this.#pointerQuietUntil = this.#now() + (moved ? CURSOR_MIN_GAP_MS : SLOW_MS);
      }
      const area = rects.reduce((sum, r) => sum + r.width * r.height, 0);
      if (!changed && !this.#forceKeyframe && !this.#motionOver()) this.#stillScreen(link);
      else {
        if (link.buffered() <= MAX_BUFFERED) {
          this.#pendingChange = false;
          this.#capture(link, { changed, cursor, area, rects });
          this.#captureWorks();
        } else {
          // The change is kept and sent once the socket has room.
          this.timing.skippedBusy++;
          this.#pendingChange = changed;
          this.#pendingRects = rects.length > 64 ? [boundingBox(rects)] : rects;
          retry = true;
        }
      }
    } catch (error) {
      this.#captureFailed(error);
      // Tried again at the still pace while it fails — a still screen sends no damage to say
      // when it could work — and whole once it does: the changes it took are not in a frame.
      this.#forceKeyframe = true;
      this.#schedule(SLOW_MS);
      return;
    }
    this.#schedule(retry ? FAST_MS : 0);
  }

  /** A capture went through: a pause said before is over. */
  #captureWorks(): void {
    this.#notice.works(this.source.link());
  }

  /** A failed capture: logged and told once until a capture works again (capture_notice.ts). */
  #captureFailed(error: unknown): void {
    this.#notice.failed(error, this.source.link());
  }

  /**
   * How long a still screen's wait may last: SLOW_MS where the pointer must be looked at (a
   * watcher without pointer events); else until the next thing a still screen does — the
   * refinement, leaving motion mode, the keep-alive, the next POINTER_LOOK_MS look — and no
   * less than SLOW_MS, which is how late those could come when every wake-up was also a look
   * at the pointer (and the pace at which one the socket holds back is tried again). SLOW_MS
   * too while a frame is coded on another thread: its end makes a refinement due, or a
   * keyframe owed if it failed.
   */
  #stillWaitMs(watcher: DamageWatcher): number {
    if (!watcher.pointer || this.#flights.length) return SLOW_MS;
    const now = this.#now();
    let due = now + POINTER_LOOK_MS;
    if (this.#encoder?.empty) due = Math.min(due, this.#lastFrameAt + KEEPALIVE_MS);
    if (this.#refineDue && this.#encoder?.refine) {
      due = Math.min(due, this.#lastFrameAt + REFINE_AFTER_MS);
    }
    if (this.#motion) due = Math.min(due, this.#lastBigAt + MOTION_HOLD_MS + 1);
    return Math.max(SLOW_MS, Math.ceil(due - now));
  }

  /**
   * Grabs, draws the pointer in (unless it goes apart) and encodes one frame. `known` comes from the damage loop
   * (whether something changed, how many pixels, and the pointer it already read); without
   * it the frame is compared with the previous one.
   */
  #capture(
    link: Link,
    known?: { changed: boolean; cursor: CursorImage | null; area: number; rects: Rect[] },
  ) {
    const desktop = this.options.desktop;
    const t0 = this.#now();
    this.#pacer.grabbed(t0);
    const frame = desktop.grab();
    const cursor = this.#separate ? null : known ? known.cursor : desktop.cursor();
    if (cursor) drawCursor(frame, cursor);
    const t1 = this.#now();
    let changed: boolean, area: number, dirty: Rect[];
    if (known) {
      ({ changed, area } = known);
      // The pointer is drawn in by us: where it was and where it is changed too (apart: where
      // it was drawn last, coded again without it).
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
    const t2 = this.#now();
    this.timing.grab += t1 - t0;
    this.timing.diff += t2 - t1;
    const big = area >= MOTION_AREA * frame.width * frame.height;
    // Motion (re)starting after stillness: its first frames are not judged (MOTION_WARMUP).
    if (big && t2 - this.#lastBigAt > MOTION_HOLD_MS) {
      this.#warmup = MOTION_WARMUP;
      this.#freshMotion = true;
    }
    if (big) {
      // How fast big changes come (smoothed; a pause starts over at a 30 Hz gap).
      const gap = t2 - this.#lastBigAt;
      this.#bigGapMs = gap > 100 ? 33 : this.#bigGapMs * 0.7 + gap * 0.3;
      this.#lastBigAt = t2;
    }
    const leaving = this.#motionOver();
    if (leaving) this.#motion = false; // full size again: a new encoder, a keyframe
    if (!changed && !this.#forceKeyframe && !leaving) {
      if (!known) this.#stillScreen(link);
      return;
    }
    if (changed) this.#changed();
    // Long motion at half size: full size once more (the machine may have room again).
    if (
      this.#motion && !leaving && t2 - this.#motionSince >= this.#retryMs &&
      this.#halfFrames >= 5 && this.#halfMs * MOTION_FULL_COST < MOTION_ENCODE_MS &&
      this.#halfGapMs < MOTION_RETRY_GAP_MS
    ) {
      this.#motion = false;
      this.#trying = true;
      this.#retriedAt = t2;
      this.#bigEncodes = [];
    }
    if (this.#trying && t2 - this.#retriedAt >= MOTION_RETRY_MS) this.#trying = false; // held
    const source = this.#motion && this.options.downscale ? this.options.downscale(frame) : frame;
    if (source !== frame) this.timing.halved++;
    const size = `${source.width}x${source.height}`;
    if (!this.#encoder || this.#encoderSize !== size) {
      this.#dropEncoder();
      this.#encoder = this.options.encoder(source.width, source.height, {
        width: frame.width,
        height: frame.height,
      }, this.#codec);
      this.#encoderSize = size;
      this.#encoder.setPreset(this.#preset === "auto" ? "normal" : this.#preset);
      this.#forceKeyframe = true;
    }
    const capturedAt = Date.now();
    const encoder = this.#encoder;
    // Back to full size after motion: the stillness is already MOTION_HOLD_MS old, so the new
    // encoder's keyframe is the refinement itself — one sharp keyframe, not a coarse one and
    // then its refinement (half the encoding time to a sharp picture on a busy machine).
    const sharp = leaving && this.#refines() && source === frame && !!encoder.refine;
    const keyframe = this.#forceKeyframe;
    const options = {
      keyframe,
      dirty: source === frame ? dirty : undefined,
      at: t0,
      ...(sharp ? { refine: true } : {}),
    };
    const info: Captured = {
      big,
      changed,
      leaving,
      sharp,
      halved: source !== frame,
      t0,
      t2,
      capturedAt,
      codec: encoder.codec ?? "vp8",
      screen: { width: frame.width, height: frame.height },
      epoch: this.#epoch,
    };
    // Motion faster than the frame loop (PIPELINE_GAP_MS) is pipelined: coded on another thread
    // while the next frame is grabbed (#onDamage waits while two are handed over); the keyframe
    // is owed again if this one does not come out. Anything else is coded here.
    const pipelined = big && this.#bigGapMs < PIPELINE_GAP_MS;
    if (encoder.encodeAsync && (pipelined || this.#flights.length > 0)) {
      this.#forceKeyframe = false;
      const coding = encoder.encodeAsync(source.data, source.stride, options);
      // Handled in the order handed over, whatever order they end in.
      const before = this.#flights.at(-1) ?? Promise.resolve();
      // Never rejects: a failure (the encoder's, or sending on a link that closed meanwhile) is
      // logged like a synchronous capture's, not left to end the agent as an unhandled rejection.
      const flight = before.then(() => coding).then((encoded) => {
        if (!encoded && keyframe) this.#forceKeyframe = true;
        const spent = encoded?.spent ?? { wallMs: 0, cpuMs: 0 };
        this.#encoded(link, info, encoded, spent.wallMs, spent.cpuMs);
      }).catch((error) => {
        if (keyframe) this.#forceKeyframe = true;
        this.options.log?.(`capture failed: ${error}`);
      }).finally(() => {
        this.#flights.splice(this.#flights.indexOf(flight), 1);
      });
      this.#flights.push(flight);
      return;
    }
    const clock = this.options.encodeClock ?? this.#now;
    const cpuClock = this.options.encodeCpuClock ??
      (this.options.encodeClock ?? threadCpuClock() ?? clock);
    const c0 = cpuClock();
    const e0 = clock();
    const encoded = encoder.encode(source.data, source.stride, options);
    if (encoded) this.#forceKeyframe = false;
    this.#encoded(link, info, encoded, clock() - e0, cpuClock() - c0);
  }

  /** A frame came out of the encoder (or nothing did): motion mode's judgement, then send. */
  #encoded(
    link: Link,
    f: Captured,
    encoded: { data: Uint8Array; keyframe: boolean } | null,
    encodeMs: number,
    encodeCpuMs: number,
  ) {
    if (this.#stopped || f.epoch !== this.#epoch) return; // its encoder was replaced
    const { big, changed, leaving, sharp, t0 } = f;
    this.timing.encode += encodeMs;
    // A keyframe is always slow (a new encoder, a viewer's request): it neither counts nor resets.
    if (this.#motion && f.halved && !encoded?.keyframe) {
      const gap = t0 - this.#lastHalfAt;
      this.#halfGapMs = this.#halfFrames ? this.#halfGapMs * 0.8 + gap * 0.2 : MOTION_RETRY_GAP_MS;
      this.#lastHalfAt = t0;
      this.#halfMs = this.#halfFrames++ ? this.#halfMs * 0.8 + encodeCpuMs * 0.2 : encodeCpuMs;
    }
    if (encoded?.keyframe) this.#warmup = MOTION_WARMUP;
    else if (!this.#motion && this.options.downscale && !this.#fullSizeOnly) {
      if (big && this.#warmup > 0) this.#warmup--;
      else if (big) {
        this.#bigEncodes.push({ cpu: encodeCpuMs, wall: encodeMs });
        if (this.#bigEncodes.length > MOTION_WINDOW) this.#bigEncodes.shift();
      }
      const enough = this.#bigEncodes.length >= (this.#trying ? MOTION_TRY_FRAMES : MOTION_AFTER);
      const slow = enough &&
        (mostlyOver(this.#bigEncodes.map((e) => e.cpu), MOTION_ENCODE_MS) ||
          mostlyOver(this.#bigEncodes.map((e) => e.wall), MOTION_STARVED_MS));
      if (big && slow) {
        this.#motion = true;
        this.#bigEncodes = [];
        // A try that failed, or held a while and then fell back in the same motion, waits twice
        // as long for the next: each switch costs a keyframe at the new size, and a machine at
        // the edge of full size would otherwise flap every few seconds (1080p video, bench:remote).
        this.#retryMs = this.#trying || !this.#freshMotion
          ? Math.min(MOTION_RETRY_MAX_MS, this.#retryMs * 2)
          : MOTION_RETRY_MS;
        this.#freshMotion = false;
        this.#trying = false;
        this.#motionSince = f.t2;
        this.#halfFrames = 0;
      }
    }
    if (!encoded) return;
    this.#send(link, encoded, f.screen, f.capturedAt, f.codec);
    if (sharp) {
      this.#refineDue = false;
      this.#lastRefineAt = this.#now();
      this.refinements++;
      this.timing.refined++;
      return;
    }
    // A keyframe asked for without a change (a viewer joined or lost packets) is refined at
    // most once per REFINE_COOLDOWN_MS: a viewer that skips the big refinement and asks for
    // a keyframe again must not turn an idle screen into a loop of both.
    const fresh = changed || leaving || t0 - this.#lastRefineAt > REFINE_COOLDOWN_MS;
    this.#refineDue = fresh && this.#refines();
    // Back to full size after motion (an encoder that cannot refine a keyframe): refined at
    // once rather than after another wait.
    if (leaving) this.#maybeRefine(link, 0);
  }

  /** Normal and High (and Automatic's choice of them) refine; Low and Greyscale are lossy. */
  #refines(): boolean {
    return this.#preset !== "low" && this.#preset !== "greyscale";
  }

  #send(
    link: Link,
    encoded: { data: Uint8Array; keyframe: boolean },
    screen: { width: number; height: number },
    capturedAt: number,
    codec: VideoCodec,
  ) {
    const bytes = encodeMediaFrame({
      codec,
      keyframe: encoded.keyframe,
      width: screen.width,
      height: screen.height,
      capturedAt,
      data: encoded.data,
    });
    link.sendMedia(bytes);
    if (encoded.keyframe) this.timing.keyframes++;
    this.#lastFrameAt = this.#now();
    this.framesSent++;
    this.bytesSent += bytes.byteLength;
  }

  /** Nothing changed: refine the picture once, then keep the viewers' decoders alive. */
  #stillScreen(link: Link) {
    this.#maybeRefine(link);
    if (this.#refineDue || this.#motion || !this.#encoder?.empty || this.#flights.length) return;
    if (this.#now() - this.#lastFrameAt < KEEPALIVE_MS) return;
    if (link.buffered() > MAX_BUFFERED) return;
    const encoded = this.#encoder.empty({ at: this.#now() });
    if (!encoded) return;
    this.#send(link, encoded, this.options.desktop, Date.now(), this.#encoder.codec ?? "vp8");
    this.keepalives++;
  }

  /** The still picture, once, near-losslessly (see the header); full size only. */
  #maybeRefine(link: Link, afterMs = REFINE_AFTER_MS) {
    const now = this.#now();
    if (!this.#refineDue || this.#motion || now - this.#lastFrameAt < afterMs) return;
    if (!this.#encoder?.refine || link.buffered() > MAX_BUFFERED || this.#flights.length) return;
    this.#refineDue = false;
    const capturedAt = Date.now();
    const t0 = this.#now();
    const encoded = this.#encoder.refine({ at: t0 });
    this.timing.encode += this.#now() - t0;
    if (!encoded) return;
    this.#send(link, encoded, this.options.desktop, capturedAt, this.#encoder.codec ?? "vp8");
    this.#lastRefineAt = this.#now();
    this.refinements++;
    this.timing.refined++;
  }

  /** In motion mode, and the last big change is long enough ago to go back to full size. */
  #motionOver(): boolean {
    return this.#motion && this.#now() - this.#lastBigAt > MOTION_HOLD_MS;
  }
}

/** A frame handed to the encoder: what #encoded needs once it is coded. */
interface Captured {
  /** A big change (MOTION_AREA), whether anything changed, leaving motion mode. */
  big: boolean;
  changed: boolean;
  leaving: boolean;
  /** Coded near-losslessly as the refinement itself. */
  sharp: boolean;
  /** Halved for motion mode. */
  halved: boolean;
  /** When the grab began and when the pointer and the diff were done (steady clock, ms). */
  t0: number;
  t2: number;
  /** Wall-clock capture time for the media header, the codec and the screen's size. */
  capturedAt: number;
  codec: VideoCodec;
  screen: { width: number; height: number };
  /** The encoder it went to (#epoch). */
  epoch: number;
}

/** More than half of `values` over `limit` (a burst of half of them is not enough). */
function mostlyOver(values: readonly number[], limit: number): boolean {
  return values.filter((v) => v > limit).length * 2 > values.length;
}

function boundingBox(rects: Rect[]): Rect {
  const x = Math.min(...rects.map((r) => r.x)), y = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x, y, width: right - x, height: bottom - y };
}
