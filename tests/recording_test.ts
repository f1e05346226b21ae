// Screen recording across modules (SPEC R5), with the app's real routes and database and a
// stand-in agent link that hands frames to the session's remote state: the group's policy
// decides who may start and stop (403 with the reason otherwise), `always` records from the
// customer's grant of view and stops at its revoke, the customer's view and the log say so,
// and the session's record page lists the part for whoever may read the session — its
// download audited, refused (not found) to a technician who may not.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import type { GroupSettings } from "../modules/org/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../modules/org/mod.ts";
import { defaultPermissions, type Permission } from "../modules/permissions/mod.ts";
import { recordings } from "../modules/recording/mod.ts";
import { remoteFor } from "../modules/remote/mod.ts";
import { sessionLog } from "../modules/support/mod.ts";
import type { ServerMessage } from "../protocol/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

async function _group(t: TestApp, settings: Partial<GroupSettings>, extra: Permission[] = []) {
  const group = await makeGroup(t, { permissions: [...defaultPermissions(), ...extra] });
  await t.deps.db.update(technicianGroups)
    .set({ settings: { ...defaultGroupSettings(), ...settings } })
    .where(eq(technicianGroups.id, group.id));
  return group;
}

/** A technician of a new group with `settings`, signed in, working a session of that group. */
async function _working(t: TestApp, settings: Partial<GroupSettings>, extra: Permission[] = []) {
  const group = await _group(t, settings, extra);
  const tech = await technician(t, {
    groupId: group.id,
    permissions: [...defaultPermissions(), ...extra],
  });
  const session = await workingSession(t, tech);
  const client = t.client();
  await client.signIn(tech.email, TECH_PASSWORD);
  await client.get("/console");
  return { tech, session, client };
}

/** A one-frame VP8 keyframe (from ffmpeg's test pattern, read out of its IVF file). */
async function _vp8Keyframe(): Promise<Uint8Array> {
  const path = await Deno.makeTempFile({ suffix: ".ivf" });
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10"];
  args.push("-frames:v", "1", "-c:v", "libvpx", path);
  assert.equal((await new Deno.Command("ffmpeg", { args }).output()).code, 0);
  const ivf = await Deno.readFile(path);
  await Deno.remove(path);
  const at = new DataView(ivf.buffer).getUint16(6, true);
  return ivf.slice(at + 12, at + 12 + new DataView(ivf.buffer).getUint32(at, true));
}

