// Where the picture was not live (the agent's capture pause: a secure screen, a refused grab), a
// recording's part file says so in chapters that a player lists — read back with ffprobe, which
// finds them through the SeekHead the writer puts at the Segment's start. A part without pauses
// keeps the Void there; a part that ends paused runs to its end, the last frame held.
import assert from "node:assert/strict";
import type { MediaFrame } from "../../protocol/mod.ts";
import { type PartEnd, type PartStart, SessionRecorder } from "./recorder.ts";
import { vp8TestFrames } from "./test_support.ts";
import { ffprobe } from "../../tests/support/ffprobe.ts";

interface Probed {
  chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
  format: { duration: string };
  streams: { nb_read_frames: string }[];
}

async function _probe(path: string): Promise<Probed> {
  const { json, stderr } = await ffprobe(path, {
    countFrames: true,
    chapters: true,
    entries: "format=duration:stream=nb_read_frames",
  });
  assert.equal(stderr, "");
  return json;
}

const TITLES: Record<string, string> = {
  live: "Live picture",
  secure_desktop: "Not live: a secure screen",
  failed: "Not live: not captured",
};

/** A recorder on a clock the test moves, writing into `folder`; the parts it opened. */
function _recorder(folder: string, clock: { ms: number }) {
  const parts: PartStart[] = [];
  const ends: PartEnd[] = [];
  const recorder = new SessionRecorder({
    sessionId: "00000000-0000-4000-8000-000000000002",
    remote: { wantKeyframe: () => {}, recordingChanged: () => {} },
    store: {
      opened: (part) => (parts.push(part), Promise.resolve(String(parts.length))),
      closed: (_id, end) => (ends.push(end), Promise.resolve()),
    },
    onEvent: () => {},
    watcher: () => null,
    chapterTitle: (reason) => TITLES[reason ?? "live"],
    now: () => new Date(clock.ms),
    elapsed: () => clock.ms,
  });
  recorder.start(folder, { id: "ann", name: "Ann" });
  recorder.viewChanged(true);
  return { recorder, parts, ends };
}

const vp8 = (f: { data: Uint8Array; key: boolean }, at: number): MediaFrame => ({
  codec: "vp8",
  width: 320,
  height: 240,
  data: f.data,
  keyframe: f.key,
  capturedAt: at,
});

const seconds = (chapter: Probed["chapters"][number]) => [
  Math.round(Number(chapter.start_time) * 10) / 10,
  Math.round(Number(chapter.end_time) * 10) / 10,
  chapter.tags?.title,
];

Deno.test("a recording marks where the picture was paused: chapters a player lists, through the SeekHead", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const clock = { ms: Date.UTC(2026, 11, 7, 9) };
    const { recorder, parts, ends } = _recorder(folder, clock);
    const frames = await vp8TestFrames(40, { gop: 100 });
    // 2 s of picture (frames every 100 ms), 3 s frozen on a secure screen, 1 s of picture,
    // 1.5 s of a refused grab that lasts until Stop.
    let at = 0;
    const play = (from: number, count: number) => {
      for (const f of frames.slice(from, from + count)) {
        recorder.frame(vp8(f, at));
        at += 100;
        clock.ms += 100;
      }
    };
    play(0, 20);
    clock.ms -= 100; // the pause comes right after the last frame
    at -= 100;
    recorder.captureChanged("secure_desktop");
    clock.ms += 3000;
    at += 3000;
    recorder.captureChanged(null);
    play(20, 10);
    recorder.captureChanged("failed");
    clock.ms += 1500;
    await recorder.stop(null);
    assert.equal(parts.length, 1);
    const probe = await _probe(parts[0].path);
    assert.deepEqual(probe.chapters.map(seconds), [
      [0, 1.9, "Live picture"],
      [1.9, 4.9, "Not live: a secure screen"],
      [4.9, 5.9, "Live picture"],
      [5.9, 7.4, "Not live: not captured"],
    ]);
    // Every frame is still there, and the file lasts until Stop (the last frame held).
    assert.equal(probe.streams[0].nb_read_frames, "30");
    assert.equal(Math.round(Number(probe.format.duration) * 10) / 10, 7.4);
    // The part's row is told the same stretches (the record page lists them).
    assert.deepEqual(ends.map((end) => end.notLive), [[
      { startMs: 1900, endMs: 4900, reason: "secure_desktop" },
      { startMs: 5900, endMs: 7400, reason: "failed" },
    ]]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a part without pauses has no chapters; a part opened while paused starts in the pause", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const clock = { ms: Date.UTC(2026, 11, 7, 9) };
    const frames = await vp8TestFrames(10, { gop: 100 });
    const plain = _recorder(folder, clock);
    for (const [i, f] of frames.entries()) {
      plain.recorder.frame(vp8(f, i * 100));
      clock.ms += 100;
    }
    await plain.recorder.stop(null);
    const probe = await _probe(plain.parts[0].path);
    assert.deepEqual(probe.chapters, []);
    assert.deepEqual(plain.ends.map((end) => end.notLive), [[]]);
    assert.equal(probe.streams[0].nb_read_frames, "10");
    // The Void kept for the SeekHead is still a Void.
    const bytes = await Deno.readFile(plain.parts[0].path);
    const segment = bytes.findIndex((_, i) =>
      bytes[i] === 0x18 && bytes[i + 1] === 0x53 && bytes[i + 2] === 0x80 && bytes[i + 3] === 0x67
    );
    assert.ok(segment > 0);
    // After the Segment's ID and its 8-byte size: a Void (0xEC) of 30 bytes of data.
    assert.deepEqual([bytes[segment + 12], bytes[segment + 13]], [0xec, 0x80 | 30]);

    const paused = _recorder(folder, clock);
    paused.recorder.captureChanged("failed");
    for (const [i, f] of frames.entries()) {
      paused.recorder.frame(vp8(f, i * 100));
      clock.ms += 100;
      if (i === 4) paused.recorder.captureChanged(null);
    }
    await paused.recorder.stop(null);
    const chapters = (await _probe(paused.parts[0].path)).chapters.map(seconds);
    assert.deepEqual(chapters, [[0, 0.5, "Not live: not captured"], [0.5, 1, "Live picture"]]);
    assert.deepEqual(paused.ends[0].notLive, [{ startMs: 0, endMs: 500, reason: "failed" }]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
