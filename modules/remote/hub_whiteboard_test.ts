// The whiteboard and laser through RemoteSession (SPEC R4) with a fake agent link and viewers:
// passed to the agent only while the customer shares the screen and only to an app that can
// show them (never to a browser share), no input while the whiteboard is on, logged on and off,
// and gone with view, with a new agent link, or when the customer removes it. The rule itself
// is `whiteboardRefusal`, tested row by row.
import assert from "node:assert/strict";
import type { ServerMessage, WhiteboardMessage } from "../../protocol/mod.ts";
import { type RemoteEvent, RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";
import type { AgentLink } from "./session_links.ts";
import { whiteboardRefusal } from "./whiteboard.ts";

function setup(link: Partial<AgentLink> = { whiteboard: true, whiteboardUndo: true }) {
  const toAgent: ServerMessage[] = [];
  const events: RemoteEvent[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.onEvent = (event) => void events.push(event);
  remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {}, ...link }, {
    width: 640,
    height: 480,
  });
  const seen: ViewerMessage[] = [];
  const viewer = (name: string): ViewerLink => ({
    userId: name,
    name,
    watching: false,
    peer: null,
    send: (m) => void seen.push(m),
  });
  const ann = viewer("Ann");
  remote.join(ann);
  return { remote, toAgent, events, ann, viewer, seen };
}

const ON: WhiteboardMessage = { type: "whiteboard", on: true };
const OFF: WhiteboardMessage = { type: "whiteboard", on: false };
const STROKE: WhiteboardMessage = { type: "stroke", color: "red", width: 6, points: [1, 2, 3, 4] };
const CLEAR: WhiteboardMessage = { type: "whiteboardClear" };
const UNDO: WhiteboardMessage = { type: "whiteboardUndo" };
const LASER: WhiteboardMessage = { type: "laser", at: { x: 5, y: 6 } };
const NO_LASER: WhiteboardMessage = { type: "laser", at: null };

Deno.test("whiteboardRefusal() row by row", () => {
  const app = { send: () => {}, close: () => {}, whiteboard: true, whiteboardUndo: true };
  const share = { ...app, viewOnly: true, whiteboard: undefined } as AgentLink;
  // An app that draws but knows no Undo (its hello offered no whiteboardUndo).
  const noUndo = { ...app, whiteboardUndo: undefined } as AgentLink;
  const old = { send: () => {}, close: () => {} } as AgentLink;
  const rows: [WhiteboardMessage, AgentLink | null, boolean, boolean, string | null][] = [
    // message, agent, view granted, whiteboard on → refusal
    [ON, app, true, false, null],
    [ON, app, false, false, "view_not_granted"],
    [ON, null, true, false, "agent_absent"],
    [ON, share, true, false, "needs_app"],
    [ON, old, true, false, "no_overlay"],
    [STROKE, app, true, false, "whiteboard_off"],
    [STROKE, app, true, true, null],
    [STROKE, app, false, true, "view_not_granted"],
    [CLEAR, app, true, false, "whiteboard_off"],
    [CLEAR, app, true, true, null],
    [UNDO, app, true, false, "whiteboard_off"],
    [UNDO, app, true, true, null],
    [UNDO, app, false, true, "view_not_granted"],
    [UNDO, share, true, true, "needs_app"],
    [UNDO, noUndo, true, true, "no_undo"],
    [STROKE, noUndo, true, true, null],
    [CLEAR, noUndo, true, true, null],
    [LASER, app, true, false, null],
    [LASER, share, true, false, "needs_app"],
    [LASER, app, false, false, "view_not_granted"],
    [OFF, null, false, false, null],
    [NO_LASER, share, false, false, null],
  ];
  for (const [message, agent, viewGranted, on, want] of rows) {
    assert.equal(
      whiteboardRefusal(message, { agent, viewGranted, on }),
      want,
      `${JSON.stringify(message)} agent=${agent ? "yes" : "no"} view=${viewGranted} on=${on}`,
    );
  }
});

Deno.test("RemoteSession.draw() passes drawings only while view is granted, and stops input", () => {
  const { remote, toAgent, events, ann, seen } = setup();
  assert.equal(remote.draw(ON, ann), "view_not_granted");
  assert.deepEqual(toAgent, [], "nothing reached the agent");
  remote.setWatching(ann, true);
  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  const key: ServerMessage = { type: "key", keysym: 0x61, down: true };
  assert.equal(remote.input(key, ann), null, "control works before the whiteboard");
  toAgent.length = 0;

  assert.equal(remote.draw(STROKE, ann), "whiteboard_off");
  assert.equal(remote.draw(ON, ann), null);
  assert.equal(remote.draw(STROKE, ann), null);
  assert.equal(remote.draw(LASER, ann), null);
  assert.equal(remote.draw(CLEAR, ann), null);
  assert.deepEqual(toAgent, [ON, { ...STROKE, by: 1 }, LASER, CLEAR]);
  const state = seen.filter((m) => m.type === "state").at(-1);
  assert.equal(state?.type === "state" && state.whiteboard, true, "the viewers hear it is on");
  assert.equal(state?.type === "state" && state.canDraw, true);
  assert.equal(state?.type === "state" && state.canUndo, true);
  assert.equal(remote.customerView().drawing, true, "the customer's page hears it too");

  // No control while on: nobody's input passes, and none reaches the agent.
  assert.equal(remote.input(key, ann), "whiteboard_on");
  assert.equal(remote.input({ type: "pointer", x: 1, y: 1 }, ann), "whiteboard_on");
  assert.equal(toAgent.length, 4);

  assert.equal(remote.draw(OFF, ann), null);
  assert.equal(remote.customerView().drawing, false);
  assert.equal(remote.input(key, ann), null, "control again once it is off");
  const kinds = events.filter((e) => e.kind === "whiteboard");
  assert.deepEqual(kinds.map((e) => e.kind === "whiteboard" && [e.on, e.by?.name]), [
    [true, "Ann"],
    [false, "Ann"],
  ]);
  remote.close();
});

