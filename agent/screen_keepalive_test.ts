// A still screen (screen.ts KEEPALIVE_MS): after its refinement the agent sends only an empty
// frame every 2 s — a browser that decodes nothing for 3 s asks for a keyframe, which cost an
// idle screen a 150 KB keyframe and its refinement every 3 s.
import assert from "node:assert/strict";
import type { DamageWatcher, Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("ScreenSender: a still screen sends one empty frame every 2 s and nothing else", async () => {
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
  const start = performance.now();
  const note = (what: string) => calls.push({ what, at: performance.now() - start });
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
  }, { link: () => link, allowed: () => true });
  sender.setPreset("normal", true);
  sender.resume();
  await sleep(4_600);
  sender.stop();
  const what = calls.map((c) => `${c.what}@${Math.round(c.at)}`).join(", ");
  assert.deepEqual(calls.map((c) => c.what), ["key", "refine", "empty", "empty"], what);
  const [, refine, first, second] = calls.map((c) => c.at);
  assert.ok(first - refine >= 2_000 && first - refine < 2_900, what); // under 3 s: Chromium waits 3 s
  assert.ok(second - first >= 2_000 && second - first < 2_900, what);
  assert.equal(sender.keepalives, 2);
  assert.equal(sent.length, 4, "each encoded frame went out");
});
