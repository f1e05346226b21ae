/**
 * The view's figures, once a second from the inbound video stream's RTP statistics: frame rate,
 * bit rate, latency (half the socket's round trip + jitter buffer + decode), and stall
 * detection — frames arriving that do not decode for 2 s ask the server for a keyframe.
 */
import type { RemoteUiKey } from "../../protocol/viewer.ts";

const STALL_MS = 2_000;

/** The fields of an `inbound-rtp` stats report that we read. */
export interface InboundSample {
  id: string;
  timestamp: number;
  framesDecoded?: number;
  framesReceived?: number;
  framesDropped?: number;
  bytesReceived?: number;
  packetsLost?: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  totalDecodeTime?: number;
  frameWidth?: number;
  frameHeight?: number;
  /** The codec's MIME type, from the report's `codecId` (peer.ts `inboundVideoOf`). */
  codec?: string;
}

/** What the stats line shows and `__remoteView.stats` reports (the benchmark reads it). */
export interface ViewStats {
  sessionId: string;
  at: number;
  fps: number | null;
  kbps: number | null;
  rttMs: number | null;
  jitterBufferMs: number | null;
  decodeMs: number | null;
  latencyMs: number | null;
  width: number | null;
  height: number | null;
  /** The codec the picture is received in, as the browser names it ("video/H264"). */
  codec: string | null;
  framesDecoded: number;
  framesDropped: number;
  packetsLost: number;
  bytesReceived: number;
  connection: RTCPeerConnectionState | null;
}

export interface SampleContext {
  sessionId: string;
  /** Wall clock (ms since the epoch) and monotonic clock (performance.now()). */
  at: number;
  now: number;
  rttMs: number | null;
  video: { width: number; height: number };
  connection: RTCPeerConnectionState | null;
  /** The picture is granted (only then is a stall worth a keyframe). */
  viewGranted: boolean;
}

const ROUNDED = ["fps", "kbps", "jitterBufferMs", "decodeMs", "latencyMs"] as const;

export class StatsTracker {
  /** When a frame last decoded (or the track / connection came up). */
  lastFrameAt = 0;
  /** When a frame first arrived without one decoding since (null: none). */
  undecodedSince: number | null = null;
  lastKeyframeAt = 0;
  #prev: InboundSample | null = null;

  /** A new peer: the next sample has nothing to compare with. */
  reset(): void {
    this.#prev = null;
  }

  /** One second's figures, and whether to ask for a keyframe now. */
  sample(inbound: InboundSample | null, ctx: SampleContext) {
    const prev = this.#prev;
    this.#prev = inbound;
    const stats: ViewStats = {
      sessionId: ctx.sessionId,
      at: ctx.at,
      fps: null,
      kbps: null,
      rttMs: ctx.rttMs === null ? null : Math.round(ctx.rttMs),
      jitterBufferMs: null,
      decodeMs: null,
      latencyMs: null,
      width: inbound?.frameWidth ?? (ctx.video.width || null),
      height: inbound?.frameHeight ?? (ctx.video.height || null),
      codec: inbound?.codec ?? null,
      framesDecoded: inbound?.framesDecoded ?? 0,
      framesDropped: inbound?.framesDropped ?? 0,
      packetsLost: inbound?.packetsLost ?? 0,
      bytesReceived: inbound?.bytesReceived ?? 0,
      connection: ctx.connection,
    };
    let wantKeyframe = false;
    if (inbound && prev && prev.id === inbound.id && inbound.timestamp > prev.timestamp) {
      const seconds = (inbound.timestamp - prev.timestamp) / 1000;
      const frames = (inbound.framesDecoded ?? 0) - (prev.framesDecoded ?? 0);
      const bytes = (inbound.bytesReceived ?? 0) - (prev.bytesReceived ?? 0);
      if (frames >= 0) stats.fps = frames / seconds;
      if (bytes >= 0) stats.kbps = (bytes * 8) / 1000 / seconds;
      const emitted = (inbound.jitterBufferEmittedCount ?? 0) -
        (prev.jitterBufferEmittedCount ?? 0);
      if (emitted > 0) {
        const delay = (inbound.jitterBufferDelay ?? 0) - (prev.jitterBufferDelay ?? 0);
        stats.jitterBufferMs = (delay / emitted) * 1000;
      }
      if (frames > 0) {
        const decode = (inbound.totalDecodeTime ?? 0) - (prev.totalDecodeTime ?? 0);
        stats.decodeMs = (decode / frames) * 1000;
      }
      wantKeyframe = this.#stalled(inbound, prev, frames, bytes, ctx);
    }
    if (stats.decodeMs === null && (inbound?.framesDecoded ?? 0) > 0 && inbound?.totalDecodeTime) {
      stats.decodeMs = (inbound.totalDecodeTime / inbound.framesDecoded!) * 1000;
    }
    if (stats.rttMs !== null || stats.jitterBufferMs !== null) {
      stats.latencyMs = (stats.rttMs ?? 0) / 2 + (stats.jitterBufferMs ?? 0) +
        (stats.decodeMs ?? 0);
    }
    for (const key of ROUNDED) {
      const value = stats[key];
      if (value !== null) stats[key] = Math.round(value * 10) / 10;
    }
    return { stats, wantKeyframe };
  }

