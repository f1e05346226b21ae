// RemoteHub.stats(): what the metrics scrape reads — live counts now, and media totals that
// never go back when a session is dropped.
import assert from "node:assert/strict";
import type { ViewerLink } from "./hub.ts";
import { RemoteHub } from "./remote_hub.ts";
import type { ViewerPeer } from "./relay.ts";

/** A peer that takes every other frame, as a slow viewer's would. */
function fakePeer() {
  let offered = 0;
  return {
    codec: { name: "vp8" },
    framesSent: 0,
    send() {
      if (offered++ % 2 === 0) this.framesSent++;
    },
    close() {},
  };
}

function frame(bytes: number, keyframe = true) {
  return {
    codec: "vp8",
    data: new Uint8Array(bytes),
    keyframe,
    width: 640,
    height: 480,
    timestamp: 0,
  };
}

Deno.test("RemoteHub.stats() counts agents, viewers and relayed frames, and keeps totals after drop()", () => {
  const hub = new RemoteHub(["127.0.0.1"]);
  assert.deepEqual(hub.stats(), {
    sessions: 0,
    agents: 0,
    viewers: 0,
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
  });
  const remote = hub.session("org", "s1");
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
  const viewer: ViewerLink = {
    userId: "u1",
    name: "Ann",
    watching: false,
    peer: fakePeer() as unknown as ViewerPeer,
    send: () => {},
  };
  remote.join(viewer);
  hub.session("org", "s2"); // no agent yet
  remote.media(frame(100) as never);
  assert.equal(hub.stats().framesOut, 0, "nothing is relayed before the customer allows view");
  // The customer allows view in the agent's window (no viewer watching: no real peer made).
  remote.agentAsks("view");
  remote.agentConsent("view", true);
  viewer.peer = fakePeer() as unknown as ViewerPeer; // the grant dropped the idle viewer's peer
  for (let i = 0; i < 4; i++) remote.media(frame(100) as never);

  const live = hub.stats();
  assert.equal(live.sessions, 2);
  assert.equal(live.agents, 1);
  assert.equal(live.viewers, 1);
  assert.equal(live.framesIn, 5);
  assert.equal(live.bytesIn, 500);
  assert.equal(live.framesOut, 2, "only the frames the peer took");
  assert.equal(live.bytesOut, 200);

  hub.drop("s1");
  const after = hub.stats();
  assert.equal(after.sessions, 1);
  assert.equal(after.agents, 0);
  assert.equal(after.viewers, 0);
  assert.deepEqual(
    [after.framesIn, after.bytesIn, after.framesOut, after.bytesOut],
    [5, 500, 2, 200],
    "totals survive the session",
  );
  hub.drop("s2");
});
