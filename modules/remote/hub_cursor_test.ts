// RemoteSession asks the agent for the pointer apart from the picture (cursor_relay.ts) when the
// agent can and every viewer's island draws it, and hands the agent's `cursor` to exactly the
// viewers that get the picture — the shape first to one that starts, `null` when it stops.
import assert from "node:assert/strict";
import type { CursorState, ServerMessage, ViewerMessage } from "../../protocol/mod.ts";
import { type AgentLink, RemoteSession, type ViewerLink } from "./hub.ts";
import { chooseSeparate } from "./cursor_relay.ts";

const SHAPE = { width: 1, height: 1, hotX: 0, hotY: 0, rgba: "AAAA_w" };

function viewer(userId: string, extra: Partial<ViewerLink> = {}) {
  const seen: ViewerMessage[] = [];
  const link: ViewerLink = {
    userId,
    name: userId,
    watching: false,
    peer: null,
    send: (m) => void seen.push(m),
    ...extra,
  };
  const cursors = () => seen.flatMap((m) => m.type === "cursor" ? [m.cursor] : []);
  return { link, cursors };
}

function session(separateCursor?: boolean) {
  const toAgent: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const link: AgentLink = { send: (m) => void toAgent.push(m), close: () => {}, separateCursor };
  remote.agentAttached(link, { width: 640, height: 480 });
  const modes = () => toAgent.flatMap((m) => m.type === "cursorMode" ? [m.separate] : []);
  return { remote, modes };
}

Deno.test("cursor: separate once every viewer draws the pointer; an island that does not turns it back", () => {
  const { remote, modes } = session(true);
  const lead = viewer("lead");
  remote.join(lead.link);
  assert.deepEqual(modes(), [], "an island that has not said yet is not counted");
  remote.viewerCodecs(lead.link, ["vp8"], true);
  assert.deepEqual(modes(), [true]);
  const older = viewer("older");
  remote.join(older.link);
  remote.viewerCodecs(older.link, ["vp8"]); // an island that draws no pointer
  assert.deepEqual(modes(), [true, false]);
  assert.deepEqual(lead.cursors(), [null], "the lead's island stops drawing it");
  remote.leave(older.link);
  assert.deepEqual(modes(), [true, false, true]);
  remote.leave(lead.link);
  assert.deepEqual(modes(), [true, false, true], "nobody left: kept, a reload costs no switch");
  remote.close();
});

Deno.test("cursor: an agent that did not offer it (older, or a browser share) is never asked", () => {
  for (const offered of [undefined, false]) {
    const { remote, modes } = session(offered);
    const lead = viewer("lead");
    remote.join(lead.link);
    remote.viewerCodecs(lead.link, ["vp8", "h264"], true);
    assert.deepEqual(modes(), []);
    remote.close();
  }
  assert.equal(chooseSeparate(null, []), false);
});

Deno.test("cursor: the agent's pointer reaches the viewers that get the picture, the shape first to a newcomer", async () => {
  const { remote, modes } = session(true);
  const watcher = viewer("watcher");
  const idle = viewer("idle");
  for (const v of [watcher, idle]) {
    remote.join(v.link);
    remote.viewerCodecs(v.link, ["vp8"], true);
  }
  assert.deepEqual(modes(), [true]);
  const at = (x: number, shape = false): CursorState => ({
    x,
    y: 5,
    visible: true,
    ...(shape ? { shape: SHAPE } : {}),
  });
  remote.agentCursor(at(1, true));
  assert.deepEqual(watcher.cursors(), [], "view not granted: nothing goes out");
  remote.setWatching(watcher.link, true);
  remote.agentConsent("view", true);
  assert.ok(watcher.link.peer);
  assert.deepEqual(watcher.cursors(), [], "no pointer kept from before the grant");
  remote.agentCursor(at(2, true));
  remote.agentCursor(at(3));
  assert.deepEqual(watcher.cursors(), [at(2, true), at(3)]);
  assert.deepEqual(idle.cursors(), [], "a viewer without the picture gets no pointer");
  remote.setWatching(idle.link, true);
  assert.deepEqual(idle.cursors(), [at(3, true)], "the last place, with the shape");
  const idlePeer = idle.link.peer;
  remote.setWatching(idle.link, false);
  assert.deepEqual(idle.cursors(), [at(3, true), null], "stops getting the picture: no pointer");
  remote.agentCursor(at(4));
  assert.deepEqual(idle.cursors().length, 2);
  const peer = watcher.link.peer!;
  remote.agentConsent("view", false);
  assert.deepEqual(watcher.cursors().at(-1), null, "view withheld: the pointer goes too");
  remote.agentCursor(at(5));
  assert.deepEqual(watcher.cursors().at(-1), null);
  remote.close();
  await peer.close();
  await idlePeer?.close();
});

Deno.test("cursor: a reconnected agent starts drawn in and is asked again; what the old one sent is gone", async () => {
  const { remote, modes } = session(true);
  const lead = viewer("lead", { watching: true });
  remote.join(lead.link);
  remote.viewerCodecs(lead.link, ["vp8"], true);
  remote.agentConsent("view", true);
  remote.agentCursor({ x: 1, y: 1, visible: true, shape: SHAPE });
  assert.equal(lead.cursors().length, 1);
  assert.deepEqual(modes(), [true]);
  const again: ServerMessage[] = [];
  remote.agentAttached(
    { send: (m) => void again.push(m), close: () => {}, separateCursor: true },
    { width: 640, height: 480 },
  );
  assert.deepEqual(again.filter((m) => m.type === "cursorMode"), [
    { type: "cursorMode", separate: true },
  ]);
  assert.equal(lead.cursors().at(-1), null, "the old pointer is not drawn over the new picture");
  const peer = lead.link.peer;
  remote.close();
  await peer?.close();
});

Deno.test("cursor: drawn into the picture while the session is recorded, apart again after", () => {
  const { remote, modes } = session(true);
  let recording = false;
  remote.recorder = {
    frame() {},
    viewChanged() {},
    close() {},
    get recording() {
      return recording;
    },
  };
  const lead = viewer("lead");
  remote.join(lead.link);
  remote.viewerCodecs(lead.link, ["vp8"], true);
  assert.deepEqual(modes(), [true]);
  // A recording is the frames as they pass: with the pointer apart it would show none.
  recording = true;
  remote.recordingChanged();
  assert.deepEqual(modes(), [true, false]);
  assert.deepEqual(lead.cursors(), [null], "the island stops drawing its own");
  // A viewer that joins meanwhile does not turn it apart while it records.
  const second = viewer("second");
  remote.join(second.link);
  remote.viewerCodecs(second.link, ["vp8"], true);
  assert.deepEqual(modes(), [true, false]);
  recording = false;
  remote.recordingChanged();
  assert.deepEqual(modes(), [true, false, true]);
  assert.equal(chooseSeparate({ separateCursor: true }, [], true), false, "not even unviewed");
  remote.close();
});