  /**
   * Stalled: frames arrived after the last decoded one and still nothing decoded 2 s later (or
   * no frame ever did). A still screen sends nothing and is not stalled; nor are retransmissions
   * or padding, which are bytes but not frames. At most one keyframe request per 2 s.
   */
  #stalled(
    inbound: InboundSample,
    prev: InboundSample,
    frames: number,
    bytes: number,
    ctx: SampleContext,
  ): boolean {
    const now = ctx.now;
    const received = (inbound.framesReceived ?? 0) - (prev.framesReceived ?? 0);
    if (frames > 0) {
      this.lastFrameAt = now;
      this.undecodedSince = null;
    } else if (received > 0 || (bytes > 0 && inbound.framesReceived === undefined)) {
      this.undecodedSince ??= now;
    }
    const stalled = now - this.lastFrameAt > STALL_MS &&
      ((this.undecodedSince !== null && now - this.undecodedSince > STALL_MS) ||
        (inbound.framesDecoded ?? 0) === 0);
    if (
      stalled && ctx.viewGranted && ctx.connection === "connected" &&
      now - this.lastKeyframeAt > STALL_MS
    ) {
      this.lastKeyframeAt = now;
      return true;
    }
    return false;
  }
}

/**
 * A codec's name as people know it, from its MIME type: "video/H264" → "H.264", "video/VP8" →
 * "VP8". Names of standards, the same in every language (like the resolution's figures).
 */
export function codecName(mimeType: string | null | undefined): string {
  const name = mimeType?.split("/")[1]?.toUpperCase();
  if (!name) return "–";
  return name === "H264" ? "H.264" : name === "H265" ? "H.265" : name;
}

/** The stats line's figures, with units, "–" when unknown. */
export function formatStats(
  stats: ViewStats | null,
  format: (n: number) => string,
  t: (key: RemoteUiKey) => string,
) {
  const n = (value: number | null | undefined) => (value == null ? "–" : format(value));
  let bitrate = "–";
  if (stats?.kbps != null) {
    bitrate = stats.kbps >= 8000
      ? `${format(stats.kbps / 8000)} ${t("unitMBps")}`
      : `${format(Math.round(stats.kbps))} ${t("unitKbps")}`;
  }
  return {
    fps: stats?.fps == null ? "–" : `${n(Math.round(stats.fps))} ${t("unitFps")}`,
    bitrate,
    latency: stats?.latencyMs == null ? "–" : `${n(Math.round(stats.latencyMs))} ${t("unitMs")}`,
    resolution: stats?.width && stats?.height ? `${stats.width} × ${stats.height}` : "–",
    codec: codecName(stats?.codec),
  };
}
