import assert from "node:assert/strict";
import type { MediaFrame } from "../../protocol/mod.ts";
import { accessUnits, H264_CLIP } from "../../tests/support/h264_share.ts";
import { MAX_PENDING_BYTES, PartFile } from "./part_file.ts";
import { type PartStart, type RecorderEvent, SessionRecorder } from "./recorder.ts";
import { vp8TestFrames } from "./test_support.ts";
import { ffprobe } from "../../tests/support/ffprobe.ts";

async function _probe(path: string) {
  const { json, stderr } = await ffprobe(path, {
    countFrames: true,
    entries: "stream=codec_name,width,height,nb_read_frames",
  });
  assert.equal(stderr, "");
  return json.streams[0];
}

/** A recorder over a temp folder with a remote and a store that only note what happens. */
function _world() {
  const seen = { keyframes: 0, changes: 0, events: [] as RecorderEvent[] };
  const parts: (PartStart & { id: string; endedAt?: Date; bytes?: number; durationMs?: number })[] =
    [];
  const recorder = new SessionRecorder({
    sessionId: "00000000-0000-4000-8000-000000000001",
    remote: {
      wantKeyframe: () => void seen.keyframes++,
      recordingChanged: () => void seen.changes++,
    },
    store: {
      opened: (part) => {
        parts.push({ ...part, id: String(parts.length + 1) });
        return Promise.resolve(String(parts.length));
      },
      closed: (id, end) => {
        Object.assign(parts[Number(id) - 1], end);
        return Promise.resolve();
      },
    },
    onEvent: (event) => void seen.events.push(event),
    watcher: () => "watcher-id",
  });
  return { recorder, seen, parts };
}

const frame = (
  codec: MediaFrame["codec"],
  size: [number, number],
  data: Uint8Array,
  keyframe: boolean,
  at: number,
): MediaFrame => ({ codec, width: size[0], height: size[1], data, keyframe, capturedAt: at });

