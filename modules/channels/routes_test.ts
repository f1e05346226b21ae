// The channel admin pages through the whole app: create with groups, fields and hours;
// list, edit, delete; the 10-channel limit; 422 on bad input with nothing saved; scoping,
// the technician's 403, and Dutch.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../audit/mod.ts";
import { auditActions } from "../../tests/support/app.ts";
import { makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { groupAdmins } from "../org/mod.ts";
import { channelGroups, channels } from "./schema.ts";
import {
  addField,
  channelCount,
  channelForm,
  createChannelVia,
  foreignGroup,
  insertGroup,
  signInTechnician,
  startWithAdmin,
} from "./test_fixtures.ts";

Deno.test("an admin creates two custom fields and a channel with groups, fields and hours", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 30);
    const order = await addField(f, "Order number", 20);
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const newPage = await (await f.admin.get("/admin/channels/new")).text();
    assert.match(newPage, new RegExp(`name="group_${groupId}"`));
    assert.match(newPage, new RegExp(`name="field_${phone}"`));
    assert.match(newPage, /<option value="Europe\/Amsterdam"/);

    const channel = await createChannelVia(
      f,
      channelForm({ groupId, fields: { [order]: "optional", [phone]: "required" } }),
    );
    assert.equal(channel.name, "Helpdesk");
    assert.match(channel.slug, /^[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(channel.fields, [
      { fieldId: phone, required: true },
      { fieldId: order, required: false },
    ], "in the order of the custom fields page");
    assert.deepEqual(channel.openingHours.days["1"], [["09:00", "17:00"]]);
    assert.deepEqual(channel.openingHours.days["6"], []);
    assert.equal(channel.openingHours.timeZone, "Europe/Amsterdam");
    const links = await f.t.deps.db.select().from(channelGroups);
    assert.deepEqual(links.map((l) => l.groupId), [groupId]);

    const list = await (await f.admin.get("/admin/channels")).text();
    assert.match(list, /Helpdesk/);
    assert.match(list, /First line/);
    assert.match(list, new RegExp(`/c/${channel.slug}`));
    assert.match(list, /<td>2<\/td>/, "field count");
    assert.match(list, /1 of at most 10 channels/);

    const edit = await (await f.admin.get(`/admin/channels/${channel.id}?saved=1`)).text();
    assert.match(edit, /Saved\./);
    const snippet = /<textarea id="ch-snippet" class="snippet" rows="8" readonly="">([^<]*)</
      .exec(edit)?.[1] ?? "";
    const publicUrl = f.t.deps.config.publicUrl;
    assert.ok(snippet.includes(`action=&quot;${publicUrl}/c/${channel.slug}&quot;`), snippet);
    assert.ok(snippet.includes(`name=&quot;f_${phone}&quot; maxlength=&quot;30&quot; required`));
    assert.ok(snippet.includes(`name=&quot;name&quot;`));
    assert.ok(snippet.includes(`method=&quot;get&quot;`), "the snippet pre-fills our page");

    const actions = await auditActions(f.t.deps);
    assert.deepEqual(actions.filter((a) => /^(channel|field)\./.test(a)), [
      "field.created",
      "field.created",
      "channel.created",
    ]);
    const [entry] = await f.t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "channel.created"),
    );
    assert.equal(entry.target, channel.id);
    assert.equal((entry.details.after as { name: string }).name, "Helpdesk");
  } finally {
    await f.t.close();
  }
});

Deno.test("editing a channel saves the change, keeps the slug and audits before and after", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    await f.admin.get(`/admin/channels/${channel.id}`);
    const res = await f.admin.post(
      `/admin/channels/${channel.id}`,
      channelForm({ groupId }, { name: "Sales", hours_6_0_start: "10:00", hours_6_0_end: "14:00" }),
    );
    assert.equal(res.status, 303);
    const [after] = await f.t.deps.db.select().from(channels).where(eq(channels.id, channel.id));
    assert.equal(after.name, "Sales");
    assert.equal(after.slug, channel.slug);
    assert.deepEqual(after.openingHours.days["6"], [["10:00", "14:00"]]);
    const [entry] = await f.t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "channel.updated"),
    );
    assert.deepEqual(entry.details.before, {
      name: "Helpdesk",
      openingHours: channel.openingHours,
    });
    assert.equal((entry.details.after as { name: string }).name, "Sales");
  } finally {
    await f.t.close();
  }
});

