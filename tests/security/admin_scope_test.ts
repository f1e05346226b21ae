// Over 400 lines on purpose: one case per admin-scoped surface (outboxes, audit, channels, API), each against the same two-group organisation.
// Longer than most files: one table-driven suite over every door it guards, kept together so a new door is added in one place.
// Issue 11 item 5 and two Low items: a limited admin reaches only what concerns its own
// groups. Two limited admins (group 1, group 2) and the master admin; admin 1 must not read
// or resend admin 2's mail and SMS, nor read its audit entries, nor change a channel that
// serves only group 2; nobody ever sees a live set-password or session link in an admin
// page. Also: the audit page clamps its page number, and a session the caller may not see
// answers exactly like a missing one.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import {
  callbackRequests,
  channelGroups,
  channels,
  createChannel,
  createField,
  customFields,
} from "../../modules/channels/mod.ts";
import { groupAdmins } from "../../modules/org/mod.ts";
import { mailOutbox } from "../../modules/mail/mod.ts";
import { smsOutbox } from "../../modules/sms/mod.ts";
import { supportSessions } from "../../modules/support/test_support.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { startSmtpServer } from "../../modules/mail/smtp_test_server.ts";
import { startTestGateway } from "../../modules/sms/gateway_test_server.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "../support/org.ts";

const HTMX = { "hx-request": "true" };

interface World {
  t: TestApp;
  groups: [string, string];
  master: TestClient;
  admins: [TestClient, TestClient];
  techs: [TestClient, TestClient];
}

/** Two groups, each with a limited admin and a technician; the master admin signed in. */
async function world(t: TestApp): Promise<World> {
  const permissions = [...defaultPermissions(), "methodSms" as const];
  const groups = [
    (await makeGroup(t, { name: "Group one", permissions })).id,
    (await makeGroup(t, { name: "Group two", permissions })).id,
  ] as [string, string];
  const signIn = async (email: string, password = TECH_PASSWORD) => {
    const client = t.client();
    const res = await client.signIn(email, password);
    assert.equal(res.status, 303);
    return client;
  };
  const admins: TestClient[] = [];
  const techs: TestClient[] = [];
  for (const [i, groupId] of groups.entries()) {
    const admin = await makePerson(t, { groupId, role: "admin", email: `admin${i + 1}@ex.test` });
    await t.deps.db.insert(groupAdmins).values({ groupId, userId: admin.id });
    admins.push(await signIn(admin.email));
    const tech = await makePerson(t, { groupId, email: `tech${i + 1}@ex.test` });
    techs.push(await signIn(tech.email));
  }
  return {
    t,
    groups,
    master: await signIn(ADMIN.email, ADMIN.password),
    admins: admins as [TestClient, TestClient],
    techs: techs as [TestClient, TestClient],
  };
}

async function text(res: Response | Promise<Response>): Promise<string> {
  return await (await res).text();
}

