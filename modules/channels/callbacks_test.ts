// The callback requests page (SPEC A6 "collect details"): listed newest and unhandled first
// with custom-field labels, marked handled with an audit entry, 404s and the 403; and the
// scope of a non-master admin, who may only assign the groups it manages.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../audit/mod.ts";
import { hashPassword, organisations, users } from "../auth/mod.ts";
import { groupAdmins } from "../org/mod.ts";
import { auditActions } from "../../tests/support/app.ts";
import { callbackRequests, channelGroups, channels } from "./schema.ts";
import {
  addField,
  type AdminFixture,
  channelCount,
  channelForm,
  createChannelVia,
  insertGroup,
  signInTechnician,
  startWithAdmin,
} from "./test_fixtures.ts";

async function addCallback(
  f: AdminFixture,
  channelId: string,
  name: string,
  at: string,
  values: Record<string, string> = {},
): Promise<string> {
  const [row] = await f.t.deps.db.insert(callbackRequests).values({
    channelId,
    name,
    contact: `${name.toLowerCase()}@example.test`,
    values,
    createdAt: new Date(at),
  }).returning();
  return row.id;
}

Deno.test("callback requests are listed unhandled and newest first, and can be marked handled", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 30);
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    const older = await addCallback(f, channel.id, "Alice", "2026-11-20T08:00:00Z", {
      [phone]: "0612345678",
    });
    await addCallback(f, channel.id, "Bob", "2026-11-21T09:30:00Z");

    const list = await (await f.admin.get("/admin/channels")).text();
    assert.match(list, /href="\/admin\/channels\/callbacks"/);

    const page = await (await f.admin.get("/admin/channels/callbacks")).text();
    assert.ok(page.indexOf("Bob") < page.indexOf("Alice"), "newest first");
    assert.match(page, /Helpdesk/);
    assert.match(page, /alice@example\.test/);
    assert.match(page, /Phone number:<\/span> 0612345678/);
    assert.match(page, /<time datetime="2026-11-20T08:00:00.000Z"[^>]*>Nov 20, 2026, 8:00\sAM</);
    assert.match(page, new RegExp(`action="/admin/channels/callbacks/${older}/handled"`));

    const res = await f.admin.post(`/admin/channels/callbacks/${older}/handled`);
    assert.equal(res.status, 303);
    const [row] = await f.t.deps.db.select().from(callbackRequests)
      .where(eq(callbackRequests.id, older));
    assert.deepEqual(row.handledAt, f.t.clock.now());
    const [entry] = await f.t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "callback.handled"),
    );
    assert.equal(entry.target, older);

    const after = await (await f.admin.get("/admin/channels/callbacks?handled=1")).text();
    assert.match(after, /Marked as handled\./);
    assert.doesNotMatch(after, new RegExp(`callbacks/${older}/handled`));
    assert.ok(after.indexOf("Bob") < after.indexOf("Alice"), "handled ones last");

    await f.admin.post(`/admin/channels/callbacks/${older}/handled`);
    assert.equal(
      (await auditActions(f.t.deps)).filter((a) => a === "callback.handled").length,
      1,
      "marking twice audits once",
    );

    f.admin.headers["accept-language"] = "nl";
    const dutch = await (await f.admin.get("/admin/channels/callbacks")).text();
    assert.match(dutch, /Terugbelverzoeken/);
    assert.match(dutch, /Markeer als afgehandeld/);
  } finally {
    await f.t.close();
  }
});

Deno.test("bad, unknown and foreign callback ids are 404; a technician gets 403", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    const id = await addCallback(f, channel.id, "Alice", "2026-11-20T08:00:00Z");
    await f.admin.get("/admin/channels/callbacks");
    for (const bad of ["not-a-uuid", crypto.randomUUID()]) {
      assert.equal((await f.admin.post(`/admin/channels/callbacks/${bad}/handled`)).status, 404);
    }
    // A channel of another organisation.
    const [mine] = await f.t.deps.db.select().from(channels).where(eq(channels.id, channel.id));
    const [other] = await f.t.deps.db.insert(organisations).values({
      name: "Elsewhere",
      createdAt: f.t.clock.now(),
    }).returning();
    const [theirs] = await f.t.deps.db.insert(channels).values({
      ...mine,
      id: undefined,
      orgId: other.id,
      slug: "theirs-slug-0001",
    }).returning();
    const foreign = await addCallback(f, theirs.id, "Mallory", "2026-11-20T08:00:00Z");
    assert.equal((await f.admin.post(`/admin/channels/callbacks/${foreign}/handled`)).status, 404);
    assert.doesNotMatch(await (await f.admin.get("/admin/channels/callbacks")).text(), /Mallory/);

    const tech = await signInTechnician(f.t, f.orgId);
    assert.equal((await tech.get("/admin/channels/callbacks")).status, 403);
    assert.equal((await tech.post(`/admin/channels/callbacks/${id}/handled`)).status, 403);
    const rows = await f.t.deps.db.select().from(callbackRequests);
    assert.ok(rows.every((r) => r.handledAt === null), "nothing was marked");
  } finally {
    await f.t.close();
  }
});

Deno.test("an admin may only assign the technician groups it manages", async () => {
  const f = await startWithAdmin();
  try {
    const groupA = await insertGroup(f.t, f.orgId, "Group A");
    const groupB = await insertGroup(f.t, f.orgId, "Group B");
    const [admin] = await f.t.deps.db.insert(users).values({
      orgId: f.orgId,
      email: "scoped@example.test",
      name: "Scoped admin",
      role: "admin",
      passwordHash: await hashPassword("admin password 1"),
      createdAt: f.t.clock.now(),
    }).returning();
    await f.t.deps.db.insert(groupAdmins).values({ groupId: groupA, userId: admin.id });
    const scoped = f.t.client();
    await scoped.signIn("scoped@example.test", "admin password 1");
    const g: AdminFixture = { ...f, admin: scoped };

    const newPage = await (await scoped.get("/admin/channels/new")).text();
    assert.match(newPage, new RegExp(`name="group_${groupA}"`));
    assert.doesNotMatch(newPage, new RegExp(`name="group_${groupB}"`));

    const refused = await scoped.post("/admin/channels", channelForm({ groupId: groupB }));
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /does not exist \(any more\)/);
    assert.equal(await channelCount(f.t), 0);

    const channel = await createChannelVia(g, channelForm({ groupId: groupA }));
    assert.equal(channel.name, "Helpdesk");

    // A channel that also serves group B is not the scoped admin's to change (or see).
    const both = await createChannelVia(
      f,
      channelForm({ groupId: groupA }, { name: "Both", [`group_${groupB}`]: "on" }),
    );
    assert.equal((await scoped.get(`/admin/channels/${both.id}`)).status, 404);
    const edit = await scoped.post(
      `/admin/channels/${both.id}`,
      channelForm({ groupId: groupA }, { name: "Both renamed" }),
    );
    assert.equal(edit.status, 404);
    const links = await f.t.deps.db.select().from(channelGroups)
      .where(eq(channelGroups.channelId, both.id));
    assert.deepEqual(links.map((l) => l.groupId).sort(), [groupA, groupB].sort());
    // The name as the list shows it: the page also holds random tokens (CSRF, each channel's
    // link), in which a bare "Both" may turn up.
    assert.doesNotMatch(await (await scoped.get("/admin/channels")).text(), />Both</);
    const sneaky = await scoped.post(
      `/admin/channels/${channel.id}`,
      channelForm({ groupId: groupA }, { [`group_${groupB}`]: "on" }),
    );
    assert.equal(sneaky.status, 422);
  } finally {
    await f.t.close();
  }
});