Deno.test("bad channel input re-renders the form with messages at 422 and saves nothing", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const theirs = await foreignGroup(f.t);
    const cases: [Record<string, string>, RegExp][] = [
      [{ hours_1_0_start: "25:00" }, /Write times as HH:MM/],
      [{ hours_2_0_start: "17:00", hours_2_0_end: "09:00" }, /must end after it starts/],
      [{ hours_3_0_end: "09:00" }, /must end after it starts/],
      [{ timeZone: "Mars/Olympus_Mons" }, /Choose a time zone from the list/],
      [{ [`group_${theirs}`]: "on" }, /does not exist \(any more\)/],
      [{ [`field_${crypto.randomUUID()}`]: "required" }, /does not exist or is deactivated/],
      [{ name: "  " }, /Give the channel a name/],
      [{ [`group_${groupId}`]: "" }, /.*/],
      [{ unavailableMessage: "x".repeat(2001) }, /at most 2000 characters/],
    ];
    for (const [overrides, message] of cases) {
      await f.admin.get("/admin/channels/new");
      const form = channelForm({ groupId }, overrides);
      if (overrides[`group_${groupId}`] === "") delete form[`group_${groupId}`];
      const res = await f.admin.post("/admin/channels", form);
      const html = await res.text();
      assert.equal(res.status, 422, JSON.stringify(overrides));
      assert.match(html, message);
      assert.match(html, /Nothing was saved/);
      if (!overrides.timeZone) {
        assert.match(html, /value="Europe\/Amsterdam" selected/, "the input comes back");
      }
      if (!overrides.name) assert.match(html, /value="Helpdesk"/, "the input comes back");
      assert.equal(await channelCount(f.t), 0, JSON.stringify(overrides));
    }
    const channel = await createChannelVia(f, channelForm({ groupId }));
    const res = await f.admin.post(
      `/admin/channels/${channel.id}`,
      channelForm({ groupId }, { name: "Changed", hours_4_0_start: "9:00" }),
    );
    assert.equal(res.status, 422);
    const [after] = await f.t.deps.db.select().from(channels).where(eq(channels.id, channel.id));
    assert.equal(after.name, "Helpdesk", "a refused edit changes nothing");
    assert.equal((await auditActions(f.t.deps)).filter((a) => a === "channel.updated").length, 0);
  } finally {
    await f.t.close();
  }
});

Deno.test("the eleventh channel is refused with a clear message and nothing is saved", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const secondLine = await insertGroup(f.t, f.orgId, "Second line");
    for (let i = 1; i <= 10; i++) {
      const group = i === 10 ? secondLine : groupId;
      await createChannelVia(f, channelForm({ groupId: group }, { name: `Channel ${i}` }));
    }
    const list = await (await f.admin.get("/admin/channels")).text();
    assert.doesNotMatch(list, /href="\/admin\/channels\/new"/);
    assert.match(list, /already has 10 channels/);
    assert.match(list, /10 of at most 10 channels/);
    // An admin of the second line sees its one channel, and the organisation's count and
    // limit as they are: no New button that could only be refused.
    const adminUser = await makePerson(f.t, { groupId: secondLine, role: "admin" });
    await f.t.deps.db.insert(groupAdmins).values({ groupId: secondLine, userId: adminUser.id });
    const limited = f.t.client();
    await limited.signIn(adminUser.email, TECH_PASSWORD);
    const theirs = await (await limited.get("/admin/channels")).text();
    assert.match(theirs, /Channel 10/);
    assert.doesNotMatch(theirs, /Channel 9/);
    assert.doesNotMatch(theirs, /href="\/admin\/channels\/new"/);
    assert.match(theirs, /already has 10 channels/);
    assert.match(theirs, /10 of at most 10 channels/);
    const newPage = await f.admin.get("/admin/channels/new");
    assert.equal(newPage.status, 409);
    const res = await f.admin.post("/admin/channels", channelForm({ groupId }, { name: "Eleven" }));
    assert.equal(res.status, 409);
    const html = await res.text();
    assert.match(html, /already has 10 channels, the most allowed/);
    assert.match(html, /value="Eleven"/, "what the admin typed is kept");
    assert.equal(await channelCount(f.t), 10);
    assert.equal((await auditActions(f.t.deps)).filter((a) => a === "channel.created").length, 10);
  } finally {
    await f.t.close();
  }
});

