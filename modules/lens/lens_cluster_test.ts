// Lens across two instances on one PostgreSQL database: the technician starts on A (the home,
// `lens_homes`), the phone and another page of the technician land on B and are relayed to A.
// The phone's offer is answered by A's peer, its VP8 frames reach the technician's peer that
// B asked A for, its switches and the technician's drawing cross both ways, and a second start
// on B is refused (one per technician across instances). Record pressed on B records on A
// (the home, beside the frames): the part's file and row are A's, and B leaves the open part
// alone while A lives. Then A dies (its `instances` row
// reaped): the link is gone on B, the phone's and the technician's streams on B say the session
// is no longer running, B closes A's record (`instanceGone`) and finishes the part A left open
// (part_repair), and a new start on B makes B the home.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { MediaStreamTrack, RTCPeerConnection, useVP8, Vp8Packetizer } from "werift";
import { beat } from "../cluster/mod.ts";
import { type ClusterTestApp, startClusterApps } from "../../tests/support/cluster.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { lensHomeOfTechnician, lensHomeOfToken } from "./lens_home.ts";
import { lensRegistry } from "./registry.ts";
import { closeLensRecordsOfGoneInstances } from "./record.ts";
import { lensSessions } from "./schema.ts";
import { eq } from "drizzle-orm";
import { defaultGroupSettings, technicianGroups } from "../org/mod.ts";
import { finishInterruptedParts, recordings } from "../recording/mod.ts";

/** A VP8 keyframe of `width` × `height` (its header; the rest filler). */
function vp8Keyframe(width: number, height: number): Uint8Array {
  const data = new Uint8Array(510).fill(7);
  data.set([
    0x10,
    0x02,
    0x00,
    0x9d,
    0x01,
    0x2a,
    width & 0xff,
    width >> 8,
    height & 0xff,
    height >> 8,
  ]);
  return data;
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 15_000) {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function signedIn(app: ClusterTestApp, email: string) {
  const client = app.client();
  await client.signIn(email, TECH_PASSWORD);
  await client.get("/console/lens");
  return client;
}

const json = (client: ReturnType<ClusterTestApp["client"]>, path: string, body: unknown) =>
  client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: JSON.stringify(body),
  });

