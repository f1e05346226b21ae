// The record of a Lens session (`lens_sessions`) through the real routes and registry: created
// at start, the link sent by e-mail (held: no SMTP) with the customer's name, live at the phone's
// first picture (a werift peer sending VP8), recorded, ended by the technician — each time from
// the app's clock — and the technician's recent list reading it. A link nobody opens ends
// "expired", never live. Rows of an instance that is gone are closed "instanceGone"; a live
// instance's are not. Runs on PGlite and, with DATABASE_URL, on PostgreSQL.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { eq } from "drizzle-orm";
import { MediaStreamTrack, RTCPeerConnection, useVP8, Vp8Packetizer } from "werift";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { instances } from "../cluster/schema.ts";
import { registerInstance } from "../cluster/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../org/mod.ts";
import { closeLensRecordsHere, closeLensRecordsOfGoneInstances, openLensRecord } from "./record.ts";
import { LensRegistry, lensRegistry } from "./registry.ts";
import { lensSessions } from "./schema.ts";

/** A VP8 keyframe of `width` × `height` (its header; the rest filler). */
function vp8Keyframe(width: number, height: number): Uint8Array {
  const data = new Uint8Array(510).fill(7);
  data.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, width & 0xff, width >> 8, height & 0xff]);
  data[9] = height >> 8;
  return data;
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 15_000) {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const json = (client: ReturnType<TestApp["client"]>, path: string, body: unknown) =>
  client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: JSON.stringify(body),
  });

async function row(t: TestApp, id: string) {
  const [found] = await t.deps.db.select().from(lensSessions).where(eq(lensSessions.id, id));
  return found;
}

Deno.test({
  name: "lens_sessions: a session's record from creation through live and recorded to its end",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const phone = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    try {
      const ann = await technician(t, {
        permissions: [...defaultPermissions(), "lens", "recordSessions"],
        name: "Ann",
      });
      // Her group lets technicians record (modules/recording's policy), into a folder of its own.
      const folder = await Deno.makeTempDir();
      await t.deps.db.update(technicianGroups).set({
        settings: {
          ...defaultGroupSettings(),
          recordingPolicy: "optional",
          recordingLocation: folder,
        },
      }).where(eq(technicianGroups.id, ann.groupId!));
      const client = t.client();
      await client.signIn(ann.email, TECH_PASSWORD);
      await client.get("/console/lens");
      const created = t.clock.now();
      assert.equal((await client.post("/console/lens")).status, 303);
      const session = lensRegistry(t.deps).ofTechnician(ann.id)!;
      let record = await row(t, session.id);
      assert.deepEqual(
        {
          org: record.orgId,
          technician: record.technicianId,
          group: record.groupId,
          created: record.createdAt.toISOString(),
          via: record.sentVia,
          live: record.liveAt,
          ended: record.endedAt,
          reason: record.endReason,
          recorded: record.recorded,
          instance: record.instanceId,
          customer: record.customerName,
        },
        {
          org: ann.orgId,
          technician: ann.id,
          group: ann.groupId,
          created: created.toISOString(),
          via: "link",
          live: null,
          ended: null,
          reason: null,
          recorded: false,
          instance: t.deps.instance.id,
          customer: null,
        },
        "created, open, on this instance",
      );

      // The link by e-mail through the product (no SMTP here: held), with the customer's name.
      const sent = await client.post("/console/lens/invite", {
        via: "email",
        email: "carla@example.test",
        name: "Carla de Vries",
      });
      assert.equal(sent.status, 200);
      record = await row(t, session.id);
      assert.equal(record.sentVia, "email");
      assert.equal(record.customerName, "Carla de Vries");

      // The phone's first picture, a minute later: live.
      t.clock.advance(60_000);
      const wentLive = t.clock.now();
      phone.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      await phone.setLocalDescription(await phone.createOffer());
      await until("gathered", () => phone.iceGatheringState === "complete", 5_000);
      const customer = t.client();
      await customer.get(`/lens/${session.token}`);
      const answer = await json(customer, `/lens/${session.token}/offer`, {
        sdp: phone.localDescription!.sdp,
      });
      assert.equal(answer.status, 200);
      await phone.setRemoteDescription({ type: "answer", sdp: (await answer.json()).sdp });
      await until("the phone connected", () => phone.connectionState === "connected");
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
        await until("live", () => session.state.phase === "live");
        await lensRegistry(t.deps).recorded(session);
        record = await row(t, session.id);
        assert.equal(record.liveAt?.toISOString(), wentLive.toISOString(), "live at the picture");
        // Recorded by the technician; later pictures keep the first live time.
        t.clock.advance(90_000);
        assert.equal((await json(client, "/console/lens/record", { recording: true })).status, 200);
        // "Recorded" once a part's file and row are written (at the next keyframe), not before.
        await until("a part written", async () => (await row(t, session.id)).recorded);
      } finally {
        clearInterval(send);
      }
      const ended = t.clock.now();
      assert.equal((await client.post("/console/lens/end")).status, 303);
      record = await row(t, session.id);
      assert.equal(record.liveAt?.toISOString(), wentLive.toISOString());
      assert.equal(record.recorded, true);
      assert.equal(record.endedAt?.toISOString(), ended.toISOString());
      assert.equal(record.endReason, "technician");

      // The recent list reads the record: 2:30 from creation to the end.
      const page = await (await client.get("/console/lens")).text();
      assert.match(page, /data-lens-record="technician"/);
      assert.match(page, /Carla de Vries/);
      assert.match(page, /2:30/);
    } finally {
      await phone.close();
      for (const s of lensRegistry(t.deps).all()) s.end("technician");
      await t.close();
    }
  },
});

