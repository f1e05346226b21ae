import assert from "node:assert/strict";
import { pointerLatencies } from "./pointer.ts";

Deno.test("pointerLatencies: each place shown is timed from the last move to it before it was shown", () => {
  // Two sweeps over the same places, one each way: a place shown is matched to the move that
  // put the pointer there most recently, not the earlier sweep's.
  const moves = [
    { at: 1000, x: 412 },
    { at: 1017, x: 424 },
    { at: 1033, x: 436 },
    { at: 1600, x: 424 },
    { at: 1617, x: 412 },
  ];
  const seen = [
    { at: 1010, x: 414 }, // the reader's offset is 2
    { at: 1040, x: 438 },
    { at: 1605, x: 426 },
    { at: 1630, x: 414 },
    { at: 1631, x: 900 }, // no move went there: a misread, not counted
  ];
  const { latencies, shown } = pointerLatencies(moves, seen, 2);
  assert.deepEqual(latencies, [10, 7, 5, 13]);
  assert.equal(shown, 4);
  assert.deepEqual(
    pointerLatencies(moves, [{ at: 999, x: 412 }], 0).latencies,
    [],
    "before any move",
  );
});