async function gathered(pc: RTCPeerConnection) {
  await pc.setLocalDescription(await pc.createOffer());
  for (let i = 0; i < 60 && pc.iceGatheringState !== "complete"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pc.localDescription!.sdp;
}

/** A stream's text until `match` is in it (at most 10 s), then the stream is cancelled. */
async function firstEvents(res: Response, match: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  let text = "";
  const end = performance.now() + 10_000;
  while (!match.test(text) && performance.now() < end) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel().catch(() => {});
  return text;
}

Deno.test({
  name: "lens in a cluster: started on A, the phone and the technician on B reach it; A dies",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    const phone = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    const viewer = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    const folder = await Deno.makeTempDir({ prefix: "lens-cluster-recordings-" });
    try {
      const tech = await technician(a, {
        permissions: [...defaultPermissions(), "lens", "recordSessions"],
        name: "Ann",
      });
      // Her group records on request, into a folder both instances see (as a cluster must).
      await a.deps.db.update(technicianGroups).set({
        settings: {
          ...defaultGroupSettings(),
          recordingPolicy: "optional",
          recordingLocation: folder,
        },
      }).where(eq(technicianGroups.id, tech.groupId!));
      const onA = await signedIn(a, tech.email);
      assert.equal((await onA.post("/console/lens")).status, 303);
      const session = lensRegistry(a.deps).ofTechnician(tech.id)!;
      assert.ok(session, "started on A");
      assert.equal((await lensHomeOfToken(b.deps, session.token)).kind, "elsewhere");

      // The technician's page on B is A's, with the link; a second start on B is refused.
      const onB = await signedIn(b, tech.email);
      const page = await (await onB.get("/console/lens")).text();
      assert.ok(page.includes(`/lens/${session.token}`), "B shows A's session");
      const again = await onB.post("/console/lens");
      assert.equal(again.status, 409, "one Lens session per technician across instances");
      assert.equal(lensRegistry(b.deps).ofTechnician(tech.id), undefined, "nothing on B");

      // The phone on B: its page, its offer answered by A's peer, its frames to A.
      const customer = b.client();
      assert.equal((await customer.get(`/lens/${session.token}`)).status, 200);
      phone.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      const offered = await json(customer, `/lens/${session.token}/offer`, {
        sdp: await gathered(phone),
      });
      assert.equal(offered.status, 200);
      await phone.setRemoteDescription({ type: "answer", sdp: (await offered.json()).sdp });
      await until("the phone's peer connected to A", () => phone.connectionState === "connected");
      const track = phone.getTransceivers()[0].sender.track!;
      const packetizer = new Vp8Packetizer({ maxPayloadSize: 1_000 });
      let ts = 0;
      const send = setInterval(() => {
        ts += 3_000;
        for (const packet of packetizer.packetize(Buffer.from(vp8Keyframe(320, 240)), ts)) {
          packet.header.payloadType = 96;
          track.writeRtp(packet);
        }
      }, 50);
      try {
        await until("the phone's picture is live on A", () => session.state.phase === "live");
        assert.equal(session.state.width, 320);

        // The technician's picture asked through B: A's peer sends the phone's frames.
        let received = 0;
        viewer.onTrack.subscribe((t) => t.onReceiveRtp.subscribe(() => received++));
        const offer = await json(onB, "/console/lens/peer", {});
        assert.equal(offer.status, 200);
        const { id, sdp } = await offer.json();
        await viewer.setRemoteDescription({ type: "offer", sdp });
        await viewer.setLocalDescription(await viewer.createAnswer());
        for (let i = 0; i < 60 && viewer.iceGatheringState !== "complete"; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const answered = await json(onB, `/console/lens/peer/${id}/answer`, {
          sdp: viewer.localDescription!.sdp,
        });
        assert.equal(answered.status, 204);
        await until("frames reach the technician's peer", () => received >= 10);
        console.log(`technician's peer received ${received} packets from A`);

        // Record pressed on B: relayed to A, which writes the part beside the frames.
        const record = await json(onB, "/console/lens/record", { recording: true });
        assert.equal(record.status, 200);
        const part = async () =>
          (await b.deps.db.select().from(recordings).where(eq(recordings.lensId, session.id)))[0];
        await until(
          "A writes a part",
          async () => (await part())?.bytes === 0 && session.state.recording,
        );
        await until(
          "frames in the file",
          async () => (await Deno.stat((await part()).path)).size > 2_000,
        );
        assert.equal(await finishInterruptedParts(b.deps), 0, "A still writes it: B leaves it");
        assert.equal((await part()).endedAt, null);
      } finally {
        clearInterval(send);
      }

      // The phone's switches (on B) reach A; the technician's stream on B says them.
      assert.equal(
        (await json(customer, `/lens/${session.token}/state`, { paused: true })).status,
        204,
      );
      assert.equal(session.state.paused, true);
      const stream = await onB.get("/console/lens/events");
      assert.equal(stream.status, 200);
      assert.match(await firstEvents(stream, /"paused":true/), /"paused":true/);
      // The technician's drawing (on B) reaches the phone's stream (on B), both through A.
      const stroke = { colour: "#e8202a", points: [[0.25, 0.5], [0.75, 0.5]] };
      assert.equal((await json(onB, "/console/lens/draw", { stroke })).status, 204);
      assert.equal(session.strokes.length, 1);
      const phoneStream = await customer.get(`/lens/${session.token}/events`);
      assert.match(await firstEvents(phoneStream, /event: stroke/), /0\.25,0\.5/);

      // A dies: no heartbeat for longer than the expiry, B reaps its row and the home with it.
      a.clock.advance(10_000);
      assert.deepEqual(await beat(b.deps.db, b.deps.instance, b.clock.now()), [a.deps.instance.id]);
      assert.equal((await lensHomeOfTechnician(b.deps, tech.id)).kind, "none");
      // B, seeing A gone (main.ts runs this on the heartbeat's onGone), closes A's record.
      const record = async () =>
        (await b.deps.db.select().from(lensSessions).where(eq(lensSessions.id, session.id)))[0];
      assert.equal((await record()).endedAt, null, "open while A lived");
      assert.equal((await record()).liveAt !== null, true, "it went live on A");
      assert.equal(await closeLensRecordsOfGoneInstances(b.deps), 1);
      assert.equal((await record()).endReason, "instanceGone");
      // …and finishes the part A left open: its sizes and Duration written, its row ended.
      assert.equal(await finishInterruptedParts(b.deps), 1);
      const [left] = await b.deps.db.select().from(recordings)
        .where(eq(recordings.lensId, session.id));
      assert.ok(left.endedAt, "ended by B");
      assert.equal(left.bytes, (await Deno.stat(left.path)).size);
      assert.equal((await record()).endedAt?.toISOString(), b.clock.now().toISOString());
      const gone = await customer.get(`/lens/${session.token}`);
      assert.equal(gone.status, 404);
      assert.match(await gone.text(), /This link has ended or does not exist/);
      // The phone's page, still open, hears the same on its stream: the session ended (its
      // technician's side is gone), no connection problem to retry (static/lens_phone.js).
      const phoneSaid = await firstEvents(
        await customer.get(`/lens/${session.token}/events`),
        /event: state/,
      );
      assert.match(phoneSaid, /"phase":"ended"/);
      assert.match(phoneSaid, /"ended":"gone"/, "the phone's page is told it no longer runs");
      const said = await firstEvents(await onB.get("/console/lens/events"), /event: state/);
      assert.match(said, /"phase":"ended"/);
      assert.match(said, /"ended":"gone"/, "the technician's page is told it no longer runs");
      // A new start on B: B is the home now.
      assert.equal((await onB.post("/console/lens")).status, 303);
      assert.ok(lensRegistry(b.deps).ofTechnician(tech.id), "started on B");
      assert.equal((await lensHomeOfTechnician(b.deps, tech.id)).kind, "here");
      // The new one is B's, open; A's stays closed.
      const [startedOnB] = await b.deps.db.select().from(lensSessions)
        .where(eq(lensSessions.instanceId, b.deps.instance.id));
      assert.equal(startedOnB.endedAt, null);
      assert.equal(await closeLensRecordsOfGoneInstances(b.deps), 0);
    } finally {
      await phone.close();
      await viewer.close();
      for (const app of [a, b]) {
        for (const s of lensRegistry(app.deps).all()) s.end("technician");
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cluster.close();
      await Deno.remove(folder, { recursive: true }).catch(() => {});
    }
  },
});
