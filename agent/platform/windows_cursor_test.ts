import assert from "node:assert/strict";
import { cursorPixels } from "./windows_cursor.ts";

/** A 1-bit mask (rows padded to 4 bytes, most significant bit first) from strings of 0/1. */
function mask(rows: string[]): Uint8Array {
  const stride = ((rows[0].length + 31) >> 5) * 4;
  const out = new Uint8Array(stride * rows.length);
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      if (row[c] === "1") out[r * stride + (c >> 3)] |= 0x80 >> (c & 7);
    }
  });
  return out;
}

const hex = (pixels: Uint32Array) => [...pixels].map((p) => p.toString(16).padStart(8, "0"));

Deno.test("cursorPixels() reads a monochrome cursor's AND and XOR planes", () => {
  // AND rows then XOR rows. Row 0: black, white, transparent, inverted; row 1: transparent,
  // transparent, black, black.
  const pixels = cursorPixels(4, 2, mask(["0011", "1100", "0101", "0000"]), null);
  assert.deepEqual(hex(pixels), [
    // the inverted pixel is black, and its transparent neighbour (left) its white outline
    ...["ff000000", "ffffffff", "ffffffff", "ff000000"],
    ...["00000000", "00000000", "ff000000", "ff000000"],
  ]);
});

Deno.test("cursorPixels() premultiplies a colour cursor's alpha and ignores its mask", () => {
  // B,G,R,A: opaque red, half-transparent white, transparent.
  const color = new Uint8Array([0, 0, 255, 255, 255, 255, 255, 128, 10, 20, 30, 0]);
  const pixels = cursorPixels(3, 1, mask(["111"]), color);
  assert.deepEqual(hex(pixels), ["ffff0000", "80808080", "00000000"]);
});

Deno.test("cursorPixels() takes a colour cursor without alpha through its AND mask", () => {
  // B,G,R,A with A all 0: green (AND 0); black on AND 1: transparent (here the outline of its
  // neighbour); blue on AND 1: the screen inverted, drawn black.
  const color = new Uint8Array([0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0]);
  const pixels = cursorPixels(3, 1, mask(["011"]), color);
  assert.deepEqual(hex(pixels), ["ff00ff00", "ffffffff", "ff000000"]);
});
