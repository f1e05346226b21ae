// Monitoring (SPEC K4) through the real app and services: only admins, only over the
// technicians of groups they manage (master admin: everyone); with the group's authorisation
// setting the technician is asked and must allow; the notice shows while watched; ended or
// refused, the monitor's picture socket and Join are refused.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ADMIN, auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { toCurrentUser, users } from "../auth/mod.ts";
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
  return { tech, outsider, manager };
}

Deno.test("monitoring: technicians are refused, admins see only their groups' technicians", async () => {
  const t = await startTestApp();
  try {
    const { tech, outsider, manager } = await setup(t);
    const techClient = t.client();
    const [techRow] = await t.deps.db.select().from(users).where(eq(users.id, tech.id));
    await techClient.signIn(techRow.email, TECH_PASSWORD);
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
    const started = await mine.post(`/monitoring/${tech.id}/start`);
    assert.equal(started.status, 303);
    assert.equal(started.headers.get("location"), `/monitoring/${tech.id}`);
    const page = await (await mine.get(`/monitoring/${tech.id}`)).text();
    assert.match(page, /id="monitor-queue"/);
    assert.match(page, /data-status="active"/);

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

Deno.test("monitoring: Join and the picture socket need an active monitoring", async () => {
  const t = await startTestApp();
  try {
    const { tech, manager } = await setup(t, { monitoringAuthorisation: true });
    const session = await workingSession(t, tech);
    const mine = t.client();
    await mine.signIn(manager.email, TECH_PASSWORD);
    await mine.get("/monitoring");
    await mine.post(`/monitoring/${tech.id}/start`);
    const waiting = await (await mine.get(`/monitoring/${tech.id}`)).text();
    assert.match(waiting, /data-waiting/);
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
