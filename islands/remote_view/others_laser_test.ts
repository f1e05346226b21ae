// Another technician's laser as the island reads it from the server (socket.ts
// `parseViewerMessage`): a dot's place and whose, its end, and anything malformed dropped.
import assert from "node:assert/strict";
import { parseViewerMessage } from "./socket.ts";

const read = (m: unknown) => parseViewerMessage(JSON.stringify(m));

Deno.test("parseViewerMessage reads another window's laser and its end", () => {
  assert.deepEqual(read({ type: "laser", by: 2, name: "Ann", at: { x: 5, y: 6.5 } }), {
    type: "laser",
    by: 2,
    name: "Ann",
    at: { x: 5, y: 6.5 },
  });
  assert.deepEqual(read({ type: "laser", by: 2, name: "Ann", at: null }), {
    type: "laser",
    by: 2,
    name: "Ann",
    at: null,
  });
  assert.equal(read({ type: "laser", by: "2", name: "Ann", at: null }), null, "no number");
  assert.equal(read({ type: "laser", by: 2, name: "Ann", at: { x: "5", y: 6 } }), null);
  assert.equal(read({ type: "laser", by: 2, name: "Ann" }), null, "no place, no end");
});