Deno.test("admin outbox: an admin reads and resends only mail about its groups, never a live link", async () => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    const w = await world(t);
    // The master admin invites a new admin into group 2: its set-password link is the prize.
    await w.master.get("/admin/technicians");
    const invited = await w.master.post("/admin/technicians/invite", {
      name: "New Admin",
      email: "new.admin@ex.test",
      groupId: w.groups[1],
      role: "admin",
    });
    assert.equal(invited.status, 303); // Post/Redirect/Get: the page it leads to says sent
    // Each group's technician sends a session link by e-mail.
    for (const [i, tech] of w.techs.entries()) {
      await tech.get("/console");
      const res = await tech.post("/console/sessions", {
        method: "email",
        name: `Customer ${i + 1}`,
        contact: `customer${i + 1}@ex.test`,
      }, HTMX);
      assert.equal(res.status, 201);
    }
    const rows = await t.deps.db.select().from(mailOutbox);
    const invitation = rows.find((r) => r.toAddress === "new.admin@ex.test")!;
    const session2 = rows.find((r) => r.toAddress === "customer2@ex.test")!;
    const session1 = rows.find((r) => r.toAddress === "customer1@ex.test")!;
    const inviteToken = /\/invite\/([A-Za-z0-9_-]+)/.exec(invitation.textBody)![1];
    const sessionToken = /\/s\/([A-Za-z0-9_-]+)/.exec(session2.textBody)![1];
    // A failed invitation: "send all held" must not reach it from another group's admin.
    await t.deps.db.update(mailOutbox).set({ status: "failed", attempts: 8 })
      .where(eq(mailOutbox.id, invitation.id));

    const [admin1, admin2] = w.admins;
    const list1 = await text(admin1.get("/admin/outbox"));
    assert.match(list1, /customer1@ex\.test/);
    assert.doesNotMatch(list1, /new\.admin@ex\.test|customer2@ex\.test/);
    assert.match(list1, /\(1 message\)/);
    for (const id of [invitation.id, session2.id]) {
      assert.equal((await admin1.get(`/admin/outbox/${id}`)).status, 404);
      assert.equal((await admin1.post(`/admin/outbox/${id}/resend`)).status, 404);
      assert.equal((await admin1.post(`/admin/outbox/${id}/resend`, {}, HTMX)).status, 404);
    }
    const sentBefore = smtp.messages.length;
    assert.match(await text(admin1.post("/admin/outbox/resend-held", {}, HTMX)), /: 0\./);
    assert.equal(smtp.messages.length, sentBefore);
    const [still] = await t.deps.db.select().from(mailOutbox)
      .where(eq(mailOutbox.id, invitation.id));
    assert.equal(still.status, "failed");

    // Admin 2 and the master admin see the invitation, but never its link or a session's.
    const list2 = await text(admin2.get("/admin/outbox"));
    assert.match(list2, /new\.admin@ex\.test/);
    assert.match(list2, /customer2@ex\.test/);
    assert.doesNotMatch(list2, /customer1@ex\.test/);
    const masterList = await text(w.master.get("/admin/outbox"));
    assert.match(masterList, /\(3 messages\)/);
    for (const client of [admin2, w.master]) {
      for (const id of [invitation.id, session2.id]) {
        const page = await text(client.get(`/admin/outbox/${id}`));
        assert.ok(!page.includes(inviteToken) && !page.includes(sessionToken), page);
        assert.match(page, /\/(invite|s)\/•••/);
      }
    }
    const resent = await text(admin2.post(`/admin/outbox/${invitation.id}/resend`));
    assert.ok(!resent.includes(inviteToken));
    assert.match(smtp.messages.at(-1)!, new RegExp(inviteToken.slice(0, 20)));
    assert.equal((await admin2.get(`/admin/outbox/${session1.id}`)).status, 404);
  } finally {
    await t.close();
    await smtp.close();
  }
});

Deno.test("admin SMS outbox: an admin sees only its groups' messages, with link and PIN hidden", async () => {
  const gateway = await startTestGateway();
  const t = await startTestApp({ env: { SMS_GATEWAY_URL: gateway.url } });
  try {
    const w = await world(t);
    for (const [i, tech] of w.techs.entries()) {
      await tech.get("/console");
      const res = await tech.post("/console/sessions", {
        method: "sms",
        name: `Customer ${i + 1}`,
        contact: `+31 6 1111 000${i + 1}`,
      }, HTMX);
      assert.equal(res.status, 201);
    }
    const rows = await t.deps.db.select().from(smsOutbox);
    const [sms1, sms2] = ["+31611110001", "+31611110002"].map((n) =>
      rows.find((r) => r.toNumber === n)!
    );
    const secrets = rows.flatMap((r) => [
      /\/s\/([A-Za-z0-9_-]+)/.exec(r.body)![1],
      /PIN (\d{6})/.exec(r.body)![1],
    ]);
    const [admin1, admin2] = w.admins;
    const list1 = await text(admin1.get("/admin/sms"));
    assert.match(list1, /\+31611110001/);
    assert.doesNotMatch(list1, /\+31611110002/);
    const list2 = await text(admin2.get("/admin/sms"));
    assert.match(list2, /\+31611110002/);
    assert.doesNotMatch(list2, /\+31611110001/);
    assert.equal((await admin1.post(`/admin/sms/${sms2.id}/resend`)).status, 404);
    assert.equal((await admin2.post(`/admin/sms/${sms1.id}/resend`, {}, HTMX)).status, 404);
    const master = await text(w.master.get("/admin/sms"));
    assert.match(master, /\(2 messages\)/);
    const resent = await text(admin1.post(`/admin/sms/${sms1.id}/resend`, {}, HTMX));
    for (const html of [list1, list2, master, resent]) {
      for (const secret of secrets) assert.ok(!html.includes(secret), `${secret} shown`);
    }
  } finally {
    await t.close();
    await gateway.close();
  }
});

