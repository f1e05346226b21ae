// The still picture's refinement (screen.ts): after motion stops, the agent sends the still
// screen once more, near-losslessly, within half a second — at Normal and High, never at Low.
// Real libvpx encoder and decoder, a fake desktop and change watcher (no X display needed).
import assert from "node:assert/strict";
import { decodeMediaFrame, type QualityPreset } from "../protocol/mod.ts";
import { Vp8Encoder } from "./media/vp8.ts";
import { FrameHalver } from "./media/scale.ts";
import { type DecodedFrame, Vp8Decoder } from "./media/vp8_decoder_test_support.ts";
import type { DamageWatcher, Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { virtualClock } from "./screen_test_clock.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

const ignore = !Vp8Encoder.available();
const W = 640, H = 360, STRIDE = W * 4;

/** Dark "text" on a light page, scrolled by `shift` px (as in vp8_rate_test.ts). */
function textPage(shift: number): Uint8Array {
  const f = new Uint8Array(STRIDE * H).fill(0xf0);
  for (let y = 0; y < H; y++) {
    const row = y + shift, line = Math.floor(row / 18), inLine = row % 18;
    if (inLine >= 12) continue;
    for (let x = 8; x < W - 8; x++) {
      const glyph = Math.floor(x / 8), col = x % 8;
      if (col === 7 || (line * 31 + glyph) % 11 === 0) continue;
      const h = Math.imul(line * 7919 + glyph * 104729 + inLine * 31 + col, 0x9e3779b1) >>> 0;
      if (h % 5 < 2) {
        const o = y * STRIDE + x * 4;
        f[o] = 0x20 + (line % 3) * 40;
        f[o + 1] = 0x20;
        f[o + 2] = 0x30 + (glyph % 4) * 30;
      }
    }
  }
  return f;
}

function lumaPsnr(bgrx: Uint8Array, y: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < W * H; i++) {
    const b = bgrx[i * 4], g = bgrx[i * 4 + 1], r = bgrx[i * 4 + 2];
    sum += (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16 - y[i]) ** 2;
  }
  return sum === 0 ? 99 : 10 * Math.log10(255 * 255 / (sum / (W * H)));
}

/**
 * Scrolls for a while, stops, and returns what arrived after the last scrolled frame. `slow`:
 * full-size encodes count as 40 ms (a busy machine), so motion mode halves the frames.
 */
async function scrollThenStop(preset: QualityPreset, slow = false) {
  let skew = 0;
  const halver = slow ? FrameHalver.open() : null;
  let page = textPage(0);
  const { watcher, damage } = scriptedDamage();
  const frame = (): Frame => ({ width: W, height: H, stride: STRIDE, data: page });
  const desktop = { width: W, height: H, grab: frame, cursor: () => null, damage: () => watcher };
  const media: { at: number; bytes: Uint8Array }[] = [];
  const link = {
    send: () => {},
    sendMedia: (bytes: Uint8Array) => void media.push({ at: performance.now(), bytes }),
    buffered: () => 0,
  };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: (width, height) => {
      const encoder = new Vp8Encoder({ width, height, preset: "normal" });
      if (!slow || width !== W) return encoder;
      return {
        encode: (bgrx, stride, options) => (skew += 40, encoder.encode(bgrx, stride, options)),
        refine: (options) => encoder.refine(options),
        setPreset: (preset) => encoder.setPreset(preset),
        close: () => encoder.close(),
      };
    },
    downscale: halver ? (f) => halver.halve(f) : undefined,
    encodeClock: () => performance.now() + skew,
  }, { link: () => link, allowed: () => true });
  sender.setPreset(preset, true);
  sender.resume();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(100);
  // 24 px per frame at ≈ 30 frames/s: every frame coarse at this bitrate.
  for (let i = 1; i <= 20; i++) {
    page = textPage(i * 24);
    damage({ x: 0, y: 0, width: W, height: H });
    await sleep(33);
  }
  const lastMotion = media.length;
  const stoppedAt = performance.now();
  await sleep(800);
  sender.stop();
  const decoder = new Vp8Decoder();
  let pic: DecodedFrame | null = null, moving = 0;
  try {
    for (const [i, m] of media.entries()) {
      const decoded = decodeMediaFrame(m.bytes);
      assert.ok(decoded.ok);
      pic = decoder.decode(decoded.frame.data) ?? pic;
      if (i === lastMotion - 1) moving = pic!.width === W ? lumaPsnr(page, pic!.y) : 0;
    }
  } finally {
    decoder.close();
  }
  const after = media.slice(lastMotion);
  assert.equal(pic!.width, W, "the last picture is full size");
  return {
    moving,
    halved: sender.timing.halved,
    still: lumaPsnr(page, pic!.y),
    after: after.map((m) => Math.round(m.at - stoppedAt)),
    refinements: sender.refinements,
  };
}

