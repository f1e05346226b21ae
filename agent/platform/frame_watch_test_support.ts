/**
 * Test support: captures the screen in a tight loop in its own process — its own X connection,
 * so its grabs land between another client's requests as a real capture's would — and counts
 * the frames in which any of the given pixels lacks its colour. Used by x11_overlay_undo_test.ts
 * (does a frame ever show the drawings that stay missing during Undo?).
 *
 *   deno run -A frame_watch_test_support.ts <display> <stop file> '<[[x, y, 0xRRGGBB], ...]>'
 *
 * Prints "ready" once a frame shows every pixel right; from then on grabs until the stop file
 * exists, then prints `{"frames": n, "bad": n, "first": "…"}` (the first wrong pixel seen).
 */
import { openDesktop } from "./mod.ts";

const [display, stopFile, pixelsJson] = Deno.args;
const pixels = JSON.parse(pixelsJson) as [number, number, number][];
const desktop = openDesktop({ display });

/** The first expected pixel this frame lacks, as words, or null. */
function wrong(): string | null {
  const frame = desktop.grab();
  for (const [x, y, rgb] of pixels) {
    const i = y * frame.stride + x * 4;
    const got = (frame.data[i + 2] << 16) | (frame.data[i + 1] << 8) | frame.data[i];
    if (got !== rgb) return `(${x}, ${y}) was #${got.toString(16)}, not #${rgb.toString(16)}`;
  }
  return null;
}

function stopped(): boolean {
  try {
    Deno.statSync(stopFile);
    return true;
  } catch {
    return false;
  }
}

const readyBy = Date.now() + 10_000;
while (wrong() !== null) {
  if (Date.now() > readyBy) throw new Error(`never saw every pixel: ${wrong()}`);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log("ready");
let frames = 0, bad = 0, first: string | null = null;
while (!stopped()) {
  const problem = wrong();
  frames++;
  if (problem) {
    bad++;
    first ??= problem;
  }
}
console.log(JSON.stringify({ frames, bad, first }));
desktop.close();
