import assert from "node:assert/strict";
import {
  codecName,
  formatStats,
  type InboundSample,
  type SampleContext,
  StatsTracker,
  type ViewStats,
} from "./stats.ts";

const ctx = (now: number, extra: Partial<SampleContext> = {}): SampleContext => ({
  sessionId: "s1",
  at: 1_700_000_000_000 + now,
  now,
  rttMs: 40,
  video: { width: 1920, height: 1080 },
  connection: "connected",
  viewGranted: true,
  ...extra,
});

const sample = (timestamp: number, fields: Partial<InboundSample> = {}): InboundSample => ({
  id: "in-1",
  timestamp,
  ...fields,
});

Deno.test("StatsTracker works out frame rate, bit rate and latency over one second", () => {
  const tracker = new StatsTracker();
  const first = tracker.sample(
    sample(1000, {
      framesDecoded: 100,
      bytesReceived: 1_000_000,
      jitterBufferDelay: 1,
      jitterBufferEmittedCount: 100,
      totalDecodeTime: 0.5,
    }),
    ctx(1000),
  );
  assert.equal(first.stats.fps, null, "nothing to compare with yet");
  assert.equal(first.stats.decodeMs, 5, "decode time from the totals");
  assert.equal(first.stats.latencyMs, 25, "half the round trip + decode");
  const second = tracker.sample(
    sample(2000, {
      framesDecoded: 130,
      framesReceived: 130,
      bytesReceived: 1_250_000,
      jitterBufferDelay: 1.6,
      jitterBufferEmittedCount: 130,
      totalDecodeTime: 0.56,
      frameWidth: 1920,
      frameHeight: 1080,
    }),
    ctx(2000),
  );
  const s: ViewStats = second.stats;
  assert.equal(s.fps, 30);
  assert.equal(s.kbps, 2000);
  assert.equal(s.jitterBufferMs, 20);
  assert.equal(s.decodeMs, 2);
  assert.equal(s.latencyMs, 20 + 20 + 2);
  assert.equal(s.rttMs, 40);
  assert.deepEqual([s.width, s.height, s.framesDecoded, s.bytesReceived], [
    1920,
    1080,
    130,
    1_250_000,
  ]);
  assert.equal(second.wantKeyframe, false);
});

Deno.test("StatsTracker compares only the same stream, and starts over after reset()", () => {
  const tracker = new StatsTracker();
  tracker.sample(sample(1000, { framesDecoded: 10 }), ctx(1000));
  assert.equal(
    tracker.sample({ ...sample(2000, { framesDecoded: 40 }), id: "in-2" }, ctx(2000)).stats.fps,
    null,
  );
  tracker.reset();
  assert.equal(tracker.sample(sample(3000, { framesDecoded: 70 }), ctx(3000)).stats.fps, null);
  const none = tracker.sample(null, ctx(4000, { rttMs: null, video: { width: 0, height: 0 } }));
  assert.deepEqual([none.stats.width, none.stats.latencyMs, none.stats.framesDecoded], [
    null,
    null,
    0,
  ]);
});

/** Frames keep arriving (framesReceived grows) but none decodes after `from`. */
function stalled(
  tracker: StatsTracker,
  from: number,
  seconds: number,
  extra: Partial<SampleContext> = {},
) {
  const asks: number[] = [];
  for (let i = 0; i <= seconds; i++) {
    const t = from + i * 1000;
    const r = tracker.sample(
      sample(t, { framesDecoded: 50, framesReceived: 50 + i * 10 }),
      ctx(t, extra),
    );
    if (r.wantKeyframe) asks.push(t);
  }
  return asks;
}

Deno.test("StatsTracker asks for a keyframe when arriving frames stop decoding for over 2 s, then at most every 2 s", () => {
  const tracker = new StatsTracker();
  tracker.lastFrameAt = 10_000;
  // Frames arrive undecoded from 11 s; over 2 s later (14 s) a keyframe is asked, then 17 s.
  assert.deepEqual(stalled(tracker, 10_000, 8), [14_000, 17_000]);
});

Deno.test("StatsTracker leaves a still screen, a lost view and a broken connection alone", () => {
  const still = new StatsTracker();
  still.lastFrameAt = 10_000;
  for (let i = 0; i < 6; i++) {
    const t = 10_000 + i * 1000;
    const r = still.sample(
      sample(t, { framesDecoded: 50, framesReceived: 50, bytesReceived: 99 }),
      ctx(t),
    );
    assert.equal(r.wantKeyframe, false, "no frames arriving: nothing is stalled");
  }
  const notGranted = new StatsTracker();
  assert.deepEqual(stalled(notGranted, 10_000, 6, { viewGranted: false }), []);
  const failed = new StatsTracker();
  assert.deepEqual(stalled(failed, 10_000, 6, { connection: "disconnected" }), []);
});

Deno.test("formatStats() shows units, switches to MB/s from 8000 kbit/s and dashes for unknowns", () => {
  const t = (key: string) =>
    ({ unitFps: "fps", unitKbps: "kbit/s", unitMBps: "MB/s", unitMs: "ms" })[key] ?? key;
  const format = (n: number) => new Intl.NumberFormat("nl", { maximumFractionDigits: 1 }).format(n);
  const base =
    new StatsTracker().sample(null, ctx(0, { rttMs: null, video: { width: 0, height: 0 } })).stats;
  assert.deepEqual(formatStats(null, format, t), {
    fps: "–",
    bitrate: "–",
    latency: "–",
    resolution: "–",
    codec: "–",
  });
  assert.deepEqual(
    formatStats(
      {
        ...base,
        fps: 29.6,
        kbps: 1234.4,
        latencyMs: 41.5,
        width: 1920,
        height: 1080,
        codec: "video/H264",
      },
      format,
      t,
    ),
    {
      fps: "30 fps",
      bitrate: "1.234 kbit/s",
      latency: "42 ms",
      resolution: "1920 × 1080",
      codec: "H.264",
    },
  );
  assert.equal(formatStats({ ...base, kbps: 12_000 }, format, t).bitrate, "1,5 MB/s");
});

Deno.test("StatsTracker reports the codec the inbound stream is decoded with, null before any", () => {
  const tracker = new StatsTracker();
  assert.equal(tracker.sample(null, ctx(0)).stats.codec, null);
  assert.equal(tracker.sample(sample(1000), ctx(1000)).stats.codec, null, "no codec report yet");
  const s = tracker.sample(sample(2000, { codec: "video/VP8" }), ctx(2000)).stats;
  assert.equal(s.codec, "video/VP8");
});

Deno.test("codecName() names the codec of a MIME type as people know it", () => {
  assert.equal(codecName("video/H264"), "H.264");
  assert.equal(codecName("video/VP8"), "VP8");
  assert.equal(codecName("video/vp9"), "VP9");
  assert.equal(codecName("video/AV1"), "AV1");
  assert.equal(codecName(null), "–");
  assert.equal(codecName("nonsense"), "–");
});
