// Audit completion (SPEC A10): remote view/control answers, screenshots, pushed URLs,
// inline edits and notes reach the audit log, not only the session log; the master admin
// checks the chain (page and `deno task audit:verify`) and downloads it as JSON lines.
import assert from "node:assert/strict";
import { and, asc, eq } from "drizzle-orm";
import { auditLog, recordAudit } from "../../modules/audit/mod.ts";
import { users } from "../../modules/auth/mod.ts";
import { openDatabase } from "../../modules/db/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import { editFields, pushUrl, saveNote } from "../../modules/support/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

async function entries(t: TestApp, sessionId: string) {
  return await t.deps.db.select().from(auditLog).where(eq(auditLog.target, sessionId))
    .orderBy(asc(auditLog.seq));
}

async function waitFor(check: () => Promise<boolean>) {
  // Up to 10 s: a loaded CI machine writes the audit more slowly than a quiet one.
  for (let i = 0; i < 500 && !(await check()); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("remote answers, screenshots, pushed URLs, inline edits and notes are audited with their session", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t, { name: "Ann" });
    const session = await workingSession(t, tech);
    await pushUrl(t.deps, tech, session.id, "https://example.com/help?x=1");
    await saveNote(t.deps, tech, session.id, "customer's password is hunter2");
    await editFields(t.deps, tech, session.id, { customerName: "Carol Baker" });

    const desk = t.client();
    await desk.signIn(tech.email, TECH_PASSWORD);
    await desk.get(`/console/sessions/${session.id}`);
    const form = new FormData();
    form.set("file", new File([PNG], "screen.png", { type: "image/png" }));
    const shot = await desk.send(`/console/sessions/${session.id}/remote/screenshot`, {
      method: "POST",
      body: form,
      headers: { "x-csrf-token": desk.csrf, origin: "http://localhost" },
    });
    assert.equal(shot.status, 200);

    // The remote session as the app wires it (the customer page's revoke creates it), then
    // what the agent reports: a request, the customer's yes, a take-back, the end.
    const customer = t.client();
    await customer.get(`/s/${session.token}`);
    const revoked = await customer.post(`/s/${session.token}/remote/revoke`, {
      capability: "view",
    });
    assert.equal(revoked.status, 204);
    const remote = remoteHub(t.deps).session(session.orgId, session.id);
    type Requested = Extract<Parameters<typeof remote.onEvent>[0], { kind: "requested" }>;
    // Only who asked matters to the log and the audit; no socket behind this viewer.
    const viewer = { userId: tech.id, name: tech.name } as Requested["by"];
    remote.onEvent({ kind: "requested", capability: "control", by: viewer });
    remote.onEvent({ kind: "answered", capability: "control", granted: true, was: "asked" });
    remote.onEvent({ kind: "revokedByCustomer", capability: "control" });
    remote.onEvent({ kind: "ended", capability: "view", by: viewer });
    // Each event is written on its own: wait for all four, not only the last one sent.
    const remoteActions = [
      "session.remote_requested",
      "session.remote_granted",
      "session.remote_revoked",
      "session.remote_ended",
    ];
    await waitFor(async () => {
      const written = new Set((await entries(t, session.id)).map((e) => e.action));
      return remoteActions.every((action) => written.has(action));
    });

    const log = await entries(t, session.id);
    const by = (action: string) => log.find((e) => e.action === action);
    assert.deepEqual(by("session.url_pushed")?.details, { url: "https://example.com/help?x=1" });
    assert.equal(by("session.url_pushed")?.actorId, tech.id);
    const note = by("session.note_saved")!;
    assert.deepEqual(note.details, { characters: 30, first: true });
    assert.ok(!JSON.stringify(note).includes("hunter2"), "the note's text stays private");
    assert.deepEqual(by("session.fields_edited")?.details, {
      before: { customerName: "Carol" },
      after: { customerName: "Carol Baker" },
    });
    assert.match(String(by("session.screenshot_taken")?.details.sha256), /^[0-9a-f]{64}$/);
    assert.deepEqual(by("session.remote_requested")?.details, { capability: "control" });
    assert.equal(by("session.remote_requested")?.actorId, tech.id);
    assert.deepEqual(by("session.remote_granted")?.details, {
      capability: "control",
      by: "customer",
    });
    assert.equal(by("session.remote_granted")?.actorId, null, "the customer granted it");
    assert.equal(by("session.remote_revoked")?.details.by, "customer");
    assert.deepEqual(by("session.remote_ended")?.details, { capability: "view" });

    // The admin's audit page words them.
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get("/admin/audit")).text();
    for (
      const words of [
        "sent a web address to the customer",
        "saved a note on a session",
        "corrected a session&#39;s customer details",
        "took a screenshot of the customer&#39;s screen",
        "was allowed remote view or control by the customer",
      ]
    ) assert.ok(page.includes(words), words);
  } finally {
    await t.close();
  }
});

