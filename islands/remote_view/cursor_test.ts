import assert from "node:assert/strict";
import { base64url } from "../../protocol/base64url.ts";
import type { CursorShape } from "../../protocol/cursor.ts";
import { contentRect } from "./geometry.ts";
import {
  cssCursor,
  cursorLook,
  cursorRect,
  type CursorScene,
  cursorState,
  decodeShape,
  overlayPlacement,
  type ShapeCanvas,
  toDevicePixel,
  wholePixels,
} from "./cursor.ts";

/** A 2 × 3 image, hot spot (1, 2): pixel i is (i, 10 + i, 20 + i, 255). */
function shape(fields: Partial<CursorShape> = {}): CursorShape {
  const bytes = new Uint8Array(2 * 3 * 4).map((_, n) =>
    n % 4 === 3 ? 255 : (n >> 2) + 10 * (n % 4)
  );
  return { width: 2, height: 3, hotX: 1, hotY: 2, rgba: base64url(bytes), ...fields };
}

Deno.test("cursorState() takes a position with its shape, null, and refuses what is not one", () => {
  const s = shape();
  assert.deepEqual(cursorState({ x: 5, y: 6, visible: true, shape: s }), {
    x: 5,
    y: 6,
    visible: true,
    shape: s,
  });
  assert.deepEqual(cursorState({ x: 5, y: 6, visible: false }), { x: 5, y: 6, visible: false });
  assert.equal(cursorState(null), null, "null: the pointer is in the picture again");
  for (const bad of [undefined, "x", { x: "5", y: 6, visible: true }, { x: 5, y: 6 }]) {
    assert.equal(cursorState(bad), undefined, JSON.stringify(bad));
  }
  // A shape it could not draw is left out; where the pointer is still counts.
  for (const broken of [shape({ hotX: 2 }), shape({ rgba: "!!" }), { ...s, rgba: 5 }]) {
    assert.deepEqual(cursorState({ x: 1, y: 2, visible: true, shape: broken }), {
      x: 1,
      y: 2,
      visible: true,
    });
  }
});

Deno.test("decodeShape() puts the image's straight RGBA bytes into the canvas and keeps its PNG", () => {
  const put: { data: Uint8ClampedArray; width: number; height: number }[] = [];
  const canvas: ShapeCanvas = {
    width: 0,
    height: 0,
    getContext: () => ({ putImageData: (d) => put.push(d as unknown as (typeof put)[0]) }),
    toDataURL: (type) => `data:${type};base64,PNG${canvas.width}x${canvas.height}`,
  };
  const decoded = decodeShape(shape(), canvas, (data, width, height) => {
    return { data, width, height } as unknown as ImageData;
  });
  assert.equal(decoded?.png, "data:image/png;base64,PNG2x3");
  assert.deepEqual([canvas.width, canvas.height], [2, 3]);
  assert.equal(put.length, 1);
  assert.deepEqual([put[0].width, put[0].height], [2, 3]);
  assert.deepEqual([...put[0].data.slice(0, 8)], [0, 10, 20, 255, 1, 11, 21, 255]);
  assert.deepEqual([...put[0].data.slice(20)], [5, 15, 25, 255]);
  const notBase64 = decodeShape(shape({ rgba: "@".repeat(32) }), canvas, () => {
    throw new Error("not reached");
  });
  assert.equal(notBase64, null);
});

Deno.test("cursorRect() puts the hot spot on the remote pixel in each scale mode", () => {
  const box = { left: 10, top: 20, width: 800, height: 600 };
  const screen = { width: 1600, height: 900 };
  const s = shape({ width: 32, height: 32, hotX: 4, hotY: 8 });
  // fit: 800 × 450 letterboxed at (10, 95), half size.
  assert.deepEqual(cursorRect({ x: 800, y: 450 }, s, contentRect(box, screen, "fit"), screen), {
    left: 10 + (800 - 4) / 2,
    top: 95 + (450 - 8) / 2,
    width: 16,
    height: 16,
  });
  // stretch: the box, each axis on its own.
  assert.deepEqual(cursorRect({ x: 800, y: 450 }, s, contentRect(box, screen, "stretch"), screen), {
    left: 10 + (800 - 4) / 2,
    top: 20 + (450 - 8) * (600 / 900),
    width: 16,
    height: 32 * (600 / 900),
  });
  // actual: the video element is the screen's size; one remote pixel is one page pixel.
  const actual = { left: -300, top: 5, width: 1600, height: 900 }; // scrolled
  assert.deepEqual(
    cursorRect({ x: 800, y: 450 }, s, contentRect(actual, screen, "actual"), screen),
    {
      left: -300 + 796,
      top: 5 + 442,
      width: 32,
      height: 32,
    },
  );
});