Deno.test("lens_sessions: a link nobody opened ends 'expired', never live", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const registry = new LensRegistry(t.deps, { waitingMs: 50, abandonedMs: 60_000 });
    const owner = { userId: ann.id, orgId: ann.orgId, name: "Ann", groupId: ann.groupId };
    const session = await registry.start(owner, null);
    await until("expired", () => session.ended, 5_000);
    await registry.recorded(session);
    const record = await row(t, session.id);
    assert.equal(record.endReason, "expired");
    assert.equal(record.liveAt, null);
    assert.ok(record.endedAt);
    assert.equal(record.recorded, false);
    const [recent] = await registry.recent({ userId: ann.id, orgId: ann.orgId });
    assert.equal(recent.reason, "expired");
    assert.equal(recent.customer, null);
  } finally {
    await t.close();
  }
});

Deno.test("closeLensRecordsOfGoneInstances() closes a dead instance's open rows, not a live one's", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann" });
    const bob = await technician(t, { name: "Bob" });
    const carl = await technician(t, { name: "Carl" });
    const other = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
    const dead = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:8" };
    await registerInstance(t.deps.db, other, t.clock.now());
    await registerInstance(t.deps.db, dead, new Date(t.clock.now().getTime() - 60_000));
    const open = async (who: typeof ann, instanceId: string) => {
      const id = crypto.randomUUID();
      await openLensRecord({ ...t.deps, instance: { ...t.deps.instance, id: instanceId } }, {
        id,
        orgId: who.orgId,
        technicianId: who.id,
        groupId: who.groupId,
        at: t.clock.now(),
      });
      return id;
    };
    const onDead = await open(ann, dead.id);
    const onLive = await open(bob, other.id);
    const here = await open(carl, t.deps.instance.id);
    // An instance whose row is already gone (reaped) counts as dead too.
    const reaped = await open(carl, crypto.randomUUID());
    t.clock.advance(1_000);
    assert.equal(await closeLensRecordsOfGoneInstances(t.deps), 2);
    for (const id of [onDead, reaped]) {
      const record = await row(t, id);
      assert.equal(record.endReason, "instanceGone");
      assert.equal(record.endedAt?.toISOString(), t.clock.now().toISOString());
    }
    assert.equal((await row(t, onLive)).endedAt, null, "a live instance's session runs on");
    assert.equal((await row(t, here)).endedAt, null, "this instance's own are its registry's");
    // Run again: nothing more to close.
    assert.equal(await closeLensRecordsOfGoneInstances(t.deps), 0);
    // This instance stops cleanly: its own row ends with it.
    assert.equal(await closeLensRecordsHere(t.deps), 1);
    assert.equal((await row(t, here)).endReason, "instanceGone");
    await t.deps.db.delete(instances).where(eq(instances.id, other.id));
  } finally {
    await t.close();
  }
});
