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
