// Monitoring (SPEC K4) through the real app and services: only admins, only over the
// signed-in technicians of groups they manage (master admin: everyone); the list says who is
// online, their open sessions and whom the admin monitors; with the group's authorisation
// setting the technician is asked and must allow; the notice shows while watched; ended or
// refused, the monitor's picture socket and Join are refused; the monitor's stream ends with
// a reason when the admin stops, the technician signs out, leaves the admin's groups, or the
// admin loses the group or its admin role.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ADMIN, auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { toCurrentUser, users } from "../auth/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { defaultGroupSettings, groupAdmins, technicianGroups } from "../org/mod.ts";
import {
  decideMonitoring,
  endMonitoring,
  monitoringOfTechnician,
  startMonitoring,
} from "./service.ts";

async function setup(t: TestApp, settings: Record<string, unknown> = {}) {
  const tech = await technician(t, { name: "Tess" });
  await t.deps.db.update(technicianGroups).set({
    settings: { ...defaultGroupSettings(), ...settings },
  }).where(
    eq(technicianGroups.id, tech.groupId!),
  );
  const other = await makeGroup(t);
  const outsider = await makePerson(t, { groupId: other.id, role: "admin" });
  await t.deps.db.insert(groupAdmins).values({ userId: outsider.id, groupId: other.id });
  const manager = await makePerson(t, { groupId: other.id, role: "admin" });
  await t.deps.db.insert(groupAdmins).values({ userId: manager.id, groupId: tech.groupId! });
  // Monitoring watches a running console: the technician is signed in.
  const techClient = t.client();
  await techClient.signIn(tech.email, TECH_PASSWORD);
  return { tech, outsider, manager, techClient, other };
}

