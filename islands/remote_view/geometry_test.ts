import assert from "node:assert/strict";
import {
  contentRect,
  displayScale,
  LENS_PX,
  LENS_ZOOM,
  lensGeometry,
  toRemote,
} from "./geometry.ts";

const box = { left: 10, top: 20, width: 800, height: 600 };

Deno.test("contentRect() letterboxes a wide picture and pillarboxes a tall one in fit mode", () => {
  assert.deepEqual(contentRect(box, { width: 1600, height: 900 }, "fit"), {
    left: 10,
    top: 20 + (600 - 450) / 2,
    width: 800,
    height: 450,
  });
  assert.deepEqual(contentRect(box, { width: 600, height: 900 }, "fit"), {
    left: 10 + (800 - 400) / 2,
    top: 20,
    width: 400,
    height: 600,
  });
  for (const mode of ["actual", "stretch"] as const) {
    assert.deepEqual(contentRect(box, { width: 1600, height: 900 }, mode), box, mode);
  }
});

Deno.test("toRemote() scales client points to remote pixels and refuses the letterbox", () => {
  const rect = contentRect(box, { width: 1600, height: 900 }, "fit"); // 800 × 450 at (10, 95)
  const screen = { width: 1920, height: 1080 };
  assert.deepEqual(toRemote({ x: 10, y: 95 }, rect, screen, false), { x: 0, y: 0 });
  assert.deepEqual(toRemote({ x: 410, y: 320 }, rect, screen, false), { x: 960, y: 540 });
  assert.deepEqual(toRemote({ x: 809.99, y: 544.99 }, rect, screen, false), { x: 1919, y: 1079 });
  assert.equal(toRemote({ x: 810, y: 300 }, rect, screen, false), null, "right edge is outside");
  assert.equal(toRemote({ x: 400, y: 50 }, rect, screen, false), null, "in the letterbox");
  // Dragging out of the picture keeps the pointer on the screen's edge.
  assert.deepEqual(toRemote({ x: -500, y: 9999 }, rect, screen, true), { x: 0, y: 1079 });
  assert.equal(toRemote({ x: 0, y: 0 }, { ...rect, width: 0 }, screen, true), null);
});

Deno.test("toRemote() maps to the screen's size, not the (halved) video's", () => {
  const rect = { left: 0, top: 0, width: 960, height: 540 };
  assert.deepEqual(toRemote({ x: 480, y: 270 }, rect, { width: 3840, height: 2160 }, false), {
    x: 1920,
    y: 1080,
  });
});

Deno.test("displayScale() is the smaller of the two axes' scales", () => {
  assert.equal(
    displayScale({ left: 0, top: 0, width: 960, height: 600 }, { width: 1920, height: 1080 }),
    0.5,
  );
  assert.equal(
    displayScale({ left: 0, top: 0, width: 1920, height: 1080 }, { width: 1920, height: 1080 }),
    1,
  );
});

Deno.test("lensGeometry() takes LENS_PX / LENS_ZOOM displayed pixels around the pointer", () => {
  const rect = { left: 100, top: 50, width: 960, height: 540 }; // video 1920 × 1080 at half size
  const { source, dest } = lensGeometry({ x: 580, y: 320 }, rect, { width: 1920, height: 1080 }, {
    x: 90,
    y: 40,
  });
  const side = (LENS_PX / LENS_ZOOM) * 2;
  assert.deepEqual(source, {
    left: 960 - side / 2,
    top: 540 - side / 2,
    width: side,
    height: side,
  });
  assert.deepEqual(dest, {
    left: 580 - 90 - LENS_PX / 2,
    top: 320 - 40 - LENS_PX / 2,
    width: LENS_PX,
    height: LENS_PX,
  });
});
