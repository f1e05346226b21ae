// Over 400 lines on purpose: the encoder's FFI calls, frame conversion and rate control act on one libvpx context; the ABI tables and change detection are already split out.
// VP8 encoder for the customer agent: libvpx (encoding) + libyuv (BGRX → I420) over `Deno.dlopen`
// (vpx_ffi.ts). Needs `--allow-ffi`. The struct layouts and constants come from the table for
// the libvpx that was loaded (vpx_abi.ts: 1.12–1.15 on x86_64 Linux, 1.12 as vpx.dll on
// Windows); any other libvpx is refused with a message saying so, and `available()` is false.
// Every struct is allocated with the table's size and written through a view of exactly that
// size.
//
// All memory libvpx keeps a pointer to (config, codec context, input image) is allocated
// natively (libc calloc / vpx_img_alloc), never a JS typed array.
//
// Settings: realtime deadline, one-pass CBR, g_threads 1, g_lag_in_frames 0, error resilient,
// no frame dropping, keyframes only on demand, cpu-used -6 (see EncoderOptions.cpuUsed), noise
// sensitivity 0, static threshold 100, VP8E_SET_SCREEN_CONTENT_MODE 1, keyframes capped at 9×
// the per-frame budget, plus a per-macroblock active map for unchanged regions (macroblocks.ts).
// The time base is 1 ms and frames carry their capture times, so rate control budgets by real
// time (fewer frames a second get bigger frames, not a lower bitrate). `refine()` re-codes a
// still picture at quantizer 4 (screen-content mode off for that frame: it limits how fast the
// quantizer may fall) for a near-lossless still after motion; `encode(…, { keyframe, refine })`
// does the same for a new encoder's keyframe (one sharp keyframe, not a coarse one and then
// its refinement).
//
// Measured against the alternatives at 1920×1080 (tools/bench_vp8.ts, issue 14, 1.5 Mbit/s,
// scrolling text and panned/zoomed grainy video): cpu-used -8…-16 lose the scroll's motion
// search (21–24 KiB/frame at 29–30 dB against 7 KiB at 32.5 dB) and save no measurable time;
// -4 is smaller (3 KiB) but slower; 2 threads stall badly on the shared 2-core machine (p50
// 140–740 ms); static threshold 0/1000 and screen-content mode 0 change neither time nor
// picture measurably. So these settings stay; what keeps motion at full size is screen.ts's
// motion mode halving only when 30 frames a second no longer fit.
//
// Calls are synchronous and block the event loop while they run: at 1080p on the 2-core test
// machine (busy, load 5–10) ≈ 12–20 ms per moving inter frame, 30–60 ms per keyframe, ≈ 5–10 ms
// per unchanged frame; BGRX→I420 ≈ 0.3–0.7 ms and change detection ≈ 0.5–1 ms of that.

export type { QualityPreset } from "./encoding.ts";

export interface EncoderOptions {
  width: number;
  height: number;
  /**
   * Nominal frame rate: the bitrate basis of the presets, and the spacing rate control assumes
   * for frames encoded without a capture time (`encode(…, { at })`). Default 30.
   */
  fps?: number;
  /** Target bitrate; overrides the preset's bitrate. */
  bitrateKbps?: number;
  /** Default "normal". */
  preset?: QualityPreset;
  /**
   * The size the preset's bitrate is scaled for (default: width × height). The agent encodes
   * half-size frames during full-screen motion and keeps the full screen's bitrate for them.
   */
  bitrateBasis?: { width: number; height: number };
  /**
   * VP8E_SET_CPUUSED, -16…16. Negative = fixed speed |n| (16 fastest); positive = adaptive,
   * aiming to use (16 − n)/16 of the frame interval. Default -6: measured at 1080p, speeds ≥ 7
   * (including 16) lose motion search on scrolling (24 px/frame scroll: 181 KiB/frame at 16 vs
   * 8 KiB at -6, same PSNR) and on a panning photo (14 vs 5 KiB/frame, 37 vs 41 dB), for about
   * the same CPU time per frame.
   */
  cpuUsed?: number;
  /** g_threads, 1…4. Default 1 (see the header: more threads stall under CPU contention). */
  threads?: number;
  /** VP8E_SET_STATIC_THRESHOLD for ordinary frames, 0…100000. Default STATIC_THRESHOLD. */
  staticThreshold?: number;
  /** VP8E_SET_SCREEN_CONTENT_MODE, 0 or 1 (2 also drops frames, never wanted). Default 1. */
  screenContentMode?: 0 | 1;
}

