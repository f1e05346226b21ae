// A server that stops while recording: a clean stop (SIGTERM: an upgrade, a restart) finishes
// the parts being written — each file gets its length, each row its end and size — as a Stop
// would. Before, the record page listed the part as "unfinished", 0.0 MB, and its file had no
// duration to seek by.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { defaultGroupSettings, technicianGroups } from "../modules/org/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { finishInterruptedParts, finishRecordings, recordings } from "../modules/recording/mod.ts";
import { remoteFor } from "../modules/remote/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";
import { vp8TestFrames } from "../modules/recording/test_support.ts";

/** What ffprobe says of a file: its duration (seconds, "N/A" when unknown) and frames read. */
export async function probe(path: string): Promise<{ duration: string; frames: number }> {
  const args = ["-v", "error", "-count_frames", "-show_entries"];
  args.push("stream=nb_read_frames:format=duration", "-of", "json", path);
  const out = await new Deno.Command("ffprobe", { args, stdout: "piped" }).output();
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  return {
    duration: json.format?.duration ?? "N/A",
    frames: Number(json.streams?.[0]?.nb_read_frames),
  };
}

async function _until(what: string, check: () => Promise<boolean> | boolean) {
  for (const end = Date.now() + 5_000; Date.now() < end;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never: ${what}`);
}

/** A session of a group that records always into `folder`, its agent sharing 30 frames. */
async function _recorded(t: TestApp, folder: string) {
  const group = await makeGroup(t, { permissions: defaultPermissions() });
  await t.deps.db.update(technicianGroups)
    .set({
      settings: {
        ...defaultGroupSettings(),
        recordingPolicy: "always",
        recordingLocation: folder,
      },
    })
    .where(eq(technicianGroups.id, group.id));
  const tech = await technician(t, { groupId: group.id, permissions: defaultPermissions() });
  const session = await workingSession(t, tech);
  const client = t.client();
  await client.signIn(tech.email, TECH_PASSWORD);
  const remote = remoteFor(t.deps, session);
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 320, height: 240 });
  remote.agentConsent("view", true);
  await _until("recording once view is granted", () => remote.customerView().recording);
  for (const [i, f] of (await vp8TestFrames(30)).entries()) {
    remote.media({
      codec: "vp8",
      keyframe: f.key,
      width: 320,
      height: 240,
      capturedAt: 1_000 + i * 100,
      data: f.data,
    });
  }
  const rows = () =>
    t.deps.db.select().from(recordings).where(eq(recordings.sessionId, session.id));
  await _until("the part's row", async () => (await rows()).length === 1);
  return { session, client, remote, rows };
}

Deno.test("finishRecordings() — a server stopping finishes the part it writes, length and size", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const { session, client, remote, rows } = await _recorded(t, folder);
    assert.equal((await rows())[0].endedAt, null, "being written");

    await finishRecordings(t.deps);
    const [row] = await rows();
    assert.ok(row.endedAt, "the row has its end");
    assert.equal(row.bytes, (await Deno.stat(row.path)).size, "and its size");
    const probed = await probe(row.path);
    assert.equal(probed.frames, 30);
    assert.equal(Number(probed.duration), 2.9, "the file has its length");
    assert.equal(remote.customerView().recording, false, "and it is no longer said");
    const page = await (await client.get(`/console/history/session/${session.id}`)).text();
    assert.doesNotMatch(page, /unfinished/i);
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("finishInterruptedParts() — parts a killed server left open get their length; what is written here is left alone", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const live = await _recorded(t, folder);
    const [liveRow] = await live.rows();
    await _until("its frames on disk", async () => (await Deno.stat(liveRow.path)).size > 20_000);
    // What a killed server leaves: a copy of that file as it is now, its row without an end.
    const crashedPath = `${folder}/crashed.webm`;
    await Deno.copyFile(liveRow.path, crashedPath);
    const other = await workingSession(t, await technician(t, {}));
    const startedAt = new Date("2026-11-24T09:00:00Z");
    await t.deps.db.insert(recordings).values({
      sessionId: other.id,
      startedAt,
      codec: "vp8",
      width: 320,
      height: 240,
      path: crashedPath,
    });
    assert.equal((await probe(crashedPath)).duration, "N/A", "no length before");

    assert.equal(await finishInterruptedParts(t.deps), 1);
    const [crashed] = await t.deps.db.select().from(recordings)
      .where(eq(recordings.sessionId, other.id));
    assert.equal(crashed.endedAt?.getTime(), startedAt.getTime() + 2_900, "its last frame's time");
    assert.equal(crashed.durationMs, 2_900, "and how long the finished file plays");
    assert.equal(crashed.bytes, (await Deno.stat(crashedPath)).size);
    assert.deepEqual(await probe(crashedPath), { duration: "2.900000", frames: 30 });

    const [stillLive] = await live.rows();
    assert.equal(stillLive.endedAt, null, "the part this server writes is not touched");
    assert.equal((await probe(stillLive.path)).duration, "N/A");
    assert.equal(await finishInterruptedParts(t.deps), 0, "nothing twice");
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});
