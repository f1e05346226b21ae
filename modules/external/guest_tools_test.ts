// An external technician's file manager and system information through the real app (both
// engines: DATABASE_URL picks PostgreSQL) and an agent socket speaking the protocol: the
// technicians' own routes under /x, with the guest's invitation set, the customer's consent
// and audit entries naming the external technician; and every refusal — no permission in its
// set (403), another session (404), removed (410), no guest cookie, the customer's files.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import { auditLog } from "../audit/mod.ts";
import { readLog, type SupportSession } from "../support/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentWithOps, nextOp, withServer } from "../../tests/support/sockets.ts";
import { inviteExternal, removeGuest } from "./invite.ts";

const HTMX = { "hx-request": "true" };
const LEAD: Permission[] = [...defaultPermissions(), "inviteExternal", "inviteExternalUnlisted"];

/** A guest invited into `session` by `lead` with `permissions`, its link opened by a browser. */
async function guestWith(
  t: TestApp,
  lead: CurrentUser,
  session: SupportSession,
  permissions: Permission[],
  name = "Xavier Extern",
): Promise<{ client: TestClient; guestId: string }> {
  const invitation = await inviteExternal(t.deps, lead, session.id, {
    name,
    email: "xavier@partner.test",
    method: "link",
    permissions,
    minutes: 60,
    lang: "en",
  });
  const client = t.client();
  const opened = await client.get(new URL(invitation.link!).pathname);
  assert.equal(opened.status, 303);
  return { client, guestId: invitation.guest.id };
}

function guestTest(
  name: string,
  fn: (ctx: {
    t: TestApp;
    port: number;
    lead: CurrentUser;
    session: SupportSession;
  }) => Promise<void>,
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        await withServer(t, async (port) => {
          const lead = await technician(t, { permissions: LEAD, name: "Lena Lead" });
          const session = await workingSession(t, lead);
          await fn({ t, port, lead, session });
        });
      } finally {
        await t.close();
      }
    },
  });
}

guestTest(
  "a guest with fileManager and systemInfo: its console mounts both on its /x routes; it lists the customer's files after the customer allows, audited as the external technician; its stream ends with its removal",
  async ({ t, port, lead, session }) => {
    const { client: guest, guestId } = await guestWith(t, lead, session, [
      "fileManager",
      "systemInfo",
    ]);
    const page = await (await guest.get("/x/console")).text();
    const files = `/x/console/sessions/${session.id}/file-manager`;
    assert.match(page, new RegExp(`data-files="${files}"`));
    assert.match(page, new RegExp(`data-agent="/x/console/sessions/${session.id}/agent"`));
    assert.match(page, /data-window=""/, "no detached window for a guest");
    assert.match(page, new RegExp(`hx-get="/x/console/sessions/${session.id}/system"`));
    assert.match(page, /role="tab"[^>]*>File manager</);
    assert.match(page, /role="tab"[^>]*>System information</);

    // No agent yet: the same answer a technician gets.
    assert.equal((await guest.get(`${files}/roots`)).status, 503);
    const agent = await agentWithOps(port, session.token, ["files.list", "system.snapshot"]);
    // Not allowed by the customer yet: refused, as for a technician.
    const before = await guest.get(`${files}/list?path=%2Fhome%2Fcarol`);
    assert.equal(before.status, 409);
    assert.equal((await before.json()).error, "not_granted");

    // The guest asks through the consent routes under /x; the customer allows.
    const asked = await guest.post(`/x/console/sessions/${session.id}/agent/request`, {
      capability: "files",
    }, HTMX);
    assert.equal(asked.status, 200, await asked.clone().text());
    assert.equal((await agent.next((m) => m.type === "request")).type, "request");
    agent.send({ type: "consent", capability: "files", granted: true });
    await new Promise((r) => setTimeout(r, 200));

    const listed = guest.get(`${files}/list?path=%2Fhome%2Fcarol`);
    const op = await nextOp(agent, "files.list");
    agent.send({
      type: "opDone",
      id: op.id,
      json: JSON.stringify({
        path: "/home/carol",
        parent: "/home",
        entries: [{
          name: "notes.txt",
          type: "file",
          size: 5,
          mtime: 0,
          hidden: false,
          link: null,
          mode: 0o644,
          writable: true,
        }],
        truncated: false,
      }),
    });
    const res = await listed;
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).entries.map((e: { name: string }) => e.name), [
      "notes.txt",
    ]);

    // Audited naming the external technician (it is no user); logged by its name.
    const entries = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "session.files_read"));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].actorId, null);
    assert.deepEqual((entries[0].details as { external: unknown }).external, {
      id: guestId,
      name: "Xavier Extern",
      email: "xavier@partner.test",
    });
    // The audit page's sentence names it too.
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    assert.match(
      await (await admin.get("/admin/audit")).text(),
      /Xavier Extern \(external technician\)<\/strong> looked at files on a customer&#39;s computer|Xavier Extern \(external technician\)<\/strong> looked at files on a customer's computer/,
    );
    const log = await readLog(t.deps.db, session.id);
    assert.ok(log.some((l) => l.body === "log.files.listed" && l.authorName === "Xavier Extern"));
    assert.ok(
      log.some((l) => l.body === "log.tool.filesRequested" && l.authorName === "Xavier Extern"),
    );

    // System information: the tab's frame on its /x routes, no export for a guest.
    const frame = await (await guest.get(`/x/console/sessions/${session.id}/system`, HTMX)).text();
    assert.match(
      frame,
      new RegExp(`data-view-url="/x/console/sessions/${session.id}/system/view/"`),
    );
    assert.match(frame, new RegExp(`data-agent-url="/x/console/sessions/${session.id}/agent"`));
    assert.doesNotMatch(frame, /\/system\/export/);
    const exported = await guest.post(`/x/console/sessions/${session.id}/system/export`, {
      format: "json",
    }, HTMX);
    assert.equal(exported.status, 403);

    // A stream opened before the removal does not outlive the access.
    const events = await guest.get(`${files}/events`);
    assert.equal(events.status, 200);
    const reader = events.body!.getReader();
    await removeGuest(t.deps, lead, session.id, guestId);
    const drained = (async () => {
      while (!(await reader.read()).done) { /* events until the end */ }
      return true;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((r) => timer = setTimeout(() => r(false), 5_000));
    assert.equal(await Promise.race([drained, late]), true, "the stream closed with the access");
    clearTimeout(timer);
    agent.ws.close();
    await agent.closed;
  },
);

