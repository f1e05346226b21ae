// Several technicians on one remote view (issue 20): each viewer's peer has its own
// congestion state, so a slow viewer that skips frames costs the others nothing — the relay
// hands every frame to every peer and moves on (relay.ts), and Automatic follows the
// best-connected viewer (quality_test.ts). A monitoring admin's viewer is one more peer.
import assert from "node:assert/strict";
import { RemoteSession, type ViewerLink } from "./hub.ts";
import type { ViewerPeer } from "./relay.ts";

/** A peer that takes frames as its link allows: `every` 1 = all, 0 = keyframes only. */
function peer(every: number) {
  return {
    codec: { name: "vp8" },
    framesSent: 0,
    sendCalls: 0,
    send(frame: { keyframe: boolean }) {
      this.sendCalls++;
      if (frame.keyframe || (every > 0 && this.sendCalls % every === 0)) this.framesSent++;
    },
    close() {},
  };
}

function viewer(userId: string, p: ReturnType<typeof peer>, monitor = false): ViewerLink {
  return {
    userId,
    name: userId,
    watching: false,
    peer: p as unknown as ViewerPeer,
    monitor,
    send: () => {},
  };
}

Deno.test("RemoteSession.media(): a slow viewer skips alone; the fast ones get every frame", () => {
  const remote = new RemoteSession("org", "s", ["127.0.0.1"]);
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
  remote.agentAsks("view");
  remote.agentConsent("view", true);
  const [fast, slow, monitor] = [peer(1), peer(0), peer(1)];
  const links = [viewer("ann", fast), viewer("bob", slow), viewer("mia", monitor, true)];
  // Joined with their (fake) peers in place: the session makes no WebRTC peer of its own.
  for (const link of links) remote.join(link);
  for (let i = 0; i < 30; i++) {
    remote.media(
      {
        codec: "vp8",
        data: new Uint8Array(10),
        keyframe: i % 10 === 0,
        width: 640,
        height: 480,
      } as never,
    );
  }
  assert.equal(fast.framesSent, 30, "the fast lead gets every frame");
  assert.equal(monitor.framesSent, 30, "so does the monitor");
  assert.equal(slow.framesSent, 3, "the slow collaborator gets the keyframes only");
  assert.equal(slow.sendCalls, 30, "every viewer was offered every frame, none waited");
  assert.equal(remote.framesOut, 63);
  remote.close();
});
