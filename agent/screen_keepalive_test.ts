// A still screen (screen.ts KEEPALIVE_MS): after its refinement the agent sends only an empty
// frame every 2 s — a browser that decodes nothing for 3 s asks for a keyframe, which cost an
// idle screen a 150 KB keyframe and its refinement every 3 s — nor after a quality switch: the
// keep-alive stopped after each of Automatic's switches, and Chromium asked 3 s later.
import assert from "node:assert/strict";
import { decodeMediaFrame } from "../protocol/mod.ts";
import { Vp8Encoder } from "./media/vp8.ts";
import type { DamageWatcher, Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { type TestClock, virtualClock } from "./screen_test_clock.ts";

Deno.test("ScreenSender: a still screen sends one empty frame every 2 s and nothing else", async () => {
  using clock = virtualClock();
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const watcher: DamageWatcher = {
    wait: (ms) => new Promise((resolve) => setTimeout(() => resolve(false), ms)),
    take: () => [],
    close: () => {},
  };
  const calls: { what: string; at: number }[] = [];
  const sent: number[] = [];
  const link = {
    send: () => {},
    sendMedia: (b: Uint8Array) => sent.push(b.byteLength),
    buffered: () => 0,
  };
  const start = clock.now();
  const note = (what: string) => calls.push({ what, at: clock.now() - start });
  const sender = new ScreenSender({
    desktop: {
      width: 64,
      height: 48,
      grab: () => frame,
      cursor: () => null,
      damage: () => watcher,
    } as unknown as Desktop,
    encoder: () => ({
      encode: (
        _b,
        _s,
        o,
      ) => (note(o?.keyframe ? "key" : "delta"),
        { data: new Uint8Array(100), keyframe: Boolean(o?.keyframe) }),
      refine: () => (note("refine"), { data: new Uint8Array(100), keyframe: false }),
      empty: () => (note("empty"), { data: new Uint8Array(1), keyframe: false }),
      setPreset: () => {},
      close: () => {},
    }),
    now: clock.now,
  }, { link: () => link, allowed: () => true });
  sender.setPreset("normal", true);
  sender.resume();
  await clock.sleep(4_600);
  sender.stop();
  const what = calls.map((c) => `${c.what}@${Math.round(c.at)}`).join(", ");
  assert.deepEqual(calls.map((c) => c.what), ["key", "refine", "empty", "empty"], what);
  const [, refine, first, second] = calls.map((c) => c.at);
  assert.ok(first - refine >= 2_000 && first - refine < 2_900, what); // under 3 s: Chromium waits 3 s
  assert.ok(second - first >= 2_000 && second - first < 2_900, what);
  assert.equal(sender.keepalives, 2);
  assert.equal(sent.length, 4, "each encoded frame went out");
});

/**
 * A still 320×180 screen with the real encoder, watched by a viewer that behaves like Chromium:
 * 3 s without a frame and it asks for a keyframe (here: `resume()`, as the server passes it on).
 */
function stillScreen(clock: TestClock) {
  const W = 320, H = 180;
  const data = new Uint8Array(W * H * 4).map((_, i) => (i * 37 + (i >> 10)) & 0xff);
  const frame: Frame = { width: W, height: H, stride: W * 4, data };
  const watcher: DamageWatcher = {
    wait: (ms) => new Promise((resolve) => setTimeout(() => resolve(false), ms)),
    take: () => [],
    close: () => {},
  };
  const sent: { at: number; keyframe: boolean; bytes: number }[] = [];
  const start = clock.now();
  const link = {
    send: () => {},
    sendMedia: (b: Uint8Array) => {
      const decoded = decodeMediaFrame(b);
      if (!decoded.ok) throw new Error(decoded.reason);
      const { keyframe } = decoded.frame;
      sent.push({ at: clock.now() - start, keyframe, bytes: b.byteLength });
    },
    buffered: () => 0,
  };
  const desktop = {
    width: W,
    height: H,
    grab: () => frame,
    cursor: () => null,
    damage: () => watcher,
  };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: (width: number, height: number) => new Vp8Encoder({ width, height, preset: "normal" }),
    now: clock.now,
  }, { link: () => link, allowed: () => true });
  const viewer = setInterval(() => {
    const last = sent.at(-1);
    if (last && clock.now() - start - last.at > 3_000) sender.resume(); // Chromium's PLI
  }, 100);
  return {
    sender,
    sent,
    since: () => clock.now() - start,
    stop: () => (clearInterval(viewer), sender.stop()),
  };
}

Deno.test({
  name:
    "ScreenSender: Automatic's switches on a still screen cost no keyframe; a viewer's real request still gets one at once",
  ignore: !Vp8Encoder.available(),
  async fn() {
    using clock = virtualClock();
    const s = stillScreen(clock);
    try {
      s.sender.setPreset("normal", true);
      s.sender.resume();
      await clock.sleep(1_000);
      s.sender.setPreset("high", true); // Automatic probes up on a clean link…
      await clock.sleep(2_500);
      s.sender.setPreset("normal", true); // …and comes back
      await clock.sleep(4_000);
      const what = s.sent.map((f) =>
        `${f.keyframe ? "key" : "delta"} ${f.bytes} B @${Math.round(f.at)}`
      )
        .join(", ");
      assert.equal(s.sent.filter((f) => f.keyframe).length, 1, what);
      for (let i = 1; i < s.sent.length; i++) {
        assert.ok(s.sent[i].at - s.sent[i - 1].at < 2_900, `a gap Chromium answers: ${what}`);
      }
      // Packet loss or a new viewer: the keyframe asked for goes out at once.
      const asked = s.since();
      s.sender.resume();
      await clock.sleep(300);
      const key = s.sent.find((f) => f.keyframe && f.at >= asked);
      assert.ok(key && key.at - asked < 200, what);
    } finally {
      s.stop();
    }
  },
});

Deno.test({
  name:
    "ScreenSender: a still screen switched from Low gets its refinement, into greyscale a new picture",
  ignore: !Vp8Encoder.available(),
  async fn() {
    using clock = virtualClock();
    const s = stillScreen(clock);
    try {
      s.sender.setPreset("low");
      s.sender.resume();
      await clock.sleep(600);
      assert.deepEqual(s.sent.map((f) => f.keyframe), [true], "Low is never refined");
      s.sender.setPreset("normal");
      await clock.sleep(600);
      assert.deepEqual(s.sent.map((f) => f.keyframe), [true, false], "refined at Normal");
      assert.ok(s.sent[1].bytes > 1_000, `a refinement, not a keep-alive: ${s.sent[1].bytes} B`);
      s.sender.setPreset("greyscale");
      await clock.sleep(300);
      assert.deepEqual(s.sent.map((f) => f.keyframe), [true, false, true], "the grey picture");
    } finally {
      s.stop();
    }
  },
});
