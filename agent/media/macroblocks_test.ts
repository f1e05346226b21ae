import assert from "node:assert/strict";
import { MacroblockChanges, mbAligned, type PlaneWords } from "./macroblocks.ts";

/** I420 planes of a width × height frame, strides rounded up to 32 bytes like vpx_img_alloc. */
function planes(width: number, height: number): { planes: PlaneWords[]; bytes: Uint8Array[] } {
  const shapes = [[width, height], [(width + 1) >> 1, (height + 1) >> 1]];
  const out = [0, 1, 1].map((k) => {
    const [w, h] = shapes[k];
    const stride = Math.ceil(w / 32) * 32;
    const words = new Uint32Array((stride * h) >> 2);
    return { words, stride, bytes: new Uint8Array(words.buffer) };
  });
  return { planes: out, bytes: out.map((p) => p.bytes) };
}

function active(changes: MacroblockChanges): number[] {
  const map = new Uint8Array(changes.cols * changes.rows);
  changes.activeMap(map);
  return [...map.keys()].filter((i) => map[i]);
}

Deno.test("mbAligned() grows a rectangle to whole macroblocks inside the frame", () => {
  assert.deepEqual(mbAligned({ x: 17, y: 5, width: 2, height: 30 }, 100, 100), {
    x: 16,
    y: 0,
    width: 16,
    height: 48,
  });
  assert.deepEqual(mbAligned({ x: 90, y: 90, width: 50, height: 50 }, 100, 100), {
    x: 80,
    y: 80,
    width: 20,
    height: 20,
  });
  assert.equal(mbAligned({ x: 120, y: 0, width: 5, height: 5 }, 100, 100).width, 0);
});

Deno.test("MacroblockChanges marks the macroblock a luma or chroma byte changed in", () => {
  const width = 50, height = 40; // 4 × 3 macroblocks, the last column and row partial
  const changes = new MacroblockChanges(width, height, 2); // refined for 2 frames
  const frame = planes(width, height);
  changes.detect(frame.planes, 3);
  assert.equal(active(changes).length, 12, "at first every block is refined");
  changes.detect(frame.planes, 3);
  assert.deepEqual(active(changes), [], "unchanged for 2 frames: all skipped");

  frame.bytes[0][frame.planes[0].stride * 20 + 49] = 1; // luma (49, 20): column 3, row 1
  changes.detect(frame.planes, 3);
  assert.deepEqual(active(changes), [1 * 4 + 3]);
  frame.bytes[2][frame.planes[2].stride * 3 + 9] = 7; // V (9, 3) = luma (18, 6): column 1, row 0
  changes.detect(frame.planes, 3);
  assert.deepEqual(active(changes), [1, 7], "the earlier one is still being refined");
  changes.detect(frame.planes, 3);
  assert.deepEqual(active(changes), [1], "nothing changed: the older block aged out");
  changes.detect(frame.planes, 3);
  assert.deepEqual(active(changes), []);
  changes.refineAll();
  assert.equal(active(changes).length, 12, "every block coded again");
});

Deno.test("MacroblockChanges looks only inside the given areas and planes", () => {
  const width = 64, height = 32;
  const changes = new MacroblockChanges(width, height, 1);
  const frame = planes(width, height);
  changes.detect(frame.planes, 3);
  active(changes);
  frame.bytes[0][frame.planes[0].stride * 2 + 2] = 9; // macroblock 0
  frame.bytes[0][frame.planes[0].stride * 20 + 40] = 9; // macroblock 6
  changes.detect(frame.planes, 3, [{ x: 32, y: 16, width: 16, height: 16 }]);
  assert.deepEqual(active(changes), [6]);
  frame.bytes[1][frame.planes[1].stride * 10 + 20] = 5; // U in macroblock 6: luma only here
  changes.detect(frame.planes, 1);
  assert.deepEqual(active(changes), [0], "the change outside the area is seen on a full pass");
});
