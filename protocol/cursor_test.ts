import assert from "node:assert/strict";
import { AgentMessageSchema, ServerMessageSchema } from "./messages.ts";
import { ViewerInputSchema } from "./viewer_schema.ts";
import { base64url } from "./base64url.ts";
import { CURSOR_MAX_SIDE, cursorPixels, type CursorShape, cursorShapeProblem } from "./cursor.ts";

const shape = (width: number, height: number, extra: Partial<CursorShape> = {}): CursorShape => ({
  width,
  height,
  hotX: 0,
  hotY: 0,
  rgba: base64url(new Uint8Array(width * height * 4).fill(200)),
  ...extra,
});

Deno.test("cursor: a shape's size, hot spot and bytes are checked", () => {
  assert.equal(cursorShapeProblem(shape(24, 24, { hotX: 23, hotY: 5 })), null);
  assert.equal(cursorShapeProblem(shape(CURSOR_MAX_SIDE, CURSOR_MAX_SIDE)), null);
  assert.match(cursorShapeProblem(shape(24, 24, { hotX: 24 }))!, /hot spot/);
  assert.match(cursorShapeProblem(shape(24, 24, { hotY: -1 }))!, /hot spot/);
  assert.match(cursorShapeProblem({ ...shape(24, 24), width: 0 })!, /a side/);
  assert.match(cursorShapeProblem(shape(24, 24, { rgba: shape(24, 23).rgba }))!, /2304 bytes/);
  const bad = shape(2, 2);
  assert.match(cursorShapeProblem({ ...bad, rgba: "+" + bad.rgba.slice(1) })!, /base64url/);
  const pixels = cursorPixels(shape(3, 2));
  assert.equal(pixels.length, 24);
  assert.equal(pixels[5], 200);
});

Deno.test("cursor: the agent's message, the server's mode and the island's word parse; bad ones do not", () => {
  const ok = { type: "cursor", x: 10, y: 20, visible: true, shape: shape(32, 32, { hotX: 4 }) };
  assert.ok(AgentMessageSchema.safeParse(ok).success);
  assert.ok(AgentMessageSchema.safeParse({ type: "cursor", x: 0, y: 0, visible: false }).success);
  const tooBig = shape(CURSOR_MAX_SIDE + 1, 1);
  assert.ok(!AgentMessageSchema.safeParse({ ...ok, shape: tooBig }).success);
  const short = AgentMessageSchema.safeParse({ ...ok, shape: { ...ok.shape, rgba: "AAAA" } });
  assert.ok(!short.success);
  assert.match(JSON.stringify(short.error.issues), /4096 bytes/);
  assert.ok(!AgentMessageSchema.safeParse({ ...ok, x: -1 }).success);
  assert.ok(ServerMessageSchema.safeParse({ type: "cursorMode", separate: true }).success);
  assert.ok(!ServerMessageSchema.safeParse({ type: "cursorMode", separate: "yes" }).success);
  const codecs = { type: "codecs", codecs: ["vp8"] };
  assert.ok(ViewerInputSchema.safeParse({ ...codecs, cursor: true }).success);
  assert.ok(ViewerInputSchema.safeParse(codecs).success, "an older island says nothing");
});
