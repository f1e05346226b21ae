// Over 400 lines on purpose: the FFI calls, frame conversion, rate and refinement settings act on one OpenH264 encoder (as vp8.ts on one libvpx context); the ABI table and loading are already split out.
// H.264 encoder for the customer agent: OpenH264 (encoding) + libyuv (BGRX → I420) over
// `Deno.dlopen` (openh264_ffi.ts), with the surface the capture loop (agent/screen.ts) uses of
// Vp8Encoder: encode with capture times and changed areas, keyframes on demand, `refine()` for
// a near-lossless still, `empty()` keep-alives, presets, bitrate, close. Needs `--allow-ffi`.
// The struct layouts come from the table for the OpenH264 that was loaded (openh264_abi.ts:
// 2.3 on x86_64 today, checked against the library at load); any other release is refused by
// name and `available()` is false.
//
// Settings: CAMERA_VIDEO_REAL_TIME, constrained baseline (profile 66 with constraint_set0/1,
// CAVLC, no B-frames — every browser's WebRTC decodes it; packetization-mode 1 in the relay; the
// level follows the size, 4.0 at 1080p30), one slice, one thread (2 shared cores; see vp8.ts on
// threads under contention), IDR only on demand (scene-change detection off: it inserted IDRs
// into a scroll), no frame skipping (the agent sends frames only on change: a dropped last frame
// of a burst would leave the viewer on a stale picture), constant SPS/PPS ids (an IDR always
// carries both), quantizer 10…MAX_QP, rate control RC_TIMESTAMP_MODE on the capture times and
// told the frame rate they show (10 frames a second get the target's bytes per second).
//
// Why not SCREEN_CONTENT_REAL_TIME, OpenH264's desktop-sharing mode: its scroll detection codes
// a scrolled page almost losslessly (≈ 50 dB) but costs ≈ 31 ms of CPU per 1080p frame on this
// machine, over the 28 ms at which screen.ts halves the picture; camera mode takes ≈ 12 ms for
// the same scroll and ≈ 16 ms for video, where VP8 at full size takes ≈ 23 and ≈ 26 ms
// (tools/bench_h264.ts, which prints all of these side by side). MAX_QP is the measured middle:
// at 36 a scroll decodes at ≈ 41 dB, at 40 at ≈ 37, at 46 at ≈ 32 (as VP8's), but a dense page
// overshoots the bitrate by whatever the cap costs — the agent's socket back-pressure then lowers
// the frame rate.
//
// `refine()` re-codes the last picture with rate control off at REFINE_QP as an IDR (in screen
// mode OpenH264 skips every macroblock whose source did not change, so an inter frame of the
// same picture codes nothing; an IDR is right in either mode). Its bits are not counted by rate
// control, so motion after it starts with the same budget. `empty()` encodes the unchanged
// planes again: a few hundred bytes of skipped macroblocks.
//
// All memory OpenH264 keeps or reads (parameters, source picture and planes, output info) is
// allocated natively (libc calloc), never a JS typed array.
import type { Area } from "./macroblocks.ts";
import { PlanePair } from "./plane_pair.ts";
import { cpuClocks } from "../platform/thread_cpu.ts";
import { checkKbps, checkPreset, joinParts, type QualityPreset, scaledKbps } from "./encoding.ts";
import {
  createEncoder,
  type EncoderMethods,
  type H264Libs,
  loadH264Libs,
  nativeStruct,
} from "./openh264_ffi.ts";

export type { Area } from "./macroblocks.ts";
export type { QualityPreset } from "./encoding.ts";

export interface H264EncoderOptions {
  /** Even, 16…4096 wide and high, at most 8,912,896 pixels (level 5.2's 36,864 macroblocks). */
  width: number;
  height: number;
  /** Nominal frame rate: the presets' bitrate basis and the gap assumed without capture times. */
  fps?: number;
  /** Target bitrate; overrides the preset's. */
  bitrateKbps?: number;
  /** Default "normal". */
  preset?: QualityPreset;
  /** The size the preset's bitrate is scaled for (default: width × height), as in vp8.ts. */
  bitrateBasis?: { width: number; height: number };
  /**
   * For measuring the alternatives (tools/bench_h264.ts); the defaults are the measured choice
   * (see the header).
   */
  tuning?: Tuning;
}