Deno.test("the master admin checks the chain and exports it as JSON lines; a tampered row shows where", async () => {
  const t = await startTestApp();
  try {
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    for (let i = 0; i < 30; i++) {
      await recordAudit(t.deps.db, {
        orgId: master.orgId,
        actorEmail: "someone@example.test",
        action: "auth.signin_failed",
        ip: "10.0.0.1",
        details: { i },
        at: new Date(Date.UTC(2026, 0, 1 + i)),
      });
    }
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const total = (await t.deps.db.select().from(auditLog).where(eq(auditLog.orgId, master.orgId)))
      .length;
    let page = await (await admin.get("/admin/audit/integrity")).text();
    assert.match(page, /data-intact="true"/);
    assert.match(page, new RegExp(`The chain is intact: ${total} entries checked`));

    const exported = await admin.get(
      "/admin/audit/export.jsonl?action=auth.signin_failed&from=2026-01-05&to=2026-01-14",
    );
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get("content-type")!, /application\/x-ndjson/);
    assert.match(exported.headers.get("content-disposition")!, /attachment; filename="audit-/);
    const lines = (await exported.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 10);
    assert.deepEqual(lines.map((l) => l.details.i), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    for (const l of lines) {
      assert.match(l.hash, /^[0-9a-f]{64}$/);
      assert.deepEqual(Object.keys(l), [
        "id",
        "seq",
        "at",
        "orgId",
        "action",
        "actorId",
        "actorEmail",
        "target",
        "ip",
        "details",
        "prevHash",
        "hash",
      ]);
    }
    const [exportEntry] = await t.deps.db.select().from(auditLog)
      .where(and(eq(auditLog.action, "audit.exported"), eq(auditLog.actorId, master.id)));
    assert.equal(exportEntry.details.action, "auth.signin_failed");
    const everything = await (await admin.get("/admin/audit/export.jsonl")).text();
    assert.equal(everything.trimEnd().split("\n").length, total + 2, "all, the exports' own too");

    // Someone edits entry 7 in the database.
    const [seventh] = await t.deps.db.select().from(auditLog)
      .where(and(eq(auditLog.orgId, master.orgId), eq(auditLog.seq, 7)));
    await t.deps.db.update(auditLog).set({ ip: "203.0.113.9" }).where(eq(auditLog.id, seventh.id));
    page = await (await admin.get("/admin/audit/integrity")).text();
    assert.match(page, /data-intact="false"/);
    assert.match(page, /The chain is broken/);
    assert.match(page, new RegExp(`Entry 7 \\(id ${seventh.id}\\)`));
    assert.match(page, /changed after it was written/);
    const audit = await (await admin.get("/admin/audit")).text();
    assert.match(audit, /href="\/admin\/audit\/integrity"/);
    assert.match(audit, /href="\/admin\/audit\/export\.jsonl\?"/);
  } finally {
    await t.close();
  }
});

Deno.test("deno task audit:verify says intact, or where the chain breaks, with its exit code", async () => {
  const url = Deno.env.get("DATABASE_URL");
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-audit-verify-" });
  const env = { DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) };
  const run = async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "audit:verify"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, text: new TextDecoder().decode(out.stdout) };
  };
  try {
    const org = crypto.randomUUID();
    let handle = url ? undefined : await openDatabase({ dataDir });
    // On PostgreSQL the tests' database (emptied by each test) is the one checked.
    if (url) {
      const { openTestDatabase } = await import("../../modules/db/mod.ts");
      handle = await openTestDatabase();
    }
    for (let i = 0; i < 5; i++) {
      await recordAudit(handle!.db, {
        orgId: org,
        action: "auth.signin",
        at: new Date(),
        details: { i },
      });
    }
    await handle!.close();
    let result = await run();
    assert.equal(result.code, 0, result.text);
    assert.match(result.text, new RegExp(`organisation ${org}: intact, 5 entries`));

    handle = await openDatabase({ dataDir, databaseUrl: url });
    const [third] = await handle.db.select().from(auditLog)
      .where(and(eq(auditLog.orgId, org), eq(auditLog.seq, 3)));
    await handle.db.delete(auditLog).where(eq(auditLog.id, third.id));
    await handle.close();
    result = await run();
    assert.equal(result.code, 1, result.text);
    assert.match(
      result.text,
      new RegExp(
        `organisation ${org}: BROKEN at seq 4, entry id \\d+ .*missing; 2 entries hold before it`,
      ),
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
