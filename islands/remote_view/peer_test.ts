import assert from "node:assert/strict";
import { inboundVideoOf, VideoPeer } from "./peer.ts";

/** An RTCPeerConnection stand-in whose ICE gathering the test completes by hand. */
class FakePeer extends EventTarget {
  iceGatheringState: RTCIceGatheringState = "gathering";
  connectionState: RTCPeerConnectionState = "new";
  localDescription: { sdp: string } | null = null;
  remote = "";
  closed = false;
  ontrack: ((event: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  constructor(private readonly refuse = false) {
    super();
  }
  setRemoteDescription(d: { sdp: string }) {
    if (this.refuse) return Promise.reject(new Error("bad offer"));
    this.remote = d.sdp;
    return Promise.resolve();
  }
  createAnswer() {
    return Promise.resolve({ type: "answer", sdp: `answer to ${this.remote}` });
  }
  setLocalDescription(d: { sdp: string }) {
    this.localDescription = { sdp: `${d.sdp} +candidates` };
    return Promise.resolve();
  }
  gathered() {
    this.iceGatheringState = "complete";
    this.dispatchEvent(new Event("icegatheringstatechange"));
  }
  close() {
    this.closed = true;
  }
}

function setup(refuse = false) {
  const made: FakePeer[] = [];
  const events: string[] = [];
  const peer = new VideoPeer({
    track: () => events.push("track"),
    answer: (sdp, id) => events.push(`answer ${id} ${sdp}`),
    connected: () => events.push("connected"),
    failed: (error) => events.push(`failed ${error instanceof Error ? error.message : ""}`),
  }, () => {
    const pc = new FakePeer(refuse);
    made.push(pc);
    return pc as unknown as RTCPeerConnection;
  });
  return { peer, made, events };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("VideoPeer answers once its ICE gathering is complete", async () => {
  const { peer, made, events } = setup();
  const answered = peer.answer("offer-1", 1);
  await tick();
  assert.deepEqual(events, [], "waits for gathering");
  made[0].gathered();
  await answered;
  assert.deepEqual(events, ["answer 1 answer to offer-1 +candidates"]);
  assert.equal(peer.connection, made[0] as unknown as RTCPeerConnection);
  made[0].connectionState = "connected";
  made[0].onconnectionstatechange!();
  made[0].connectionState = "failed";
  made[0].onconnectionstatechange!();
  assert.deepEqual(events.slice(1), ["connected", "failed "]);
});

Deno.test("VideoPeer drops the answer to an offer superseded while gathering, and closes the old peer", async () => {
  const { peer, made, events } = setup();
  const first = peer.answer("offer-1", 1);
  await tick();
  const second = peer.answer("offer-2", 2);
  await tick();
  assert.ok(made[0].closed, "the first peer is closed");
  assert.equal(made[0].onconnectionstatechange, null, "and no longer reports");
  made[0].gathered();
  made[1].gathered();
  await Promise.all([first, second]);
  assert.deepEqual(events, ["answer 2 answer to offer-2 +candidates"]);
});

Deno.test("VideoPeer reports a refused offer, but not one already closed", async () => {
  const { peer, events } = setup(true);
  await peer.answer("bad", 3);
  assert.deepEqual(events, ["failed bad offer"]);
  const closed = setup(true);
  const pending = closed.peer.answer("bad", 3);
  closed.peer.close();
  await pending;
  assert.deepEqual(closed.events, []);
  assert.equal(closed.peer.connection, null);
  assert.equal(await closed.peer.inboundVideo(), null);
});

/** A stats report as a browser's getStats() gives it: reports by id. */
function statsReport(reports: Record<string, unknown>[]) {
  return new Map(reports.map((r) => [r.id as string, r])) as unknown as RTCStatsReport;
}

Deno.test("inboundVideoOf() finds the inbound video stream and the codec its codecId names", () => {
  const report = statsReport([
    { id: "CIT01_96", type: "codec", mimeType: "video/VP8", payloadType: 96 },
    { id: "CIT01_102", type: "codec", mimeType: "video/H264", payloadType: 102 },
    { id: "IT01A", type: "inbound-rtp", kind: "audio", codecId: "CIT01_96" },
    { id: "IT01V", type: "inbound-rtp", kind: "video", codecId: "CIT01_102", framesDecoded: 7 },
  ]);
  const inbound = inboundVideoOf(report);
  assert.equal(inbound?.id, "IT01V");
  assert.equal(inbound?.framesDecoded, 7);
  assert.equal(inbound?.codec, "video/H264", "the codec received, not the first one listed");
  const noCodecYet = inboundVideoOf(statsReport([{ id: "V", type: "inbound-rtp", kind: "video" }]));
  assert.equal(noCodecYet?.id, "V");
  assert.equal(noCodecYet?.codec, undefined);
  assert.equal(inboundVideoOf(statsReport([])), null);
});