export interface Tuning {
  /** EUsageType: CAMERA_VIDEO_REAL_TIME (default) or SCREEN_CONTENT_REAL_TIME. */
  usage?: "camera" | "screen";
  /**
   * RC_TIMESTAMP_MODE (default: its buffer drains by the frames' timestamps, 10 frames a second
   * get the target's bytes per second) or RC_BITRATE_MODE (0.47 of it at 10 frames a second even
   * told the measured frame rate). Both are told the frame rate the capture times show.
   */
  rc?: "bitrate" | "timestamp";
  /** ECOMPLEXITY_MODE 0–2 (default 0, the fastest). */
  complexity?: 0 | 1 | 2;
  /** Rate control's highest quantizer, MIN_QP…51 (default MAX_QP). */
  maxQp?: number;
  /** Adaptive quantization (camera mode only; default on). */
  aq?: boolean;
  /** Encoding threads, each coding one slice of the picture (default 1). */
  threads?: number;
}

export interface EncodedFrame {
  /** Annex B (start codes), SPS and PPS before every IDR. A copy, safe to keep. */
  data: Uint8Array;
  keyframe: boolean;
}

/** Bitrates for 1920×1080 at 30 fps (as vp8.ts), scaled linearly with pixels × fps. */
const PRESET_KBPS: Record<QualityPreset, number> = {
  greyscale: 300,
  low: 600,
  normal: 1500,
  high: 4000,
};
/**
 * Rate control's quantizer range (H.264 QP 0–51). OpenH264 reads it only at initialisation,
 * so it is the same for every preset: the presets differ by bitrate.
 */
const MIN_QP = 10;
const MAX_QP = 40;
/** The quantizer of a refinement (rate control off): ≥ 45 dB on text (h264_test.ts). */
const REFINE_QP = 14;
/** WELS_LOG_ERROR: OpenH264 logs errors only. */
const WELS_LOG_ERROR = 1;
/** The frame rate rate control is told is updated when the measured one differs by this much. */
const FPS_CHANGE = 0.1;
/** Level 5.2's frame size limit in macroblocks. */
const MAX_MBS = 36_864;

let availability: boolean | undefined;

export class H264Encoder {
  /** True when an OpenH264 with a known ABI (openh264_abi.ts) and libyuv load. Cached. */
  static available(): boolean {
    if (availability !== undefined) return availability;
    try {
      new H264Encoder({ width: 16, height: 16 }).close();
      availability = true;
    } catch {
      availability = false;
    }
    return availability;
  }

  /** What the agent's media header says of its frames. */
  readonly codec = "h264";
  readonly width: number;
  readonly height: number;
  readonly fps: number;

  #l: H264Libs;
  #enc: Deno.PointerObject | null = null;
  #m!: EncoderMethods;
  #initialised = false;
  /** Native: SSourcePicture, SFrameBSInfo, an 8-byte option argument, the I420 planes. */
  #src: { ptr: Deno.PointerObject; view: DataView } | null = null;
  #info: { ptr: Deno.PointerObject; view: DataView } | null = null;
  #arg: { ptr: Deno.PointerObject; view: DataView } | null = null;
  #planes: PlanePair | null = null;
  #preset: QualityPreset;
  #basis: { width: number; height: number };
  /**
   * While a frame is coded on another thread (encodeAsync), what else touches the encoder waits
   * here, in order: setPreset()'s bitrate, and the next frame (at most one frame waits: its
   * plane buffer is the one the coding thread does not read).
   */
  #coding = false;
  #waiting: (() => void)[] = [];
  #frameWaits = false;
  #ts = -1;
  #lastAt: number | undefined;
  #closed = false;
  #tuning: Required<Tuning>;
  /** The RC mode's enum value (restored after a refinement). */
  #rcMode = 0;
  /** Smoothed gap between captured frames (ms), and the frame rate the encoder was last told. */
  #gapMs: number;
  #toldFps: number;

