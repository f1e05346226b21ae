// Offers and answers between RemoteSession and the technicians' islands, with real werift
// peers standing in for the browsers (issue 20: "the lead gets no picture"). A viewer's peer
// can be replaced while its island is still answering the previous offer — view switched
// off and on, a codec change, a consent change, the island asking for a fresh offer — so the
// old answer reaches the server after the new offer went out. Applied, it pointed the new peer
// at a browser peer already closed (its ICE credentials), and the current answer was then
// refused ("Cannot handle answer in signaling state"). Each offer now carries an id the answer
// echoes: an answer to a replaced peer changes nothing, the current one is the one in place.
// Whether a werift pair then connects is relay_test.ts's: on a loaded machine a werift DTLS
// handshake can end on one side only, which the island's picture_watch.ts answers.
import assert from "node:assert/strict";
import { RTCPeerConnection, useVP8 } from "werift";
import { PLAYOUT_DELAY_URI } from "./relay.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

type Offer = Extract<ViewerMessage, { type: "offer" }>;

/** A viewer whose offers are queued for the test to answer. */
function viewer(userId: string) {
  const offers: Offer[] = [];
  const waiting: ((offer: Offer) => void)[] = [];
  const link: ViewerLink = {
    userId,
    name: userId,
    watching: false,
    peer: null,
    send(message) {
      if (message.type !== "offer") return;
      const take = waiting.shift();
      if (take) take(message);
      else offers.push(message);
    },
  };
  /** The next offer, or a failure when none comes within `ms`. */
  const nextOffer = (ms = 5_000) => {
    if (offers.length > 0) return Promise.resolve(offers.shift()!);
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<Offer>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${userId}: no offer within ${ms} ms`)), ms);
      waiting.push(resolve);
    }).finally(() => clearTimeout(timer));
  };
  return { link, nextOffer };
}

/** The browser's side of one offer: a new peer (as the island makes one per offer). */
async function browserAnswer(offer: Offer) {
  const pc = new RTCPeerConnection({
    iceAdditionalHostAddresses: ["127.0.0.1"],
    headerExtensions: { video: [{ id: 1, uri: PLAYOUT_DELAY_URI }] },
    codecs: { video: [useVP8()] },
  });
  await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  return { pc, sdp: pc.localDescription!.sdp };
}

/** The ICE username fragment of an SDP: which browser peer it speaks for. */
function ufrag(sdp: string | undefined): string {
  return /a=ice-ufrag:(\S+)/.exec(sdp ?? "")?.[1] ?? "none";
}

/** Which browser's answer the viewer's current peer holds. */
const answeredBy = (link: ViewerLink) => ufrag(link.peer?.pc.remoteDescription?.sdp);

function session() {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 64, height: 48 });
  remote.agentAsks("view");
  remote.agentConsent("view", true);
  return remote;
}

Deno.test("RemoteSession.answer() ignores an answer to a replaced peer; the current answer is the one in place", async () => {
  const remote = session();
  const ann = viewer("ann");
  const bob = viewer("bob");
  const browsers: RTCPeerConnection[] = [];
  try {
    // Two viewers start in the same tick (the lead and a colleague after the customer's Allow).
    remote.join(ann.link);
    remote.join(bob.link);
    assert.equal(remote.setWatching(ann.link, true), null);
    assert.equal(remote.setWatching(bob.link, true), null);
    const [first, bobOffer] = await Promise.all([ann.nextOffer(), bob.nextOffer()]);
    const stale = await browserAnswer(first);
    browsers.push(stale.pc);
    // Ann's peer is replaced before her island's answer arrives (view off and on again).
    remote.setWatching(ann.link, false);
    remote.setWatching(ann.link, true);
    const second = await ann.nextOffer();
    assert.notEqual(second.id, first.id, "every offer has its own id");
    // The island drops its first peer when the second offer arrives, and answers that one.
    await stale.pc.close();
    const current = await browserAnswer(second);
    browsers.push(current.pc);
    const bobBrowser = await browserAnswer(bobOffer);
    browsers.push(bobBrowser.pc);

    // The old answer arrives last of all but the new one: it changes nothing.
    assert.equal(await remote.answer(ann.link, stale.sdp, first.id), false);
    assert.equal(await remote.answer(bob.link, bobBrowser.sdp, bobOffer.id), true);
    assert.equal(await remote.answer(ann.link, current.sdp, second.id), true);
    assert.equal(answeredBy(ann.link), ufrag(current.sdp));
    assert.notEqual(answeredBy(ann.link), ufrag(stale.sdp));
    assert.equal(answeredBy(bob.link), ufrag(bobBrowser.sdp));
    assert.equal(ann.link.peer?.pc.signalingState, "stable");
  } finally {
    remote.close();
    await Promise.all(browsers.map((pc) => pc.close()));
  }
});

Deno.test("RemoteSession.reoffer() gives a viewer a fresh peer and offer, at most every 2 s, never a question", async () => {
  const remote = session();
  const ann = viewer("ann");
  const browsers: RTCPeerConnection[] = [];
  try {
    remote.join(ann.link);
    remote.setWatching(ann.link, true);
    const first = await ann.nextOffer();
    const firstPeer = ann.link.peer;
    // Asked again at once: the peer is too young to be given up (a hostile or confused island).
    assert.equal(remote.reoffer(ann.link), "too_soon");
    assert.equal(ann.link.peer, firstPeer);
    // Later (the island saw no picture for seconds): a new peer, a new offer that connects.
    assert.equal(remote.reoffer(ann.link, performance.now() + 2_000), null);
    assert.notEqual(ann.link.peer, firstPeer);
    const second = await ann.nextOffer();
    assert.ok(second.id > first.id);
    const browser = await browserAnswer(second);
    browsers.push(browser.pc);
    assert.equal(await remote.answer(ann.link, browser.sdp, second.id), true);
    assert.equal(answeredBy(ann.link), ufrag(browser.sdp));

    // An island that believes it watches while the server does not (a lost `view`): it
    // watches from now, with its own offer.
    const bob = viewer("bob");
    remote.join(bob.link);
    assert.equal(remote.reoffer(bob.link), null);
    assert.equal(bob.link.watching, true);
    assert.ok((await bob.nextOffer()).id > second.id);

    // View not granted: nothing is offered, and the customer is not asked.
    const asked: string[] = [];
    const ungranted = new RemoteSession("org", "other", ["127.0.0.1"]);
    ungranted.agentAttached({ send: (m) => void asked.push(m.type), close: () => {} }, {
      width: 64,
      height: 48,
    });
    const mia = viewer("mia");
    ungranted.join(mia.link);
    assert.equal(ungranted.reoffer(mia.link), "not_granted");
    assert.equal(mia.link.peer, null);
    assert.deepEqual(asked.filter((type) => type === "request"), []);
    ungranted.close();
  } finally {
    remote.close();
    await Promise.all(browsers.map((pc) => pc.close()));
  }
});

Deno.test("RemoteSession: view withheld at the agent and granted again offers a watching viewer afresh", async () => {
  const remote = session();
  const ann = viewer("ann");
  try {
    remote.join(ann.link);
    remote.setWatching(ann.link, true);
    const first = await ann.nextOffer();
    // The customer takes view back in the agent's window: the island drops its peer on that
    // state, and so does the server — or the next grant would find the old peer and offer nothing.
    remote.agentConsent("view", false);
    assert.equal(ann.link.peer, null);
    remote.agentConsent("view", true);
    const second = await ann.nextOffer();
    assert.ok(second.id > first.id);
  } finally {
    remote.close();
  }
});