Deno.test("the whiteboard goes with view, a new agent link, the customer's removal; the laser with its window", () => {
  const { remote, toAgent, events, ann, viewer, seen } = setup();
  remote.setWatching(ann, true);
  remote.agentConsent("view", true);
  remote.draw(ON, ann);
  remote.agentConsent("view", false); // the customer stopped sharing: the agent removed it
  assert.equal(remote.draw(STROKE, ann), "view_not_granted");
  assert.equal(events.filter((e) => e.kind === "whiteboard").length, 2, "logged as gone");

  remote.setWatching(ann, true);
  remote.agentConsent("view", true);
  remote.draw(ON, ann);
  assert.equal(remote.customerView().drawing, true);
  remote.agentWhiteboardOff(); // "Remove the drawings" in the agent's window
  assert.equal(remote.customerView().drawing, false, "the customer's page hears it gone");
  assert.equal(remote.draw(STROKE, ann), "whiteboard_off");
  remote.agentWhiteboardOff();
  assert.equal(events.filter((e) => e.kind === "whiteboard").length, 4, "once, not twice");

  // The agent reconnects: its new link shows nothing, and the viewers hear the whiteboard off.
  remote.draw(ON, ann);
  remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {}, whiteboard: true }, {
    width: 640,
    height: 480,
  });
  const state = seen.filter((m) => m.type === "state").at(-1);
  assert.equal(state?.type === "state" && state.whiteboard, false);
  remote.agentConsent("view", true);

  // Bob's laser is hidden on the customer's screen when his window goes; Ann's would not be.
  const bob = viewer("Bob");
  remote.join(bob);
  assert.equal(remote.draw(LASER, bob), null);
  toAgent.length = 0;
  remote.leave(bob);
  assert.deepEqual(toAgent.filter((m) => m.type === "laser"), [NO_LASER]);
  remote.close();
});

Deno.test("a browser share and an older agent cannot draw; the viewers are told", () => {
  for (const [link, want] of [[{ viewOnly: true }, "needs_app"], [{}, "no_overlay"]] as const) {
    const { remote, toAgent, ann, seen } = setup(link);
    remote.setWatching(ann, true);
    remote.agentConsent("view", true);
    assert.equal(remote.draw(ON, ann), want);
    assert.equal(remote.draw(LASER, ann), want);
    assert.equal(toAgent.some((m) => m.type === "whiteboard" || m.type === "laser"), false);
    const state = seen.filter((m) => m.type === "state").at(-1);
    assert.equal(state?.type === "state" && state.canDraw, false);
    remote.close();
  }
});

Deno.test("RemoteSession.draw(): each window's lines and Undo carry its number; a viewer's own is replaced", () => {
  const { remote, toAgent, ann, viewer } = setup();
  const bob = viewer("Bob");
  remote.join(bob);
  remote.setWatching(ann, true);
  remote.agentConsent("view", true);
  remote.draw(ON, ann);
  toAgent.length = 0;
  // Bob claims to be window 1 (Ann's): the server numbers the windows itself.
  assert.equal(remote.draw({ ...STROKE, by: 1 } as WhiteboardMessage, bob), null);
  assert.equal(remote.draw(STROKE, ann), null);
  assert.equal(remote.draw({ ...UNDO, by: 1 } as WhiteboardMessage, bob), null);
  assert.equal(remote.draw(UNDO, ann), null);
  assert.deepEqual(toAgent, [
    { ...STROKE, by: 1 },
    { ...STROKE, by: 2 },
    { ...UNDO, by: 1 },
    { ...UNDO, by: 2 },
  ]);
  remote.close();
});

Deno.test("an app that knows no Undo: Undo refused and never sent, lines sent without a number", () => {
  const { remote, toAgent, ann, seen } = setup({ whiteboard: true });
  remote.setWatching(ann, true);
  remote.agentConsent("view", true);
  remote.draw(ON, ann);
  toAgent.length = 0;
  assert.equal(remote.draw(STROKE, ann), null);
  assert.equal(remote.draw({ ...STROKE, by: 3 } as WhiteboardMessage, ann), null);
  assert.equal(remote.draw(UNDO, ann), "no_undo");
  assert.deepEqual(toAgent, [STROKE, STROKE], "its strict decoder would refuse by and Undo");
  const state = seen.filter((m) => m.type === "state").at(-1);
  assert.equal(state?.type === "state" && state.canDraw, true);
  assert.equal(state?.type === "state" && state.canUndo, false, "the island disables Undo");
  remote.close();
});
