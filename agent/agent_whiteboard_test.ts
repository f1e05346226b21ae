// The technician's whiteboard at the agent (SPEC R4): nothing is drawn without the customer's
// view consent; points move onto the chosen screen; the drawings go when view is taken back, the
// link drops, the session ends or the customer removes them in the agent's window. The overlay
// here records what it is told; x11_overlay_test.ts draws on a real X server.
import assert from "node:assert/strict";
import type { AgentMessage } from "../protocol/mod.ts";
import { Agent } from "./agent.ts";
import type { Desktop, Overlay } from "./platform/types.ts";

function _agent(opts: { overlay?: boolean } = {}) {
  const calls: string[] = [];
  const sent: AgentMessage[] = [];
  let opened = 0;
  const overlay = (): Overlay => {
    opened++;
    return {
      stroke: (points, rgb, width) =>
        void calls.push(`stroke ${points.join(",")} #${rgb.toString(16)} ${width}`),
      clear: () => void calls.push("clear"),
      redraw: (pieces) =>
        void calls.push(
          `redraw ${
            pieces.map((p) => `${p.points.join(",")} #${p.rgb.toString(16)} ${p.width}`).join(" | ")
          }`,
        ),
      laser: (at) => void calls.push(at ? `laser ${at.x},${at.y}` : "laser off"),
      laserInPicture: (on) => void calls.push(`laser in picture ${on}`),
      close: () => void calls.push("close"),
    };
  };
  const screens = [
    { id: "A", x: 0, y: 0, width: 100, height: 100, primary: true },
    { id: "B", x: 100, y: 20, width: 100, height: 100, primary: false },
  ];
  const desktop = {
    width: 200,
    height: 120,
    grab: () => ({ width: 200, height: 120, stride: 800, data: new Uint8Array(96_000) }),
    cursor: () => null,
    screens: () => screens,
    damage: () => null,
    keyboardLayout: () => "us",
    releaseInput: () => {},
    ...(opts.overlay === false ? {} : { overlay }),
  } as unknown as Desktop;
  const agent = new Agent({
    desktop,
    encoder: () => ({
      encode: () => ({ data: new Uint8Array(3), keyframe: true }),
      setPreset: () => {},
      close: () => {},
    }),
  });
  agent.attach({
    send: (message: AgentMessage) => void sent.push(message),
    sendMedia: () => {},
    buffered: () => 0,
  });
  return { agent, calls, sent, opened: () => opened };
}

async function _allowView(agent: Agent) {
  await agent.handle({ type: "request", capability: "view" });
  const question = agent.customerState.questions.find((q) => q.capability === "view")!;
  assert.ok(agent.answer("view", question.id, true).ok);
}

const STROKE = { type: "stroke", color: "red", width: 6, points: [10, 20, 30, 40] } as const;

Deno.test("Agent refuses the whiteboard and laser without view, and draws nothing", async () => {
  const { agent, calls, sent } = _agent();
  for (
    const message of [
      { type: "whiteboard", on: true },
      { ...STROKE, points: [...STROKE.points] },
      { type: "laser", at: { x: 5, y: 5 } },
    ] as const
  ) await agent.handle(message as never);
  assert.deepEqual(calls, []);
  const refused = sent.filter((m) => m.type === "refused");
  assert.deepEqual(refused.map((m) => m.type === "refused" && m.reason), [
    "view is not granted",
    "view is not granted",
    "view is not granted",
  ]);
  assert.equal(agent.customerState.drawing, false);
  agent.end("test over");
});

Deno.test("Agent draws on the chosen screen, says so in the window, and clears", async () => {
  const { agent, calls, sent } = _agent();
  await _allowView(agent);
  await agent.handle({ ...STROKE, points: [...STROKE.points] });
  assert.deepEqual(calls, [], "a stroke before the whiteboard is on is refused");
  assert.match(JSON.stringify(sent.at(-1)), /the whiteboard is off/);
  await agent.handle({ type: "whiteboard", on: true });
  assert.equal(agent.customerState.drawing, true);
  await agent.handle({ ...STROKE, points: [...STROKE.points] });
  await agent.handle({ type: "screen", id: "B" });
  await agent.handle({ type: "stroke", color: "blue", width: 3, points: [1, 2] });
  await agent.handle({ type: "laser", at: { x: 50, y: 50 } });
  await agent.handle({ type: "whiteboardClear" });
  await agent.handle({ type: "laser", at: null });
  assert.deepEqual(calls, [
    "stroke 10,20,30,40 #e0201b 6",
    "stroke 101,22 #1f5fe0 3",
    "laser 150,70",
    "clear",
    "laser off",
  ]);
  agent.end("test over");
});

Deno.test("Agent keeps the laser's dot in the picture while it is recorded, coded in at once", async () => {
  const { agent, calls } = _agent();
  await _allowView(agent);
  let resumed = 0;
  agent.screen.resume = () => void resumed++;
  await agent.handle({ type: "recording", on: true }); // no dot yet, no overlay: nothing to code
  assert.deepEqual([calls, resumed], [[], 0]);
  await agent.handle({ type: "laser", at: { x: 50, y: 50 } }); // the overlay opens recorded
  assert.deepEqual(calls, ["laser in picture true", "laser 50,50"]);
  await agent.handle({ type: "recording", on: false }); // the dot shows: coded out at once
  await agent.handle({ type: "recording", on: false }); // said again: nothing changes
  assert.deepEqual(calls.slice(2), ["laser in picture false"]);
  assert.equal(resumed, 1);
  await agent.handle({ type: "recording", on: true });
  assert.deepEqual([calls.slice(3), resumed], [["laser in picture true"], 2]);
  await agent.handle({ type: "laser", at: null }); // no dot: a change of recording codes nothing
  await agent.handle({ type: "recording", on: false });
  assert.equal(resumed, 2);
  agent.end("test over");
});

Deno.test("Agent's Undo takes the last line away, all its pieces, and draws the rest again", async () => {
  const { agent, calls, sent } = _agent();
  await _allowView(agent);
  await agent.handle({ type: "whiteboardUndo" });
  assert.match(JSON.stringify(sent.at(-1)), /the whiteboard is off/);
  await agent.handle({ type: "whiteboard", on: true });
  await agent.handle({ type: "whiteboardUndo" }); // nothing drawn: nothing to take away
  await agent.handle({ ...STROKE, points: [10, 20, 30, 40] });
  // The next line: two pieces, the second starting at the first's end; then a dot.
  await agent.handle({ type: "stroke", color: "blue", width: 3, points: [30, 40, 50, 50] });
  await agent.handle({ type: "stroke", color: "blue", width: 3, points: [50, 50, 60, 70] });
  await agent.handle({ type: "stroke", color: "blue", width: 3, points: [60, 70] });
  calls.length = 0;
  await agent.handle({ type: "whiteboardUndo" }); // the dot
  await agent.handle({ type: "whiteboardUndo" }); // the blue line, both pieces
  // Each Undo replaces the drawings in one call (no moment without the lines that stay).
  assert.deepEqual(calls, [
    "redraw 10,20,30,40 #e0201b 6 | 30,40,50,50 #1f5fe0 3 | 50,50,60,70 #1f5fe0 3",
    "redraw 10,20,30,40 #e0201b 6",
  ]);
  // After Clear there is nothing to undo.
  await agent.handle({ type: "whiteboardClear" });
  calls.length = 0;
  await agent.handle({ type: "whiteboardUndo" });
  assert.deepEqual(calls, []);
  assert.equal(sent.filter((m) => m.type === "refused").length, 1, "only the one while off");
  agent.end("test over");
});

Deno.test("Agent removes the drawings on a revoke of view, a dropped link, the end and the customer's stop", async () => {
  for (const how of ["revoke", "detach", "end", "customer", "off"] as const) {
    const { agent, calls, sent, opened } = _agent();
    await _allowView(agent);
    await agent.handle({ type: "whiteboard", on: true });
    await agent.handle({ ...STROKE, points: [...STROKE.points] });
    if (how === "revoke") agent.revoke("view");
    if (how === "detach") agent.detach();
    if (how === "end") agent.end("over");
    if (how === "customer") agent.stopDrawing();
    if (how === "off") await agent.handle({ type: "whiteboard", on: false });
    assert.equal(calls.at(-1), "close", how);
    assert.equal(agent.customerState.drawing, false, how);
    assert.equal(opened(), 1, how);
    if (how === "customer") assert.deepEqual(sent.at(-1), { type: "whiteboard", on: false });
    agent.end("test over");
  }
});

Deno.test("Agent without an overlay says the whiteboard is not available and refuses it", async () => {
  const { agent, sent } = _agent({ overlay: false });
  assert.equal(agent.whiteboard.available, false);
  await _allowView(agent);
  await agent.handle({ type: "whiteboard", on: true });
  assert.match(JSON.stringify(sent.at(-1)), /cannot show drawings/);
  assert.equal(agent.customerState.drawing, false);
  agent.end("test over");
});

Deno.test("Agent's Undo takes back the asking window's last line; two technicians' pieces interleave", async () => {
  const { agent, calls, sent } = _agent();
  await _allowView(agent);
  await agent.handle({ type: "whiteboard", on: true });
  const piece = (by: number, color: "red" | "blue", points: number[]) =>
    agent.handle({ type: "stroke", color, width: 3, points, by });
  // Ann (1) and Bob (2) draw at once: their pieces arrive interleaved, each line in two pieces.
  await piece(1, "red", [0, 0, 10, 0]);
  await piece(2, "blue", [0, 50, 10, 50]);
  await piece(1, "red", [10, 0, 20, 0]);
  await piece(2, "blue", [10, 50, 20, 50]);
  await piece(1, "red", [0, 10, 5, 10]); // Ann's second line
  calls.length = 0;
  // Bob's Undo takes his line, both pieces — not Ann's later one.
  await agent.handle({ type: "whiteboardUndo", by: 2 });
  assert.deepEqual(calls, [
    "redraw 0,0,10,0 #e0201b 3 | 10,0,20,0 #e0201b 3 | 0,10,5,10 #e0201b 3",
  ]);
  // Bob has nothing left to take back: nothing changes.
  await agent.handle({ type: "whiteboardUndo", by: 2 });
  assert.equal(calls.length, 1);
  // Ann's Undo takes her last line, then her first (both pieces, joined though Bob's came between).
  await agent.handle({ type: "whiteboardUndo", by: 1 });
  await agent.handle({ type: "whiteboardUndo", by: 1 });
  assert.deepEqual(calls.slice(1), ["redraw 0,0,10,0 #e0201b 3 | 10,0,20,0 #e0201b 3", "redraw "]);
  // Without `by` (a server that numbers no windows): the last line anyone drew.
  await piece(1, "red", [0, 0, 10, 0]);
  await piece(2, "blue", [0, 50, 10, 50]);
  calls.length = 0;
  await agent.handle({ type: "whiteboardUndo" });
  assert.deepEqual(calls, ["redraw 0,0,10,0 #e0201b 3"]);
  assert.equal(sent.filter((m) => m.type === "refused").length, 0);
  agent.end("test over");
});
