// static/peer_link.js: which peers count as lost, and whether they ever connected. A stand-in
// peer (an EventTarget with a connectionState) is driven by hand; the deadline is short.
import assert from "node:assert/strict";
import { gathered, watchPeer } from "./peer_link.js";

class FakePeer extends EventTarget {
  connectionState = "new";
  iceGatheringState = "gathering";
  set(state: string) {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
}

const DEADLINE_MS = 60;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function watched(peer: FakePeer) {
  const seen: string[] = [];
  const stop = watchPeer(peer, {
    connected: () => seen.push("connected"),
    lost: (never) => seen.push(never ? "lost, never connected" : "lost after connecting"),
    deadlineMs: DEADLINE_MS,
  });
  return { seen, stop };
}

Deno.test("watchPeer: a peer not connected by the deadline is lost, never having connected", async () => {
  const peer = new FakePeer();
  const { seen } = watched(peer);
  peer.set("connecting");
  await wait(DEADLINE_MS / 2);
  assert.deepEqual(seen, [], "not before the deadline");
  await wait(DEADLINE_MS);
  assert.deepEqual(seen, ["lost, never connected"]);
  peer.set("failed");
  assert.deepEqual(seen, ["lost, never connected"], "once");
});

Deno.test("watchPeer: failed before connecting, or after", async () => {
  const early = new FakePeer();
  const a = watched(early);
  early.set("failed");
  assert.deepEqual(a.seen, ["lost, never connected"]);

  const late = new FakePeer();
  const b = watched(late);
  late.set("connected");
  await wait(DEADLINE_MS * 2);
  assert.deepEqual(b.seen, ["connected"], "a connected peer outlives the deadline");
  late.set("disconnected");
  late.set("connected");
  late.set("failed");
  assert.deepEqual(b.seen, ["connected", "connected", "lost after connecting"]);
});

Deno.test("watchPeer: a peer the page stopped watching is never reported", async () => {
  const peer = new FakePeer();
  const { seen, stop } = watched(peer);
  stop();
  peer.set("failed");
  await wait(DEADLINE_MS * 2);
  assert.deepEqual(seen, []);
});

Deno.test("gathered() waits for complete gathering, or the time limit", async () => {
  const peer = new FakePeer();
  let done = false;
  const waiting = gathered(peer as unknown as RTCPeerConnection, 5_000).then(() => done = true);
  await wait(20);
  assert.equal(done, false);
  peer.iceGatheringState = "complete";
  peer.dispatchEvent(new Event("icegatheringstatechange"));
  await waiting;

  const slow = new FakePeer();
  const started = performance.now();
  await gathered(slow as unknown as RTCPeerConnection, 50);
  assert.ok(performance.now() - started >= 45, "what was gathered goes after the limit");
});
