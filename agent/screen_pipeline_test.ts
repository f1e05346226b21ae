// ScreenSender with an encoder that codes on another thread (EncoderLike.encodeAsync, as
// H264Encoder) and a screen in motion (big changes; small ones are coded at once): the next
// frame is grabbed while one is coded, never more than two are handed
// over, frames go out in order, and a frame coded by an encoder replaced meanwhile (a codec
// switch) is not sent.
import assert from "node:assert/strict";
import { decodeMediaFrame, type VideoCodec } from "../protocol/mod.ts";
import type { DamageWatcher, Desktop, Frame } from "./platform/types.ts";
import { type EncoderLike, ScreenSender } from "./screen.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Job {
  codec: VideoCodec;
  marker: number;
  keyframe: boolean;
  done(ok: boolean): void;
}

function setup(opts: { failFirstSend?: boolean; changes?: number } = {}) {
  const logs: string[] = [];
  let sends = 0;
  const W = 64, H = 48;
  let grabs = 0;
  const frame: Frame = { width: W, height: H, stride: W * 4, data: new Uint8Array(W * H * 4) };
  // The screen changes all the time (unless `changes` says how often): every wait reports
  // damage at once.
  let damaged = false;
  const watcher: DamageWatcher = {
    wait: (ms) =>
      new Promise((resolve) => {
        // `changes`: the screen changes that many times, then stays still.
        const more = opts.changes === undefined || opts.changes-- > 0;
        damaged = more;
        setTimeout(() => resolve(more), more ? 1 : ms);
      }),
    take: () => damaged ? [{ x: 0, y: 0, width: W, height: H }] : [], // big: coded on the other thread
    close: () => {},
  };
  const jobs: Job[] = [];
  const sent: { codec: string; marker: number; keyframe: boolean }[] = [];
  const link = {
    send: () => {},
    sendMedia: (b: Uint8Array) => {
      if (opts.failFirstSend && sends++ === 0) throw new Error("socket closed");
      const decoded = decodeMediaFrame(b);
      assert.ok(decoded.ok);
      const f = decoded.frame;
      sent.push({ codec: f.codec, marker: f.data[0], keyframe: f.keyframe });
    },
    buffered: () => 0,
  };
  const encoder = (_w: number, _h: number, _s: unknown, codec: VideoCodec): EncoderLike => ({
    codec,
    encode: () => {
      throw new Error("encode() called on an encoder that codes on another thread");
    },
    encodeAsync(bgrx, _stride, options) {
      const marker = bgrx[0]; // the grab's number, read before this returns
      return new Promise((resolve) => {
        jobs.push({
          codec,
          marker,
          keyframe: !!options?.keyframe,
          done: (ok) =>
            resolve(
              ok
                ? {
                  data: new Uint8Array([marker, 1, 2, 3]),
                  keyframe: !!options?.keyframe,
                  spent: { cpuMs: 5, wallMs: 5 },
                }
                : null,
            ),
        });
      });
    },
    setPreset: () => {},
    close: () => {},
  });
  const sender = new ScreenSender({
    desktop: {
      width: W,
      height: H,
      grab: () => {
        frame.data[0] = ++grabs;
        return frame;
      },
      cursor: () => null,
      damage: () => watcher,
    } as unknown as Desktop,
    encoder,
    log: (m) => logs.push(m),
  }, { link: () => link, allowed: () => true });
  return { sender, jobs, sent, logs, grabs: () => grabs };
}

Deno.test("ScreenSender: the next frame is grabbed while one is coded, two at most, sent in order", async () => {
  const { sender, jobs, sent, grabs } = setup();
  sender.setPreset("normal", true);
  sender.resume();
  try {
    await sleep(120);
    // One coded, one waiting: the sender grabbed the second without waiting for the first, and
    // no third while both are out — however much the screen changes.
    assert.equal(jobs.length, 2, "two frames handed over");
    assert.equal(grabs(), 2, "no grab while two are out");
    assert.equal(sent.length, 0);
    jobs[0].done(true);
    await sleep(60);
    assert.deepEqual(sent.map((s) => s.marker), [1], "the first frame went out");
    assert.equal(jobs.length, 3, "a slot freed: the next frame was grabbed");
    jobs[2].done(true); // finishes out of order: still sent after the one before it
    jobs[1].done(true);
    await sleep(60);
    assert.deepEqual(sent.slice(0, 3).map((s) => s.marker), [1, 2, 3], "in capture order");
    assert.equal(sent[0].keyframe, true, "the first is the keyframe");
    assert.ok(sent.slice(1).every((s) => !s.keyframe), "one keyframe, not one per frame");
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a frame coded by an encoder replaced meanwhile is not sent; the new codec starts with a keyframe", async () => {
  const { sender, jobs, sent } = setup();
  sender.setPreset("normal", true);
  sender.resume();
  try {
    await sleep(60);
    assert.equal(jobs.length, 2);
    sender.setCodec("h264"); // the VP8 encoder is closed with two frames out
    jobs[0].done(true);
    jobs[1].done(true);
    await sleep(60);
    assert.ok(jobs.length >= 3, "the new encoder got frames");
    const first = jobs.find((j) => j.codec === "h264");
    assert.ok(first?.keyframe, "the new encoder starts with a keyframe");
    for (const j of jobs.slice(2)) j.done(true);
    await sleep(30);
    assert.ok(sent.length > 0);
    assert.ok(sent.every((s) => s.codec === "h264"), JSON.stringify(sent));
    assert.equal(sent[0].keyframe, true);
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a keyframe that did not come out is asked for again", async () => {
  const { sender, jobs, sent } = setup();
  sender.setPreset("normal", true);
  sender.resume();
  try {
    await sleep(60);
    assert.equal(jobs[0].keyframe, true);
    jobs[0].done(false); // the encoder produced nothing
    jobs[1].done(true);
    await sleep(60);
    const next = jobs.slice(2);
    assert.ok(next.length > 0);
    assert.equal(next[0].keyframe, true, "the keyframe is owed again");
    for (const j of next) j.done(true);
    await sleep(30);
    assert.ok(sent.some((s) => s.keyframe));
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a send that throws after a frame was coded is logged, not an unhandled rejection", async () => {
  // One change: one frame out, nobody waiting on it — a rejection there would end the agent
  // (and fail this test).
  const { sender, jobs, logs } = setup({ failFirstSend: true, changes: 1 });
  sender.setPreset("normal", true);
  sender.resume();
  try {
    await sleep(60);
    assert.equal(jobs.length, 1);
    jobs[0].done(true);
    await sleep(30);
    assert.ok(logs.some((l) => l.includes("socket closed")), logs.join("; "));
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});