Deno.test("deleting a channel asks first, then removes it and its link", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    const confirm = await (await f.admin.get(`/admin/channels/${channel.id}/delete`)).text();
    assert.match(confirm, /Delete channel “Helpdesk”\?/);
    assert.equal(await channelCount(f.t), 1, "asking deletes nothing");
    const res = await f.admin.post(`/admin/channels/${channel.id}/delete`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/admin/channels?deleted=1");
    assert.equal(await channelCount(f.t), 0);
    assert.equal((await f.t.deps.db.select().from(channelGroups)).length, 0);
    assert.equal((await f.admin.get(`/admin/channels/${channel.id}`)).status, 404);
    assert.equal((await f.t.client().get(`/c/${channel.slug}`)).status, 404);
    const [entry] = await f.t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "channel.deleted"),
    );
    assert.equal((entry.details.before as { slug: string }).slug, channel.slug);
  } finally {
    await f.t.close();
  }
});

Deno.test("admins see only their organisation's channels; a technician gets 403", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    assert.equal((await f.admin.get("/admin/channels/not-a-uuid")).status, 404);
    assert.equal((await f.admin.get(`/admin/channels/${crypto.randomUUID()}`)).status, 404);

    const tech = await signInTechnician(f.t, f.orgId);
    for (
      const path of ["/admin/channels", "/admin/channels/new", `/admin/channels/${channel.id}`]
    ) {
      assert.equal((await tech.get(path)).status, 403, path);
    }
    assert.equal((await tech.get("/admin/fields")).status, 403);
    assert.equal((await tech.post("/admin/channels", channelForm({ groupId }))).status, 403);
    assert.equal((await tech.post(`/admin/channels/${channel.id}/delete`)).status, 403);
    assert.equal((await tech.post("/admin/fields", { label: "X", maxLength: "5" })).status, 403);
    assert.equal(await channelCount(f.t), 1);

    const anonymous = await f.t.client().get("/admin/channels");
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location") ?? "", /^\/signin/);
  } finally {
    await f.t.close();
  }
});

Deno.test("the channel admin pages render in Dutch for accept-language nl", async () => {
  const f = await startWithAdmin();
  try {
    const groupId = await insertGroup(f.t, f.orgId, "Eerste lijn");
    const channel = await createChannelVia(f, channelForm({ groupId }));
    f.admin.headers["accept-language"] = "nl";
    const list = await (await f.admin.get("/admin/channels")).text();
    assert.match(list, /<html lang="nl" dir="ltr">/);
    assert.match(list, /Kanalen/);
    assert.match(list, /Openbare link/);
    const edit = await (await f.admin.get(`/admin/channels/${channel.id}`)).text();
    assert.match(edit, /Openingstijden/);
    assert.match(edit, /maandag/);
    const bad = await f.admin.post(
      `/admin/channels/${channel.id}`,
      channelForm({ groupId }, { hours_1_0_start: "25:00" }),
    );
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /Schrijf tijden als UU:MM/);
  } finally {
    await f.t.close();
  }
});
