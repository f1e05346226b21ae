// ScreenSender with an encoder that codes on another thread (EncoderLike.encodeAsync, as
// H264Encoder) and a screen in fast motion (big changes at 60 Hz; slower ones are coded at
// once): the next frame is grabbed while one is coded, never more than two are handed
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

function setup(
  opts: { failFirstPipelined?: boolean; stillWhenPipelined?: boolean; gapMs?: number } = {},
) {
  const logs: string[] = [];
  const W = 64, H = 48;
  let grabs = 0;
  const frame: Frame = { width: W, height: H, stride: W * 4, data: new Uint8Array(W * H * 4) };
  // The whole screen changes all the time — a 60 Hz page's motion, as fast as the pacer lets
  // the sender grab (`stillWhenPipelined`: until the first frame goes to the other thread).
  let still = false;
  const watcher: DamageWatcher = {
    wait: (ms) =>
      new Promise((resolve) => setTimeout(() => resolve(!still), still ? ms : opts.gapMs ?? 1)),
    take: () => still ? [] : [{ x: 0, y: 0, width: W, height: H }],
    close: () => {},
  };
  const jobs: Job[] = [];
  /** Frames coded on the calling thread (before the motion was found fast). */
  const direct: number[] = [];
  const sent: { codec: string; marker: number; keyframe: boolean }[] = [];
  const link = {
    send: () => {},
    sendMedia: (b: Uint8Array) => {
      const decoded = decodeMediaFrame(b);
      assert.ok(decoded.ok);
      const f = decoded.frame;
      if (opts.failFirstPipelined && f.data[0] === jobs[0]?.marker) {
        throw new Error("socket closed");
      }
      sent.push({ codec: f.codec, marker: f.data[0], keyframe: f.keyframe });
    },
    buffered: () => 0,
  };
  const encoder = (_w: number, _h: number, _s: unknown, codec: VideoCodec): EncoderLike => ({
    codec,
    encode: (bgrx, _stride, options) => {
      direct.push(bgrx[0]);
      return { data: new Uint8Array([bgrx[0], 1, 2, 3]), keyframe: !!options?.keyframe };
    },
    encodeAsync(bgrx, _stride, options) {
      const marker = bgrx[0]; // the grab's number, read before this returns
      if (opts.stillWhenPipelined) still = true;
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
  sender.setPreset("normal", true);
  sender.resume();
  return { sender, jobs, direct, sent, logs, grabs: () => grabs };
}

Deno.test("ScreenSender: fast motion is pipelined — the next frame grabbed while one is coded, two at most, in order", async () => {
  const { sender, jobs, direct, sent, grabs } = setup();
  try {
    await sleep(300);
    // The first frames are coded here until the motion shows itself fast (60 a second); then
    // one is coded and one waits: the second was grabbed without waiting for the first, and
    // no third while both are out — however much the screen changes.
    assert.ok(direct.length >= 2, `coded here first: ${direct.length}`);
    assert.equal(jobs.length, 2, "two frames handed over");
    assert.equal(grabs(), direct.length + 2, "no grab while two are out");
    assert.equal(sent.length, direct.length);
    jobs[0].done(true);
    await sleep(60);
    assert.equal(sent.at(-1)?.marker, jobs[0].marker, "the first handed over went out");
    assert.equal(jobs.length, 3, "a slot freed: the next frame was grabbed");
    jobs[2].done(true); // ends before the one handed over before it: still sent after it
    jobs[1].done(true);
    await sleep(60);
    const markers = sent.map((s) => s.marker);
    assert.deepEqual(markers, [...direct, jobs[0].marker, jobs[1].marker, jobs[2].marker]);
    assert.deepEqual(markers, [...markers].sort((a, b) => a - b), "in capture order");
    assert.equal(sent[0].keyframe, true, "the first is the keyframe");
    assert.ok(sent.slice(1).every((s) => !s.keyframe), "one keyframe, not one per frame");
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: 30 Hz motion is coded on the calling thread (the loop keeps up; a hand-over costs latency)", async () => {
  const { sender, jobs, direct } = setup({ gapMs: 30 });
  try {
    await sleep(400);
    assert.ok(direct.length >= 8, `frames coded: ${direct.length}`);
    assert.equal(jobs.length, 0, "none handed over");
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a frame coded by an encoder replaced meanwhile is not sent; the new codec starts with a keyframe", async () => {
  const { sender, jobs, sent } = setup();
  try {
    await sleep(300);
    assert.equal(jobs.length, 2);
    const before = sent.length;
    sender.setCodec("h264"); // the VP8 encoder is closed with two frames out
    jobs[0].done(true);
    jobs[1].done(true);
    await sleep(60);
    assert.ok(jobs.length > 2, "the new encoder got frames");
    for (const j of jobs.slice(2)) j.done(true);
    await sleep(30);
    const after = sent.slice(before);
    assert.ok(after.length > 0, "the new encoder's frames go out");
    assert.ok(after.every((s) => s.codec === "h264"), JSON.stringify(after));
    assert.equal(after[0].keyframe, true, "the new codec starts with a keyframe");
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a keyframe that did not come out of the other thread is asked for again", async () => {
  const { sender, jobs } = setup();
  try {
    await sleep(300);
    assert.equal(jobs.length, 2);
    sender.resume(); // a viewer asks for a keyframe: the next frame handed over is one
    jobs[0].done(true);
    await sleep(60);
    const key = jobs.findIndex((j) => j.keyframe);
    assert.ok(key >= 2, "the keyframe was handed over");
    jobs[1].done(true);
    jobs[key].done(false); // the encoder produced nothing
    await sleep(60);
    const again = jobs.slice(key + 1);
    assert.ok(again.some((j) => j.keyframe), "the keyframe is owed again");
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});

Deno.test("ScreenSender: a send that throws after a frame was coded is logged, not an unhandled rejection", async () => {
  // The screen goes still once a frame is handed over: it is the only one out, nobody waits on
  // it — a rejection there would end the agent (and fail this test).
  const { sender, jobs, logs } = setup({ failFirstPipelined: true, stillWhenPipelined: true });
  try {
    await sleep(300);
    assert.equal(jobs.length, 1);
    jobs[0].done(true);
    await sleep(30);
    assert.ok(logs.some((l) => l.includes("socket closed")), logs.join("; "));
  } finally {
    sender.stop();
    for (const j of jobs) j.done(true);
  }
});