export interface EncodedFrame {
  /** A copy, safe to keep. */
  data: Uint8Array;
  keyframe: boolean;
}

import { type Area, MacroblockChanges, mbAligned, type PlaneWords } from "./macroblocks.ts";
import { type Libs, loadLibs, nativeView, vpxError } from "./vpx_ffi.ts";
import { bgrxToPlanes } from "./yuv.ts";
import {
  checkKbps,
  checkPreset,
  FULL_PASS_EVERY,
  joinParts,
  type QualityPreset,
  scaledKbps,
} from "./encoding.ts";

export type { Area } from "./macroblocks.ts";

// ---------------------------------------------------------------------------------------------
// Presets. Bitrates are for 1920×1080 at 30 fps and scale linearly with pixels × fps.

interface PresetParams {
  kbps: number;
  minQ: number;
  maxQ: number;
}

const PRESETS: Record<QualityPreset, PresetParams> = {
  greyscale: { kbps: 300, minQ: 8, maxQ: 58 },
  low: { kbps: 600, minQ: 6, maxQ: 58 },
  normal: { kbps: 1500, minQ: 4, maxQ: 56 },
  high: { kbps: 4000, minQ: 2, maxQ: 48 },
};

// ---------------------------------------------------------------------------------------------

/** VP8E_SET_STATIC_THRESHOLD for ordinary frames (refine() sets 0). */
const STATIC_THRESHOLD = 100;
/** The quantizer (0–63) of a refinement: ≈ 45–50 dB on text. */
const REFINE_Q = 4;

let availability: boolean | undefined;

export class Vp8Encoder {
  /** True when a libvpx with a known ABI (vpx_abi.ts) and libyuv could be loaded. Cached. */
  static available(): boolean {
    if (availability !== undefined) return availability;
    try {
      new Vp8Encoder({ width: 16, height: 16 }).close();
      availability = true;
    } catch {
      availability = false;
    }
    return availability;
  }

  readonly width: number;
  readonly height: number;
  readonly fps: number;

  #l: Libs;
  #cfg: Deno.PointerObject | null = null;
  #cfgView!: DataView;
  #ctx: Deno.PointerObject | null = null;
  #ctxInitialised = false;
  #img: Deno.PointerObject | null = null;
  #iter: Deno.PointerObject | null = null;
  #iterView!: DataView;
  #planes: Deno.PointerObject[] = [];
  #strides: number[] = [];
  #preset: QualityPreset = "normal";
  #basis: { width: number; height: number };
  /** A full conversion since the last preset change: the next encode may convert dirty areas. */
  #primed = false;
  /**
   * What the planes hold since the first encode: the last frame, grey or in colour (null:
   * nothing yet). A preset change keeps it — the picture is still the decoder's — so empty()
   * and refine() go on working on a still screen after Automatic switches Normal ↔ High: with
   * `#primed` alone they returned null until something changed, no keep-alive went out, and
   * Chromium asked for a 150 KB keyframe 3 s after every switch (bench:remote idle).
   */
  #planesGrey: boolean | null = null;
  /** Dirty-area encodes since the last full pass. */
  #sinceFull = 0;
  /** Presentation time of the last frame in the ms time base, and its capture time. */
  #pts = -1;
  #lastAt: number | undefined;
  #closed = false;
  #tuning: { threads: number; staticThreshold: number; screenContent: number };
  // Change detection (macroblocks.ts) and the active map libvpx reads.
  readonly #changes: MacroblockChanges;
  #planeWords: PlaneWords[] = []; // views on the native I420 planes
  #mapStruct: Deno.PointerObject | null = null;
  #mapBuf: Deno.PointerObject | null = null;
  #map!: Uint8Array; // view on #mapBuf

