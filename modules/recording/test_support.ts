// Test frames for the recording tests: VP8 from ffmpeg's test pattern, as the agent would send.
import assert from "node:assert/strict";

/**
 * `count` VP8 frames of ffmpeg's test pattern at 10 a second: `size` (default 320x240), a
 * keyframe every `gop` frames (default 10). Needs ffmpeg (tools/test_setup.ts installs it).
 */
export async function vp8TestFrames(
  count: number,
  options: { size?: string; gop?: number } = {},
): Promise<{ data: Uint8Array; key: boolean }[]> {
  const path = await Deno.makeTempFile({ suffix: ".ivf" });
  const size = options.size ?? "320x240";
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=${size}:rate=10`];
  args.push("-frames:v", String(count), "-c:v", "libvpx", "-g", String(options.gop ?? 10), path);
  assert.equal((await new Deno.Command("ffmpeg", { args }).output()).code, 0);
  const ivf = await Deno.readFile(path);
  await Deno.remove(path);
  const view = new DataView(ivf.buffer);
  const frames = [];
  for (let at = view.getUint16(6, true); at + 12 <= ivf.byteLength;) {
    const length = view.getUint32(at, true);
    const data = ivf.slice(at + 12, at + 12 + length);
    frames.push({ data, key: (data[0] & 1) === 0 });
    at += 12 + length;
  }
  return frames;
}

/**
 * `seconds` of a 440 Hz tone as Opus packets of 20 ms (as a phone's WebRTC sends them), read out
 * of the Ogg file ffmpeg's libopus writes; the OpusHead and OpusTags packets left out.
 */
export async function opusTestPackets(seconds: number): Promise<Uint8Array[]> {
  const path = await Deno.makeTempFile({ suffix: ".opus" });
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`];
  args.push("-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-f", "ogg", path);
  assert.equal((await new Deno.Command("ffmpeg", { args }).output()).code, 0);
  const ogg = await Deno.readFile(path);
  await Deno.remove(path);
  const packets: Uint8Array[] = [];
  let packet: number[] = [];
  for (let at = 0; at + 27 <= ogg.byteLength;) {
    assert.equal(new TextDecoder().decode(ogg.subarray(at, at + 4)), "OggS");
    const segments = ogg[at + 26];
    let data = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const lacing = ogg[at + 27 + i];
      packet.push(...ogg.subarray(data, data + lacing));
      data += lacing;
      if (lacing < 255) (packets.push(Uint8Array.from(packet)), packet = []);
    }
    at = data;
  }
  return packets.slice(2);
}