guestTest(
  "a guest without fileManager or systemInfo in its set is refused (403); another session is not found; the customer's files and technicians' routes stay closed",
  async ({ t, lead, session }) => {
    const { client: guest } = await guestWith(t, lead, session, ["desktopView"]);
    const base = `/x/console/sessions/${session.id}`;
    assert.equal((await guest.get(`${base}/file-manager/roots`)).status, 403);
    assert.equal((await guest.get(`${base}/system`)).status, 403);
    assert.equal((await guest.get(`${base}/system/view/dashboard`)).status, 403);
    assert.equal((await guest.post(`${base}/agent/request`, { capability: "files" })).status, 403);
    const page = await (await guest.get("/x/console")).text();
    assert.doesNotMatch(page, /data-files=/);
    assert.doesNotMatch(page, /\/system"/);

    // A guest with the file manager reaches only its own session.
    const other = await workingSession(t, lead);
    const { client: second } = await guestWith(t, lead, session, ["fileManager"], "Gina");
    const elsewhere = await second.get(`/x/console/sessions/${other.id}/file-manager/roots`);
    assert.equal(elsewhere.status, 404);
    assert.equal((await elsewhere.json()).error, "no_session");
    // The technicians' own addresses need a signed-in technician; the customer's files
    // (the lead's) have no address under /x at all.
    assert.equal(
      (await second.get(`/console/sessions/${session.id}/file-manager/roots`)).status,
      401,
    );
    assert.equal((await second.get(`${base}/files`)).status, 404);
    // A signed-in technician without a guest's cookie is no guest here.
    const tech = t.client();
    assert.equal((await tech.signIn(lead.email, TECH_PASSWORD)).status, 303);
    assert.equal((await tech.get(`${base}/file-manager/roots`)).status, 403);
  },
);

guestTest(
  "a removed guest is refused on the tool routes (410), and the refusal is audited",
  async ({ t, lead, session }) => {
    const { client: guest, guestId } = await guestWith(t, lead, session, [
      "fileManager",
      "systemInfo",
    ]);
    const base = `/x/console/sessions/${session.id}`;
    assert.equal((await guest.get(`${base}/file-manager/roots`)).status, 503, "no agent yet");
    await removeGuest(t.deps, lead, session.id, guestId);
    assert.equal((await guest.get(`${base}/file-manager/roots`)).status, 410);
    assert.equal((await guest.get(`${base}/system`)).status, 410);
    assert.equal((await guest.get(`${base}/agent/state`)).status, 410);
    const refusals = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "external.refused"));
    assert.ok(
      refusals.some((r) => (r.details as { reason?: string }).reason === "removed"),
      JSON.stringify(refusals.map((r) => r.details)),
    );
  },
);
