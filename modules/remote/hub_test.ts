// RemoteSession's rules with a fake agent link and fake viewers: a request goes to the
// agent, nothing on the server can send the agent a grant, input passes only
// while control is granted, the customer's revoke stops input at once, one control question
// covers view, and stopping (hold, transfer, end) revokes both at the agent.
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { type RemoteEvent, RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

function setup() {
  const toAgent: ServerMessage[] = [];
  const events: RemoteEvent[] = [];
  let activity = 0;
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.onEvent = (event) => void events.push(event);
  remote.onActivity = () => void activity++;
  remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {} }, {
    width: 640,
    height: 480,
  }, "de(nodeadkeys)");
  const seen: ViewerMessage[] = [];
  const viewer: ViewerLink = {
    userId: "u1",
    name: "Ann",
    watching: false,
    peer: null,
    send: (m) => void seen.push(m),
  };
  remote.join(viewer);
  return { remote, toAgent, events, viewer, seen, activity: () => activity };
}

Deno.test("control: asked through the agent, answered by the customer, revoked at once", () => {
  const { remote, toAgent, events, viewer, activity } = setup();
  const key: ServerMessage = { type: "key", keysym: 0x61, down: true };
  assert.equal(remote.input(key, viewer), "control_not_granted");

  assert.equal(remote.setControl(viewer, true), null);
  assert.deepEqual(toAgent.at(-1), { type: "request", capability: "control" });
  assert.equal(remote.consent.control, "asked");
  assert.equal(events[0].kind, "requested");

  // The island also turns the picture on: no second question while control is asked.
  assert.equal(remote.setWatching(viewer, true), null);
  assert.equal(toAgent.filter((m) => m.type === "request").length, 1);

  remote.agentAsks("control");
  remote.agentAsks("view"); // superseded by the control question
  assert.deepEqual(remote.customerView().asks.map((a) => a.capability), ["control"]);
  assert.equal(remote.customerView().asks[0].technician, "Ann");

  // The customer answers in the agent's window: the server only hears the result.
  assert.ok(!("customerAnswer" in remote), "no way to answer for the customer here");
  assert.deepEqual(toAgent.map((m) => m.type), ["request"], "only the request went to the agent");

  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  assert.equal(remote.consent.control, "granted");
  assert.deepEqual(remote.customerView().asks, []);
  assert.equal(remote.input(key, viewer), null);
  assert.deepEqual(toAgent.at(-1), key);
  assert.equal(activity(), 1, "input counts as activity");
  remote.input(key, viewer);
  assert.equal(activity(), 1, "at most every 30 s");

  remote.customerRevoke("control");
  assert.deepEqual(toAgent.at(-1), { type: "revoke", capability: "control" });
  assert.equal(remote.consent.control, "revoked");
  assert.equal(remote.input(key, viewer), "control_not_granted");
  // The agent confirms; nothing changes twice.
  remote.agentConsent("control", false);
  assert.equal(remote.consent.control, "revoked");
  assert.deepEqual(
    events.map((e) => e.kind),
    ["requested", "answered", "answered", "revokedByCustomer"],
  );
  remote.close();
});

Deno.test("a denied question, and stopping ends view and control at the agent", () => {
  const { remote, toAgent, viewer } = setup();
  remote.setWatching(viewer, true);
  remote.agentAsks("view");
  remote.agentConsent("view", false);
  assert.equal(remote.consent.view, "denied");

  remote.setControl(viewer, true);
  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  toAgent.length = 0;
  remote.stopAll();
  assert.deepEqual(toAgent, [
    { type: "revoke", capability: "control" },
    { type: "revoke", capability: "view" },
  ]);
  assert.equal(remote.consent.view, "off");
  assert.equal(remote.consent.control, "off");
  assert.equal(viewer.peer, null, "the viewer's peer is closed");
  remote.close();
});

Deno.test("input(): a key's code goes only to an agent whose hello offered keyCodes", () => {
  for (const keyCodes of [true, undefined]) {
    const { remote, viewer } = setup();
    const toAgent: ServerMessage[] = [];
    remote.agentDetached(remote.agent!);
    remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {}, keyCodes }, {
      width: 640,
      height: 480,
    }, "de");
    remote.setControl(viewer, true);
    remote.agentConsent("view", true);
    remote.agentConsent("control", true);
    assert.equal(
      remote.input({ type: "key", keysym: 0x7a, down: true, code: "KeyZ" }, viewer),
      null,
    );
    assert.deepEqual(
      toAgent.at(-1),
      keyCodes
        ? { type: "key", keysym: 0x7a, down: true, code: "KeyZ" }
        : { type: "key", keysym: 0x7a, down: true }, // an older agent refuses unknown fields
    );
    remote.close();
  }
});