async function apiToken(t: TestApp, email: string): Promise<string> {
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: TECH_PASSWORD }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token as string;
}

function api(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  return t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function newChannel(t: TestApp, name: string, groupIds: string[]) {
  const ctx = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
  const result = await createChannel(t.deps.db, { name, groupIds }, ctx);
  assert.ok(result.ok);
  return result.channel;
}

async function channelState(t: TestApp, id: string) {
  const [row] = await t.deps.db.select().from(channels).where(eq(channels.id, id));
  const links = await t.deps.db.select().from(channelGroups).where(eq(channelGroups.channelId, id));
  return row && { name: row.name, active: row.active, groups: links.map((l) => l.groupId).sort() };
}

Deno.test("channels: an admin changes only channels whose groups it all manages, by API and page", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const [g1, g2] = w.groups;
    const theirs = await newChannel(t, "Group two desk", [g2]);
    const shared = await newChannel(t, "Shared desk", [g1, g2]);
    const mine = await newChannel(t, "Group one desk", [g1]);
    const before = [await channelState(t, theirs.id), await channelState(t, shared.id)];
    const token = await apiToken(t, "admin1@ex.test");
    const missing = crypto.randomUUID();

    const listed = await (await api(t, token, "GET", "/channels")).json();
    assert.deepEqual(listed.map((c: { id: string }) => c.id), [mine.id]);
    const notFound = await api(t, token, "GET", `/channels/${missing}`);
    assert.equal(notFound.status, 404);
    const notFoundBody = await notFound.json();
    for (const id of [theirs.id, shared.id]) {
      const get = await api(t, token, "GET", `/channels/${id}`);
      assert.equal(get.status, 404);
      assert.equal((await get.json()).detail, notFoundBody.detail);
      const patch = await api(t, token, "PATCH", `/channels/${id}`, {
        name: "Taken over",
        active: false,
        groupIds: [g1],
      });
      assert.equal(patch.status, 404);
      assert.equal((await api(t, token, "DELETE", `/channels/${id}`)).status, 404);
    }

    const [admin1] = w.admins;
    const page = await admin1.get("/admin/channels");
    assert.doesNotMatch(await page.text(), /Group two desk|Shared desk/);
    for (const id of [theirs.id, shared.id]) {
      assert.equal((await admin1.get(`/admin/channels/${id}`)).status, 404);
      assert.equal((await admin1.get(`/admin/channels/${id}/delete`)).status, 404);
      const edit = await admin1.post(`/admin/channels/${id}`, {
        name: "Taken over",
        [`group_${g1}`]: "on",
        unavailableAction: "message",
      });
      assert.equal(edit.status, 404);
      assert.equal((await admin1.post(`/admin/channels/${id}/delete`)).status, 404);
    }
    assert.deepEqual(
      [await channelState(t, theirs.id), await channelState(t, shared.id)],
      before,
      "unchanged",
    );
    // Nor the call-me-back details customers left through group two's channel.
    const [callback] = await t.deps.db.insert(callbackRequests).values({
      channelId: theirs.id,
      name: "Caller Of Two",
      contact: "+31 6 2222 0000",
      values: {},
      createdAt: t.clock.now(),
    }).returning();
    assert.doesNotMatch(await text(admin1.get("/admin/channels/callbacks")), /Caller Of Two/);
    const handled = await admin1.post(`/admin/channels/callbacks/${callback.id}/handled`);
    assert.equal(handled.status, 404);
    assert.match(await text(w.master.get("/admin/channels/callbacks")), /Caller Of Two/);

    // Its own channel still works, and the master admin still manages every channel.
    const renamed = await api(t, token, "PATCH", `/channels/${mine.id}`, { name: "Desk one" });
    assert.equal(renamed.status, 200);
    await w.master.get(`/admin/channels/${theirs.id}/delete`);
    const deleted = await w.master.post(`/admin/channels/${theirs.id}/delete`);
    assert.equal(deleted.status, 303);
    assert.equal(await channelState(t, theirs.id), undefined);
  } finally {
    await t.close();
  }
});

