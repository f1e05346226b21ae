// A Lens session's recordings through the routes: its page (`/console/recordings/lens/:id`)
// lists and plays its parts for whoever may read the Lens session — the technician who ran it,
// its group's technicians with seeOtherTechnicians, its group's admins, the master admin — and
// is "not found" for anyone else and for bad ids; a part downloads (HTTP ranges; audited once
// per taking); an admin deletes a finished part (file and row, audited), a technician may not,
// one still written stays. The Lens page's Record refuses bad input, a technician without
// recordSessions and a Stop where the group records always, each with the reason. Runs on
// PGlite and, with DATABASE_URL, on PostgreSQL.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import { lensRecordFixture } from "../modules/lens/test_support.ts";
import { lensRegistry } from "../modules/lens/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import {
  defaultGroupSettings,
  groupAdmins,
  type GroupSettings,
  technicianGroups,
} from "../modules/org/mod.ts";
import { recordings } from "../modules/recording/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { technician } from "./support/sessions.ts";

async function _signedIn(t: TestApp, email: string, password = TECH_PASSWORD) {
  const client = t.client();
  await client.signIn(email, password);
  await client.get("/console");
  return client;
}

async function _settings(t: TestApp, groupId: string, settings: Partial<GroupSettings>) {
  await t.deps.db.update(technicianGroups)
    .set({ settings: { ...defaultGroupSettings(), ...settings } })
    .where(eq(technicianGroups.id, groupId));
}

const json = (client: ReturnType<TestApp["client"]>, path: string, body: unknown) =>
  client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

