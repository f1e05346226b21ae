// A disk that fills up mid-recording, for real: a 40 KiB tmpfs (mounting needs root, so the
// test is skipped elsewhere). The recorder stops and says so (recorder_test.ts); here the part
// it leaves must be what a player can use and its row must say the truth — before, the row kept
// the bytes the writer had handed out (more than reached the disk) and the file ended inside a
// frame with no length ("File ended prematurely").
import assert from "node:assert/strict";
import type { PartStart, RecorderEvent } from "./recorder.ts";
import { SessionRecorder } from "./recorder.ts";
import { vp8TestFrames } from "./test_support.ts";

const root = Deno.uid() === 0;

async function _run(command: string, ...args: string[]) {
  const out = await new Deno.Command(command, { args, stderr: "piped" }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test({
  name:
    "SessionRecorder on a disk that fills up: the part is finished as far as it got, its row says its real size",
  ignore: !root,
  async fn() {
    const folder = await Deno.makeTempDir();
    await _run("mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", folder);
    try {
      const frames = await vp8TestFrames(80, { gop: 20 });
      const events: RecorderEvent[] = [];
      const rows: (PartStart & { endedAt?: Date; bytes?: number })[] = [];
      const recorder = new SessionRecorder({
        sessionId: "00000000-0000-4000-8000-000000000001",
        remote: { wantKeyframe: () => {}, recordingChanged: () => {} },
        store: {
          opened: (part) => (rows.push({ ...part }), Promise.resolve("1")),
          closed: (_id, end) => (Object.assign(rows[0], end), Promise.resolve()),
        },
        onEvent: (event) => void events.push(event),
        watcher: () => null,
      });
      recorder.start(folder, null);
      recorder.viewChanged(true);
      for (const [i, f] of frames.entries()) {
        recorder.frame({
          codec: "vp8",
          width: 320,
          height: 240,
          data: f.data,
          keyframe: f.key,
          capturedAt: 1_000 + i * 100,
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await recorder.settled();
      assert.deepEqual(events.map((e) => e.kind), ["started", "failed", "stopped"]);
      assert.equal(rows.length, 1);
      const size = (await Deno.stat(rows[0].path)).size;
      assert.equal(rows[0].bytes, size, "the row's size is the file's");
      const out = await new Deno.Command("ffprobe", {
        args: ["-v", "error", "-count_frames", "-show_entries"]
          .concat(["stream=nb_read_frames:format=duration", "-of", "json", rows[0].path]),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(out.stderr), "", "no frame cut off");
      const probe = JSON.parse(new TextDecoder().decode(out.stdout));
      const read = Number(probe.streams[0].nb_read_frames);
      assert.ok(read > 10 && read < 80, `frames: ${read}`);
      assert.equal(Number(probe.format.duration), (read - 1) / 10, "its length: the last frame's");
    } finally {
      await _run("umount", folder);
      await Deno.remove(folder, { recursive: true });
    }
  },
});