Deno.test({
  name: "a still screen after scrolling is refined to ≥ 45 dB within 0.5 s (Normal)",
  ignore,
  async fn() {
    const r = await scrollThenStop("normal");
    console.log(
      `  last scrolled frame ${r.moving.toFixed(1)} dB, still ${r.still.toFixed(1)} dB; ` +
        `frames after the stop at ${r.after.join(", ")} ms`,
    );
    assert.equal(r.refinements, 1, "one refinement, not one per idle tick");
    assert.equal(r.after.length, 1, "the refinement is the only frame after the stop");
    assert.ok(r.after[0] <= 500, `refined ${r.after[0]} ms after the stop`);
    assert.ok(r.still >= 45, `still picture ${r.still.toFixed(1)} dB`);
    assert.ok(r.moving < 40, `the scrolled frames were coarse (${r.moving.toFixed(1)} dB)`);
  },
});

Deno.test({
  name: "after motion at half size, the full-size keyframe is ≥ 45 dB within 0.5 s (Normal)",
  ignore,
  async fn() {
    const r = await scrollThenStop("normal", true);
    console.log(
      `  ${r.halved} frames at half size, still ${r.still.toFixed(1)} dB; ` +
        `frames after the stop at ${r.after.join(", ")} ms`,
    );
    assert.ok(r.halved >= 10, `${r.halved} frames halved`);
    assert.equal(r.refinements, 1);
    assert.equal(r.after.length, 1, "one sharp keyframe, no coarse one before it");
    assert.ok(r.after[0] <= 500, `sharp ${r.after[0]} ms after the stop`);
    assert.ok(r.still >= 45, `still picture ${r.still.toFixed(1)} dB`);
  },
});

Deno.test({
  name: "no refinement at Low (lossy on purpose)",
  ignore,
  async fn() {
    const r = await scrollThenStop("low");
    assert.equal(r.refinements, 0);
    assert.deepEqual(r.after, []);
  },
});

Deno.test("keyframes asked for on a still screen are refined at most once per cooldown", async () => {
  using clock = virtualClock();
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const watcher: DamageWatcher = {
    wait: (ms) => new Promise((resolve) => setTimeout(() => resolve(false), ms)),
    take: () => [],
    close: () => {},
  };
  const desktop = {
    width: 64,
    height: 48,
    grab: () => frame,
    cursor: () => null,
    damage: () => watcher,
  };
  const kinds: string[] = [];
  const link = { send: () => {}, sendMedia: () => {}, buffered: () => 0 };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: () => ({
      encode: (_b, _s, o) => (kinds.push(o?.keyframe ? "key" : "delta"), {
        data: new Uint8Array([1]),
        keyframe: Boolean(o?.keyframe),
      }),
      refine: () => (kinds.push("refine"), { data: new Uint8Array([2]), keyframe: false }),
      setPreset: () => {},
      close: () => {},
    }),
    now: clock.now,
  }, { link: () => link, allowed: () => true });
  sender.setPreset("normal", true);
  sender.resume();
  // A viewer asking for a keyframe every 300 ms (it skips what it cannot take).
  for (let i = 0; i < 6; i++) {
    await clock.sleep(300);
    sender.resume();
  }
  await clock.sleep(300);
  sender.stop();
  assert.equal(kinds.filter((k) => k === "key").length, 7, kinds.join(" "));
  assert.equal(sender.refinements, 1, kinds.join(" "));
});

Deno.test("back to full size after motion: the keyframe is itself the refinement", async () => {
  // The sender's clock is virtual (no busy machine's stalls); encodes take time on it alone.
  using clock = virtualClock();
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const { watcher, damage } = scriptedDamage();
  const desktop = {
    width: 64,
    height: 48,
    grab: () => frame,
    cursor: () => null,
    damage: () => watcher,
  };
  const log: { what: string; at: number }[] = [];
  const link = { send: () => {}, sendMedia: () => {}, buffered: () => 0 };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: (width) => ({
      encode: (_b, _s, o) => {
        const kind = `${o?.keyframe ? "key" : "delta"}${o?.refine ? "+refine" : ""}`;
        log.push({ what: `${width} ${kind}`, at: clock.now() });
        clock.spend(width === 64 ? 36 : 1); // full size is slow
        return { data: new Uint8Array([1]), keyframe: Boolean(o?.keyframe) };
      },
      refine: () => (log.push({ what: `${width} refine`, at: clock.now() }), {
        data: new Uint8Array([2]),
        keyframe: false,
      }),
      setPreset: () => {},
      close: () => {},
    }),
    downscale: (f) => ({ ...f, width: 32, height: 24, stride: 128 }),
    now: clock.now,
    encodeClock: clock.encodeClock,
  }, { link: () => link, allowed: () => true });
  sender.setPreset("normal", true);
  sender.resume();
  const sleep = clock.sleep;
  await sleep(50);
  for (let i = 0; i < 11; i++) {
    damage({ x: 0, y: 0, width: 64, height: 48 });
    await sleep(30);
  }
  const stoppedAt = clock.now();
  await sleep(600);
  sender.stop();
  const after = log.filter((e) => e.at > stoppedAt).map((e) => e.what);
  assert.ok(log.some((e) => e.what.startsWith("32 ")), "motion mode was on");
  assert.deepEqual(after.slice(-1), ["64 key+refine"], after.join(", "));
  assert.equal(sender.refinements, 1);
  const refinedAt = log.at(-1)!.at - stoppedAt;
  assert.ok(refinedAt < 450, `refined ${refinedAt.toFixed(0)} ms after the motion stopped`);
});
