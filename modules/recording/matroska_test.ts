import assert from "node:assert/strict";
import { accessUnits, H264_CLIP } from "../../tests/support/h264_share.ts";
import { avcConfig, lengthPrefixed, nalUnits } from "./avc.ts";
import { sizeBytes } from "./ebml.ts";
import { MATROSKA_IDS, MatroskaWriter, type TrackCodec } from "./matroska.ts";
import { opusTestPackets } from "./test_support.ts";
import { ffprobe } from "../../tests/support/ffprobe.ts";

/** Reads an EBML element's ID and size at `at` (what a parser sees; test-side only). */
function _readHead(bytes: Uint8Array, at: number) {
  const width = (b: number) => Math.clz32(b) - 23;
  const idLength = width(bytes[at]);
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + bytes[at + i];
  const sizeAt = at + idLength;
  const sizeLength = width(bytes[sizeAt]);
  let size = bytes[sizeAt] & (0xff >> sizeLength);
  for (let i = 1; i < sizeLength; i++) size = size * 256 + bytes[sizeAt + i];
  const unknown = size === 2 ** (7 * sizeLength) - 1;
  return { id, dataAt: sizeAt + sizeLength, size: unknown ? null : size };
}

/** Writes frames to a file as the recorder does (append, then the patches). */
async function _write(
  codec: TrackCodec,
  size: [number, number],
  frames: { data: Uint8Array; keyframe: boolean; at: number }[],
  codecPrivate?: Uint8Array,
): Promise<{ path: string; bytes: Uint8Array; writer: MatroskaWriter }> {
  const writer = new MatroskaWriter({
    codec,
    width: size[0],
    height: size[1],
    codecPrivate,
    startedAt: new Date("2026-12-06T08:00:00Z"),
  });
  const chunks = [writer.header()];
  const patches = [];
  for (const f of frames) {
    chunks.push(writer.frame(f.data, f.keyframe, f.at));
    patches.push(...writer.takePatches());
  }
  const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) (bytes.set(c, at), at += c.byteLength);
  for (const patch of [...patches, ...writer.finish()]) bytes.set(patch.bytes, patch.offset);
  const path = await Deno.makeTempFile({ suffix: codec === "h264" ? ".mkv" : ".webm" });
  await Deno.writeFile(path, bytes);
  return { path, bytes, writer };
}

async function _ffprobe(path: string) {
  const { json, stderr } = await ffprobe(path, {
    countFrames: true,
    entries: "stream=codec_name,width,height,nb_read_frames:format=format_name,duration",
  });
  return { stream: json.streams[0], format: json.format, stderr };
}