Deno.test("without an agent nothing is asked", () => {
  const { remote, viewer } = setup();
  remote.agentDetached(remote.agent!);
  assert.equal(remote.presence, "reconnecting");
  assert.equal(remote.setControl(viewer, true), "agent_absent");
  assert.equal(remote.input({ type: "key", keysym: 1, down: true }, viewer), "agent_absent");
  remote.close();
});

Deno.test("viewers learn the screen's size and the customer's keyboard layout", () => {
  const { seen } = setup();
  const state = seen.findLast((m) => m.type === "state");
  assert.ok(state && state.type === "state");
  assert.deepEqual(state.screen, { width: 640, height: 480 });
  assert.equal(state.keyboard, "de(nodeadkeys)");
});

Deno.test("quality: the agent learns the preset and whether the technician chose Automatic", () => {
  const { remote, toAgent } = setup();
  remote.agentConsent("view", true);
  const quality = () => toAgent.filter((m) => m.type === "quality").at(-1);
  remote.setQuality("high");
  assert.deepEqual(quality(), { type: "quality", preset: "high", auto: false });
  remote.setQuality("auto"); // no bandwidth figures yet: "normal", chosen automatically
  assert.deepEqual(quality(), { type: "quality", preset: "normal", auto: true });
});

Deno.test("agentConsent() connects the watching viewer and leaves it connected beside idle ones", async () => {
  // One technician, three viewer sockets: the workspace panel watches, a detached window
  // is open but idle — joined before the watcher and after it, since the order of the
  // viewers must not decide who keeps the picture.
  const { remote, viewer: idleBefore } = setup();
  const viewer = (watching: boolean): ViewerLink => ({
    userId: "u1",
    name: "Ann",
    watching,
    peer: null,
    send: () => {},
  });
  const watcher = viewer(true);
  const idleAfter = viewer(false);
  remote.join(watcher);
  remote.join(idleAfter);
  assert.equal(remote.setWatching(watcher, true), null);
  remote.agentConsent("view", true);

  const peer = watcher.peer;
  assert.ok(peer, "the watching viewer keeps its peer");
  assert.equal(idleBefore.peer, null, "an idle viewer gets no peer");
  assert.equal(idleAfter.peer, null, "an idle viewer gets no peer");
  const frames: number[] = [];
  const send = peer.send.bind(peer);
  peer.send = (frame) => {
    frames.push(frame.data.byteLength);
    send(frame);
  };
  remote.media({
    codec: "vp8",
    keyframe: true,
    width: 640,
    height: 480,
    capturedAt: 0,
    data: new Uint8Array(9),
  });
  assert.deepEqual(frames, [9], "the watching viewer receives the frame");
  remote.close();
  await peer.close();
});

Deno.test("screens: the agent's list reaches the viewers; a choice goes to the agent, checked", () => {
  const { remote, toAgent, seen } = setup();
  const state = () =>
    seen.filter((m) => m.type === "state").at(-1) as Extract<
      ViewerMessage,
      { type: "state" }
    >;
  assert.deepEqual(state().screens, [], "one screen: nothing to choose");
  assert.equal(remote.setScreen("DP-2"), "no_screen");
  const list = [
    { id: "DP-1", x: 0, y: 0, width: 640, height: 480, primary: true },
    { id: "DP-2", x: 640, y: 0, width: 800, height: 600, primary: false },
  ];
  remote.agentScreens(list, null);
  assert.deepEqual([state().screens, state().currentScreen], [list, null]);
  assert.equal(remote.setScreen("DP-3"), "no_screen");
  assert.equal(toAgent.some((m) => m.type === "screen"), false, "a refused choice sends nothing");
  assert.equal(remote.setScreen("DP-2"), null);
  assert.deepEqual(toAgent.at(-1), { type: "screen", id: "DP-2" });
  assert.equal(remote.setScreen(null), null);
  assert.deepEqual(toAgent.at(-1), { type: "screen", id: null });
  remote.agentScreens(list, "DP-2");
  assert.equal(state().currentScreen, "DP-2");
  // A new agent connection starts over: its own list comes with it.
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
  assert.deepEqual([remote.screens, remote.currentScreen], [[], null]);
  remote.agentDetached(remote.agent!);
  assert.equal(remote.setScreen(null), "agent_absent");
});
