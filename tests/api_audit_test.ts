// The audit log through /api/v1 (SPEC A10): the master admin pages and filters the
// organisation's log, exports it as JSON lines (audited, `afterSeq` for a SIEM's next pull)
// and reads the chain's integrity; a limited admin sees only its scope and neither exports
// nor checks; a technician is refused; another organisation's entries never show.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog, recordAudit } from "../modules/audit/mod.ts";
import { organisations, users } from "../modules/auth/mod.ts";
import { groupAdmins } from "../modules/org/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

async function tokenFor(t: TestApp, email: string, password: string) {
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token as string;
}

const get = (t: TestApp, token: string, path: string) =>
  t.app.request(`http://localhost/api/v1${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });

Deno.test("API audit: list with paging and filters, JSON lines export, chain integrity — and who is refused", async () => {
  const t = await startTestApp();
  try {
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    const group = await makeGroup(t, { name: "Helpdesk" });
    const adminRow = await makePerson(t, { groupId: group.id, role: "admin" });
    await t.deps.db.insert(groupAdmins).values({ groupId: group.id, userId: adminRow.id });
    const techRow = await makePerson(t, { groupId: group.id });
    for (let i = 0; i < 7; i++) {
      await recordAudit(t.deps.db, {
        orgId: master.orgId,
        actorEmail: "someone@example.test",
        action: "auth.signin_failed",
        ip: "10.0.0.1",
        at: new Date(Date.UTC(2026, 0, 1 + i, 12)),
      });
    }
    // Another organisation's entry: no token of this one ever sees it.
    const [other] = await t.deps.db.insert(organisations).values({
      name: "Other",
      createdAt: t.clock.now(),
    }).returning();
    await recordAudit(t.deps.db, {
      orgId: other.id,
      actorEmail: "elsewhere@example.test",
      action: "auth.signin_failed",
      at: new Date(Date.UTC(2026, 0, 3, 12)),
    });
    const masterToken = await tokenFor(t, ADMIN.email, ADMIN.password);

    // Paging and filters.
    const failed = "/audit?action=auth.signin_failed&pageSize=3";
    const page1 = await (await get(t, masterToken, failed)).json();
    assert.deepEqual([page1.total, page1.page, page1.pageSize], [7, 1, 3]);
    assert.equal(page1.entries.length, 3);
    assert.equal(page1.entries[0].at, "2026-01-07T12:00:00.000Z", "newest first");
    assert.match(page1.entries[0].hash, /^[0-9a-f]{64}$/);
    const page3 = await (await get(t, masterToken, `${failed}&page=3`)).json();
    assert.equal(page3.entries.length, 1);
    const far = await (await get(t, masterToken, `${failed}&page=99`)).json();
    assert.equal(far.page, 3, "a page past the end is the last one");
    const ranged = await (await get(
      t,
      masterToken,
      "/audit?actor=someone@example.test&from=2026-01-02T00:00:00Z&to=2026-01-04T00:00:00Z",
    )).json();
    assert.deepEqual(ranged.entries.map((e: { at: string }) => e.at.slice(0, 10)), [
      "2026-01-03",
      "2026-01-02",
    ]);
    const everything = await (await get(t, masterToken, "/audit?pageSize=200")).json();
    assert.ok(
      everything.entries.every((e: { actorEmail: string | null }) =>
        e.actorEmail !== "elsewhere@example.test"
      ),
    );
    for (const bad of ["/audit?action=made.up", "/audit?from=yesterday", "/audit?pageSize=0"]) {
      const res = await get(t, masterToken, bad);
      assert.equal(res.status, 422, bad);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }

    // The export: JSON lines, oldest first, only this organisation; audited; afterSeq.
    const exported = await get(t, masterToken, "/audit/export?action=auth.signin_failed");
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get("content-type")!, /application\/x-ndjson/);
    const lines = (await exported.text()).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 7);
    assert.equal(lines[0].at, "2026-01-01T12:00:00.000Z");
    assert.ok(lines.every((l) => l.orgId === master.orgId && l.prevHash && l.hash));
    const [audited] = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "audit.exported"));
    assert.equal(audited.details.via, "api");
    const after = lines[4].seq;
    const next = (await (await get(t, masterToken, `/audit/export?afterSeq=${after}`)).text())
      .trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(next.length >= 2 && next.every((l) => l.seq > after));
    assert.deepEqual(next.slice(0, 2).map((l) => l.id), lines.slice(5).map((l) => l.id));

    // The chain: intact, then broken by an edit in the database.
    const intact = await (await get(t, masterToken, "/audit/integrity")).json();
    assert.equal(intact.intact, true);
    assert.equal(intact.break, null);
    await t.deps.db.update(auditLog).set({ ip: "10.9.9.9" }).where(eq(auditLog.id, lines[2].id));
    const broken = await (await get(t, masterToken, "/audit/integrity")).json();
    assert.equal(broken.intact, false);
    assert.deepEqual([broken.break.id, broken.break.reason], [lines[2].id, "altered"]);

    // A limited admin: its scope only (its own token's issue, its group's people), no export.
    const adminToken = await tokenFor(t, adminRow.email, TECH_PASSWORD);
    const scoped = await (await get(t, adminToken, "/audit?pageSize=200")).json();
    assert.ok(scoped.total >= 1);
    type Row = { actorEmail: string | null; action: string; target: string | null };
    const rows: Row[] = scoped.entries;
    assert.ok(!rows.some((e) => e.actorEmail === "someone@example.test"), "not its scope");
    assert.ok(!rows.some((e) => e.actorEmail === ADMIN.email && e.target !== group.id));
    assert.ok(rows.some((e) => e.actorEmail === ADMIN.email && e.target === group.id));
    assert.ok(scoped.entries.some((e: { action: string }) => e.action === "auth.token_issued_api"));
    for (const path of ["/audit/export", "/audit/integrity"]) {
      const res = await get(t, adminToken, path);
      assert.equal(res.status, 403, path);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }

    // A technician: none of it; no token: 401.
    const techToken = await tokenFor(t, techRow.email, TECH_PASSWORD);
    for (const path of ["/audit", "/audit/export", "/audit/integrity"]) {
      assert.equal((await get(t, techToken, path)).status, 403, path);
    }
    const anonymous = await t.app.request("http://localhost/api/v1/audit");
    assert.equal(anonymous.status, 401);

    // In the OpenAPI document.
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    for (const path of ["/audit", "/audit/export", "/audit/integrity"]) {
      assert.ok(doc.paths[path]?.get?.operationId, path);
    }
  } finally {
    await t.close();
  }
});
