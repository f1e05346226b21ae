import assert from "node:assert/strict";
import { finishPartFile } from "./part_repair.ts";
import { MatroskaWriter, type Patch } from "./matroska.ts";
import { vp8TestFrames } from "./test_support.ts";

/** The file as a writer leaves it, with the patches applied so far (`finish`: all of them). */
function _written(frames: { data: Uint8Array; key: boolean }[], finish: boolean): Uint8Array {
  const writer = new MatroskaWriter({
    codec: "vp8",
    width: 320,
    height: 240,
    startedAt: new Date("2026-12-06T08:00:00Z"),
  });
  const chunks = [writer.header()];
  const patches: Patch[] = [];
  frames.forEach((f, i) => {
    chunks.push(writer.frame(f.data, f.key, 5_000 + i * 100));
    patches.push(...writer.takePatches());
  });
  if (finish) patches.push(...writer.finish());
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) out.set(chunk, (at += chunk.byteLength) - chunk.byteLength);
  for (const patch of patches) out.set(patch.bytes, patch.offset);
  return out;
}

async function _probe(path: string) {
  const args = ["-v", "error", "-count_frames", "-show_entries"];
  args.push("stream=nb_read_frames:format=duration", "-of", "json", path);
  const out = await new Deno.Command("ffprobe", { args, stdout: "piped" }).output();
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  return { duration: json.format.duration, frames: Number(json.streams[0].nb_read_frames) };
}

Deno.test("finishPartFile() makes a part cut off by a crash the file a Stop would have written", async () => {
  const frames = await vp8TestFrames(25);
  const path = await Deno.makeTempFile({ suffix: ".webm" });
  try {
    await Deno.writeFile(path, _written(frames, false));
    assert.equal((await _probe(path)).duration, undefined, "no length before");
    assert.deepEqual(await finishPartFile(path), {
      bytes: _written(frames, true).byteLength,
      durationMs: 2_400,
    });
    assert.deepEqual(await Deno.readFile(path), _written(frames, true), "byte for byte");
    assert.deepEqual(await _probe(path), { duration: "2.400000", frames: 25 });
    assert.equal(await finishPartFile(path), null, "a finished part is left alone");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("finishPartFile() cuts the block the crash left half written", async () => {
  const frames = await vp8TestFrames(25);
  const path = await Deno.makeTempFile({ suffix: ".webm" });
  try {
    const whole = _written(frames, false);
    // The last frame only partly on disk: it goes, the 24 before it stay.
    await Deno.writeFile(path, whole.subarray(0, whole.byteLength - 40));
    const finished = await finishPartFile(path);
    assert.deepEqual(finished, {
      bytes: whole.byteLength - frames[24].data.byteLength - 7,
      durationMs: 2_300,
    });
    assert.equal((await Deno.stat(path)).size, finished!.bytes);
    assert.deepEqual(await _probe(path), { duration: "2.300000", frames: 24 });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("finishPartFile() leaves a file that is not such a part alone", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "not a recording");
    assert.equal(await finishPartFile(path), null);
    assert.equal(await Deno.readTextFile(path), "not a recording");
  } finally {
    await Deno.remove(path);
  }
});
