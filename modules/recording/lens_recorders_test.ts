// The Lens → recorder path without a phone: `lensRecorders(deps)` makes a Lens session's
// recorder as the registry does, fed VP8 frames and Opus packets as LensSession hands them on.
// The group's policy decides (off / optional + recordSessions / always), a part is a WebM with
// both tracks that ffprobe decodes, its row names the Lens session and sets its record's
// `recorded`, the phone's connection going ends the part, retention deletes old parts (audited
// `lens.recording_deleted`), and a part left open by a dead server is finished. Runs on PGlite
// and, with DATABASE_URL, on PostgreSQL.
import assert from "node:assert/strict";
import { and, asc, eq } from "drizzle-orm";
import { auditLog } from "../audit/mod.ts";
import { lensRecordFixture } from "../lens/test_support.ts";
import { lensSessions, type RecordedLens } from "../lens/mod.ts";
import { defaultGroupSettings, type GroupSettings, technicianGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import { lensRecorders } from "./lens_recorders.ts";
import { deleteExpiredRecordings } from "./retention.ts";
import { recordings } from "./schema.ts";
import { finishInterruptedParts } from "./shutdown.ts";
import { opusTestPackets, vp8TestFrames } from "./test_support.ts";
import { ffprobe } from "../../tests/support/ffprobe.ts";

async function _lens(t: TestApp, settings: Partial<GroupSettings>) {
  const tech = await technician(t, { name: "Ann" });
  await t.deps.db.update(technicianGroups)
    .set({ settings: { ...defaultGroupSettings(), ...settings } })
    .where(eq(technicianGroups.id, tech.groupId!));
  const id = await lensRecordFixture(t.deps, {
    technician: { id: tech.id, orgId: tech.orgId, groupId: tech.groupId },
    createdAt: t.clock.now(),
  });
  let keyframesAsked = 0;
  let changes = 0;
  let failures = 0;
  const lens: RecordedLens = {
    id,
    orgId: tech.orgId,
    groupId: tech.groupId,
    technician: { id: tech.id, name: "Ann" },
    wantKeyframe: () => keyframesAsked++,
    recordingChanged: () => changes++,
    sendsAudio: () => true,
    recordingFailed: () => failures++,
  };
  return {
    tech,
    lens,
    asked: () => keyframesAsked,
    changes: () => changes,
    failures: () => failures,
  };
}

async function _until(what: string, ok: () => Promise<boolean> | boolean) {
  for (const end = Date.now() + 5_000; Date.now() < end;) {
    if (await ok()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never: ${what}`);
}

async function _probe(path: string) {
  const { json, stderr } = await ffprobe(path, {
    countFrames: true,
    entries: "stream=codec_name,width,height,nb_read_frames:format=format_name,duration",
  });
  assert.equal(stderr, "");
  return json;
}

Deno.test("lensRecorders: the policy decides; a part holds the phone's VP8 and Opus, its row names the Lens session", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  const source = lensRecorders(t.deps);
  const by = (permitted: boolean) => ({ id: "x", name: "Ann", permitted });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e) => e);
    assert.ok(error instanceof Refusal, String(error));
    return `${error.status} ${error.key}`;
  };
  try {
    // Off: nothing offered, Record refused with the reason.
    const off = await _lens(t, { recordingPolicy: "off", recordingLocation: folder });
    assert.equal(await source.offer(off.lens.groupId, true), null);
    const offRecorder = source.create(off.lens);
    assert.equal(
      await refusal(source.act(offRecorder, "start", by(true))),
      "403 recording.refusedLens.off",
    );

    // Optional: Record for a technician with recordSessions only.
    const { lens, tech, asked } = await _lens(t, {
      recordingPolicy: "optional",
      recordingLocation: folder,
    });
    assert.equal(await source.offer(lens.groupId, true), "button");
    assert.equal(await source.offer(lens.groupId, false), null);
    const recorder = source.create(lens);
    assert.equal(
      await refusal(source.act(recorder, "start", by(false))),
      "403 recording.refusedLens.permission",
    );
    // The phone sends (live), the technician records.
    recorder.viewChanged(true);
    await source.act(recorder, "start", { id: tech.id, name: "Ann", permitted: true });
    assert.equal(recorder.recording, true);
    assert.equal(recorder.startedByPolicy, false);
    assert.ok(asked() >= 1, "a keyframe is asked for at the start");

    // 2 s of the phone: 20 VP8 frames (a keyframe every 10) and 100 Opus packets of 20 ms,
    // on one clock as LensSession relays them. Sound before the first keyframe is left out.
    const vp8 = await vp8TestFrames(20);
    const opus = await opusTestPackets(2);
    recorder.audio(opus[0], 5_000 - 40);
    for (let ms = 0; ms < 2_000; ms += 20) {
      if (ms % 100 === 0) {
        const f = vp8[ms / 100];
        recorder.frame({
          codec: "vp8",
          width: 320,
          height: 240,
          keyframe: f.key,
          data: f.data,
          capturedAt: 5_000 + ms,
        });
      }
      recorder.audio(opus[ms / 20], 5_000 + ms);
    }
    // The phone's connection went: the part ends (a new one starts when it comes back).
    recorder.viewChanged(false);
    assert.equal(recorder.recording, false);
    await _until("the part's row is closed", async () => {
      const [row] = await t.deps.db.select().from(recordings).where(
        eq(recordings.lensId, lens.id),
      );
      return Boolean(row?.endedAt);
    });
    const [row] = await t.deps.db.select().from(recordings).where(eq(recordings.lensId, lens.id));
    assert.equal(row.sessionId, null);
    assert.equal(row.userId, tech.id, "who started it");
    assert.deepEqual([row.codec, row.width, row.height], ["vp8", 320, 240]);
    assert.ok(row.path.startsWith(`${folder}/${lens.id}-`), row.path);
    assert.equal(row.bytes, (await Deno.stat(row.path)).size);
    const probe = await _probe(row.path);
    assert.equal(probe.format.format_name, "matroska,webm");
    assert.deepEqual(
      probe.streams.map((s: { codec_name: string; nb_read_frames: string }) =>
        `${s.codec_name} ${s.nb_read_frames}`
      ),
      ["vp8 20", "opus 100"],
    );
    assert.ok(Math.abs(Number(probe.format.duration) - 1.98) < 0.03, probe.format.duration);
    const [record] = await t.deps.db.select().from(lensSessions)
      .where(eq(lensSessions.id, lens.id));
    assert.equal(record.recorded, true, "the record says a file was stored");
    // In the order written (without an order PostgreSQL may return a row its chain updated last).
    const actions = (await t.deps.db.select().from(auditLog).where(eq(auditLog.target, lens.id))
      .orderBy(asc(auditLog.id))).map((e) => e.action);
    assert.deepEqual(actions, ["lens.recording_started", "lens.recording_stopped"]);
    await recorder.close();

    // Always: recording from the start, no Stop; the phone sending is what starts the part.
    const always = await _lens(t, { recordingPolicy: "always", recordingLocation: folder });
    assert.equal(await source.offer(always.lens.groupId, true), "always");
    const kept = source.create(always.lens);
    await _until("the policy read", () => kept.startedByPolicy);
    assert.ok(always.changes() >= 1, "the pages are told the group records always");
    assert.equal(kept.recording, false, "nothing written before the phone sends");
    assert.equal(
      await refusal(source.act(kept, "stop", by(true))),
      "403 recording.refusedLens.always",
    );
    kept.viewChanged(true);
    assert.equal(kept.recording, true);
    await kept.close();
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("Lens parts: retention deletes old ones (audited), a part a killed server left open is finished", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const { lens } = await _lens(t, { recordingPolicy: "optional", recordingRetentionDays: 2 });
    const source = lensRecorders(t.deps);
    const recorder = source.create(lens);
    recorder.viewChanged(true);
    await source.act(recorder, "start", { id: lens.technician.id, name: "Ann", permitted: true });
    const vp8 = await vp8TestFrames(10);
    vp8.forEach((f, i) =>
      recorder.frame({
        codec: "vp8",
        width: 320,
        height: 240,
        keyframe: f.key,
        data: f.data,
        capturedAt: 100 * i,
      })
    );
    await recorder.close();
    const [done] = await t.deps.db.select().from(recordings).where(eq(recordings.lensId, lens.id));
    assert.ok(done.endedAt);

    // A part a killed server left open: the same file cut after its header and a frame.
    const cut = `${folder}/${lens.id}-cut.webm`;
    const bytes = await Deno.readFile(done.path);
    await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.byteLength * 0.6)));
    await t.deps.db.insert(recordings).values({
      lensId: lens.id,
      startedAt: t.clock.now(),
      codec: "vp8",
      width: 320,
      height: 240,
      path: cut,
    });
    assert.equal(await finishInterruptedParts(t.deps), 1, "its Lens session runs nowhere");
    const [finished] = await t.deps.db.select().from(recordings)
      .where(and(eq(recordings.lensId, lens.id), eq(recordings.path, cut)));
    assert.ok(finished.endedAt, "finished");
    assert.equal(finished.bytes, (await Deno.stat(cut)).size);

    // Two days on: retention deletes both, each audited as an admin's delete with its reason.
    assert.equal(await deleteExpiredRecordings(t.deps), 0, "not yet");
    t.clock.advance(3 * 86_400_000);
    assert.equal(await deleteExpiredRecordings(t.deps), 2);
    assert.deepEqual(
      await t.deps.db.select().from(recordings).where(eq(recordings.lensId, lens.id)),
      [],
    );
    await assert.rejects(Deno.stat(done.path), Deno.errors.NotFound);
    const deleted = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, lens.id),
      eq(auditLog.action, "lens.recording_deleted"),
    ));
    assert.equal(deleted.length, 2);
    assert.equal((deleted[0].details as { reason: string }).reason, "retention");
    assert.equal(deleted[0].actorId, null);
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("lensRecorders: a part that cannot be written stops the recording, said to the page and audited", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const { lens, failures } = await _lens(t, {
      recordingPolicy: "optional",
      recordingLocation: folder,
    });
    const source = lensRecorders(t.deps);
    const recorder = source.create(lens);
    recorder.viewChanged(true);
    await source.act(recorder, "start", { id: lens.technician.id, name: "Ann", permitted: true });
    // The folder goes (an unmounted share, say) before the first keyframe comes.
    await Deno.remove(folder, { recursive: true });
    const [key] = await vp8TestFrames(1);
    recorder.frame({
      codec: "vp8",
      width: 320,
      height: 240,
      keyframe: true,
      data: key.data,
      capturedAt: 0,
    });
    await _until("the failure is told", () => failures() === 1);
    assert.equal(recorder.recording, false, "stopped");
    assert.deepEqual(
      await t.deps.db.select().from(recordings).where(eq(recordings.lensId, lens.id)),
      [],
      "no row for a file that does not exist",
    );
    // The audit entry is written beside the page's notice, not before it: wait for it too.
    let failed: typeof auditLog.$inferSelect | undefined;
    await _until("the failure is audited", async () => {
      [failed] = await t.deps.db.select().from(auditLog).where(and(
        eq(auditLog.target, lens.id),
        eq(auditLog.action, "lens.recording_failed"),
      ));
      return failed !== undefined;
    });
    assert.ok(failed);
    assert.match((failed.details as { error: string }).error, /NotFound|No such file/);
    await recorder.close();
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
});
