import assert from "node:assert/strict";
import { wraps } from "./toolbar_fit.ts";

const box = (top: number, height = 30, width = 80) => ({ top, bottom: top + height, width });

Deno.test("wraps: one row, centred parts of different heights included", () => {
  assert.equal(wraps([box(10), box(12, 26), box(8, 34)]), false);
  assert.equal(wraps([box(10)]), false);
  assert.equal(wraps([]), false);
});

Deno.test("wraps: a part that starts below another's end is a second row", () => {
  assert.equal(wraps([box(10), box(10), box(44)]), true);
  assert.equal(wraps([box(10), box(40)]), true, "touching the first row's end");
});

Deno.test("wraps: hidden parts (no width) do not count", () => {
  assert.equal(wraps([box(10), box(44, 30, 0)]), false);
});
