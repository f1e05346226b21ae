// The capture loop (screen.ts) with the H.264 encoder in VP8's place: its frames say H.264 in
// their media headers, a still screen after scrolling is refined to ≥ 45 dB within 0.5 s, and a
// still screen then gets only small keep-alives. Real OpenH264 encoder and decoder, a fake
// desktop and change watcher (no X display needed). The agent does not send H.264 yet.
import assert from "node:assert/strict";
import { decodeMediaFrame } from "../protocol/mod.ts";
import { H264Encoder } from "./media/h264.ts";
import { H264Decoder } from "./media/h264_decoder_test_support.ts";
import { luma, psnr, textPage } from "./media/frames_test_support.ts";
import type { DecodedFrame } from "./media/vp8_decoder_test_support.ts";
import type { Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

const ignore = !H264Encoder.available();
if (ignore) console.warn("screen_h264_test: OpenH264 2.3 / libyuv not loadable — ignored");
const W = 640, H = 360, STRIDE = W * 4;

Deno.test({
  name:
    "ScreenSender with H264Encoder: H.264 frames, a still screen refined to ≥ 45 dB within 0.5 s, then keep-alives",
  ignore,
  async fn() {
    let page = textPage(W, H, 0);
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
      encoder: (width, height) => new H264Encoder({ width, height, preset: "normal" }),
    }, { link: () => link, allowed: () => true });
    sender.setPreset("normal", true);
    sender.resume();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(100);
    for (let i = 1; i <= 20; i++) {
      page = textPage(W, H, i * 24);
      damage({ x: 0, y: 0, width: W, height: H });
      await sleep(33);
    }
    const lastMotion = media.length;
    const stoppedAt = performance.now();
    await sleep(2_700); // past the 2 s keep-alive
    sender.stop();
    const decoder = new H264Decoder();
    let pic: DecodedFrame | null = null, moving = 0, refined = 0;
    try {
      for (const [i, m] of media.entries()) {
        const decoded = decodeMediaFrame(m.bytes);
        assert.ok(decoded.ok);
        assert.equal(decoded.frame.codec, "h264");
        pic = decoder.decode(decoded.frame.data) ?? pic;
        if (i === lastMotion - 1) moving = psnr(luma(page, W, H), pic!.y);
        if (i === lastMotion) refined = psnr(luma(page, W, H), pic!.y);
      }
    } finally {
      decoder.close();
    }
    const after = media.slice(lastMotion);
    const times = after.map((m) => Math.round(m.at - stoppedAt));
    const sizes = after.map((m) => m.bytes.byteLength);
    console.log(
      `  last scrolled frame ${moving.toFixed(1)} dB, refined ${
        refined.toFixed(1)
      } dB; after the ` +
        `stop: ${times.map((t, i) => `${t} ms ${sizes[i]} B`).join(", ")}`,
    );
    assert.equal(sender.refinements, 1, "one refinement, not one per idle tick");
    assert.ok(times[0] <= 500, `refined ${times[0]} ms after the stop`);
    assert.ok(refined >= 45, `refined picture ${refined.toFixed(1)} dB`);
    assert.ok(sender.keepalives >= 1, "a keep-alive on the still screen");
    assert.ok(sizes.slice(1).every((n) => n < 2_000), `keep-alives: ${sizes.slice(1)} bytes`);
    const still = psnr(luma(page, W, H), pic!.y);
    assert.ok(still >= refined - 0.5, `keep-alives kept the picture: ${still.toFixed(1)} dB`);
  },
});
