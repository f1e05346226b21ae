// Two technicians draw on one customer's screen at once (SPEC R4), through the real parts between
// their windows and the screen: the server's RemoteSession (which numbers each window's lines),
// the protocol's channel (the agent's strict decoder), the real Agent and its X11 overlay on
// Xvfb, read back with the agent's own capture. Each window's preview is the island's
// StrokePreview, fed what that window sent. Undo takes back the asker's own last line — on the
// customer's screen and in the asker's preview alike — even while the other technician drew
// after it, and a line whose pieces came interleaved with the other's is still one line.
import assert from "node:assert/strict";
import {
  type AgentMessage,
  AgentMessageSchema,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
  type WhiteboardMessage,
} from "../protocol/mod.ts";
import { Agent } from "../agent/agent.ts";
import { openDesktop } from "../agent/platform/mod.ts";
import { startXvfb } from "../agent/platform/xvfb_test_support.ts";
import { RemoteSession, type ViewerLink } from "../modules/remote/hub.ts";
import { StrokePreview } from "../islands/remote_view/stroke_preview.ts";
import { countColour, waitFor } from "./support/whiteboard_e2e.ts";

const COLOURS = { red: 0xe0201b, blue: 0x1f5fe0 } as const;

Deno.test("two technicians' Undo: each takes back their own last line, on the screen and in their preview", async () => {
  const xvfb = await startXvfb({ width: 640, height: 480 });
  const desktop = openDesktop({ display: xvfb.display });
  const agent = new Agent({
    desktop,
    encoder: () => ({
      encode: () => ({ data: new Uint8Array(3), keyframe: true }),
      setPreset: () => {},
      close: () => {},
    }),
  });
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  try {
    // Server → agent through the channel the real link uses, in order.
    const server = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
    const app = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
    let delivered = Promise.resolve();
    const refused: string[] = [];
    agent.attach({
      send: (m: AgentMessage) => void (m.type === "refused" && refused.push(m.reason)),
      sendMedia: () => {},
      buffered: () => 0,
    });
    remote.agentAttached({
      send: (message) => {
        delivered = delivered.then(async () => {
          const decoded = app.decode(server.encode(message));
          assert.ok(decoded.ok, JSON.stringify(decoded));
          await agent.handle(decoded.message);
        });
      },
      close: () => {},
      // As agent/main.ts says in its hello.
      whiteboard: agent.whiteboard.available,
      whiteboardUndo: agent.whiteboard.available,
    }, { width: 640, height: 480 });
    // The customer allows view in the agent's window; the server hears it.
    await agent.handle({ type: "request", capability: "view" });
    const question = agent.customerState.questions.find((q) => q.capability === "view")!;
    assert.ok(agent.answer("view", question.id, true).ok);

    const windows = new Map<string, { link: ViewerLink; preview: StrokePreview }>();
    for (const name of ["Ann", "Bob"]) {
      const link: ViewerLink = { userId: name, name, watching: false, peer: null, send: () => {} };
      remote.join(link);
      windows.set(name, { link, preview: new StrokePreview() });
    }
    remote.setWatching(windows.get("Ann")!.link, true);
    remote.agentConsent("view", true);
    /** What the island does: the message to the server, and into its own preview. */
    const send = (name: string, message: WhiteboardMessage) => {
      const { link, preview } = windows.get(name)!;
      assert.equal(remote.draw(message, link), null, `${name}: ${message.type}`);
      if (message.type === "stroke") preview.stroke(message, { screen: null, now: 0, rttMs: 50 });
      if (message.type === "whiteboardUndo") preview.undo();
    };
    const piece = (name: string, color: keyof typeof COLOURS, points: number[]) =>
      send(name, { type: "stroke", color, width: 6, points });
    send("Ann", { type: "whiteboard", on: true });

    // Ann's line at y 100 and Bob's at y 200, each in two pieces, arriving interleaved; then
    // Ann's second line at y 300.
    piece("Ann", "red", [50, 100, 150, 100]);
    piece("Bob", "blue", [50, 200, 150, 200]);
    piece("Ann", "red", [150, 100, 250, 100]);
    piece("Bob", "blue", [150, 200, 250, 200]);
    piece("Ann", "red", [50, 300, 250, 300]);
    await delivered;
    const shows = (y: number, colour: number) => countColour(desktop, 200, y, 4, colour) > 0;
    await waitFor(
      "every line on the screen",
      () => shows(100, COLOURS.red) && shows(300, COLOURS.red) && shows(200, COLOURS.blue),
    );
    /** The lines (their y) a window's preview still holds. */
    const previewed = (
      name: string,
    ) => [
      ...new Set(windows.get(name)!.preview.visible(null, 0).pieces.map((p) => p.piece.points[1])),
    ];

    // Bob's Undo: his line goes, both pieces — not Ann's later line.
    send("Bob", { type: "whiteboardUndo" });
    await delivered;
    await waitFor(
      "Bob's line gone",
      () => !shows(200, COLOURS.blue) && countColour(desktop, 100, 200, 4, COLOURS.blue) === 0,
    );
    assert.ok(shows(100, COLOURS.red) && shows(300, COLOURS.red), "Ann's lines stay");
    assert.deepEqual(previewed("Bob"), [], "Bob's preview drops the same line");
    assert.deepEqual(previewed("Ann"), [100, 300], "Ann's preview keeps both of hers");

    // Ann's Undo: her last line (y 300), then her first — both pieces, though Bob's came between.
    send("Ann", { type: "whiteboardUndo" });
    await delivered;
    await waitFor("Ann's second line gone", () => !shows(300, COLOURS.red));
    assert.ok(shows(100, COLOURS.red) && countColour(desktop, 100, 100, 4, COLOURS.red) > 0);
    assert.deepEqual(previewed("Ann"), [100]);
    send("Ann", { type: "whiteboardUndo" });
    await delivered;
    await waitFor(
      "Ann's first line gone",
      () =>
        countColour(desktop, 100, 100, 4, COLOURS.red) +
            countColour(desktop, 200, 100, 4, COLOURS.red) === 0,
    );
    assert.deepEqual(previewed("Ann"), []);
    assert.deepEqual(refused, [], "the agent refused nothing");
  } finally {
    remote.close();
    agent.end("test over");
    desktop.close();
    await xvfb.stop();
  }
});