Deno.test("SessionRecorder writes only while wanted and view is granted, from a keyframe on", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const { recorder, seen, parts } = _world();
    const vp8 = await vp8TestFrames(10, { size: "320x240", gop: 100 });
    const ann = { id: "ann-id", name: "Ann" };
    recorder.frame(frame("vp8", [320, 240], vp8[0].data, true, 0));
    recorder.start(folder, ann);
    assert.equal(recorder.recording, false, "wanted, but the customer has not allowed view");
    assert.equal(seen.changes, 0);
    recorder.viewChanged(true);
    assert.equal(recorder.recording, true);
    assert.deepEqual(seen.events, [{ kind: "started", by: ann }]);
    assert.equal(seen.keyframes, 1, "a keyframe is asked for at the start");
    // A delta frame cannot start a part: it waits (and does not ask again within a second).
    recorder.frame(frame("vp8", [320, 240], vp8[1].data, false, 100));
    assert.equal(parts.length, 0);
    assert.equal(seen.keyframes, 1);
    for (const [i, f] of vp8.entries()) {
      recorder.frame(frame("vp8", [320, 240], f.data, f.key, 1000 + i * 100));
    }
    recorder.viewChanged(false);
    assert.equal(recorder.recording, false, "view taken back: it stops at once");
    await recorder.settled();
    assert.equal(parts.length, 1);
    const part = parts[0];
    assert.equal(part.userId, "ann-id");
    assert.match(
      part.path,
      new RegExp(`^${folder}/00000000-0000-4000-8000-000000000001-.*-1\\.webm$`),
    );
    assert.equal(part.bytes, (await Deno.stat(part.path)).size);
    assert.ok(part.endedAt);
    assert.equal(part.durationMs, 900, "how long the file plays: its frames' capture times");
    const probe = await _probe(part.path);
    assert.deepEqual([probe.codec_name, probe.width, probe.height], ["vp8", 320, 240]);
    assert.equal(probe.nb_read_frames, "10");
    // Frames while view is off are not written; a stop while not recording says nothing.
    recorder.frame(frame("vp8", [320, 240], vp8[0].data, true, 5000));
    await recorder.stop(ann);
    assert.equal(parts.length, 1);
    assert.deepEqual(seen.events.map((e) => e.kind), ["started", "stopped"]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("SessionRecorder starts a new part on a size change and on a codec change", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const { recorder, parts } = _world();
    recorder.start(folder, null);
    recorder.viewChanged(true);
    const big = await vp8TestFrames(4, { size: "320x240", gop: 100 });
    const small = await vp8TestFrames(3, { size: "160x120", gop: 100 });
    const h264 = accessUnits(await Deno.readFile(H264_CLIP)).slice(0, 12);
    let at = 0;
    for (const f of big) recorder.frame(frame("vp8", [320, 240], f.data, f.key, at += 50));
    for (const f of small) recorder.frame(frame("vp8", [160, 120], f.data, f.key, at += 50));
    for (const [i, unit] of h264.entries()) {
      recorder.frame(frame("h264", [640, 360], unit, i === 0, at += 33));
    }
    await recorder.stop(null);
    assert.equal(parts.length, 3);
    parts.sort((a, b) => a.path.localeCompare(b.path)); // rows are written as their files open
    assert.deepEqual(parts.map((p) => p.userId), ["watcher-id", "watcher-id", "watcher-id"]);
    const probes = await Promise.all(parts.map((p) => _probe(p.path)));
    assert.deepEqual(
      probes.map((p) => [p.codec_name, p.width, p.height, p.nb_read_frames]),
      [["vp8", 320, 240, "4"], ["vp8", 160, 120, "3"], ["h264", 640, 360, "12"]],
    );
    assert.ok(parts[2].path.endsWith("-3.mkv"));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("SessionRecorder stops, and says so, when its folder cannot be written", async () => {
  const { recorder, seen, parts } = _world();
  recorder.start("/nonexistent/folder", null);
  recorder.viewChanged(true);
  const [first] = await vp8TestFrames(1, { size: "64x64", gop: 100 });
  recorder.frame(frame("vp8", [64, 64], first.data, true, 0));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await recorder.settled();
  assert.equal(recorder.recording, false);
  assert.equal(recorder.wanted, false);
  assert.deepEqual(seen.events.map((e) => e.kind), ["started", "failed", "stopped"]);
  assert.equal(parts.length, 0, "no part is listed for a file that was never made");
});

Deno.test("SessionRecorder: what the policy started ends with the view and waits for it at the next grant", () => {
  const asked: number[] = [];
  const { recorder } = _world();
  (recorder.options as { viewGranted?: () => void }).viewGranted = () => void asked.push(1);
  recorder.start("/tmp", null);
  recorder.viewChanged(true);
  assert.equal(recorder.recording, true);
  assert.equal(asked.length, 1, "the policy is looked at on each grant");
  recorder.viewChanged(false);
  assert.equal(recorder.wanted, false);
  recorder.viewChanged(true);
  assert.equal(recorder.recording, false, "not before the policy says so again");
  assert.equal(asked.length, 2);
  // A technician's Record outlives a revoke: their choice, not the policy's.
  recorder.start("/tmp", { id: "ann", name: "Ann" });
  recorder.viewChanged(false);
  recorder.viewChanged(true);
  assert.equal(recorder.recording, true);
  void recorder.stop(null);
});

Deno.test("PartFile refuses bytes past MAX_PENDING_BYTES while the disk is behind", async () => {
  const path = await Deno.makeTempFile();
  await Deno.remove(path);
  const file = new PartFile(path, () => {});
  const chunk = new Uint8Array(1024 * 1024);
  let taken = 0;
  while (file.write(chunk)) taken += chunk.byteLength;
  assert.equal(taken, MAX_PENDING_BYTES, "memory never holds more than the cap");
  await file.close([]);
  assert.equal((await Deno.stat(path)).size, MAX_PENDING_BYTES);
  await Deno.remove(path);
});