  constructor(options: H264EncoderOptions) {
    const { width, height } = options;
    const fps = options.fps ?? 30;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
      throw new RangeError(`bad frame size ${width}x${height}: H.264 frames are at least 16x16`);
    }
    if (width % 2 || height % 2) {
      throw new RangeError(`bad frame size ${width}x${height}: H.264 (4:2:0) needs even sides`);
    }
    if (width > 4096 || height > 4096 || Math.ceil(width / 16) * Math.ceil(height / 16) > MAX_MBS) {
      throw new RangeError(`bad frame size ${width}x${height}: larger than H.264 level 5.2`);
    }
    if (!Number.isInteger(fps) || fps < 1 || fps > 60) throw new RangeError(`bad fps ${fps}`);
    const preset = options.preset ?? "normal";
    checkPreset(preset, PRESET_KBPS);
    if (options.bitrateKbps !== undefined) checkKbps(options.bitrateKbps);
    const basis = options.bitrateBasis ?? { width, height };
    if (!(basis.width >= 1 && basis.height >= 1 && basis.width * basis.height < 2 ** 28)) {
      throw new RangeError(`bad bitrate basis ${basis.width}x${basis.height}`);
    }
    this.width = width;
    this.height = height;
    this.fps = fps;
    this.#preset = preset;
    this.#basis = { ...basis };
    this.#tuning = {
      usage: "camera",
      rc: "timestamp",
      complexity: 0,
      maxQp: MAX_QP,
      aq: true,
      threads: 1,
      ...options.tuning,
    };
    const maxQp = this.#tuning.maxQp;
    if (!Number.isInteger(maxQp) || maxQp < MIN_QP || maxQp > 51) {
      throw new RangeError(`maxQp must be an integer in ${MIN_QP}…51, got ${maxQp}`);
    }
    if (!["camera", "screen"].includes(this.#tuning.usage)) {
      throw new RangeError(`unknown usage ${this.#tuning.usage}`);
    }
    if (![0, 1, 2].includes(this.#tuning.complexity)) {
      throw new RangeError(`complexity must be 0, 1 or 2, got ${this.#tuning.complexity}`);
    }
    this.#gapMs = 1000 / fps;
    this.#toldFps = fps;
    this.#l = loadH264Libs();
    try {
      this.#init(
        options.bitrateKbps ?? scaledKbps(PRESET_KBPS[preset], basis.width, basis.height, fps),
      );
    } catch (e) {
      this.close();
      throw e;
    }
  }

  #init(kbps: number): void {
    const l = this.#l, { abi } = l, P = abi.param, L = abi.layer, K = abi.constants;
    const { obj, m } = createEncoder(l);
    this.#enc = obj;
    this.#m = m;
    this.#arg = nativeStruct(l, 8);
    // Errors only: OpenH264 warns on stderr about settings it was given on purpose.
    this.#setInt(abi.options.traceLevel, WELS_LOG_ERROR, "TRACE_LEVEL");
    const params = nativeStruct(l, abi.sizes.encParamExt);
    try {
      const rc = m.GetDefaultParams(obj, params.ptr);
      if (rc !== 0) throw new Error(`OpenH264 GetDefaultParams failed (${rc})`);
      const v = params.view, i32 = (o: number, x: number) => v.setInt32(o, x, true);
      const u8 = (o: number, x: boolean) => v.setUint8(o, x ? 1 : 0);
      const tuning = this.#tuning, camera = tuning.usage === "camera";
      i32(P.iUsageType, camera ? K.cameraVideoRealTime : K.screenContentRealTime);
      i32(P.iComplexityMode, tuning.complexity);
      // Keyframes only on demand: a scene change (a window opening, a page jump) is an ordinary
      // frame, not an IDR four times the size.
      u8(P.bEnableSceneChangeDetect, false);
      // Both unsupported in screen-content mode (OpenH264 turns them off with a warning).
      u8(P.bEnableBackgroundDetection, camera);
      u8(P.bEnableAdaptiveQuant, camera && tuning.aq);
      i32(P.iPicWidth, this.width);
      i32(P.iPicHeight, this.height);
      i32(P.iTargetBitrate, kbps * 1000);
      this.#rcMode = tuning.rc === "bitrate" ? K.rcBitrateMode : K.rcTimestampMode;
      i32(P.iRCMode, this.#rcMode);
      v.setFloat32(P.fMaxFrameRate, this.fps, true);
      i32(P.iTemporalLayerNum, 1);
      i32(P.iSpatialLayerNum, 1);
      i32(P.uiIntraPeriod, 0); // IDR only on demand
      i32(P.eSpsPpsIdStrategy, K.constantId);
      i32(P.iEntropyCodingModeFlag, 0); // CAVLC: baseline
      u8(P.bEnableFrameSkip, false);
      i32(P.iMaxBitrate, 0);
      i32(P.iMaxQp, tuning.maxQp);
      i32(P.iMinQp, MIN_QP);
      i32(P.uiMaxNalSize, 0);
      u8(P.bEnableLongTermReference, false);
      v.setUint16(P.iMultipleThreadIdc, tuning.threads, true);
      u8(P.bEnableDenoise, false);
      const layer = P.sSpatialLayers; // sSpatialLayers[0]
      i32(layer + L.iVideoWidth, this.width);
      i32(layer + L.iVideoHeight, this.height);
      v.setFloat32(layer + L.fFrameRate, this.fps, true);
      i32(layer + L.iSpatialBitrate, kbps * 1000);
      i32(layer + L.iMaxSpatialBitrate, 0);
      i32(layer + L.uiProfileIdc, K.proBaseline);
      i32(layer + L.uiLevelIdc, 0); // chosen by the encoder from the size
      i32(layer + L.iDLayerQp, REFINE_QP); // used only with rate control off: refine()
      i32(layer + L.uiSliceMode, tuning.threads > 1 ? K.smFixedSlcNum : K.smSingleSlice);
      i32(layer + L.uiSliceNum, tuning.threads);
      // The colours' meaning in the SPS (VUI): BT.601, studio range, which is what the planes
      // hold (libyuv's ARGBToI420). Without it Chromium shows an HD stream as BT.709, and
      // every saturated colour comes out shifted (bench:remote, video still: 35.7 dB against
      // VP8's 46.4 — VP8 is BT.601 by definition).
      const u8at = (o: number, x: number) => v.setUint8(layer + o, x);
      u8at(L.bVideoSignalTypePresent, 1);
      u8at(L.uiVideoFormat, K.vuiFormatUndef);
      u8at(L.bFullRange, 0);
      u8at(L.bColorDescriptionPresent, 1);
      u8at(L.uiColorPrimaries, K.vuiSmpte170m);
      u8at(L.uiTransferCharacteristics, K.vuiSmpte170m);
      u8at(L.uiColorMatrix, K.vuiSmpte170m);
      const init = m.InitializeExt(obj, params.ptr);
      if (init !== 0) throw new Error(`OpenH264 InitializeExt failed (${init})`);
      this.#initialised = true;
    } finally {
      l.libc.free(params.ptr);
    }
    this.#src = nativeStruct(l, abi.sizes.sourcePicture);
    this.#info = nativeStruct(l, abi.sizes.frameBsInfo);
    this.#planes = new PlanePair(l.libc, l.yuv, this);
    const S = abi.source, sv = this.#src.view;
    sv.setInt32(S.iColorFormat, K.videoFormatI420, true);
    for (let i = 0; i < 3; i++) sv.setInt32(S.iStride + 4 * i, this.#planes.strides[i], true);
    sv.setInt32(S.iPicWidth, this.width, true);
    sv.setInt32(S.iPicHeight, this.height, true);
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("H264Encoder is closed");
  }

  /** For the synchronous methods: nothing may run while a frame is coded on another thread. */
  #checkIdle(): void {
    this.#checkOpen();
    if (this.#coding) throw new Error("H264Encoder is coding a frame (encodeAsync)");
  }

  /** Runs `fn` now when idle, else after the work queued (encodeAsync). */
  #whenIdle(fn: () => void): void {
    if (!this.#coding) fn();
    else this.#waiting.push(fn);
  }

  /**
   * Encodes one B,G,R,X frame (`stride` bytes per row, ≥ width × 4). `dirty`: the only areas
   * that changed (only they are converted); `at`: capture time in ms (any steady clock);
   * `refine`: code it near-losslessly, as refine() does (with `keyframe`: one sharp IDR).
   * Null if the encoder produced nothing.
   */
  encode(
    bgrx: Uint8Array,
    stride: number,
    options?: { keyframe?: boolean; dirty?: readonly Area[]; at?: number; refine?: boolean },
  ): EncodedFrame | null {
    this.#checkIdle();
    const set = this.#convert(bgrx, stride, options);
    return this.#code(set, options?.at, codeKind(options));
  }

  /**
   * As encode(), but the frame is coded on another thread: the BGRX frame is converted before
   * this returns (the caller may overwrite it at once), and the promise resolves with the coded
   * frame and what it cost — the coding thread's CPU (OpenH264's own threads included, as the
   * process's CPU time minus the calling thread's over the call) plus the conversion's, and the
   * wall time from the start of its coding. One frame may wait while another is coded; a third
   * is refused. Meanwhile setPreset()/setBitrate() wait their turn, close() frees the encoder
   * when the coding ends, and encode(), refine() and empty() throw.
   */
  encodeAsync(
    bgrx: Uint8Array,
    stride: number,
    options?: { keyframe?: boolean; dirty?: readonly Area[]; at?: number; refine?: boolean },
  ): Promise<(EncodedFrame & { spent: { cpuMs: number; wallMs: number } }) | null> {
    this.#checkOpen();
    if (this.#frameWaits) throw new Error("H264Encoder: a frame is already waiting to be coded");
    const cpu = cpuClocks();
    const c0 = cpu.thread();
    const set = this.#convert(bgrx, stride, options);
    const convertCpu = cpu.thread() - c0;
    const kind = codeKind(options);
    const { promise, resolve, reject } = Promise.withResolvers<
      (EncodedFrame & { spent: { cpuMs: number; wallMs: number } }) | null
    >();
    const start = () => {
      this.#coding = true;
      const w0 = performance.now(), p0 = cpu.process(), t0 = cpu.thread();
      let coding: Promise<EncodedFrame | null>;
      try {
        coding = this.#code(set, options?.at, kind, true);
      } catch (e) {
        coding = Promise.reject(e);
      }
      coding.then((coded) => {
        const worker = cpu.process() - p0 - (cpu.thread() - t0);
        const spent = { cpuMs: convertCpu + worker, wallMs: performance.now() - w0 };
        this.#next();
        resolve(coded && { ...coded, spent });
      }, (e) => {
        this.#next();
        reject(e);
      });
    };
    if (!this.#coding) start();
    else {
      this.#frameWaits = true;
      this.#waiting.push(() => {
        this.#frameWaits = false;
        if (this.#closed) resolve(null);
        else start();
      });
    }
    return promise;
  }

  /**
   * A frame's coding ended: what waited runs now, up to and including the next frame (whose
   * coding then starts before the caller hears of this one); when nothing is left, a close()
   * that came meanwhile frees the encoder.
   */
  #next(): void {
    this.#coding = false;
    while (!this.#coding && this.#waiting.length) {
      const fn = this.#waiting.shift()!;
      try {
        fn();
      } catch {
        // a bitrate that cannot be set is not the frame's failure
      }
    }
    if (this.#closed && !this.#coding) this.#free();
  }

  /** Checks the frame and converts it into the free plane buffer; returns that buffer. */
  #convert(
    bgrx: Uint8Array,
    stride: number,
    options?: { keyframe?: boolean; dirty?: readonly Area[] },
  ): number {
    const { width: w, height: h } = this;
    if (!Number.isInteger(stride) || stride < w * 4) throw new RangeError(`bad stride ${stride}`);
    if (bgrx.byteLength < stride * (h - 1) + w * 4) {
      throw new RangeError(`frame buffer too small: ${bgrx.byteLength} bytes for ${w}x${h}`);
    }
    const grey = this.#preset === "greyscale";
    // While a frame is coded (encodeAsync), the other buffer.
    return this.#planes!.convert(bgrx, stride, {
      dirty: options?.dirty,
      full: !!options?.keyframe,
      grey,
      spare: this.#coding,
    });
  }

  /**
   * Codes plane buffer `set`: `idr` as an IDR, `refine` near-losslessly (REFINE_QP, rate
   * control off, an IDR: see the header). Everything that touches the encoder for one frame —
   * the frame rate, the IDR request, the RC mode — happens here, in the frame's turn.
   */
  #code(set: number, at: number | undefined, kind: "" | "idr" | "refine"): EncodedFrame | null;
  #code(
    set: number,
    at: number | undefined,
    kind: "" | "idr" | "refine",
    async: true,
  ): Promise<EncodedFrame | null>;
  #code(
    set: number,
    at: number | undefined,
    kind: "" | "idr" | "refine",
    async = false,
  ): EncodedFrame | null | Promise<EncodedFrame | null> {
    const { rcMode } = this.#l.abi.options, K = this.#l.abi.constants;
    const refine = kind === "refine";
    this.#observeRate(at);
    if (refine) this.#setInt(rcMode, K.rcOffMode, "RC_MODE");
    const restore = () => refine && this.#setInt(rcMode, this.#rcMode, "RC_MODE");
    let pending: Promise<number> | undefined;
    try {
      if (kind) this.#forceIdr();
      this.#prepareSource(set, at);
      const { EncodeFrame, EncodeFrameAsync } = this.#m, args = [this.#src!.ptr, this.#info!.ptr];
      if (!async) return this.#readOutput(EncodeFrame(this.#enc, args[0], args[1]));
      pending = EncodeFrameAsync(this.#enc, args[0], args[1]);
    } finally {
      if (!pending) restore();
    }
    return pending.then((rc) => this.#readOutput(rc)).finally(restore);
  }

  /**
   * Re-codes the last frame near-losslessly (REFINE_QP, an IDR: see the header) for a still
   * screen after motion or lossy frames. Null before the first frame, or when the planes are
   * grey and the preset is not (a grey picture is not refined into colour).
   */
  refine(options?: { at?: number }): EncodedFrame | null {
    this.#checkIdle();
    const planes = this.#planes!;
    if (planes.latestGrey !== (this.#preset === "greyscale")) return null;
    return this.#code(planes.latest, options?.at, "refine");
  }

  /**
   * The last picture again: an unchanged source codes as skipped macroblocks, a frame of a few
   * hundred bytes that changes nothing — what keeps a still picture's decoders from asking for
   * a keyframe. Null before the first frame.
   */
  empty(options?: { at?: number }): EncodedFrame | null {
    this.#checkIdle();
    const planes = this.#planes!;
    if (planes.latestGrey === null) return null;
    return this.#code(planes.latest, options?.at, "");
  }

  #forceIdr(): void {
    const rc = this.#m.ForceIntraFrame(this.#enc, true);
    if (rc !== 0) throw new Error(`OpenH264 ForceIntraFrame failed (${rc})`);
  }

  #setInt(option: number, value: number, name: string): void {
    this.#arg!.view.setInt32(0, value, true);
    const rc = this.#m.SetOption(this.#enc, option, this.#arg!.ptr);
    if (rc !== 0) throw new Error(`OpenH264 SetOption(${name}, ${value}) failed (${rc})`);
  }

  /**
   * Rate control by capture time: RC_BITRATE_MODE budgets bitrate ÷ frame rate per frame, so
   * it is told the frame rate the capture times show (smoothed; pauses over 1 s are stillness,
   * not a rate) whenever that moves by FPS_CHANGE — as WebRTC does with OpenH264.
   */
  #observeRate(at: number | undefined): void {
    if (at === undefined || this.#lastAt === undefined) return;
    const gap = at - this.#lastAt;
    if (!(gap > 0 && gap <= 1000)) return;
    this.#gapMs = this.#gapMs * 0.8 + gap * 0.2;
    const fps = Math.min(60, Math.max(1, 1000 / this.#gapMs));
    if (Math.abs(fps - this.#toldFps) <= FPS_CHANGE * this.#toldFps) return;
    this.#arg!.view.setFloat32(0, fps, true);
    const rc = this.#m.SetOption(this.#enc, this.#l.abi.options.frameRate, this.#arg!.ptr);
    if (rc !== 0) throw new Error(`OpenH264 SetOption(FRAME_RATE, ${fps}) failed (${rc})`);
    this.#toldFps = fps;
  }

  /** The next timestamp (ms): the capture time's gap since the last frame, 1 ms…1 s. */
  #nextTs(at: number | undefined): number {
    const nominal = 1000 / this.fps;
    const gap = at === undefined || this.#lastAt === undefined
      ? nominal
      : Math.min(1000, Math.max(1, at - this.#lastAt));
    if (at !== undefined) this.#lastAt = at;
    // Starts at 1 s: OpenH264's rate control treats a last timestamp of 0 as "none yet".
    this.#ts = this.#ts < 0 ? 1000 : this.#ts + Math.round(gap);
    return this.#ts;
  }

  /** Points the source picture at plane buffer `set` and stamps it. */
  #prepareSource(set: number, at: number | undefined): void {
    const { abi } = this.#l, sv = this.#src!.view, planes = this.#planes!.planes(set);
    for (let i = 0; i < 3; i++) {
      sv.setBigUint64(abi.source.pData + 8 * i, BigInt(Deno.UnsafePointer.value(planes[i])), true);
    }
    sv.setBigInt64(abi.source.uiTimeStamp, BigInt(this.#nextTs(at)), true);
  }

  /** The coded frame from the output info after EncodeFrame returned `rc`. */
  #readOutput(rc: number): EncodedFrame | null {
    const { abi } = this.#l, F = abi.frame, B = abi.bsLayer, K = abi.constants;
    if (rc !== 0) throw new Error(`OpenH264 EncodeFrame failed (${rc})`);
    const iv = this.#info!.view;
    const type = iv.getInt32(F.eFrameType, true);
    const layers = iv.getInt32(F.iLayerNum, true);
    if (type === K.frameTypeSkip || layers <= 0) return null;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < layers; i++) {
      const base = F.sLayerInfo + i * abi.sizes.layerBsInfo;
      const nals = iv.getInt32(base + B.iNalCount, true);
      const lengths = Deno.UnsafePointer.create(iv.getBigUint64(base + B.pNalLengthInByte, true));
      const buf = Deno.UnsafePointer.create(iv.getBigUint64(base + B.pBsBuf, true));
      if (!lengths || !buf || nals <= 0) continue;
      const lv = new Deno.UnsafePointerView(lengths);
      let size = 0;
      for (let n = 0; n < nals; n++) size += lv.getInt32(4 * n);
      const out = new Uint8Array(size);
      Deno.UnsafePointerView.copyInto(buf, out);
      parts.push(out);
    }
    if (parts.length === 0) return null;
    const keyframe = type === K.frameTypeIdr;
    return { data: joinParts(parts), keyframe };
  }

  /** The preset's bitrate (scaled to the basis); greyscale also sets U, V to 128. */
  setPreset(preset: QualityPreset): void {
    this.#checkOpen();
    checkPreset(preset, PRESET_KBPS);
    const kbps = scaledKbps(PRESET_KBPS[preset], this.#basis.width, this.#basis.height, this.fps);
    this.#whenIdle(() => this.#setBitrate(kbps));
    if ((preset === "greyscale") !== (this.#preset === "greyscale")) this.#planes!.invalidate();
    this.#preset = preset;
  }

  /** Target bitrate, applied from the next frame. */
  setBitrate(kbps: number): void {
    this.#checkOpen();
    checkKbps(kbps);
    this.#whenIdle(() => this.#setBitrate(Math.round(kbps)));
  }

  #setBitrate(kbps: number): void {
    const a = this.#arg!.view; // SBitrateInfo: iLayer, iBitrate (bps)
    a.setInt32(0, this.#l.abi.constants.spatialLayerAll, true);
    a.setInt32(4, kbps * 1000, true);
    const rc = this.#m.SetOption(this.#enc, this.#l.abi.options.bitrate, this.#arg!.ptr);
    if (rc !== 0) throw new Error(`OpenH264 SetOption(BITRATE, ${kbps} kbps) failed (${rc})`);
  }

  /** Frees the encoder and its native memory (once a frame being coded is done). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#coding) this.#free();
  }

  #free(): void {
    const l = this.#l;
    if (this.#enc) {
      if (this.#initialised) this.#m.Uninitialize(this.#enc);
      l.h264.WelsDestroySVCEncoder(this.#enc);
    }
    for (const p of [this.#src?.ptr, this.#info?.ptr, this.#arg?.ptr]) {
      if (p) l.libc.free(p);
    }
    this.#planes?.free();
    this.#enc =
      this.#src =
      this.#info =
      this.#arg =
      this.#planes =
        null;
  }
}

/** How #code codes a frame encode()'s or encodeAsync()'s options ask for. */
function codeKind(options?: { keyframe?: boolean; refine?: boolean }): "" | "idr" | "refine" {
  return options?.refine ? "refine" : options?.keyframe ? "idr" : "";
}
