import assert from "node:assert/strict";
import { LASER_DIAMETER } from "../../protocol/limits.ts";
import { contentRect, toRemote } from "./geometry.ts";
import {
  clientWidth,
  FADE_MS,
  FRAME_SLACK_MS,
  laserDiameter,
  RTT_UNKNOWN_MS,
  StrokePreview,
  toClient,
  visiblePart,
} from "./stroke_preview.ts";

const line = { color: "red" as const, width: 6, points: [10, 10, 200, 10] };

Deno.test("StrokePreview: a piece shows at once and gives way to the first frame due to carry it", () => {
  const p = new StrokePreview();
  p.stroke(line, { screen: null, now: 1000, rttMs: 40 });
  assert.deepEqual(p.visible(null, 1000).pieces.map((v) => v.alpha), [1], "shown at once");
  assert.equal(p.waiting, 1);
  // A frame received before the round trip and the capture: made before the stroke was drawn.
  assert.equal(p.framePresented(1000 + 40 + FRAME_SLACK_MS - 1), false);
  assert.equal(p.visible(null, 1300).pieces[0].alpha, 1, "no frame carried it: it stays");
  // The first frame received after that carries it: the piece fades, then is gone.
  assert.equal(p.framePresented(1000 + 40 + FRAME_SLACK_MS, 1400), true);
  assert.equal(p.waiting, 0);
  assert.equal(p.fading, true);
  assert.equal(p.visible(null, 1400 + FADE_MS / 2).pieces[0].alpha, 0.5);
  assert.deepEqual(p.visible(null, 1400 + FADE_MS).pieces, []);
  assert.equal(p.fading, false);
});

Deno.test("StrokePreview: no round trip measured yet waits the assumed one; no frame keeps it", () => {
  const p = new StrokePreview();
  p.stroke(line, { screen: null, now: 0, rttMs: null });
  assert.equal(p.framePresented(RTT_UNKNOWN_MS + FRAME_SLACK_MS - 1), false);
  assert.equal(p.visible(null, 60_000).pieces.length, 1, "a frozen stream: the preview stays");
  assert.equal(p.framePresented(RTT_UNKNOWN_MS + FRAME_SLACK_MS), true);
});

Deno.test("StrokePreview: pieces per screen, each with its own time; clear takes all and the dot", () => {
  const p = new StrokePreview();
  p.stroke(line, { screen: "DP-1", now: 0, rttMs: 0 });
  p.stroke({ ...line, color: "blue" }, { screen: "HDMI-1", now: 500, rttMs: 0 });
  p.laser({ x: 5, y: 6 }, "DP-1");
  assert.deepEqual(p.visible("DP-1", 0).pieces.map((v) => v.piece.color), ["red"]);
  assert.deepEqual(p.visible("HDMI-1", 0).pieces.map((v) => v.piece.color), ["blue"]);
  assert.deepEqual(p.visible("DP-1", 0).laser, { x: 5, y: 6 });
  assert.equal(p.visible("HDMI-1", 0).laser, null, "the dot is over the screen it points at");
  // A frame due for the first piece only: the second (sent later) still waits.
  p.framePresented(FRAME_SLACK_MS);
  assert.equal(p.waiting, 1);
  p.clear();
  assert.deepEqual(p.visible("DP-1", 0), { pieces: [], laser: null });
  assert.deepEqual(p.visible("HDMI-1", 0).pieces, []);
  assert.equal(p.waiting, 0);
});

Deno.test("toClient is toRemote's inverse in every scale mode (the preview lies on the pixels)", () => {
  const screen = { width: 1280, height: 720 };
  const box = { left: 40, top: 100, width: 1000, height: 700 };
  for (const mode of ["fit", "stretch", "actual"] as const) {
    const rect = mode === "actual"
      ? { left: -300, top: 20, width: 1280, height: 720 } // scrolled
      : contentRect(box, screen, mode);
    for (const p of [{ x: 0, y: 0 }, { x: 639, y: 359 }, { x: 1279, y: 719 }, { x: 17, y: 700 }]) {
      assert.deepEqual(toRemote(toClient(p, rect, screen), rect, screen, false), p, `${mode}`);
    }
  }
  // fit: letterboxed at 1000/1280 → a pixel's centre, the pen and the dot scaled alike.
  const fit = contentRect(box, screen, "fit");
  assert.deepEqual(toClient({ x: 0, y: 0 }, fit, screen), {
    x: 40 + 0.5 * 1000 / 1280,
    y: fit.top + 0.5 * fit.height / 720,
  });
  assert.equal(clientWidth(12, fit, screen), 12 * 1000 / 1280);
  assert.equal(laserDiameter(fit, screen), LASER_DIAMETER * 1000 / 1280);
});

Deno.test("visiblePart: the picture within the stage (scrolled, letterboxed, off the stage)", () => {
  const stage = { left: 0, top: 50, width: 800, height: 600 };
  assert.deepEqual(visiblePart({ left: -100, top: 0, width: 1280, height: 720 }, stage), {
    left: 0,
    top: 50,
    width: 800,
    height: 600,
  });
  assert.deepEqual(visiblePart({ left: 0, top: 125, width: 800, height: 450 }, stage), {
    left: 0,
    top: 125,
    width: 800,
    height: 450,
  });
  assert.equal(visiblePart({ left: 900, top: 50, width: 100, height: 100 }, stage), null);
});

Deno.test("StrokePreview.undo() takes away this window's last line, pieces and all", () => {
  const p = new StrokePreview();
  const at = { screen: null, now: 0, rttMs: 0 };
  p.stroke({ ...line, points: [0, 0, 10, 0] }, at);
  // A second line: a dot, then one in another pen that starts where the dot is.
  p.stroke({ ...line, points: [50, 50] }, at);
  p.stroke({ ...line, color: "blue", points: [50, 50, 70, 60] }, at);
  p.stroke({ ...line, color: "blue", points: [70, 60, 80, 60, 90, 70] }, at); // goes on
  p.undo();
  assert.deepEqual(p.visible(null, 0).pieces.map((v) => v.piece.points), [[0, 0, 10, 0], [50, 50]]);
  // A line whose pieces already gave way is still the one undone (the agent takes it away).
  p.framePresented(FRAME_SLACK_MS, 0);
  assert.deepEqual(p.visible(null, FADE_MS).pieces, []);
  p.stroke({ ...line, points: [5, 5, 6, 6] }, { ...at, now: 1_000 });
  p.undo();
  p.undo();
  assert.deepEqual(p.visible(null, 1_000).pieces, [], "the new line, then the dot (gone already)");
  p.undo();
  p.undo(); // nothing left: nothing happens
  assert.deepEqual(p.visible(null, 1_000).pieces, []);
});