  constructor(options: EncoderOptions) {
    const { width, height } = options;
    const fps = options.fps ?? 30;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) {
      throw new RangeError(`bad frame size ${width}x${height}`);
    }
    if (width > 16383 || height > 16383) throw new RangeError("VP8 frames are at most 16383 px");
    if (!Number.isInteger(fps) || fps < 1 || fps > 240) throw new RangeError(`bad fps ${fps}`);
    const cpuUsed = options.cpuUsed ?? -6;
    if (!Number.isInteger(cpuUsed) || cpuUsed < -16 || cpuUsed > 16) {
      throw new RangeError(`cpuUsed must be an integer in -16…16, got ${cpuUsed}`);
    }
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 4) {
      throw new RangeError(`threads must be 1…4, got ${threads}`);
    }
    const staticThreshold = options.staticThreshold ?? STATIC_THRESHOLD;
    if (!Number.isInteger(staticThreshold) || staticThreshold < 0 || staticThreshold > 100_000) {
      throw new RangeError(`staticThreshold must be 0…100000, got ${staticThreshold}`);
    }
    const screenContent = options.screenContentMode ?? 1;
    if (screenContent !== 0 && screenContent !== 1) {
      throw new RangeError(`screenContentMode must be 0 or 1, got ${screenContent}`);
    }
    this.#tuning = { threads, staticThreshold, screenContent };
    const preset = options.preset ?? "normal";
    checkPreset(preset, PRESETS);
    if (options.bitrateKbps !== undefined) checkKbps(options.bitrateKbps);
    const basis = options.bitrateBasis ?? { width, height };
    if (!(basis.width >= 1 && basis.height >= 1 && basis.width * basis.height < 2 ** 28)) {
      throw new RangeError(`bad bitrate basis ${basis.width}x${basis.height}`);
    }
    this.width = width;
    this.height = height;
    this.fps = fps;
    this.#preset = preset;
    this.#basis = { width: basis.width, height: basis.height };
    this.#changes = new MacroblockChanges(width, height, fps);
    const l = this.#l = loadLibs();
    try {
      this.#init(options, cpuUsed, l);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  #init(options: EncoderOptions, cpuUsed: number, l: Libs): void {
    const { sizes, encCfg: CFG, constants: K, controls } = l.abi;
    const cfg = this.#cfg = l.libc.calloc(1n, BigInt(sizes.encCfg));
    const ctx = this.#ctx = l.libc.calloc(1n, BigInt(sizes.codecCtx));
    const iter = this.#iter = l.libc.calloc(1n, 8n); // vpx_codec_iter_t: one pointer
    const { cols, rows } = this.#changes, mbs = cols * rows;
    const mapStruct = this.#mapStruct = l.libc.calloc(1n, BigInt(sizes.activeMap));
    const mapBuf = this.#mapBuf = l.libc.calloc(1n, BigInt(mbs));
    if (!cfg || !ctx || !iter || !mapStruct || !mapBuf) throw new Error("calloc failed");
    this.#iterView = nativeView(iter, 8);
    this.#map = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(mapBuf, mbs));
    const ms = nativeView(mapStruct, sizes.activeMap);
    ms.setBigUint64(l.abi.activeMap.map, Deno.UnsafePointer.value(mapBuf) as bigint, true);
    ms.setUint32(l.abi.activeMap.rows, rows, true);
    ms.setUint32(l.abi.activeMap.cols, cols, true);

    const iface = l.vpx.vpx_codec_vp8_cx();
    let rc = l.vpx.vpx_codec_enc_config_default(iface, cfg, 0);
    if (rc !== 0) throw vpxError(l, "vpx_codec_enc_config_default", rc);
    const c = this.#cfgView = nativeView(cfg, sizes.encCfg);
    const set = (off: number, v: number) => c.setUint32(off, v >>> 0, true);
    const p = PRESETS[this.#preset];
    set(CFG.g_threads, this.#tuning.threads);
    set(CFG.g_w, this.width);
    set(CFG.g_h, this.height);
    // Milliseconds: frames carry their capture times (#nextPts), so rate control budgets by
    // real time — at 10 frames a second each frame gets a third of a second's bits, not 1/30.
    set(CFG.g_timebase_num, 1);
    set(CFG.g_timebase_den, 1000);
    set(CFG.g_error_resilient, K.errorResilientDefault);
    set(CFG.g_pass, K.rcOnePass);
    set(CFG.g_lag_in_frames, 0);
    // Never drop: the agent sends frames only on change, so a dropped last frame of a burst
    // would leave the viewer on a stale picture.
    set(CFG.rc_dropframe_thresh, 0);
    set(CFG.rc_resize_allowed, 0);
    set(CFG.rc_end_usage, K.cbr);
    set(
      CFG.rc_target_bitrate,
      options.bitrateKbps ??
        scaledKbps(PRESETS[this.#preset].kbps, this.#basis.width, this.#basis.height, this.fps),
    );
    set(CFG.rc_min_quantizer, p.minQ);
    set(CFG.rc_max_quantizer, p.maxQ);
    // WebRTC's realtime values.
    set(CFG.rc_undershoot_pct, 100);
    set(CFG.rc_overshoot_pct, 15);
    set(CFG.rc_buf_sz, 1000);
    set(CFG.rc_buf_initial_sz, 500);
    set(CFG.rc_buf_optimal_sz, 600);
    // Keyframes only on demand (first frame, encode(…, { keyframe: true })).
    set(CFG.kf_mode, K.kfDisabled);
    set(CFG.kf_min_dist, 0);
    set(CFG.kf_max_dist, 0x7fffffff);

    rc = l.vpx.vpx_codec_enc_init_ver(ctx, iface, cfg, 0n, l.abi.encoderAbiVersion);
    if (rc !== 0) throw vpxError(l, "vpx_codec_enc_init_ver", rc, ctx);
    this.#ctxInitialised = true;

    this.#control(controls.cpuUsed, cpuUsed, "VP8E_SET_CPUUSED");
    // Screen content: exact repeats, no camera noise.
    this.#control(controls.noiseSensitivity, 0, "VP8E_SET_NOISE_SENSITIVITY");
    const { staticThreshold, screenContent } = this.#tuning;
    this.#control(controls.staticThreshold, staticThreshold, "VP8E_SET_STATIC_THRESHOLD");
    this.#control(controls.tokenPartitions, 0, "VP8E_SET_TOKEN_PARTITIONS");
    // 1 = screen content on (2 would also drop frames aggressively, which we never want).
    this.#control(controls.screenContentMode, screenContent, "VP8E_SET_SCREEN_CONTENT_MODE");
    // Cap keyframes at 9 × the per-frame budget (WebRTC's formula for a 600 ms buffer @30fps).
    this.#control(controls.maxIntraBitratePct, 900, "VP8E_SET_MAX_INTRA_BITRATE_PCT");

    const img = this.#img = l.vpx.vpx_img_alloc(
      null,
      K.imgFmtI420,
      this.width,
      this.height,
      32,
    );
    if (!img) throw new Error("vpx_img_alloc failed");
    const iv = nativeView(img, sizes.image);
    for (let i = 0; i < 3; i++) {
      const plane = Deno.UnsafePointer.create(iv.getBigUint64(l.abi.image.planes + 8 * i, true));
      const stride = iv.getInt32(l.abi.image.stride + 4 * i, true);
      if (!plane || stride % 4 !== 0) throw new Error("unexpected vpx_img_alloc layout");
      const planeRows = i === 0 ? this.height : (this.height + 1) >> 1;
      this.#planes.push(plane);
      this.#strides.push(stride);
      const words = new Uint32Array(
        Deno.UnsafePointerView.getArrayBuffer(plane, stride * planeRows),
      );
      this.#planeWords.push({ words, stride });
    }
  }

  #control(id: number, value: number, name: string): void {
    const rc = this.#l.vpx.vpx_codec_control_(this.#ctx, id, value);
    if (rc !== 0) throw vpxError(this.#l, `vpx_codec_control_(${name}, ${value})`, rc, this.#ctx);
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("Vp8Encoder is closed");
  }

  /** Hands libvpx the map of the macroblocks still worth coding. */
  #updateActiveMap(): void {
    this.#changes.activeMap(this.#map);
    this.#applyActiveMap();
  }

  /** Gives libvpx `#map` as it stands (1: code the macroblock, 0: skip it). */
  #applyActiveMap(): void {
    const id = this.#l.abi.controls.activeMap;
    const rc = this.#l.vpx.vpx_codec_control_ptr(this.#ctx, id, this.#mapStruct);
    if (rc !== 0) throw vpxError(this.#l, "vpx_codec_control_(VP8E_SET_ACTIVEMAP)", rc, this.#ctx);
  }

  /**
   * Encodes one B,G,R,X frame (`stride` bytes per row, ≥ width × 4). Returns null if the
   * encoder produced no frame (dropped it).
   */
  encode(
    bgrx: Uint8Array,
    stride: number,
    /**
     * `at`: when the frame was captured, in ms (any steady clock; default: 1/fps later).
     * `refine`: code this frame near-losslessly, as `refine()` does — with `keyframe`, one sharp
     * keyframe instead of a coarse one and its refinement (a new encoder on a still screen).
     */
    options?: { keyframe?: boolean; dirty?: readonly Area[]; at?: number; refine?: boolean },
  ): EncodedFrame | null {
    this.#checkOpen();
    const { width: w, height: h } = this;
    if (!Number.isInteger(stride) || stride < w * 4) throw new RangeError(`bad stride ${stride}`);
    if (bgrx.byteLength < stride * (h - 1) + w * 4) {
      throw new RangeError(`frame buffer too small: ${bgrx.byteLength} bytes for ${w}x${h}`);
    }
    // Only the dirty areas (grown to whole macroblocks) are converted and compared, when the
    // caller knows them and a full pass is not due: the rest of the planes still holds them.
    const partial = options?.dirty && !options.keyframe && this.#primed &&
        this.#sinceFull < FULL_PASS_EVERY
      ? options.dirty.map((r) => mbAligned(r, w, h)).filter((r) => r.width > 0 && r.height > 0)
      : undefined;
    const grey = this.#preset === "greyscale";
    const planes = { pointers: this.#planes, strides: this.#strides };
    bgrxToPlanes(this.#l.yuv, bgrx, stride, planes, this, partial, grey);
    this.#sinceFull = partial ? this.#sinceFull + 1 : 0;
    this.#primed = true;
    this.#planesGrey = grey;

    // U, V are constant in greyscale.
    this.#changes.detect(this.#planeWords, grey ? 1 : 3, partial);
    if (options?.refine) return this.#refined(options.keyframe ?? false, options.at);
    this.#updateActiveMap(); // libvpx ignores the map on keyframes
    return this.#encodeImage(options?.keyframe ?? false, options?.at);
  }

  /**
   * Re-encodes the last frame (the planes still hold it) near-losslessly: quantizer
   * `REFINE_Q`, static threshold 0 and every macroblock active, so an inter frame codes what
   * the earlier, coarser frames left out. For a still screen after motion or lossy frames:
   * text reaches ≈ 45–50 dB. The preset's settings return for the next frame.
   */
  refine(options?: { at?: number }): EncodedFrame | null {
    this.#checkOpen();
    // The planes' picture in the preset's colours: a grey one is not refined into colour.
    if (this.#planesGrey !== (this.#preset === "greyscale")) return null;
    return this.#refined(false, options?.at);
  }

  /**
   * The last picture again with every macroblock skipped (an all-zero active map): a frame of
   * a few hundred bytes at 1080p that changes nothing — what keeps a still picture's decoders
   * from asking for a keyframe. Null before the first frame.
   */
  empty(options?: { at?: number }): EncodedFrame | null {
    this.#checkOpen();
    if (this.#planesGrey === null) return null;
    this.#map.fill(0);
    this.#applyActiveMap();
    return this.#encodeImage(false, options?.at);
  }

  /** The planes' picture at quantizer REFINE_Q (see refine()), as a keyframe or not. */
  #refined(keyframe: boolean, at: number | undefined): EncodedFrame | null {
    const { encCfg: CFG, controls } = this.#l.abi;
    const c = this.#cfgView, p = PRESETS[this.#preset];
    c.setUint32(CFG.rc_min_quantizer, REFINE_Q, true);
    c.setUint32(CFG.rc_max_quantizer, REFINE_Q, true);
    this.#applyConfig();
    this.#control(controls.staticThreshold, 0, "VP8E_SET_STATIC_THRESHOLD");
    this.#control(controls.screenContentMode, 0, "VP8E_SET_SCREEN_CONTENT_MODE");
    this.#map.fill(1);
    this.#applyActiveMap();
    try {
      return this.#encodeImage(keyframe, at, true);
    } finally {
      c.setUint32(CFG.rc_min_quantizer, p.minQ, true);
      c.setUint32(CFG.rc_max_quantizer, p.maxQ, true);
      this.#applyConfig();
      const { staticThreshold, screenContent } = this.#tuning;
      this.#control(controls.staticThreshold, staticThreshold, "VP8E_SET_STATIC_THRESHOLD");
      this.#control(controls.screenContentMode, screenContent, "VP8E_SET_SCREEN_CONTENT_MODE");
    }
  }

  /**
   * The next presentation time (ms): the capture time's gap since the last frame, at least
   * 1 ms (strictly increasing) and at most 1 s (libvpx treats a frame rate under 0.1 as 30).
   * Each frame lasts the nominal interval, so libvpx's duration, end − previous end, is the gap.
   */
  #nextPts(at: number | undefined): number {
    const nominal = 1000 / this.fps;
    const gap = at === undefined || this.#lastAt === undefined
      ? nominal
      : Math.min(1000, Math.max(1, at - this.#lastAt));
    if (at !== undefined) this.#lastAt = at;
    this.#pts = this.#pts < 0 ? 0 : this.#pts + Math.round(gap);
    return this.#pts;
  }

  #encodeImage(forceKeyframe: boolean, at: number | undefined, sharp = false): EncodedFrame | null {
    const l = this.#l;
    const { constants: K, packet: PKT, sizes } = l.abi;
    const flags = forceKeyframe ? BigInt(K.eflagForceKf) : 0n;
    const rc = l.vpx.vpx_codec_encode(
      this.#ctx,
      this.#img,
      BigInt(this.#nextPts(at)),
      BigInt(Math.round(1000 / this.fps)),
      flags,
      BigInt(K.deadlineRealtime),
    );
    if (rc !== 0) throw vpxError(l, "vpx_codec_encode", rc, this.#ctx);

    this.#iterView.setBigUint64(0, 0n, true);
    const chunks: Uint8Array[] = [];
    let keyframe = false;
    for (;;) {
      const pkt = l.vpx.vpx_codec_get_cx_data(this.#ctx, this.#iter);
      if (!pkt) break;
      const pv = nativeView(pkt, sizes.packet);
      if (pv.getInt32(PKT.kind, true) !== K.cxFramePkt) continue;
      const buf = Deno.UnsafePointer.create(pv.getBigUint64(PKT.buf, true));
      const sz = Number(pv.getBigUint64(PKT.sz, true));
      if (!buf || sz === 0) continue;
      const out = new Uint8Array(sz);
      Deno.UnsafePointerView.copyInto(buf, out);
      chunks.push(out);
      if (pv.getUint32(PKT.flags, true) & K.frameIsKey) keyframe = true;
    }
    // After a keyframe (coarse everywhere) let every macroblock be refined again.
    if (keyframe && !sharp) this.#changes.refineAll();
    if (chunks.length === 0) return null;
    return { data: joinParts(chunks), keyframe };
  }

  /** Bitrate (scaled to this size / fps) and quantizer range; greyscale sets U, V to 128. */
  setPreset(preset: QualityPreset): void {
    this.#checkOpen();
    checkPreset(preset, PRESETS);
    const p = PRESETS[preset];
    const c = this.#cfgView, CFG = this.#l.abi.encCfg;
    c.setUint32(CFG.rc_min_quantizer, p.minQ, true);
    c.setUint32(CFG.rc_max_quantizer, p.maxQ, true);
    c.setUint32(
      CFG.rc_target_bitrate,
      scaledKbps(PRESETS[preset].kbps, this.#basis.width, this.#basis.height, this.fps),
      true,
    );
    this.#applyConfig();
    this.#preset = preset;
    this.#primed = false; // greyscale ↔ colour: convert the whole frame next time
    this.#changes.refineAll(); // let static regions be re-coded at the new quality
  }

  /** Target bitrate, applied from the next frame (vpx_codec_enc_config_set). */
  setBitrate(kbps: number): void {
    this.#checkOpen();
    checkKbps(kbps);
    this.#cfgView.setUint32(this.#l.abi.encCfg.rc_target_bitrate, Math.round(kbps), true);
    this.#applyConfig();
  }

  #applyConfig(): void {
    const rc = this.#l.vpx.vpx_codec_enc_config_set(this.#ctx, this.#cfg);
    if (rc !== 0) throw vpxError(this.#l, "vpx_codec_enc_config_set", rc, this.#ctx);
  }

  /** Frees the codec, image, config and maps. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const l = this.#l;
    if (this.#ctxInitialised) l.vpx.vpx_codec_destroy(this.#ctx);
    this.#ctxInitialised = false;
    if (this.#img) l.vpx.vpx_img_free(this.#img);
    for (const p of [this.#ctx, this.#cfg, this.#iter, this.#mapStruct, this.#mapBuf]) {
      if (p) l.libc.free(p);
    }
    this.#img =
      this.#ctx =
      this.#cfg =
      this.#iter =
      this.#mapStruct =
      this.#mapBuf =
        null;
    this.#planes = [];
    this.#planeWords = [];
  }
}
