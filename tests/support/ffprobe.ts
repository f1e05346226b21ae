/**
 * ffprobe (Debian's ffmpeg, tools/test_setup.ts) on a recording: `-v error`, the `entries` to
 * show (`-show_entries`), `-count_frames` when `countFrames`, `-show_chapters` when `chapters`,
 * as JSON; with what it printed on stderr (empty for a file it read without complaint).
 */
export async function ffprobe(
  path: string,
  options: { entries?: string; countFrames?: boolean; chapters?: boolean },
  // deno-lint-ignore no-explicit-any
): Promise<{ json: any; stderr: string }> {
  const args = ["-v", "error"];
  if (options.countFrames) args.push("-count_frames");
  if (options.chapters) args.push("-show_chapters");
  if (options.entries) args.push("-show_entries", options.entries);
  const out = await new Deno.Command("ffprobe", {
    args: [...args, "-of", "json", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    json: JSON.parse(new TextDecoder().decode(out.stdout)),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/**
 * The last picture ffmpeg decodes from `path` (sampled at 2 frames a second to keep the output
 * small), as RGB bytes of `width`×`height`.
 */
export async function lastFrameRgb(path: string, width: number, height: number) {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-vf", "fps=2", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const size = width * height * 3;
  if (out.stdout.byteLength < size) {
    throw new Error(`ffmpeg decoded no frame: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout.subarray(out.stdout.byteLength - size);
}