Deno.test("cursorRect() maps by the shown screen's size, not the video's (per-screen, motion)", () => {
  // A 1280 × 1024 monitor of several, its picture sent at half size (640 × 512) in motion mode,
  // shown fit in an 800 × 800 box: 800 × 640 at (0, 80).
  const screen = { width: 1280, height: 1024 };
  const rect = contentRect({ left: 0, top: 0, width: 800, height: 800 }, {
    width: 640,
    height: 512,
  }, "fit");
  const s = shape({ width: 20, height: 20, hotX: 0, hotY: 0 });
  assert.deepEqual(cursorRect({ x: 640, y: 512 }, s, rect, screen), {
    left: 400,
    top: 80 + 320,
    width: 12.5,
    height: 12.5,
  });
  assert.deepEqual(cursorRect({ x: 0, y: 0 }, s, rect, screen).left, 0, "the monitor's own origin");
});

Deno.test("cssCursor() is the customer's image at its own size with its hot spot", () => {
  assert.equal(
    cssCursor("data:image/png;base64,AAAA", shape({ hotX: 1, hotY: 2 })),
    'url("data:image/png;base64,AAAA") 1 2, default',
  );
});

Deno.test("cursorLook() shows the overlay or the own cursor, never both, and hides otherwise", () => {
  const on: CursorScene = {
    cursor: { x: 1, y: 1, visible: true },
    shape: true,
    picture: true,
    controlling: false,
    hovering: false,
  };
  const look = (change: Partial<CursorScene>) => cursorLook({ ...on, ...change });
  assert.deepEqual(look({}), { overlay: true, ownCursor: false });
  assert.deepEqual(look({ hovering: true }), { overlay: true, ownCursor: false }, "only watching");
  assert.deepEqual(look({ controlling: true }), { overlay: true, ownCursor: false }, "not over it");
  assert.deepEqual(look({ controlling: true, hovering: true }), {
    overlay: false,
    ownCursor: true,
  });
  const none = { overlay: false, ownCursor: false };
  assert.deepEqual(look({ cursor: { x: 1, y: 1, visible: false } }), none, "on another screen");
  assert.deepEqual(look({ cursor: null }), none, "null: in the picture again, or no agent");
  assert.deepEqual(look({ shape: false }), none, "no shape yet");
  assert.deepEqual(look({ picture: false }), none, "view off, or no picture yet");
  assert.deepEqual(look({ picture: false, controlling: true, hovering: true }), none);
  assert.deepEqual(look({ cursor: null, controlling: true, hovering: true }), none);
});

Deno.test("toDevicePixel() and wholePixels() keep an image at its own size on the pixel grid", () => {
  assert.equal(toDevicePixel(10.3, 1), 10);
  assert.equal(toDevicePixel(10.3, 2), 10.5);
  assert.equal(wholePixels({ width: 32, height: 32 }, { width: 32, height: 32 }), true);
  assert.equal(wholePixels({ width: 64, height: 64 }, { width: 32, height: 32 }), true, "HiDPI");
  assert.equal(wholePixels({ width: 16, height: 16 }, { width: 32, height: 32 }), false);
  assert.equal(wholePixels({ width: 48, height: 32 }, { width: 32, height: 32 }), false);
});

Deno.test("overlayPlacement() frames the picture and puts the image in it, on device pixels", () => {
  // The stage's content box at (100, 50); the picture 640.4 × 360.2 at (110.3, 60.6).
  const picture = { left: 110.3, top: 60.6, width: 640.4, height: 360.2 };
  const image = { left: 740.3, top: 400.6, width: 16, height: 24 }; // over the right edge
  assert.deepEqual(overlayPlacement(picture, image, { x: 100, y: 50 }, 1), {
    frame: { left: 10, top: 11, width: 640, height: 360 },
    image: { left: 630, top: 340, width: 16, height: 24 }, // 6 px of it clipped by the frame
  });
  assert.deepEqual(overlayPlacement(picture, image, { x: 100, y: 50 }, 2), {
    frame: { left: 10.5, top: 10.5, width: 640.5, height: 360 },
    image: { left: 630, top: 340, width: 16, height: 24 },
  });
});
