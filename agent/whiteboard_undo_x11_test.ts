// Undo on a real X server (Xvfb, no compositor): while the agent takes the last line away, no
// captured frame may show the lines that stay missing. A second process grabs the screen in a
// tight loop on its own X connection (as the capture does, XShm) while the last of 24 lines
// comes and goes 60 times. Clearing the board and stroking the other lines again showed frames
// without them (the technician and the customer saw everything vanish for a frame).
import assert from "node:assert/strict";
import { WHITEBOARD_COLORS, type WhiteboardColor } from "../protocol/mod.ts";
import { openDesktop } from "./platform/mod.ts";
import { runX, startXvfb } from "./platform/xvfb_test_support.ts";
import { Whiteboard } from "./whiteboard.ts";

const ROOT = 0x336699;
const LINES = 24;
const UNDOS = 60;
const COLORS = Object.keys(WHITEBOARD_COLORS) as WhiteboardColor[];
const rgbOf = (color: WhiteboardColor) => parseInt(WHITEBOARD_COLORS[color].slice(1), 16);

Deno.test("Whiteboard Undo on X11: no frame captured meanwhile lacks the lines that stay", async () => {
  const xvfb = await startXvfb({ width: 640, height: 480 });
  const desktop = openDesktop({ display: xvfb.display });
  const board = new Whiteboard({ open: () => desktop.overlay!(), offset: () => ({ x: 0, y: 0 }) });
  const work = await Deno.makeTempDir();
  let watch: Deno.ChildProcess | null = null;
  try {
    await runX(xvfb.display, "xsetroot", ["-solid", `#${ROOT.toString(16)}`]);
    assert.equal(board.handle({ type: "whiteboard", on: true }), null);
    // 24 lines across, each in two pieces, in the six colours; a pixel of each piece to watch.
    const watched: [number, number, number][] = [];
    for (let i = 0; i < LINES; i++) {
      const y = 20 + i * 16, color = COLORS[i % COLORS.length];
      for (const points of [[20, y, 160, y], [160, y, 300, y]]) {
        assert.equal(board.handle({ type: "stroke", color, width: 4, points }), null);
      }
      watched.push([90, y, rgbOf(color)], [230, y, rgbOf(color)]);
    }
    const stop = `${work}/stop`;
    watch = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        new URL("./platform/frame_watch_test_support.ts", import.meta.url).pathname,
      ]
        .concat([xvfb.display, stop, JSON.stringify(watched)]),
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = watch.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("ready\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the watcher ended: ${out}`);
      out += value;
    }

    // The extra line crosses every line that stays (at x = 120, away from the watched pixels).
    const pause = () => new Promise((resolve) => setTimeout(resolve, 8));
    for (let n = 0; n < UNDOS; n++) {
      const extra = {
        type: "stroke",
        color: "black",
        width: 6,
        points: [120, 10, 120, 420],
      } as const;
      assert.equal(board.handle({ ...extra, points: [...extra.points] }), null);
      await pause();
      assert.equal(board.handle({ type: "whiteboardUndo" }), null);
      await pause();
    }
    await Deno.writeTextFile(stop, "");
    while (true) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    assert.ok((await watch.status).success, out);
    const result = JSON.parse(out.split("\n").filter(Boolean).at(-1)!);
    console.log(
      `frames grabbed during ${UNDOS} Undos: ${result.frames}, without a line: ${result.bad}`,
    );
    assert.ok(result.frames > UNDOS, `enough frames: ${out}`);
    assert.equal(result.bad, 0, `frames without the lines that stay: ${out}`);

    // Where the taken line crossed the others, their own colours show again.
    const frame = desktop.grab();
    for (let i = 0; i < LINES; i++) {
      const y = 20 + i * 16, at = y * frame.stride + 120 * 4;
      const got = (frame.data[at + 2] << 16) | (frame.data[at + 1] << 8) | frame.data[at];
      assert.equal(got, rgbOf(COLORS[i % COLORS.length]), `line ${i} at the crossing`);
    }
  } finally {
    try {
      watch?.kill("SIGKILL");
    } catch { /* already gone */ }
    await watch?.status;
    board.close();
    desktop.close();
    await xvfb.stop();
    await Deno.remove(work, { recursive: true });
  }
});
