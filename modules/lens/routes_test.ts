// Lens's routes in memory (no browser): one session per technician, the permission on every
// technician route, the customer's side reached by the link's token only, and bad input
// refused with a reason and nothing changed. The phone is a werift peer sending VP8.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useVP8 } from "werift";
import { auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { LensRegistry, lensRegistry } from "./registry.ts";
import { MAX_VIEWERS, sendsAudio } from "./lens_session.ts";
import { SILENT_MS } from "../remote/screen_receiver.ts";

async function signedIn(t: TestApp, permissions = [...defaultPermissions(), "lens" as const]) {
  const user = await technician(t, { permissions, name: "Ann" });
  const client = t.client();
  await client.signIn(user.email, TECH_PASSWORD);
  await client.get("/console/lens");
  return { user, client };
}

const json = (client: ReturnType<TestApp["client"]>, path: string, body: unknown) =>
  client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** A phone stand-in: a werift peer offering one VP8 track, its complete offer. */
async function phoneOffer() {
  const pc = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
  pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  for (let i = 0; i < 40 && pc.iceGatheringState !== "complete"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pc, sdp: pc.localDescription!.sdp };
}

Deno.test({
  name: "lensRoutes: one Lens session per technician; its link is its only key; bad input refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const phone = await phoneOffer();
    try {
      const { user, client } = await signedIn(t);
      const start = await client.post("/console/lens");
      assert.equal(start.status, 303);
      const page = await (await client.get("/console/lens")).text();
      const session = lensRegistry(t.deps).ofTechnician(user.id)!;
      assert.ok(session, "started");
      assert.ok(page.includes(`/lens/${session.token}`), "the page shows the customer's link");
      // Ready to send from the technician's own mail or messaging app, the link whole in it.
      const link = encodeURIComponent(`http://localhost:0/lens/${session.token}`);
      assert.ok(page.includes(`href="mailto:?subject=Show%20your%20camera%20to%20Ann&amp;body=`));
      assert.ok(page.includes(`sms:?body=Ann%20would%20like%20to%20see`));
      assert.ok(page.includes(`${link}"`), "the link, not escaped twice");

      // A second start is refused with the reason; the first session is kept.
      const again = await client.post("/console/lens");
      assert.equal(again.status, 409);
      assert.match(await again.text(), /already have a Lens session running/);
      assert.equal(lensRegistry(t.deps).ofTechnician(user.id), session);

      // The technician's tools refuse what they cannot read, and a picture before there is one.
      assert.equal((await json(client, "/console/lens/peer", {})).status, 409);
      for (
        const stroke of [
          { colour: "#e8202a", points: [[0.5, 1.5]] },
          { colour: "red", points: [[0.5, 0.5]] },
          { colour: "#e8202a", points: [] },
          "nonsense",
        ]
      ) {
        const res = await json(client, "/console/lens/draw", { stroke });
        assert.equal(res.status, 422, JSON.stringify(stroke));
      }
      assert.equal(session.strokes.length, 0, "nothing drawn");
      const drawn = await json(client, "/console/lens/draw", {
        stroke: { colour: "#e8202a", points: [[0.25, 0.5], [0.75, 0.5]] },
      });
      assert.equal(drawn.status, 204);
      assert.deepEqual(session.strokes, [{
        colour: "#e8202a",
        points: [[0.25, 0.5], [0.75, 0.5]],
      }]);
      assert.equal((await json(client, "/console/lens/freeze", { frozen: "yes" })).status, 422);
      assert.equal((await json(client, "/console/lens/record", {})).status, 422);
      // Record follows the group's recording policy: off by default, refused with the reason.
      const record = await json(client, "/console/lens/record", { recording: true });
      assert.equal(record.status, 403);
      assert.match(await record.text(), /Recording is off for your group/);
      assert.equal(session.state.recording, false, "nothing recorded, the phone not told");
      assert.equal(
        (await json(client, "/console/lens/peer/99/answer", { sdp: "v=0" })).status,
        404,
      );
      assert.equal((await json(client, "/console/lens/peer/1/answer", { sdp: "x" })).status, 422);

      // The customer's side: the page by its token; malformed SDP and switches refused.
      const customer = t.client();
      const phonePage = await customer.get(`/lens/${session.token}`);
      assert.equal(phonePage.status, 200);
      assert.match(
        await phonePage.text(),
        /Ann would like to see what your phone&#39;s camera sees|Ann would like to see what your phone's camera sees/,
      );
      const bad = await json(customer, `/lens/${session.token}/offer`, { sdp: "hello" });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /offer was not understood/);
      const broken = await json(customer, `/lens/${session.token}/offer`, "{");
      assert.equal(broken.status, 422);
      assert.equal(
        (await json(customer, `/lens/${session.token}/state`, { paused: "yes" })).status,
        422,
      );
      assert.equal((await json(customer, `/lens/${session.token}/state`, {})).status, 422);
      assert.equal(session.state.paused, false, "nothing changed");

      // A real offer is answered (the phone's first choice, VP8), and the switches are taken.
      const answered = await json(customer, `/lens/${session.token}/offer`, { sdp: phone.sdp });
      assert.equal(answered.status, 200);
      assert.match((await answered.json()).sdp, /^v=0[\s\S]*VP8/);
      assert.equal(session.state.codec, "vp8");
      assert.equal(session.state.epoch, 1);
      // An offer werift cannot read, while the phone's peer runs: refused, nothing changed.
      const unreadable = await json(customer, `/lens/${session.token}/offer`, {
        sdp: "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF\r\n",
      });
      assert.equal(unreadable.status, 422);
      assert.equal(session.state.epoch, 1);
      assert.ok(!session.ended);
      assert.match((await session.viewerOffer()).sdp, /VP8/, "the running peer stays");
      // A peer per technician page, at most MAX_VIEWERS: the oldest goes.
      for (let i = 0; i < MAX_VIEWERS + 1; i++) await session.viewerOffer();
      assert.equal(session.viewerCount, MAX_VIEWERS);
      const paused = await json(customer, `/lens/${session.token}/state`, { paused: true });
      assert.equal(paused.status, 204);
      assert.equal(session.state.paused, true);
      // The phone's page reloaded: its new offer replaces the old peer, the session goes on,
      // and the technician's page is told to make a new peer (epoch).
      const reloaded = await phoneOffer();
      try {
        const again = await json(customer, `/lens/${session.token}/offer`, { sdp: reloaded.sdp });
        assert.equal(again.status, 200);
        assert.equal(session.state.epoch, 2);
        assert.equal(session.state.paused, false, "a new page starts sending");
        assert.ok(!session.ended, "a reload is no end");
      } finally {
        await reloaded.pc.close();
      }

      // Another token (an ended session's, or made up) reaches nothing.
      const other = await signedIn(t);
      await other.client.post("/console/lens");
      const second = lensRegistry(t.deps).ofTechnician(other.user.id)!;
      assert.notEqual(second, session, "another technician has a session of their own");
      await json(other.client, "/console/lens/end", {});
      assert.equal(lensRegistry(t.deps).ofTechnician(other.user.id), undefined);
      for (const token of [second.token, "0".repeat(32)]) {
        assert.equal((await customer.get(`/lens/${token}`)).status, 404);
        const res = await json(customer, `/lens/${token}/offer`, { sdp: phone.sdp });
        assert.equal(res.status, 404);
        assert.equal((await json(customer, `/lens/${token}/end`, {})).status, 404);
      }
      assert.ok(!session.ended, "the first session runs on");

      // Disconnect from the phone ends it for both; the link is gone; a new one may start.
      assert.equal((await json(customer, `/lens/${session.token}/end`, {})).status, 204);
      assert.equal(session.state.ended, "customer");
      assert.equal((await customer.get(`/lens/${session.token}`)).status, 404);
      assert.equal((await client.post("/console/lens")).status, 303);
      lensRegistry(t.deps).ofTechnician(user.id)?.end("technician");
      for (let i = 0; i < 50; i++) {
        if ((await auditActions(t.deps)).filter((a) => a === "lens.ended").length === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const actions = (await auditActions(t.deps)).filter((a) => a.startsWith("lens."));
      assert.deepEqual(actions.filter((a) => a === "lens.started").length, 3);
      assert.deepEqual(actions.filter((a) => a === "lens.ended").length, 3);
    } finally {
      for (const session of lensRegistry(t.deps).all()) session.end("technician");
      await phone.pc.close();
      await t.close();
    }
  },
});

Deno.test("lensRoutes: a technician without `lens` is refused every Lens route (403)", async () => {
  const t = await startTestApp();
  try {
    const { client } = await signedIn(t, defaultPermissions());
    assert.equal((await client.get("/console/lens")).status, 403);
    assert.equal((await client.post("/console/lens")).status, 403);
    assert.equal((await client.get("/console/lens/events")).status, 403);
    assert.equal(lensRegistry(t.deps).all().length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("LensRegistry: a link nobody opened ends by itself after waitingMs, and says why", async () => {
  const t = await startTestApp();
  try {
    const registry = new LensRegistry(t.deps, { waitingMs: 50, abandonedMs: 60_000 });
    const ann = await technician(t, { name: "Ann" });
    const owner = { userId: ann.id, orgId: ann.orgId, name: "Ann", groupId: ann.groupId };
    const session = await registry.start(owner, null);
    for (let i = 0; i < 100 && !session.ended; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(session.state.ended, "expired");
    assert.equal(registry.ofTechnician(owner.userId), undefined, "a new one may start");
    assert.equal(registry.ofToken(session.token), undefined, "the link is gone");
  } finally {
    await t.close();
  }
});

Deno.test("sendsAudio() reads the audio section's own direction", () => {
  const video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n";
  assert.equal(sendsAudio(`v=0\r\n${video}`), false, "no audio section");
  assert.equal(
    sendsAudio(`v=0\r\n${video}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n`),
    true,
  );
  assert.equal(
    sendsAudio(`v=0\r\n${video}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n`),
    false,
    "video's sendonly is not the audio's",
  );
  assert.equal(
    sendsAudio(`v=0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n`),
    false,
    "a rejected section (port 0)",
  );
});

Deno.test({
  name: "lensRoutes: a session no page of the technician follows any more ends (abandoned)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      lensRegistry(t.deps).options.abandonedMs = 100;
      const { user, client } = await signedIn(t);
      await client.post("/console/lens");
      const session = lensRegistry(t.deps).ofTechnician(user.id)!;
      // Two pages follow it; one goes: it runs on.
      const pages = [
        await client.get("/console/lens/events"),
        await client.get("/console/lens/events"),
      ];
      assert.ok(pages.every((page) => page.status === 200));
      await pages[0].body!.cancel();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(!session.ended, "one page still follows it");
      // The last one goes: after abandonedMs the session ends, and the link with it.
      await pages[1].body!.cancel();
      for (let i = 0; i < 100 && !session.ended; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(session.state.ended, "abandoned");
      assert.equal(lensRegistry(t.deps).ofToken(session.token), undefined);
    } finally {
      for (const session of lensRegistry(t.deps).all()) session.end("technician");
      await t.close();
    }
  },
});

Deno.test({
  name:
    "LensSession: a phone whose connection goes is waited for (interrupted), then ends 'lost' after reconnectMs",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const phone = await phoneOffer();
    try {
      const registry = new LensRegistry(t.deps, {
        waitingMs: 60_000,
        abandonedMs: 60_000,
        reconnectMs: 300,
      });
      const ann = await technician(t, { name: "Ann" });
      const owner = { userId: ann.id, orgId: ann.orgId, name: "Ann", groupId: ann.groupId };
      const session = await registry.start(owner, null);
      // The phone connects (its peer answered), then goes: closed, no packet any more.
      await phone.pc.setRemoteDescription({ type: "answer", sdp: await session.answer(phone.sdp) });
      const until = async (probe: () => boolean, ms: number) => {
        for (const deadline = Date.now() + ms; Date.now() < deadline && !probe();) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return probe();
      };
      assert.ok(await until(() => phone.pc.connectionState === "connected", 10_000), "connected");
      // A few packets (a VP8 keyframe's first bytes), so the server has heard the phone; then
      // it goes: closed, nothing more.
      const track = phone.pc.getTransceivers()[0].sender.track!;
      for (let i = 0; i < 5; i++) {
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: i, timestamp: i * 3000 });
        header.marker = true;
        track.writeRtp(new RtpPacket(header, Buffer.from([0x10, 0, 0, 0, 0x9d, 0x01, 0x2a])));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(await until(() => session.state.epoch === 1, 1_000));
      await phone.pc.close();
      assert.ok(
        await until(() => session.state.interrupted, SILENT_MS + 5_000),
        "the phone's silence is an interruption",
      );
      assert.equal(session.state.phase, "waiting");
      assert.ok(!session.ended, "not ended at once");
      assert.equal(registry.ofToken(session.token), session, "the link still works");
      assert.ok(await until(() => session.ended, 2_000), "ended after reconnectMs");
      assert.equal(session.state.ended, "lost");
      assert.equal(registry.ofToken(session.token), undefined);
    } finally {
      await phone.pc.close();
      await t.close();
    }
  },
});

Deno.test("lensRoutes: the technician's stream with no Lens session running says it ended (gone)", async () => {
  const t = await startTestApp();
  try {
    const { client } = await signedIn(t);
    const res = await client.get("/console/lens/events");
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /event: state/);
    assert.match(text, /"phase":"ended","ended":"gone"/);
  } finally {
    await t.close();
  }
});
