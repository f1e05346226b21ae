// The technician's own screen (SPEC R11) across two instances on one PostgreSQL database, in a
// session with no support app and no browser share: the customer's page and its remote stream on
// B, the technician's offer on A. The offer makes A the session's home (a presentation's, which
// `/agent/join` does not count as an app), B's stream is told it moved, the page's new stream on
// B is relayed to A and asks the customer, and View, answer and the picture go through B to A's
// peer. Then A dies (its `instances` row reaped): the page's stream on B asks nothing any more
// and the technician's tab on B shows nothing running. And the customer's support app attaching
// on B while A shows the screen ends A's presentation as `moved`: a log line says why on both
// sides, the technician's tab on B says it, and showing again runs on B.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { MediaStreamTrack, RTCPeerConnection, useVP8, Vp8Packetizer } from "werift";
import { beat } from "../cluster/mod.ts";
import { type ClusterTestApp, startClusterApps } from "../../tests/support/cluster.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import type { TestClient } from "../../tests/support/app.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { readLog } from "../support/mod.ts";
import { agentHello, agentSocket } from "../../tests/support/sockets.ts";
import { agentAttachedAnywhere, homeOf } from "./agent_home.ts";
import { presentationOf } from "./present_routes.tsx";

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

const json = (client: TestClient, path: string, body: unknown) =>
  client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: JSON.stringify(body),
  });