async function _until(what: string, check: () => Promise<boolean> | boolean) {
  for (const end = Date.now() + 5_000; Date.now() < end;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never: ${what}`);
}

Deno.test("recording: the policy decides who starts and stops it, with the reason", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const off = await _working(t, { recordingPolicy: "off" }, ["recordSessions"]);
    const refusedOff = await off.client.post(`/console/sessions/${off.session.id}/recording/start`);
    assert.equal(refusedOff.status, 403);
    assert.match(await refusedOff.text(), /Screen recording is off for this session&#39;s group/);

    const mine = await _working(t, { recordingPolicy: "optional", recordingLocation: folder });
    const refused = await mine.client.post(`/console/sessions/${mine.session.id}/recording/start`);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /You do not have the permission to record sessions/);

    const allowed = await _working(
      t,
      { recordingPolicy: "optional", recordingLocation: folder },
      ["recordSessions"],
    );
    const base = `/console/sessions/${allowed.session.id}/recording`;
    const started = await allowed.client.post(`${base}/start`);
    assert.equal(started.status, 200);
    // Wanted, but nothing is recorded (or said to the customer) before view is granted.
    assert.deepEqual(await started.json(), { wanted: true, recording: false });
    assert.equal(remoteFor(t.deps, allowed.session).customerView().recording, false);
    const stopped = await allowed.client.post(`${base}/stop`);
    assert.deepEqual(await stopped.json(), { wanted: false, recording: false });

    const always = await _working(t, { recordingPolicy: "always", recordingLocation: folder }, [
      "recordSessions",
    ]);
    const refusedAlways = await always.client.post(
      `/console/sessions/${always.session.id}/recording/stop`,
    );
    assert.equal(refusedAlways.status, 403);
    assert.match(await refusedAlways.text(), /records every remote view/);

    // Someone else's session: not theirs to record (the session's own access check).
    const foreign = await allowed.client.post(
      `/console/sessions/${always.session.id}/recording/start`,
    );
    assert.notEqual(foreign.status, 200);
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("recording: a group that records always — from the customer's grant to the download", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const { session, client } = await _working(t, {
      recordingPolicy: "always",
      recordingLocation: `${folder}/made-on-demand`,
    });
    const remote = remoteFor(t.deps, session);
    const toAgent: string[] = [];
    remote.agentAttached({ send: (m) => void toAgent.push(m.type), close: () => {} }, {
      width: 320,
      height: 240,
    });
    // Nothing is recorded, nor said, until the customer allows view.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(remote.customerView().recording, false);
    remote.agentConsent("view", true);
    await _until("recording once view is granted", () => remote.customerView().recording);
    assert.ok(toAgent.includes("keyframe"), "a keyframe is asked for");
    const data = await _vp8Keyframe();
    for (let i = 0; i < 5; i++) {
      remote.media({
        codec: "vp8",
        keyframe: true,
        width: 320,
        height: 240,
        capturedAt: i * 100,
        data,
      });
    }
    // A secure screen for 300 ms (the agent could not capture): the part's row says where.
    remote.agentCapture("secure_desktop");
    await new Promise((resolve) => setTimeout(resolve, 300));
    remote.agentCapture(null);
    remote.agentConsent("view", false);
    assert.equal(remote.customerView().recording, false, "said at once when view ends");
    let rows: typeof recordings.$inferSelect[] = [];
    await _until("the part is complete", async () => {
      rows = await t.deps.db.select().from(recordings).where(eq(recordings.sessionId, session.id));
      return rows.length === 1 && rows[0].endedAt !== null;
    });
    assert.equal((await Deno.stat(rows[0].path)).size, rows[0].bytes);
    assert.equal(rows[0].startedAt.getTime(), t.clock.now().getTime(), "the app's clock");
    const [gap, ...more] = rows[0].notLive ?? [];
    assert.deepEqual([gap?.reason, more], ["secure_desktop", []], JSON.stringify(rows[0].notLive));
    // After the last frame (at 400 ms), 300 ms long (real time: a little more on a busy machine).
    assert.ok(gap.startMs >= 400 && gap.endMs - gap.startMs >= 290, JSON.stringify(gap));
    assert.ok(gap.endMs - gap.startMs < 5_000, JSON.stringify(gap));
    // The log line is written beside the part's closing, not after it: wait for it as well.
    let lines: { key: string }[] = [];
    await _until("the stop in the session's log", async () => {
      lines = await t.deps.db.select({ key: sessionLog.body }).from(sessionLog)
        .where(eq(sessionLog.sessionId, session.id));
      return lines.some((l) => l.key === "log.recording.stopped");
    });
    assert.ok(lines.some((l) => l.key === "log.recording.started"));

    const page = await (await client.get(`/console/history/session/${session.id}`)).text();
    assert.match(page, /Screen recordings/);
    assert.match(page, /320×240 VP8/);
    assert.match(
      page,
      /<tr class="recording-gaps"[^]*>0:00–0:01<\/button> Not live: the customer&#39;s computer showed a secure screen/,
    );
    const href = /href="([^"]+\/recordings\/[^"]+)"/.exec(page)?.[1];
    assert.ok(href, "a Download link");
    const download = await client.get(href);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "video/webm");
    assert.equal((await download.arrayBuffer()).byteLength, rows[0].bytes);
    const audited = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.target, session.id),
      eq(auditLog.action, "session.recording_downloaded"),
    ));
    assert.equal(audited.length, 1);

    // A technician of another group, without rights on this session: not found.
    const other = await _working(t, { recordingPolicy: "off" });
    assert.equal((await other.client.get(href)).status, 404);
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("recording: the group's policy is read again each time the customer allows view", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const { session } = await _working(t, { recordingPolicy: "optional" });
    const remote = remoteFor(t.deps, session);
    remote.agentAttached({ send: () => {}, close: () => {} }, { width: 320, height: 240 });
    remote.agentConsent("view", true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(remote.customerView().recording, false, "optional: nobody pressed Record");

    // The group now records always (an admin's change, or a transfer into such a group).
    const setPolicy = (policy: "always" | "off") =>
      t.deps.db.update(technicianGroups)
        .set({
          settings: {
            ...defaultGroupSettings(),
            recordingPolicy: policy,
            recordingLocation: folder,
          },
        })
        .where(eq(technicianGroups.id, session.groupId!));
    await setPolicy("always");
    remote.customerRevoke("view");
    remote.agentConsent("view", true);
    await _until("recording from the next grant", () => remote.customerView().recording);

    await setPolicy("off");
    remote.customerRevoke("view");
    remote.agentConsent("view", true);
    await _until("no longer once the group does not record", async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return !remote.customerView().recording;
    });
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("recording: the customer's question and the technician's view say beforehand what the group records", async () => {
  const t = await startTestApp();
  try {
    const { session, client } = await _working(t, { recordingPolicy: "always" });
    const remote = remoteFor(t.deps, session);
    const toAgent: ServerMessage[] = [];
    remote.agentAttached(
      { send: (m) => void toAgent.push(m), close: () => {}, recordingAsked: true },
      { width: 320, height: 240 },
    );
    const viewer = { userId: "u", name: "Ann", watching: false, peer: null, send() {} };
    remote.join(viewer);
    const ask = async () => {
      toAgent.length = 0;
      assert.equal(remote.setWatching(viewer, true), null);
      await _until(
        "the question reaches the agent",
        () => toAgent.some((m) => m.type === "request"),
      );
      const request = toAgent.find((m) => m.type === "request");
      remote.setWatching(viewer, false);
      return request;
    };
    assert.deepEqual(await ask(), { type: "request", capability: "view", recording: "always" });
    // The technician's remote view says it before anything is asked.
    const view = await (await client.get(`/console/sessions/${session.id}/remote`)).text();
    assert.match(view, /This group records every remote view: recording starts once the customer/);

    // The group's policy as it is when asked (an admin's change).
    const setPolicy = (recordingPolicy: "optional" | "off") =>
      t.deps.db.update(technicianGroups)
        .set({ settings: { ...defaultGroupSettings(), recordingPolicy } })
        .where(eq(technicianGroups.id, session.groupId!));
    await setPolicy("optional");
    assert.deepEqual(await ask(), { type: "request", capability: "view", recording: "optional" });
    assert.doesNotMatch(
      await (await client.get(`/console/sessions/${session.id}/remote`)).text(),
      /records every remote view/,
    );
    await setPolicy("off");
    assert.deepEqual(await ask(), { type: "request", capability: "view" });
  } finally {
    await t.close();
  }
});