Deno.test("audit log: an admin reads its own and its groups' entries; the master admin all", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const [g1, g2] = w.groups;
    const [admin1, admin2] = w.admins;
    const log1 = await text(admin1.get("/admin/audit"));
    // Its own sign-in, its technician's, and the creation of its group by the master admin.
    assert.match(log1, /admin1@ex\.test/);
    assert.match(log1, /tech1@ex\.test/);
    assert.ok(log1.includes(g1), "group one's creation");
    assert.doesNotMatch(log1, /admin2@ex\.test|tech2@ex\.test/);
    assert.ok(!log1.includes(g2), "group two's creation");
    const log2 = await text(admin2.get("/admin/audit"));
    assert.match(log2, /admin2@ex\.test/);
    assert.doesNotMatch(log2, /admin1@ex\.test|tech1@ex\.test/);
    const all = await text(w.master.get("/admin/audit"));
    for (const who of ["admin1", "admin2", "tech1", "tech2"]) assert.match(all, new RegExp(who));
    assert.ok(all.includes(g1) && all.includes(g2));
  } finally {
    await t.close();
  }
});

Deno.test("audit log: any page number is clamped to the pages that exist", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    for (const page of ["99999999999999999999", "-3", "abc", "1e400", "2.5", "0"]) {
      const res = await w.master.get(`/admin/audit?page=${page}`);
      assert.equal(res.status, 200, `page=${page}`);
      assert.match(await res.text(), /Page 1 of 1 \(/);
    }
    const outbox = await w.master.get("/admin/outbox?page=99999999999999999999");
    assert.equal(outbox.status, 200);
    assert.equal((await w.master.get("/admin/sms?page=-99999999999999999999")).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("a session the caller may not see answers exactly like a missing one (404)", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const [tech1, tech2] = w.techs;
    await tech1.get("/console");
    const created = await tech1.post("/console/sessions", { method: "pin", name: "Hidden" }, HTMX);
    assert.equal(created.status, 201);
    const [session] = await t.deps.db.select({ id: supportSessions.id }).from(supportSessions);
    const missing = crypto.randomUUID();
    const token = await apiToken(t, "tech2@ex.test");
    await tech2.get("/console");
    const probes: [string, string, Record<string, string>?][] = [
      ["GET", "/console/sessions/ID"],
      ["GET", "/console/sessions/ID/log"],
      ["POST", "/console/sessions/ID/start"],
      ["POST", "/console/sessions/ID/hold"],
      ["POST", "/console/sessions/ID/end"],
      ["POST", "/console/sessions/ID/return"],
      ["GET", "/console/sessions/ID/transfer"],
      ["POST", "/console/sessions/ID/transfer", { target: `group:${w.groups[1]}`, note: "x" }],
      ["POST", "/console/sessions/ID/transfer", { target: `group:${missing}`, note: "x" }],
      ["POST", "/console/sessions/ID/fields", { name: "Renamed" }],
      ["POST", "/console/sessions/ID/chat", { text: "hello" }],
      ["POST", "/console/sessions/ID/chat-enabled", { enabled: "0" }],
      ["POST", "/console/sessions/ID/push-url", { url: "https://example.test/" }],
      ["POST", "/console/sessions/ID/notes", { note: "n" }],
      ["POST", "/console/sessions/ID/files", { file: "x" }],
      ["GET", `/console/sessions/ID/files/${crypto.randomUUID()}`],
      ["GET", "/console/sessions/ID/remote"],
      ["POST", "/console/sessions/ID/remote/screenshot"],
    ];
    const differ: string[] = [];
    for (const [method, path, form] of probes) {
      const answer = async (id: string) => {
        const url = path.replace("ID", id);
        const res = method === "GET" ? await tech2.get(url) : await tech2.post(url, form ?? {});
        const body = (await res.text()).replaceAll(id, "ID").replace(/_csrf" value="[^"]+/g, "");
        return `${res.status} ${body.replace(/X-CSRF-Token&quot;:&quot;[^&]+/g, "")}`;
      };
      const [hidden, gone] = [await answer(session.id), await answer(missing)];
      // (A missing permission refuses both alike, before any lookup: that reveals nothing.)
      if (hidden !== gone || !/^40[34] /.test(gone)) {
        differ.push(`${method} ${path}: ${hidden.slice(0, 4)} vs ${gone.slice(0, 4)}`);
      }
    }
    for (
      const [method, path, body] of [
        ["GET", "/sessions/ID"],
        ["POST", "/sessions/ID/start"],
        ["POST", "/sessions/ID/hold"],
        ["POST", "/sessions/ID/end"],
        ["GET", "/sessions/ID/chat"],
        ["POST", "/sessions/ID/chat", { text: "hello" }],
      ] as [string, string, unknown?][]
    ) {
      const answer = async (id: string) => {
        const res = await api(t, token, method, path.replace("ID", id), body);
        const doc = (await res.text()).replaceAll(id, "ID").replace(/"requestId":"[^"]*"/, "");
        return `${res.status} ${doc}`;
      };
      const [hidden, gone] = [await answer(session.id), await answer(missing)];
      if (hidden !== gone || !gone.startsWith("404")) {
        differ.push(`API ${method} ${path}: ${hidden} vs ${gone}`);
      }
    }
    assert.deepEqual(differ, []);
  } finally {
    await t.close();
  }
});

Deno.test("custom fields: an admin cannot change a field another group's channel asks for", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const [g1, g2] = w.groups;
    const master = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
    const made = await createField(t.deps.db, { label: "Order number", maxLength: 20 }, master);
    const own = await createField(t.deps.db, { label: "Asset tag", maxLength: 20 }, master);
    assert.ok(made.ok && own.ok);
    const fieldId = made.field.id;
    for (const [name, groupIds, id] of [["Two", [g2], fieldId], ["One", [g1], own.field.id]]) {
      const created = await createChannel(t.deps.db, {
        name,
        groupIds,
        fields: [{ fieldId: id, required: true }],
      }, master);
      assert.ok(created.ok);
    }
    const [admin1] = w.admins;
    await admin1.get("/admin/fields");
    const off = await admin1.post(`/admin/fields/${fieldId}/active`, { active: "0" });
    assert.equal(off.status, 403);
    const renamed = await admin1.post(`/admin/fields/${fieldId}`, {
      label: "Gone",
      maxLength: "5",
    });
    assert.equal(renamed.status, 403);
    assert.equal(
      (await admin1.post(`/admin/fields/${fieldId}/move`, { direction: "down" }))
        .status,
      403,
    );
    const [field] = await t.deps.db.select().from(customFields)
      .where(eq(customFields.id, fieldId));
    assert.deepEqual([field.label, field.maxLength, field.active], ["Order number", 20, true]);
    // A field only its own channels use is its to change.
    const mine = await admin1.post(`/admin/fields/${own.field.id}/active`, { active: "0" });
    assert.ok(mine.status < 400, `own field: ${mine.status}`);
  } finally {
    await t.close();
  }
});