Deno.test("Lens recordings' page: who may read the Lens session sees, plays and downloads; an admin deletes", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    // Ann's group lets nobody see other technicians' sessions (yet).
    const group = await makeGroup(t, {
      permissions: [...defaultPermissions().filter((p) => p !== "seeOtherTechnicians"), "lens"],
    });
    const ann = await technician(t, { groupId: group.id, name: "Ann" });
    const lensId = await lensRecordFixture(t.deps, {
      technician: { id: ann.id, orgId: ann.orgId, groupId: group.id },
      createdAt: t.clock.now(),
      endedAt: new Date(t.clock.now().getTime() + 60_000),
      customer: "Carla",
      via: "email",
      recorded: true,
    });
    const part = async (name: string, ended: boolean) => {
      const path = `${folder}/${name}.webm`;
      await Deno.writeFile(path, new Uint8Array(4096).fill(3));
      const [row] = await t.deps.db.insert(recordings).values({
        lensId,
        userId: ann.id,
        startedAt: t.clock.now(),
        endedAt: ended ? new Date(t.clock.now().getTime() + 42_000) : null,
        bytes: 4096,
        codec: "vp8",
        width: 640,
        height: 480,
        path,
      }).returning();
      return row;
    };
    const done = await part("done", true);
    const open = await part("open", false);
    const page = `/console/recordings/lens/${lensId}`;

    // Signed out: to the sign-in page, the file not sent.
    const anonymous = t.client();
    for (const path of [page, `${page}/${done.id}`]) {
      const res = await anonymous.get(path);
      assert.equal(res.status, 303, path);
      assert.match(res.headers.get("location") ?? "", /^\/signin/);
    }

    // Ann ran it: her page lists both parts, plays the finished one, and has no Delete.
    const annClient = await _signedIn(t, ann.email);
    const annPage = await annClient.get(page);
    assert.equal(annPage.status, 200);
    const html = await annPage.text();
    assert.match(html, /Lens session recording/);
    assert.match(html, /Carla/);
    assert.match(html, /0:42/);
    assert.match(html, /not finished/);
    assert.match(html, new RegExp(`<video[^>]*src="${page}/${done.id}"`));
    assert.doesNotMatch(html, new RegExp(`<video[^>]*src="${page}/${open.id}"`));
    assert.doesNotMatch(html, /Delete/);
    // Her recent Lens sessions link to it.
    const lensPage = await (await annClient.get("/console/lens")).text();
    assert.match(lensPage, new RegExp(`href="${page}"[^>]*>Play<`));

    // The part plays and downloads: whole (audited), then a seek (not a new taking).
    const whole = await annClient.get(`${page}/${done.id}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "video/webm");
    assert.match(
      whole.headers.get("content-disposition") ?? "",
      /lens-recording-.*-carla-part1\.webm/,
    );
    assert.equal((await whole.arrayBuffer()).byteLength, 4096);
    const seek = await annClient.get(`${page}/${done.id}`, { range: "bytes=1000-" });
    assert.equal(seek.status, 206);
    assert.equal((await seek.arrayBuffer()).byteLength, 3096);
    const downloads = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, lensId),
      eq(auditLog.action, "lens.recording_downloaded"),
    ));
    assert.equal(downloads.length, 1, "one taking, one line");
    assert.equal(downloads[0].actorId, ann.id);
    assert.equal((await annClient.post(`${page}/${done.id}/delete`)).status, 403);

    // Another technician of another group: not found, as a session that does not exist.
    const bob = await technician(t, { name: "Bob" });
    const bobClient = await _signedIn(t, bob.email);
    assert.equal((await bobClient.get(page)).status, 404);
    assert.equal((await bobClient.get(`${page}/${done.id}`)).status, 404);
    // A technician of Ann's group: only with seeOtherTechnicians.
    const cora = await technician(t, { groupId: group.id, name: "Cora" });
    assert.equal((await (await _signedIn(t, cora.email)).get(page)).status, 404);
    const seeing = await makeGroup(t, {
      permissions: [...defaultPermissions(), "seeOtherTechnicians"],
    });
    const dan = await technician(t, {
      groupId: seeing.id,
      permissions: [...defaultPermissions(), "seeOtherTechnicians"],
    });
    await t.deps.db.update(technicianGroups).set({
      permissions: [...defaultPermissions(), "lens", "seeOtherTechnicians"],
    }).where(eq(technicianGroups.id, group.id));
    assert.equal((await (await _signedIn(t, cora.email)).get(page)).status, 200);
    assert.equal((await (await _signedIn(t, dan.email)).get(page)).status, 404, "another group");
    // Bad ids: not found in words.
    const bad = await annClient.get("/console/recordings/lens/nonsense");
    assert.equal(bad.status, 404);
    assert.match(await bad.text(), /No such Lens session, or you may not see it/);
    assert.equal((await annClient.get(`${page}/nonsense`)).status, 404);
    assert.equal(
      (await annClient.get(`/console/recordings/lens/${crypto.randomUUID()}`)).status,
      404,
    );

    // An admin of the group sees it and deletes the finished part; the one still written stays.
    const adminRow = await makePerson(t, { groupId: seeing.id, role: "admin" });
    await t.deps.db.insert(groupAdmins).values({ groupId: group.id, userId: adminRow.id });
    const admin = await _signedIn(t, adminRow.email);
    const adminPage = await (await admin.get(page)).text();
    assert.match(adminPage, new RegExp(`action="${page}/${done.id}/delete"`));
    assert.match(
      adminPage,
      /hx-confirm="Delete this recording of the phone&#39;s camera\?|hx-confirm="Delete this recording of the phone's camera\?/,
    );
    assert.equal((await admin.post(`${page}/${open.id}/delete`)).status, 409);
    const deleted = await admin.post(`${page}/${done.id}/delete`);
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get("location"), `${page}#recordings`);
    await assert.rejects(Deno.stat(done.path), Deno.errors.NotFound);
    const [entry] = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, lensId),
      eq(auditLog.action, "lens.recording_deleted"),
    ));
    assert.equal(entry.actorId, adminRow.id);
    assert.equal((entry.details as { recordingId: string }).recordingId, done.id);
    assert.equal((await admin.post(`${page}/${done.id}/delete`)).status, 404, "gone");
    // An admin of other groups only: not found.
    const other = await makeGroup(t, {});
    const outsider = await makePerson(t, { groupId: other.id, role: "admin" });
    await t.deps.db.insert(groupAdmins).values({ groupId: other.id, userId: outsider.id });
    assert.equal((await (await _signedIn(t, outsider.email)).get(page)).status, 404);
    // The master admin sees every one; nothing kept says so.
    await t.deps.db.delete(recordings).where(eq(recordings.id, open.id));
    const master = await _signedIn(t, ADMIN.email, ADMIN.password);
    const empty = await (await master.get(page)).text();
    assert.match(empty, /No recording of this Lens session is kept/);
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("Lens page's Record: bad input, no recordSessions, the group's policy — each refused with the reason", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const ann = await technician(t, {
      permissions: [...defaultPermissions(), "lens"],
      name: "Ann",
    });
    await _settings(t, ann.groupId!, { recordingPolicy: "optional", recordingLocation: folder });
    const client = await _signedIn(t, ann.email);
    assert.equal((await client.post("/console/lens")).status, 303);
    const session = lensRegistry(t.deps).ofTechnician(ann.id)!;
    // No Record button without recordSessions; the request itself is refused.
    assert.doesNotMatch(
      await (await client.get("/console/lens")).text(),
      /data-lens-record="true"/,
    );
    assert.equal((await json(client, "/console/lens/record", "{")).status, 422);
    assert.equal((await json(client, "/console/lens/record", { recording: "yes" })).status, 422);
    const refused = await json(client, "/console/lens/record", { recording: true });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /You do not have the permission to record sessions/);
    assert.equal(session.state.recording, false);
    session.end("technician");
    await lensRegistry(t.deps).recorded(session);

    // With recordSessions: the button; Record answers with what is true (the phone sends
    // nothing yet, so nothing is written yet).
    await t.deps.db.update(technicianGroups).set({
      permissions: [...defaultPermissions(), "lens", "recordSessions"],
    }).where(eq(technicianGroups.id, ann.groupId!));
    assert.equal((await client.post("/console/lens")).status, 303);
    const second = lensRegistry(t.deps).ofTechnician(ann.id)!;
    assert.match(await (await client.get("/console/lens")).text(), /data-lens-record="true"/);
    const started = await json(client, "/console/lens/record", { recording: true });
    assert.equal(started.status, 200);
    assert.deepEqual(await started.json(), { recording: false });
    assert.equal((await json(client, "/console/lens/record", { recording: false })).status, 200);
    second.end("technician");
    await lensRegistry(t.deps).recorded(second);

    // A group that records always: no button, the page and the phone say so; Stop refused.
    await _settings(t, ann.groupId!, { recordingPolicy: "always", recordingLocation: folder });
    assert.equal((await client.post("/console/lens")).status, 303);
    const third = lensRegistry(t.deps).ofTechnician(ann.id)!;
    for (let i = 0; i < 100 && !third.state.recordsAlways; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const page = await (await client.get("/console/lens")).text();
    assert.doesNotMatch(page, /data-lens-record="true"/);
    assert.match(page, /Your group records every Lens session/);
    const phone = await (await t.client().get(`/lens/${third.token}`)).text();
    assert.match(phone, /What your camera shows will be recorded/);
    const stop = await json(client, "/console/lens/record", { recording: false });
    assert.equal(stop.status, 403);
    assert.match(await stop.text(), /Your group records every Lens session: it cannot be/);
    third.end("technician");
    await lensRegistry(t.deps).recorded(third);
    // Off: Record refused with the reason.
    await _settings(t, ann.groupId!, { recordingPolicy: "off" });
    assert.equal((await client.post("/console/lens")).status, 303);
    const off = await json(client, "/console/lens/record", { recording: true });
    assert.equal(off.status, 403);
    assert.match(await off.text(), /Recording is off for your group/);
    lensRegistry(t.deps).ofTechnician(ann.id)?.end("technician");
  } finally {
    for (const s of lensRegistry(t.deps).all()) s.end("technician");
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});
