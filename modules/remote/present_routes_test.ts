// The technician's own screen shown to the customer (present_routes.tsx) on a real app and
// database: refused without `shareScreen`, to a technician not on the session, for a malformed
// offer and while the customer's page is not connected; a good offer is answered, logged and
// audited; a customer of another session finds nothing to view; a bad answer is refused and
// loses nothing; the customer's End ends it, logged as the customer's. The media path itself is
// tests/e2e/browser_present_screen_test.ts.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { MediaStreamTrack, RTCPeerConnection, useVP8 } from "werift";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { holdSession, readLog, supportSessions } from "../support/mod.ts";
import { auditLog } from "../audit/mod.ts";
import { presentationOf } from "./present_routes.tsx";

/** A browser's complete offer of one video track (VP8), from a werift peer standing in. */
async function browserOffer(): Promise<{ sdp: string; close: () => Promise<void> }> {
  const browser = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
  browser.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
  await browser.setLocalDescription(await browser.createOffer());
  if (browser.iceGatheringState !== "complete") {
    await new Promise<void>((resolve) =>
      browser.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve())
    );
  }
  return { sdp: browser.localDescription!.sdp, close: () => browser.close() };
}

async function logged(t: TestApp, sessionId: string, body: string) {
  for (let i = 0; i < 100; i++) {
    const line = (await readLog(t.deps.db, sessionId)).find((l) => l.body === body);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no log line ${body}`);
}

Deno.test({
  name: "present routes: permission, bad input, another session's customer, the customer's End",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    const offer = await browserOffer();
    try {
      const ann = await technician(t, {
        name: "Ann",
        permissions: [...defaultPermissions(), "shareScreen"],
      });
      const carl = await technician(t, { name: "Carl" }); // the group's default: no shareScreen
      const session = await workingSession(t, ann);
      const other = await workingSession(t, carl);
      const json = (client: ReturnType<TestApp["client"]>, path: string, body: unknown) =>
        client.send(path, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
      const base = `/console/sessions/${session.id}/present`;

      // Without the permission: 403 on the tab and on the offer, nothing started.
      const carlClient = t.client();
      await carlClient.signIn(carl.email, TECH_PASSWORD);
      await carlClient.get("/console");
      const otherBase = `/console/sessions/${other.id}/present`;
      assert.equal((await carlClient.get(otherBase)).status, 403);
      assert.equal((await json(carlClient, `${otherBase}/offer`, { sdp: offer.sdp })).status, 403);
      assert.equal(presentationOf(t.deps, other.id), undefined);

      // A technician with the permission but not on the session: refused.
      const bob = await technician(t, {
        name: "Bob",
        permissions: [...defaultPermissions(), "shareScreen"],
      });
      const bobClient = t.client();
      await bobClient.signIn(bob.email, TECH_PASSWORD);
      await bobClient.get("/console");
      const stranger = await json(bobClient, `${base}/offer`, { sdp: offer.sdp });
      assert.ok([403, 404].includes(stranger.status), `a stranger got ${stranger.status}`);

      const lead = t.client();
      await lead.signIn(ann.email, TECH_PASSWORD);
      await lead.get("/console");
      const tab = await lead.get(base);
      assert.equal(tab.status, 200);
      assert.match(await tab.text(), /Show my screen/);

      // Malformed offers: a clear 422, nothing started.
      for (const bad of ["not json", { sdp: 7 }, { sdp: "hello" }]) {
        const res = await json(lead, `${base}/offer`, bad);
        assert.equal(res.status, 422, JSON.stringify(bad).slice(0, 40));
        assert.match(await res.text(), /screen offer could not be read/);
      }
      // Past the request size limit: refused before it is read (413).
      const huge = await json(lead, `${base}/offer`, { sdp: `v=0${"x".repeat(70_000)}` });
      assert.equal(huge.status, 413);
      const garbled = await json(lead, `${base}/offer`, { sdp: "v=0\r\nm=audio 9 x 0\r\n" });
      assert.equal(garbled.status, 422);
      assert.equal(presentationOf(t.deps, session.id)?.ended ?? true, true);

      // The customer's page is not connected: nothing to show it on.
      await t.deps.db.update(supportSessions).set({ customerState: "lost" })
        .where(eq(supportSessions.id, session.id));
      const away = await json(lead, `${base}/offer`, { sdp: offer.sdp });
      assert.equal(away.status, 409);
      assert.match(await away.text(), /customer is not connected/);
      await t.deps.db.update(supportSessions).set({ customerState: "connected" })
        .where(eq(supportSessions.id, session.id));

      // A good offer: answered, logged and audited as Ann's.
      const answered = await json(lead, `${base}/offer`, { sdp: offer.sdp });
      assert.equal(answered.status, 200, await answered.clone().text());
      assert.match((await answered.json()).sdp, /^v=0/);
      const shown = presentationOf(t.deps, session.id);
      assert.ok(shown && !shown.ended);
      assert.equal((await logged(t, session.id, "log.present.started")).authorName, "Ann");
      const audits = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.target, session.id));
      assert.ok(audits.some((a) => a.action === "session.present_started" && a.actorId === ann.id));

      // A bad offer while it runs: refused, and what runs goes on.
      const garbledAgain = await json(lead, `${base}/offer`, { sdp: "v=0\r\nm=audio 9 x 0\r\n" });
      assert.equal(garbledAgain.status, 422);
      assert.equal(presentationOf(t.deps, session.id), shown);
      assert.equal(shown.ended, false);
      // The customer of another session finds nothing to view there, and this one is untouched.
      const otherCustomer = t.client();
      await otherCustomer.get(`/s/${other.token}`);
      const elsewhere = await json(otherCustomer, `/s/${other.token}/present/view`, {});
      assert.equal(elsewhere.status, 409);
      assert.match(await elsewhere.text(), /not showing a screen/);
      assert.equal((await json(otherCustomer, `/s/${other.token}/present/end`, {})).status, 409);
      assert.equal(shown.ended, false);

      // This session's customer: a malformed answer is refused and the presentation stays.
      const customer = t.client();
      await customer.get(`/s/${session.token}`);
      const badAnswer = await json(customer, `/s/${session.token}/present/answer`, { sdp: "x" });
      assert.equal(badAnswer.status, 422);
      assert.equal(shown.ended, false);
      // No picture has come yet: there is nothing to view, and the page is not asked.
      assert.equal((await json(customer, `/s/${session.token}/present/view`, {})).status, 409);
      assert.equal(shown.customerView(), null);

      // The customer ends it: ended for both, logged as the customer's, audited.
      assert.equal((await json(customer, `/s/${session.token}/present/end`, {})).status, 204);
      assert.equal(shown.endedBy, "customer");
      assert.equal(presentationOf(t.deps, session.id), undefined);
      const line = await logged(t, session.id, "log.present.endedByCustomer");
      assert.equal(line.author, "customer");
      // The technician's Stop after it: nothing left to stop, still 204.
      assert.equal((await json(lead, `${base}/stop`, {})).status, 204);

      // Offered again: the customer's Not now ends it as declined; the technician's own Stop
      // ends the next one as theirs; a hold ends the one after (the session is not worked).
      const again = async () => {
        const res = await json(lead, `${base}/offer`, { sdp: offer.sdp });
        assert.equal(res.status, 200);
        return presentationOf(t.deps, session.id)!;
      };
      const declined = await again();
      assert.equal((await json(customer, `/s/${session.token}/present/decline`, {})).status, 204);
      assert.equal(declined.endedBy, "declined");
      await logged(t, session.id, "log.present.declined");
      const stopped = await again();
      assert.equal((await json(lead, `${base}/stop`, {})).status, 204);
      assert.equal(stopped.endedBy, "technician");
      assert.equal((await logged(t, session.id, "log.present.stopped")).authorName, "Ann");
      const held = await again();
      await holdSession(t.deps, ann, session.id);
      for (let i = 0; i < 100 && !held.ended; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(held.endedBy, "session");
      await logged(t, session.id, "log.present.ended");
      const ends = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "session.present_ended"));
      assert.deepEqual(
        ends.map((a) => (a.details as { by?: string }).by).sort(),
        ["customer", "declined", "session", "technician"],
      );
    } finally {
      await offer.close();
      await t.close();
    }
  },
});
