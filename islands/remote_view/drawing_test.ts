import assert from "node:assert/strict";
import { STROKE_POINTS_MAX } from "../../protocol/limits.ts";
import type { ViewerInput } from "../../protocol/viewer.ts";
import { DrawingInput } from "./drawing.ts";
import { consentLine, controlling, drawing, INITIAL_STATE, pointing } from "./view_state.ts";

function setup() {
  const sent: ViewerInput[] = [];
  let frame: (() => void) | null = null;
  const input = new DrawingInput({
    send: (message) => (sent.push(message), true),
    pen: () => ({ color: "blue", width: 6 }),
    requestFrame: (callback) => (frame = callback, 1),
    cancelFrame: () => (frame = null),
  });
  const tick = () => {
    const f = frame;
    frame = null;
    f?.();
  };
  return { input, sent, tick };
}

Deno.test("DrawingInput sends a line in pieces per frame, each starting where the last ended", () => {
  const { input, sent, tick } = setup();
  input.down({ x: 10, y: 10 });
  input.move({ x: 20, y: 10 });
  input.move({ x: 20, y: 10 }); // no move: not sent twice
  tick();
  input.move({ x: 30, y: 15 });
  input.move({ x: 40, y: 20 });
  tick();
  input.up();
  tick();
  assert.deepEqual(sent, [
    { type: "stroke", color: "blue", width: 6, points: [10, 10, 20, 10] },
    { type: "stroke", color: "blue", width: 6, points: [20, 10, 30, 15, 40, 20] },
  ]);
  assert.equal(input.active, false);
});

Deno.test("DrawingInput: a click is a dot; a long line is cut at the protocol's bound", () => {
  const { input, sent, tick } = setup();
  input.down({ x: 5, y: 6 });
  input.up();
  tick();
  assert.deepEqual(sent, [{ type: "stroke", color: "blue", width: 6, points: [5, 6] }]);
  sent.length = 0;
  input.down({ x: 0, y: 0 });
  for (let i = 1; i < STROKE_POINTS_MAX * 3; i++) input.move({ x: i, y: i });
  input.up();
  for (const message of sent) {
    assert.ok(message.type === "stroke" && message.points.length <= STROKE_POINTS_MAX * 2);
  }
  const all = sent.flatMap((m) => m.type === "stroke" ? m.points : []);
  assert.deepEqual(all.slice(-2), [STROKE_POINTS_MAX * 3 - 1, STROKE_POINTS_MAX * 3 - 1]);
});

Deno.test("DrawingInput's laser: once a frame, hidden at once and only once", () => {
  const { input, sent, tick } = setup();
  input.laser(null);
  assert.deepEqual(sent, [], "nothing shown: nothing to hide");
  input.laser({ x: 1, y: 1 });
  input.laser({ x: 2, y: 3 });
  tick();
  input.laser(null);
  input.laser(null);
  assert.deepEqual(sent, [{ type: "laser", at: { x: 2, y: 3 } }, { type: "laser", at: null }]);
});

Deno.test("view_state: while the whiteboard is on nothing controls, and the pointer draws", () => {
  const granted = {
    ...INITIAL_STATE,
    connected: true,
    view: "granted" as const,
    control: "granted" as const,
    canDraw: true,
  };
  assert.equal(controlling(granted), true);
  assert.equal(drawing(granted), false);
  const on = { ...granted, whiteboard: true };
  assert.equal(controlling(on), false);
  assert.equal(drawing(on), true);
  assert.equal(pointing({ ...granted, laser: true }), true);
  assert.equal(pointing({ ...granted, laser: true, canDraw: false }), false);
  assert.equal(drawing({ ...on, view: "revoked" }), false);
  // The line under the toolbar does not say "You are controlling" meanwhile.
  assert.equal(consentLine({ ...granted, controlOwner: "here" }).key, "controlGranted");
  assert.equal(consentLine({ ...on, controlOwner: "here" }).key, "controlPaused");
});

Deno.test("consentLine: a technician who only views and draws is told the customer sees it", () => {
  const viewing = { ...INITIAL_STATE, connected: true, view: "granted" as const, canDraw: true };
  assert.equal(consentLine(viewing).key, "viewGranted");
  assert.deepEqual(consentLine({ ...viewing, whiteboard: true }), {
    key: "drawingOnScreen",
    state: "drawing",
  });
  // Still waiting for control: the drawing is the news while the pen is on.
  assert.equal(
    consentLine({ ...viewing, whiteboard: true, control: "asked" }).key,
    "drawingOnScreen",
  );
  // The picture went: the whiteboard cannot draw, the view's word stands.
  assert.equal(consentLine({ ...viewing, whiteboard: true, view: "revoked" }).key, "viewRevoked");
});