/** The next `monitoring` event of a monitor page's stream, and whether the stream then ends. */
async function monitoringEvent(reader: ReadableStreamDefaultReader<string>) {
  let text = "";
  const deadline = Date.now() + 10_000;
  while (!/event: monitoring\ndata: .*\n/.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const data = text.match(/event: monitoring\ndata: (.*)\n/)?.[1];
  assert.ok(data, `a monitoring event (got ${text.slice(-300)})`);
  let ended = false;
  for (let i = 0; i < 50 && !ended; i++) ended = (await reader.read()).done;
  return { ...JSON.parse(data) as { status: string; reason: string; message: string }, ended };
}

/** `admin` monitors `tech` (started, allowed if asked) and has its page's stream open. */
async function watching(t: TestApp, admin: ReturnType<TestApp["client"]>, tech: CurrentUser) {
  t.clock.advance(1_000); // each monitoring its own moment: the page shows the latest
  await admin.get("/monitoring");
  assert.equal((await admin.post(`/monitoring/${tech.id}/start`)).status, 303);
  const res = await admin.get(`/monitoring/${tech.id}/events`);
  assert.equal(res.status, 200);
  // The stream has subscribed to everything it follows by the time its response is here.
  return res.body!.pipeThrough(new TextDecoderStream()).getReader();
}

Deno.test("monitoring: technicians are refused, admins see only their groups' technicians", async () => {
  const t = await startTestApp();
  try {
    const { tech, outsider, manager, techClient } = await setup(t);
    assert.equal((await techClient.get("/monitoring")).status, 403);
    assert.equal((await techClient.post(`/monitoring/${manager.id}/start`)).status, 403);

    const out = t.client();
    await out.signIn(outsider.email, TECH_PASSWORD);
    assert.doesNotMatch(await (await out.get("/monitoring")).text(), new RegExp(tech.id));
    await out.get("/monitoring");
    assert.equal((await out.post(`/monitoring/${tech.id}/start`)).status, 404, "not in scope");
    assert.equal((await out.post("/monitoring/not-a-uuid/start")).status, 404);

    const mine = t.client();
    await mine.signIn(manager.email, TECH_PASSWORD);
    const list = await (await mine.get("/monitoring")).text();
    assert.match(list, new RegExp(`data-monitor="${tech.id}"`));
    // Who is online, their open sessions; an offline technician has no console to monitor.
    const offline = await technician(t, { groupId: tech.groupId!, name: "Olaf" });
    await workingSession(t, tech);
    const team = await (await mine.get("/monitoring")).text();
    const row = (id: string) =>
      team.match(new RegExp(`<tr data-technician="${id}"[\\s\\S]*?</tr>`))?.[0] ?? "";
    assert.match(row(tech.id), /class="presence online"/);
    assert.match(row(tech.id), /<td class="num">1<\/td>/, "one open session");
    assert.match(row(offline.id), /class="presence offline"/);
    assert.match(row(offline.id), /<button[^>]*disabled/);
    assert.equal((await mine.post(`/monitoring/${offline.id}/start`)).status, 409);
    assert.match(await (await mine.get("/monitoring/mine")).text(), /data-monitoring-none/);

    const started = await mine.post(`/monitoring/${tech.id}/start`);
    assert.equal(started.status, 303);
    assert.equal(started.headers.get("location"), `/monitoring/${tech.id}`);
    const page = await (await mine.get(`/monitoring/${tech.id}`)).text();
    assert.match(page, /id="monitor-queue"/);
    assert.match(page, /data-status="active"/);
    // The console's Monitored tab: those this admin monitors now, and only them.
    const panel = await (await mine.get("/monitoring/mine")).text();
    assert.match(panel, new RegExp(`data-watching="${tech.id}"`));
    assert.doesNotMatch(panel, new RegExp(offline.id));

    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    const all = await (await master.get("/monitoring")).text();
    assert.match(all, new RegExp(`data-monitor="${tech.id}"`), "master: everyone");
  } finally {
    await t.close();
  }
});

Deno.test("monitoring: with authorisation the technician is asked; the notice shows while watched", async () => {
  const t = await startTestApp();
  try {
    const { tech, manager } = await setup(t, {
      monitoringAuthorisation: true,
      monitoringNotice: true,
      monitoringNoticeText: "Your team lead may watch for coaching.",
    });
    const admin = toCurrentUser(manager);
    const asked = await startMonitoring(t.deps, admin, tech.id);
    assert.equal(asked.status, "asked");
    let view = await monitoringOfTechnician(t.deps, tech, "default");
    assert.equal(view.notice, null, "nobody watches yet");
    assert.deepEqual(view.asks.map((a) => a.id), [asked.id]);

    const someoneElse = await technician(t);
    await assert.rejects(() => decideMonitoring(t.deps, someoneElse, asked.id, true), /notAsked/);
    await decideMonitoring(t.deps, tech, asked.id, true);
    await assert.rejects(() => decideMonitoring(t.deps, tech, asked.id, false), /notAsked/);
    view = await monitoringOfTechnician(t.deps, tech, "default");
    assert.equal(view.notice, "Your team lead may watch for coaching.");
    assert.deepEqual(view.asks, []);

    // The monitor page gone for over a minute: the notice goes too.
    t.clock.advance(61_000);
    assert.equal((await monitoringOfTechnician(t.deps, tech, "default")).notice, null);

    await endMonitoring(t.deps, admin, tech.id);
    const again = await startMonitoring(t.deps, admin, tech.id);
    await decideMonitoring(t.deps, tech, again.id, false);
    assert.equal((await monitoringOfTechnician(t.deps, tech, "default")).notice, null);
    const actions = await auditActions(t.deps);
    for (const action of ["monitoring.asked", "monitoring.allowed", "monitoring.refused"]) {
      assert.ok(actions.includes(action), action);
    }
  } finally {
    await t.close();
  }
});

Deno.test("monitoring: the technician's console stream says to look, GET /monitoring/me answers", async () => {
  // No stream of its own for the notice: over plain http the browser has six connections.
  const t = await startTestApp();
  try {
    const { tech, manager, techClient } = await setup(t, {
      monitoringAuthorisation: true,
      monitoringNotice: true,
    });
    const res = await techClient.get("/console/events");
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: queue")) text += (await reader.read()).value ?? "";
    assert.deepEqual(await (await techClient.get("/monitoring/me")).json(), {
      notice: null,
      asks: [],
    });
    const asked = await startMonitoring(t.deps, toCurrentUser(manager), tech.id);
    const deadline = Date.now() + 10_000;
    while (!text.includes("event: monitoring\ndata: look\n") && Date.now() < deadline) {
      text += (await reader.read()).value ?? "";
    }
    assert.match(text, /event: monitoring\ndata: look\n/, "the console's stream says to look");
    await reader.cancel();
    const view = await (await techClient.get("/monitoring/me")).json();
    assert.deepEqual(view.asks, [{ id: asked.id, adminName: manager.name }]);
  } finally {
    await t.close();
  }
});

Deno.test("monitoring: Join and the picture socket need an active monitoring", async () => {
  const t = await startTestApp();
  try {
    const { tech, manager, techClient } = await setup(t, { monitoringAuthorisation: true });
    const session = await workingSession(t, tech);
    const mine = t.client();
    await mine.signIn(manager.email, TECH_PASSWORD);
    // Asked and declined: the waiting page hears it and says so.
    const asked = await watching(t, mine, tech);
    const waiting = await (await mine.get(`/monitoring/${tech.id}`)).text();
    assert.match(waiting, /data-waiting/);
    assert.match(waiting, /Waiting for Tess to allow monitoring/);
    await techClient.get("/console");
    const [first] = (await monitoringOfTechnician(t.deps, tech, "")).asks;
    assert.equal((await techClient.post(`/monitoring/me/asks/${first.id}/refuse`)).status, 204);
    const declined = await monitoringEvent(asked);
    assert.deepEqual([declined.status, declined.reason], ["refused", "refused"]);
    assert.equal(declined.message, "Tess declined to be monitored.");
    assert.ok(declined.ended, "the stream ends");
    assert.match(await (await mine.get(`/monitoring/${tech.id}`)).text(), /declined to be/);
    assert.equal((await mine.get(`/monitoring/${tech.id}/events`)).status, 409);

    t.clock.advance(1_000);
    await mine.post(`/monitoring/${tech.id}/start`);
    const join = `/monitoring/${tech.id}/sessions/${session.id}/join`;
    assert.equal((await mine.post(join)).status, 409, "asked, not allowed yet");
    const ws = await mine.get(`/monitoring/${tech.id}/sessions/${session.id}/remote/ws`, {
      origin: "http://localhost",
      upgrade: "websocket",
    });
    assert.equal(ws.status, 409);

    const [row] = (await monitoringOfTechnician(t.deps, tech, "")).asks;
    await decideMonitoring(t.deps, tech, row.id, true);
    const page = await (await mine.get(`/monitoring/${tech.id}`)).text();
    assert.match(page, new RegExp(`data-monitor-session="${session.id}"`));
    assert.match(page, /data-monitor="1"/, "the picture mounts as a monitor");
    assert.equal((await mine.post(join)).status, 303);
    const twice = await mine.post(join);
    assert.ok(
      twice.status >= 400 && twice.status < 500,
      `joining twice is refused (${twice.status})`,
    );
  } finally {
    await t.close();
  }
});

Deno.test("monitoring: the monitor's stream ends with its reason — stopped, signed out, moved, no longer the group's admin, no longer an admin", async () => {
  const t = await startTestApp();
  try {
    const { tech, manager, techClient, other } = await setup(t);
    const mine = t.client();
    await mine.signIn(manager.email, TECH_PASSWORD);
    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    /** The stream says `status` and ends; opening it again is refused with `again`. */
    const ends = async (
      reader: ReadableStreamDefaultReader<string>,
      status: string,
      again = 409,
    ) => {
      const event = await monitoringEvent(reader);
      assert.equal(event.status, status);
      assert.ok(event.ended, `${status}: the stream ends`);
      assert.equal((await mine.get(`/monitoring/${tech.id}/events`)).status, again, status);
      return event;
    };

    // The admin stops.
    let stream = await watching(t, mine, tech);
    await mine.post(`/monitoring/${tech.id}/stop`);
    assert.equal((await ends(stream, "ended")).message, "You stopped monitoring Tess.");

    // The technician signs out: the manual's Active → Closed.
    stream = await watching(t, mine, tech);
    await techClient.post("/signout");
    assert.equal((await ends(stream, "closed")).message, "Tess signed out: monitoring closed.");
    assert.match(await (await mine.get(`/monitoring/${tech.id}`)).text(), /signed out/);
    assert.equal((await mine.post(`/monitoring/${tech.id}/start`)).status, 409, "offline");
    await techClient.signIn(tech.email, TECH_PASSWORD);

    // The technician moves to a group the admin does not manage.
    stream = await watching(t, mine, tech);
    await master.get("/admin/technicians");
    await master.post(`/admin/technicians/${tech.id}/group`, { groupId: other.id });
    let event = await ends(stream, "revoked", 404);
    assert.equal(event.message, "Tess is no longer in a group you manage: monitoring ended.");
    assert.equal((await mine.get(`/monitoring/${tech.id}`)).status, 404);
    await master.post(`/admin/technicians/${tech.id}/group`, { groupId: tech.groupId! });

    // The admin is no longer one of the technician's group's admins.
    stream = await watching(t, mine, tech);
    await master.get(`/admin/groups/${tech.groupId}`);
    await master.post(`/admin/groups/${tech.groupId}/admins`, {});
    event = await ends(stream, "revoked", 404);
    assert.equal(event.reason, "outOfScope");
    await t.deps.db.insert(groupAdmins).values({ userId: manager.id, groupId: tech.groupId! });

    // The admin loses its admin role.
    stream = await watching(t, mine, tech);
    await t.deps.db.update(users).set({ role: "technician" }).where(eq(users.id, manager.id));
    t.deps.live.publish({ kind: "access", orgId: manager.orgId, userId: manager.id });
    event = await ends(stream, "revoked", 403);
    assert.equal(event.message, "You are no longer an administrator: monitoring ended.");

    const actions = await auditActions(t.deps);
    for (const action of ["monitoring.ended", "monitoring.closed", "monitoring.revoked"]) {
      assert.ok(actions.includes(action), action);
    }
  } finally {
    await t.close();
  }
});
