import assert from "node:assert/strict";
import {
  type AgentMessage,
  AgentMessageSchema,
  capabilityNeeded,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
  STROKE_POINTS_MAX,
  ViewerInputSchema,
} from "./mod.ts";

const STROKE: ServerMessage = { type: "stroke", color: "red", width: 6, points: [10, 20, 30, 40] };

Deno.test("whiteboard messages pass both the agent's decoder and the viewer socket's schema", () => {
  const samples: ServerMessage[] = [
    { type: "whiteboard", on: true },
    STROKE,
    { type: "stroke", color: "white", width: 1, points: [0, 0] },
    { type: "whiteboardClear" },
    { type: "whiteboardUndo" },
    { ...STROKE, by: 2 } as ServerMessage,
    { type: "whiteboardUndo", by: 2 },
    { type: "laser", at: { x: 1919, y: 1079 } },
    { type: "laser", at: null },
    { type: "whiteboard", on: false },
  ];
  const server = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
  const agent = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  for (const message of samples) {
    const decoded = agent.decode(server.encode(message));
    assert.ok(decoded.ok, JSON.stringify(decoded));
    assert.deepEqual(decoded.message, message);
    assert.equal(ViewerInputSchema.safeParse(message).success, true, message.type);
  }
});

Deno.test("capabilityNeeded() makes every whiteboard message need view", () => {
  for (
    const message of [
      { type: "whiteboard", on: true },
      STROKE,
      { type: "whiteboardClear" },
      { type: "whiteboardUndo" },
      { type: "laser", at: null },
    ] as ServerMessage[]
  ) assert.equal(capabilityNeeded(message), "view", message.type);
});

Deno.test("the stroke schema refuses odd, empty, oversized, off-screen and unknown pens", () => {
  const bad: [string, unknown][] = [
    ["odd", { ...STROKE, points: [1, 2, 3] }],
    ["empty", { ...STROKE, points: [] }],
    ["too many", { ...STROKE, points: new Array(STROKE_POINTS_MAX * 2 + 2).fill(1) }],
    ["negative", { ...STROKE, points: [-1, 2] }],
    ["fraction", { ...STROKE, points: [1.5, 2] }],
    ["beyond X11", { ...STROKE, points: [40_000, 2] }],
    ["colour", { ...STROKE, color: "#ff00ff" }],
    ["width 0", { ...STROKE, width: 0 }],
    ["width 99", { ...STROKE, width: 99 }],
    ["extra field", { ...STROKE, shape: "circle" }],
    ["pen 0", { ...STROKE, by: 0 }],
    ["pen by name", { ...STROKE, by: "Ann" }],
    ["undo's pen fraction", { type: "whiteboardUndo", by: 1.5 }],
    ["laser without at", { type: "laser" }],
    ["laser string", { type: "laser", at: "10,20" }],
  ];
  for (const [why, message] of bad) {
    assert.equal(ServerMessageSchema.safeParse(message).success, false, why);
    assert.equal(ViewerInputSchema.safeParse(message).success, false, why);
  }
  assert.equal(
    ServerMessageSchema.safeParse({
      ...STROKE,
      points: new Array(STROKE_POINTS_MAX * 2).fill(1),
    }).success,
    true,
    "the largest batch",
  );
});

Deno.test("a bad stroke frame is refused with a code and a reason, and the channel goes on", () => {
  const agent = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  const server = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
  const good = server.encode({ type: "whiteboardClear" });
  const frame = JSON.parse(good);
  frame.msg = { ...STROKE, points: [1, 2, 3] };
  const refused = agent.decode(JSON.stringify(frame));
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.code, "invalid");
    assert.match(refused.reason, /pairs/);
  }
  assert.equal(agent.decode(good).ok, true, "the next good frame is taken");
});
