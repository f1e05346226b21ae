// Deleting a screen recording: an admin who may read the session deletes a part on its record
// page (asked first), its file and row go, and the audit log keeps who deleted which; a
// technician may download but not delete, and a part still being written is not deleted.
// Before, nobody could delete a recording but an operator on the server's disk. A group's
// "Delete recordings after N days" deletes expired parts by itself, audited the same way.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import { deleteExpiredRecordings, recordings } from "../modules/recording/mod.ts";
import { defaultGroupSettings, GroupSettingsSchema, technicianGroups } from "../modules/org/mod.ts";
import { ADMIN, startTestApp } from "./support/app.ts";
import { makeGroup, TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

Deno.test("recording delete: an admin deletes a part, audited; a technician may not; an unfinished part stays", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const tech = await technician(t, {});
    const session = await workingSession(t, tech);
    const part = async (name: string, ended: boolean) => {
      const path = `${folder}/${name}.webm`;
      await Deno.writeFile(path, new Uint8Array(2048));
      const [row] = await t.deps.db.insert(recordings).values({
        sessionId: session.id,
        startedAt: t.clock.now(),
        endedAt: ended ? t.clock.now() : null,
        bytes: 2048,
        codec: "vp8",
        width: 320,
        height: 240,
        path,
      }).returning();
      return row;
    };
    const done = await part("done", true);
    const open = await part("open", false);
    const record = `/console/history/session/${session.id}`;
    const deleteHref = (id: string) => `${record}/recordings/${id}/delete`;

    // The technician who worked it reads and downloads it, but has no Delete.
    const techClient = t.client();
    await techClient.signIn(tech.email, TECH_PASSWORD);
    const techPage = await (await techClient.get(record)).text();
    assert.match(techPage, /Screen recordings/);
    assert.doesNotMatch(techPage, /Delete/);
    assert.equal((await techClient.post(deleteHref(done.id))).status, 403);

    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get(record)).text();
    assert.match(page, new RegExp(`action="${deleteHref(done.id)}"`));
    assert.match(page, /hx-confirm="Delete this screen recording\? Its file is removed/);
    assert.doesNotMatch(page, new RegExp(`action="${deleteHref(open.id)}"`), "not while written");
    assert.equal((await admin.post(deleteHref(open.id))).status, 409);

    const res = await admin.post(deleteHref(done.id));
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `${record}#recordings`);
    const left = await t.deps.db.select().from(recordings)
      .where(eq(recordings.sessionId, session.id));
    assert.deepEqual(left.map((r) => r.id), [open.id]);
    await assert.rejects(Deno.stat(done.path), Deno.errors.NotFound);
    const [entry] = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, session.id),
      eq(auditLog.action, "session.recording_deleted"),
    ));
    assert.ok(entry, "audited");
    assert.equal(entry.actorEmail, ADMIN.email);
    assert.equal((entry.details as { recordingId: string }).recordingId, done.id);
    assert.equal((await admin.get(`${record}/recordings/${done.id}`)).status, 404);
    assert.equal((await admin.post(deleteHref(done.id))).status, 404, "gone");

    // htmx: the list comes back without it.
    const other = await part("other", true);
    await admin.get(record);
    const fragment = await admin.post(deleteHref(other.id), {}, { "HX-Request": "true" });
    assert.equal(fragment.status, 200);
    const html = await fragment.text();
    assert.match(html, /id="recordings"/);
    assert.doesNotMatch(html, new RegExp(other.id));
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("group settings: the recording help says the customer's two windows, where to find recordings and who deletes them", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t, {});
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get(`/admin/groups/${group.id}/settings`)).text();
    assert.match(page, /on their page and in the support app&#39;s window, with a red dot/);
    assert.match(page, /Only sessions with a screen recording\), where an admin can delete them\./);
    assert.match(page, /Empty or 0 keeps them until an admin deletes them\./);
    await admin.post("/account/language", { language: "nl" });
    const nl = await (await admin.get(`/admin/groups/${group.id}/settings`)).text();
    assert.match(nl, /in het venster van de ondersteuningsapp, met een rode stip/);
    assert.match(nl, /waar een beheerder ze kan verwijderen\./);
    assert.match(nl, /Leeg of 0 bewaart ze tot een beheerder ze verwijdert\./);
  } finally {
    await t.close();
  }
});

Deno.test("recording retention: parts past the group's days are deleted (file, row, audit), once, by any sweep; others stay", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    // The form's blank is 0 (keep); a negative or fractional number of days is refused.
    assert.equal(
      GroupSettingsSchema.parse({ recordingRetentionDays: "" }).recordingRetentionDays,
      0,
    );
    assert.equal(GroupSettingsSchema.parse({}).recordingRetentionDays, 0);
    for (const bad of ["-1", "1.5", "3651", "soon"]) {
      assert.equal(GroupSettingsSchema.safeParse({ recordingRetentionDays: bad }).success, false);
    }
    const keeping = await technician(t, {});
    const expiring = await technician(t, {});
    await t.deps.db.update(technicianGroups)
      .set({ settings: { ...defaultGroupSettings(), recordingRetentionDays: 30 } })
      .where(eq(technicianGroups.id, expiring.groupId!));
    const kept = await workingSession(t, keeping);
    const session = await workingSession(t, expiring);
    const part = async (sessionId: string, name: string, ageDays: number, ended = true) => {
      const path = `${folder}/${name}.mkv`;
      await Deno.writeFile(path, new Uint8Array(1024));
      const startedAt = new Date(t.clock.now().getTime() - ageDays * 86_400_000);
      const [row] = await t.deps.db.insert(recordings).values({
        sessionId,
        startedAt,
        endedAt: ended ? new Date(startedAt.getTime() + 60_000) : null,
        bytes: 1024,
        codec: "h264",
        width: 320,
        height: 240,
        path,
      }).returning();
      return row;
    };
    const old = await part(session.id, "old", 31);
    const young = await part(session.id, "young", 29);
    const writing = await part(session.id, "writing", 45, false);
    const keep = await part(kept.id, "keep", 400);

    // Two sweeps at once (two instances): each part is deleted by one of them.
    const counts = await Promise.all([
      deleteExpiredRecordings(t.deps),
      deleteExpiredRecordings(t.deps),
    ]);
    assert.equal(counts[0] + counts[1], 1);
    const left = await t.deps.db.select({ id: recordings.id }).from(recordings);
    assert.deepEqual(
      new Set(left.map((r) => r.id)),
      new Set([young.id, writing.id, keep.id]),
    );
    await assert.rejects(Deno.stat(old.path), Deno.errors.NotFound);
    for (const row of [young, writing, keep]) await Deno.stat(row.path);
    const entries = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, session.id),
      eq(auditLog.action, "session.recording_deleted"),
    ));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].actorId, null);
    assert.equal(entries[0].orgId, expiring.orgId);
    assert.deepEqual(entries[0].details, {
      recordingId: old.id,
      startedAt: old.startedAt.toISOString(),
      bytes: 1024,
      file: "old.mkv",
      reason: "retention",
    });

    // Two days later on the clock the young part is past 30 days too; the one written stays.
    t.clock.advance(2 * 86_400_000);
    assert.equal(await deleteExpiredRecordings(t.deps), 1);
    const after = await t.deps.db.select({ id: recordings.id }).from(recordings);
    assert.deepEqual(new Set(after.map((r) => r.id)), new Set([writing.id, keep.id]));
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});