/** VP8 frames from ffmpeg's test pattern (an IVF file: 32-byte header, 12 bytes a frame). */
async function _vp8Frames(count: number) {
  const path = await Deno.makeTempFile({ suffix: ".ivf" });
  const { code } = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc=size=320x240:rate=10`,
      "-frames:v",
      String(count),
      "-c:v",
      "libvpx",
      "-g",
      "5",
      path,
    ],
  }).output();
  assert.deepEqual(code, 0);
  const ivf = await Deno.readFile(path);
  await Deno.remove(path);
  const view = new DataView(ivf.buffer);
  const frames: Uint8Array[] = [];
  for (let at = view.getUint16(6, true); at + 12 <= ivf.byteLength;) {
    const size = view.getUint32(at, true);
    frames.push(ivf.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

Deno.test("sizeBytes() writes the shortest vint, or the width asked, never all ones", () => {
  assert.deepEqual([...sizeBytes(0)], [0x80]);
  assert.deepEqual([...sizeBytes(126)], [0xfe]);
  assert.deepEqual([...sizeBytes(127)], [0x40, 0x7f]);
  assert.deepEqual([...sizeBytes(5, 8)], [0x01, 0, 0, 0, 0, 0, 0, 5]);
});

Deno.test("MatroskaWriter writes VP8 as WebM that ffprobe decodes frame by frame", async () => {
  const vp8 = await _vp8Frames(12);
  const frames = vp8.map((data, i) => ({
    data,
    keyframe: (data[0] & 1) === 0,
    at: 1_000_000 + i * 100,
  }));
  assert(frames[0].keyframe);
  const { path, bytes, writer } = await _write("vp8", [320, 240], frames);
  try {
    const probe = await _ffprobe(path);
    assert.deepEqual(probe.stderr, "");
    assert.deepEqual(probe.format.format_name, "matroska,webm");
    assert.deepEqual(probe.stream.codec_name, "vp8");
    assert.deepEqual([probe.stream.width, probe.stream.height], [320, 240]);
    assert.deepEqual(probe.stream.nb_read_frames, "12");
    assert.deepEqual(Number(probe.format.duration), 1.1);
    // Read back: the Segment's patched size ends exactly at the file's end.
    const ebml = _readHead(bytes, 0);
    const segment = _readHead(bytes, ebml.dataAt + ebml.size!);
    assert.deepEqual(segment.id, MATROSKA_IDS.segment);
    assert.deepEqual(segment.dataAt + segment.size!, bytes.byteLength);
    assert.deepEqual(writer.bytes, bytes.byteLength);
    assert.deepEqual(writer.frames, 12);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("MatroskaWriter writes H.264 with an avcC from the SPS and PPS; ffprobe decodes it", async () => {
  const units = accessUnits(await Deno.readFile(H264_CLIP));
  const config = avcConfig(units[0]);
  assert(config);
  const sps = nalUnits(units[0]).find((nal) => (nal[0] & 0x1f) === 7)!;
  assert.deepEqual([...config.subarray(0, 6)], [1, sps[1], sps[2], sps[3], 0xff, 0xe1]);
  const frames = units.map((unit, i) => ({
    data: lengthPrefixed(unit),
    keyframe: avcConfig(unit) !== null,
    at: 500 + i * 33.3,
  }));
  const { path } = await _write("h264", [640, 360], frames, config);
  try {
    const probe = await _ffprobe(path);
    assert.deepEqual(probe.stderr, "");
    assert.deepEqual(probe.stream.codec_name, "h264");
    assert.deepEqual([probe.stream.width, probe.stream.height], [640, 360]);
    assert.deepEqual(probe.stream.nb_read_frames, String(units.length));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("MatroskaWriter starts a cluster at each keyframe and keeps times from going back", () => {
  const writer = new MatroskaWriter({
    codec: "vp8",
    width: 2,
    height: 2,
    startedAt: new Date(),
  });
  writer.header();
  const first = writer.frame(Uint8Array.of(1), true, 100);
  assert.deepEqual(_readHead(first, 0).id, MATROSKA_IDS.cluster);
  const delta = writer.frame(Uint8Array.of(2), false, 90); // an earlier capture time
  assert.deepEqual(_readHead(delta, 0).id, MATROSKA_IDS.simpleBlock);
  assert.deepEqual(writer.durationMs, 0);
  const late = writer.frame(Uint8Array.of(3), false, 100 + 40_000);
  assert.deepEqual(_readHead(late, 0).id, MATROSKA_IDS.cluster, "a 16-bit offset would overflow");
});

Deno.test("MatroskaWriter muxes Opus beside VP8 (a Lens phone's microphone); ffprobe decodes both", async () => {
  const vp8 = await _vp8Frames(20); // 2 s at 10 a second
  const opus = await opusTestPackets(2); // 100 packets of 20 ms
  assert.ok(opus.length >= 100, `${opus.length} packets`); // 100 and the encoder's delay
  const writer = new MatroskaWriter({
    codec: "vp8",
    width: 320,
    height: 240,
    startedAt: new Date("2026-12-06T08:00:00Z"),
    audio: { channels: 1 },
  });
  const chunks = [writer.header()];
  const patches = [];
  // Audio before the first picture is left out: a part starts at a keyframe.
  assert.deepEqual(writer.audio(opus[0], 999).byteLength, 0);
  for (let ms = 0; ms < 2_000; ms += 20) {
    if (ms % 100 === 0) {
      const data = vp8[ms / 100];
      chunks.push(writer.frame(data, (data[0] & 1) === 0, 1_000 + ms));
    }
    chunks.push(writer.audio(opus[ms / 20], 1_000 + ms));
    patches.push(...writer.takePatches());
  }
  const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) (bytes.set(c, at), at += c.byteLength);
  for (const patch of [...patches, ...writer.finish()]) bytes.set(patch.bytes, patch.offset);
  const path = await Deno.makeTempFile({ suffix: ".webm" });
  await Deno.writeFile(path, bytes);
  try {
    const out = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-count_frames",
        "-show_entries",
        "stream=codec_name,channels," +
        "sample_rate,nb_read_frames:format=format_name,duration",
        "-of",
        "json",
        path,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.deepEqual(new TextDecoder().decode(out.stderr), "");
    const json = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(json.format.format_name, "matroska,webm");
    assert.deepEqual(json.streams[0].codec_name, "vp8");
    assert.deepEqual(json.streams[0].nb_read_frames, "20");
    assert.deepEqual(json.streams[1].codec_name, "opus");
    assert.deepEqual([json.streams[1].channels, json.streams[1].sample_rate], [1, "48000"]);
    assert.deepEqual(json.streams[1].nb_read_frames, "100");
    assert.ok(Math.abs(Number(json.format.duration) - 1.98) < 0.03, json.format.duration);
    assert.deepEqual([writer.frames, writer.audioPackets], [20, 100]);
    // The sound decodes to PCM (not only parses): ffmpeg reads every packet without an error.
    const decoded = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-i", path, "-map", "0:a", "-f", "null", "-"],
      stderr: "piped",
    }).output();
    assert.deepEqual(new TextDecoder().decode(decoded.stderr), "");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("lengthPrefixed() leaves the parameter sets out and prefixes each NAL unit", () => {
  const annexB = Uint8Array.of(0, 0, 0, 1, 0x67, 1, 2, 3, 0, 0, 1, 0x68, 4, 0, 0, 1, 0x65, 9, 9);
  assert.deepEqual([...lengthPrefixed(annexB)], [0, 0, 0, 3, 0x65, 9, 9]);
  assert.deepEqual(avcConfig(Uint8Array.of(0, 0, 1, 0x65, 1)), null);
});
