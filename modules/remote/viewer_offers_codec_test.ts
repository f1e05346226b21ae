// Which codec a viewer's offer carries while the agent switches (issue 14): the agent was told a
// codec and still sends the old one for a frame or two. A VP8-only browser (Firefox ESR) opening
// on an H.264 session used to be offered H.264 — the codec the frames came in — and VP8 only
// after the agent's first VP8 frame: a black picture and a wasted round trip. Its first offer
// now carries VP8, the codec the frames will come in; the peers already there keep theirs until
// that first frame, and nothing in the old codec reaches the new peer. Real werift offers.
import assert from "node:assert/strict";
import type { MediaFrame, ServerMessage } from "../../protocol/mod.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

type Offer = Extract<ViewerMessage, { type: "offer" }>;

/** The video codecs an offer's SDP lists ("VP8", "H264"). */
const sdpCodecs = (sdp: string) =>
  [...sdp.matchAll(/a=rtpmap:\d+ ([\w-]+)\/90000/g)].map((m) => m[1]);

function viewer(userId: string, codecs: ("vp8" | "h264")[]) {
  const offers: Offer[] = [];
  const link: ViewerLink = {
    userId,
    name: userId,
    watching: false,
    peer: null,
    codecs,
    send: (message) => void (message.type === "offer" && offers.push(message)),
  };
  return { link, offers };
}

/** The frames handed to `link`'s current peer from now (whether each was a keyframe). */
function handedTo(link: ViewerLink): boolean[] {
  const peer = link.peer!;
  const handed: boolean[] = [];
  const send = peer.send.bind(peer);
  peer.send = (frame) => {
    handed.push(frame.keyframe);
    send(frame);
  };
  return handed;
}

/** Until `offers` holds `count` offers (werift gathers its candidates first), at most 5 s. */
async function offered(offers: Offer[], count: number): Promise<string[][]> {
  for (const until = Date.now() + 5_000; offers.length < count && Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return offers.map((offer) => sdpCodecs(offer.sdp));
}

const frame = (codec: "vp8" | "h264", keyframe = true) =>
  ({ codec, keyframe, width: 64, height: 48, capturedAt: 0, data: new Uint8Array(9) }) as
    & MediaFrame
    & { capturedAt: number };

function h264Session() {
  const told: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached(
    { send: (m) => void told.push(m), close: () => {}, codecs: ["vp8", "h264"] },
    { width: 64, height: 48 },
  );
  remote.agentAsks("view");
  remote.agentConsent("view", true);
  const codecs = () => told.flatMap((m) => m.type === "codec" ? [m.codec] : []);
  return { remote, codecs };
}

Deno.test("RemoteSession offers a VP8-only viewer joining an H.264 session VP8 first; the others follow at the first VP8 frame", async () => {
  const { remote, codecs } = h264Session();
  const lead = viewer("lead", ["vp8", "h264"]);
  const firefox = viewer("firefox", ["vp8"]);
  try {
    remote.join(lead.link);
    remote.setWatching(lead.link, true);
    assert.deepEqual(
      await offered(lead.offers, 1),
      [["H264"]],
      "told H.264: offered H.264 at once",
    );
    remote.media(frame("h264"));
    const leadPeer = lead.link.peer;

    // The VP8-only window opens: its island says what it decodes, then switches view on.
    remote.join(firefox.link);
    remote.viewerCodecs(firefox.link, ["vp8"]);
    assert.deepEqual(codecs(), ["h264", "vp8"]);
    remote.setWatching(firefox.link, true);
    assert.equal(firefox.link.peer?.codec.name, "vp8");
    assert.deepEqual(await offered(firefox.offers, 1), [["VP8"]], "its first offer is VP8");
    assert.equal(lead.link.peer, leadPeer, "the lead keeps H.264 while H.264 still comes");

    // The agent's last H.264 frame goes to the lead only; its first VP8 frame re-offers the lead.
    const handed = { lead: handedTo(lead.link), firefox: handedTo(firefox.link) };
    remote.media(frame("h264", false));
    assert.deepEqual(handed, { lead: [false], firefox: [] }, "no H.264 frame for the VP8 peer");
    remote.media(frame("vp8"));
    assert.deepEqual(handed.firefox, [true], "its first VP8 frame, a keyframe");
    assert.deepEqual(await offered(lead.offers, 2), [["H264"], ["VP8"]]);
    assert.deepEqual(await offered(firefox.offers, 1), [["VP8"]], "no second offer for it");
  } finally {
    remote.close();
  }
});

Deno.test("RemoteSession offers again a peer made for a switch that was called off before the agent made it", async () => {
  const { remote } = h264Session();
  const lead = viewer("lead", ["vp8", "h264"]);
  const firefox = viewer("firefox", ["vp8"]);
  const colleague = viewer("colleague", ["vp8", "h264"]);
  try {
    remote.join(lead.link);
    remote.setWatching(lead.link, true);
    remote.media(frame("h264"));
    remote.join(firefox.link);
    remote.viewerCodecs(firefox.link, ["vp8"]);
    // A colleague opens while the agent switches to VP8: offered VP8, the codec coming.
    remote.join(colleague.link);
    remote.viewerCodecs(colleague.link, ["vp8", "h264"]);
    remote.setWatching(colleague.link, true);
    assert.equal(colleague.link.peer?.codec.name, "vp8");
    // The VP8-only window closes before any VP8 frame: H.264 stays, the colleague gets H.264.
    remote.leave(firefox.link);
    assert.equal(colleague.link.peer?.codec.name, "h264");
    assert.deepEqual(
      await offered(colleague.offers, 1),
      [["H264"]],
      "one offer: the VP8 peer was replaced before its offer went out",
    );
    assert.deepEqual(
      await offered(lead.offers, 1),
      [["H264"]],
      "the lead's peer was never touched",
    );
  } finally {
    remote.close();
  }
});
