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
