// The audit log page: admins page and filter; a technician is refused.
import assert from "node:assert/strict";
import { users } from "../modules/auth/mod.ts";
import { recordAudit } from "../modules/audit/mod.ts";
import { insertGroup, signInTechnician } from "../modules/channels/test_fixtures.ts";
import { ADMIN, startTestApp } from "./support/app.ts";

Deno.test("admins page through the audit log with filters; technicians get 403", async () => {
  const t = await startTestApp();
  try {
    const [admin] = await t.deps.db.select().from(users);
    for (let i = 0; i < 120; i++) {
      await recordAudit(t.deps.db, {
        orgId: admin.orgId,
        actorEmail: "someone@example.test",
        action: "auth.signin_failed",
        ip: "10.0.0.1",
        at: new Date(Date.UTC(2026, 0, 1 + (i % 30))),
      });
    }
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const page1 = await (await browser.get("/admin/audit?action=auth.signin_failed")).text();
    assert.match(page1, /Page 1 of 3 \(120 entries\)/);
    const page3 = await (await browser.get("/admin/audit?action=auth.signin_failed&page=3"))
      .text();
    assert.equal(page3.match(/<tr>/g)!.length - 1, 20);
    const ranged = await (await browser.get(
      "/admin/audit?action=auth.signin_failed&from=2026-01-01&to=2026-01-02",
    )).text();
    assert.match(ranged, /\(8 entries\)/);
    assert.equal((await browser.get("/admin/audit?from=yesterday")).status, 400);
    const fragment = await browser.get("/admin/audit?page=1", { "hx-request": "true" });
    assert.doesNotMatch(await fragment.text(), /<html/);
    assert.equal(fragment.headers.get("vary"), "HX-Request");

    const tech = await signInTechnician(t, admin.orgId);
    assert.equal((await tech.get("/admin/audit")).status, 403);
    assert.equal((await tech.get("/admin/security")).status, 403);
  } finally {
    await t.close();
  }
});

Deno.test("the audit log reads as sentences with names, the raw data folded away, in Dutch too", async () => {
  const t = await startTestApp();
  try {
    const [admin] = await t.deps.db.select().from(users);
    const group = {
      id: await insertGroup(t, admin.orgId, "Helpdesk Noord"),
      name: "Helpdesk Noord",
    };
    await recordAudit(t.deps.db, {
      orgId: admin.orgId,
      actorId: admin.id,
      actorEmail: admin.email,
      action: "group.created",
      target: group.id,
      details: { after: { name: group.name } },
      at: new Date("2026-11-24T00:28:00Z"),
    });
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const page = await (await browser.get("/admin/audit?action=group.created")).text();
    const row = page.slice(page.indexOf("<tbody>"), page.indexOf("</tbody>"));
    assert.match(
      row,
      new RegExp(`<strong>${admin.name}</strong> created a group: <em>${group.name}</em>`),
    );
    const [shown, raw] = row.split("<details");
    assert.doesNotMatch(
      shown,
      new RegExp(`group\\.created|${group.id}|\\{`),
      "no codes, ids or JSON",
    );
    assert.match(raw, new RegExp(`&quot;target&quot;: &quot;${group.id}&quot;`));
    assert.match(page, /<option value="group.created" selected(="")?>Created a group<\/option>/);

    await browser.post("/account/language", { language: "nl" });
    const dutch = await (await browser.get("/admin/audit?action=group.created")).text();
    assert.match(dutch, new RegExp(`maakte een groep: <em>${group.name}</em>`));
    assert.match(dutch, /Ruwe gegevens/);
    assert.match(dutch, />24 nov 2026, 00:28</);
    // The table only: the page also holds a random CSRF token, which may contain "AM" or "PM".
    const dutchRows = dutch.slice(dutch.indexOf("<tbody>"), dutch.indexOf("</tbody>"));
    assert.doesNotMatch(dutchRows, /\b(AM|PM)\b/);
  } finally {
    await t.close();
  }
});