/** The customer's remote stream on `app`, read until `match` (at most 10 s), then closed. */
async function remoteStream(app: ClusterTestApp, page: TestClient, token: string, match: RegExp) {
  const res = await fetch(`${app.url}/s/${token}/remote/events`, {
    headers: { cookie: page.cookieHeader() },
  });
  const reader = res.body!.getReader();
  let text = "";
  const end = performance.now() + 10_000;
  const timer = setTimeout(() => reader.cancel().catch(() => {}), 10_000);
  try {
    while (!match.test(text) && performance.now() < end) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return text;
}

async function gathered(pc: RTCPeerConnection) {
  for (let i = 0; i < 60 && pc.iceGatheringState !== "complete"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test({
  name: "R11 in a cluster: the offer on A becomes the home; the customer on B is asked and sees it",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    const screen = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    const customerPeer = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    let send: ReturnType<typeof setInterval> | undefined;
    try {
      const ann = await technician(a, {
        name: "Ann",
        permissions: [...defaultPermissions(), "shareScreen"],
      });
      const session = await workingSession(a, ann);
      const tech = a.client();
      await tech.signIn(ann.email, TECH_PASSWORD);
      await tech.get("/console");
      const page = b.client();
      await page.get(`/s/${session.token}`);

      // The page's remote stream on B, before anything is shown: it is B's own, and when the
      // offer on A claims the home it is told to move.
      const moved = remoteStream(b, page, session.token, /event: moved/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      screen.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      await screen.setLocalDescription(await screen.createOffer());
      await gathered(screen);
      const offered = await json(tech, `/console/sessions/${session.id}/present/offer`, {
        sdp: screen.localDescription!.sdp,
      });
      assert.equal(offered.status, 200, await offered.clone().text());
      await screen.setRemoteDescription({ type: "answer", sdp: (await offered.json()).sdp });
      assert.equal((await homeOf(b.deps, session.id)).kind, "elsewhere", "A is the home");
      assert.equal(await agentAttachedAnywhere(b.deps, session.id), false, "and no app");
      assert.match(await moved, /event: moved/, "B's stream was told to move");

      await until("the screen's peer connected", () => screen.connectionState === "connected");
      const track = screen.getTransceivers()[0].sender.track!;
      const packetizer = new Vp8Packetizer({ maxPayloadSize: 1_000 });
      let ts = 0;
      send = setInterval(() => {
        ts += 3_000;
        for (const packet of packetizer.packetize(Buffer.from(vp8Keyframe(640, 360)), ts)) {
          packet.header.payloadType = 96;
          track.writeRtp(packet);
        }
      }, 50);
      const shown = presentationOf(a.deps, session.id)!;
      await until("A has the picture", () => shown.size !== null);

      // The page's new stream on B is relayed to A: the customer is asked.
      const asked = await remoteStream(b, page, session.token, /"presenting":\{[^}]*"offered"/);
      assert.match(asked, /"presenting":\{[^}]*"technician":"Ann"/);

      // View, answer and the picture, all through B.
      const view = await json(page, `/s/${session.token}/present/view`, {});
      assert.equal(view.status, 200, await view.clone().text());
      const { id, sdp } = await view.json();
      let received = 0;
      customerPeer.onTrack.subscribe((t) => t.onReceiveRtp.subscribe(() => received++));
      await customerPeer.setRemoteDescription({ type: "offer", sdp });
      await customerPeer.setLocalDescription(await customerPeer.createAnswer());
      await gathered(customerPeer);
      const answered = await json(page, `/s/${session.token}/present/answer`, {
        id,
        sdp: customerPeer.localDescription!.sdp,
      });
      assert.equal(answered.status, 204, await answered.clone().text());
      await until("the customer receives the technician's screen", () => received >= 10);
      await until("A says the customer watches", () => shown.phase === "watching");

      // A dies: B reaps it and the home with it. The page's stream on B asks nothing now, and
      // the technician's tab (reconnecting to B) shows nothing running.
      clearInterval(send);
      a.clock.advance(10_000);
      assert.deepEqual(await beat(b.deps.db, b.deps.instance, b.clock.now()), [a.deps.instance.id]);
      assert.equal((await homeOf(b.deps, session.id)).kind, "none");
      const after = await remoteStream(b, page, session.token, /event: remote/);
      assert.match(after, /"presenting":null/);
      const techB = b.client();
      await techB.signIn(ann.email, TECH_PASSWORD);
      await techB.get("/console");
      const res = await fetch(`${b.url}/console/sessions/${session.id}/present/events`, {
        headers: { cookie: techB.cookieHeader() },
      });
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      assert.match(first, /"phase":"none"/);
    } finally {
      clearInterval(send);
      await screen.close();
      await customerPeer.close();
      for (const app of [a, b]) presentationOf(app.deps, "")?.end("technician");
      await cluster.close();
    }
  },
});

Deno.test({
  name: "R11 in a cluster: the app attaching on B ends A's presentation as moved, both told why",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    const screen = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    const again = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    let send: ReturnType<typeof setInterval> | undefined;
    let agent: Awaited<ReturnType<typeof agentSocket>> | undefined;
    try {
      const ann = await technician(a, {
        name: "Ann",
        permissions: [...defaultPermissions(), "shareScreen"],
      });
      const session = await workingSession(a, ann);
      const tech = a.client();
      await tech.signIn(ann.email, TECH_PASSWORD);
      await tech.get("/console");
      const page = b.client();
      await page.get(`/s/${session.token}`);

      // Shown from A (its home, a presentation's), the customer on B asked to view it.
      screen.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      await screen.setLocalDescription(await screen.createOffer());
      await gathered(screen);
      const offered = await json(tech, `/console/sessions/${session.id}/present/offer`, {
        sdp: screen.localDescription!.sdp,
      });
      assert.equal(offered.status, 200, await offered.clone().text());
      await screen.setRemoteDescription({ type: "answer", sdp: (await offered.json()).sdp });
      await until("the screen's peer connected", () => screen.connectionState === "connected");
      const track = screen.getTransceivers()[0].sender.track!;
      const packetizer = new Vp8Packetizer({ maxPayloadSize: 1_000 });
      let ts = 0;
      send = setInterval(() => {
        ts += 3_000;
        for (const packet of packetizer.packetize(Buffer.from(vp8Keyframe(640, 360)), ts)) {
          packet.header.payloadType = 96;
          track.writeRtp(packet);
        }
      }, 50);
      const shown = presentationOf(a.deps, session.id)!;
      await until("the customer is asked", () => shown.phase === "offered");

      // The customer's support app attaches on B (its socket and hello, as the app does): the
      // session's home is B's now.
      agent = await agentSocket(Number(new URL(b.url).port));
      agent.send(agentHello(session.token));
      await agent.next((m) => m.type === "welcome");
      await until(
        "the app's home is B",
        async () => await agentAttachedAnywhere(a.deps, session.id),
      );
      await until("A's presentation ended as moved", () => shown.endedBy === "moved", 5_000);
      assert.equal(presentationOf(a.deps, session.id), undefined, "nothing shown on A");

      // Both sides read why, in the session's log: the technician's and the customer's page.
      const line =
        /Showing Ann&#39;s screen stopped because the support app connected|Showing Ann's screen stopped because the support app connected/;
      await until("the line is written", async () => {
        const log = await readLog(b.deps.db, session.id);
        return log.some((l) => l.body === "log.present.moved");
      });
      assert.match(await (await page.get(`/s/${session.token}`)).text(), line, "the customer");
      // The technician's tab, on the new home, says it too.
      const techB = b.client();
      await techB.signIn(ann.email, TECH_PASSWORD);
      await techB.get("/console");
      const res = await fetch(`${b.url}/console/sessions/${session.id}/present/events`, {
        headers: { cookie: techB.cookieHeader() },
      });
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      assert.match(first, /"phase":"none"/);
      assert.match(first, /"ended":"moved"/, "the tab says why it stopped");

      // Show my screen again (on A): relayed to the app's home, B, where it runs now.
      again.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
      await again.setLocalDescription(await again.createOffer());
      await gathered(again);
      const restarted = await json(tech, `/console/sessions/${session.id}/present/offer`, {
        sdp: again.localDescription!.sdp,
      });
      assert.equal(restarted.status, 200, await restarted.clone().text());
      assert.ok(presentationOf(b.deps, session.id), "shown again, from B");
      assert.equal((await homeOf(a.deps, session.id)).kind, "elsewhere", "the app's home stays");
    } finally {
      clearInterval(send);
      agent?.ws.close();
      await screen.close();
      await again.close();
      for (const app of [a, b]) presentationOf(app.deps, "")?.end("technician");
      await cluster.close();
    }
  },
});
