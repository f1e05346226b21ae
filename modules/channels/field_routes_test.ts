// The custom fields page (/admin/fields): add, rename, reorder, deactivate/reactivate,
// 422s that save nothing, and what deactivation does to the channel forms.
import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { auditActions } from "../../tests/support/app.ts";
import { customFields } from "./schema.ts";
import {
  addField,
  channelForm,
  createChannelVia,
  insertGroup,
  onlineTechnician,
  startWithAdmin,
} from "./test_fixtures.ts";
import type { AdminFixture } from "./test_fixtures.ts";

async function labelsInOrder(f: AdminFixture): Promise<string[]> {
  const rows = await f.t.deps.db.select().from(customFields).orderBy(asc(customFields.position));
  return rows.map((r) => r.label);
}

Deno.test("admins add, rename and reorder custom fields; each change is audited", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 30);
    await addField(f, "Order number", 20);
    const email = await addField(f, "E-mail", 200);
    assert.deepEqual(await labelsInOrder(f), ["Phone number", "Order number", "E-mail"]);
    const page = await (await f.admin.get("/admin/fields?saved=1")).text();
    assert.match(page, /Name \(built in\)/);
    assert.match(page, /Phone number/);
    assert.match(page, /Saved\./);

    await f.admin.get(`/admin/fields/${phone}`);
    const renamed = await f.admin.post(`/admin/fields/${phone}`, {
      label: "Telephone",
      maxLength: "25",
    });
    assert.equal(renamed.status, 303);
    const [row] = await f.t.deps.db.select().from(customFields).where(eq(customFields.id, phone));
    assert.deepEqual([row.label, row.maxLength], ["Telephone", 25]);

    await f.admin.get("/admin/fields");
    assert.equal(
      (await f.admin.post(`/admin/fields/${email}/move`, { direction: "up" })).status,
      303,
    );
    assert.deepEqual(await labelsInOrder(f), ["Telephone", "E-mail", "Order number"]);
    await f.admin.post(`/admin/fields/${phone}/move`, { direction: "down" });
    assert.deepEqual(await labelsInOrder(f), ["E-mail", "Telephone", "Order number"]);
    await f.admin.post(`/admin/fields/${email}/move`, { direction: "up" });
    assert.deepEqual(
      await labelsInOrder(f),
      ["E-mail", "Telephone", "Order number"],
      "already first",
    );
    assert.equal(
      (await f.admin.post(`/admin/fields/${email}/move`, { direction: "left" })).status,
      400,
    );

    const actions = (await auditActions(f.t.deps)).filter((a) => a.startsWith("field."));
    assert.deepEqual(actions, [
      "field.created",
      "field.created",
      "field.created",
      "field.updated",
      "field.updated",
      "field.updated",
    ]);
  } finally {
    await f.t.close();
  }
});

Deno.test("bad field input re-renders with a message at 422 and saves nothing", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 30);
    const cases: [Record<string, string>, RegExp][] = [
      [{ label: "", maxLength: "20" }, /Give the field a label/],
      [{ label: "x".repeat(61), maxLength: "20" }, /at most 60 characters/],
      [{ label: "Ok", maxLength: "0" }, /whole number from 1 to 2000/],
      [{ label: "Ok", maxLength: "2001" }, /whole number from 1 to 2000/],
      [{ label: "Ok", maxLength: "many" }, /whole number from 1 to 2000/],
      [{ label: "phone NUMBER", maxLength: "20" }, /exists already/],
    ];
    for (const [form, message] of cases) {
      await f.admin.get("/admin/fields");
      const res = await f.admin.post("/admin/fields", form);
      assert.equal(res.status, 422, JSON.stringify(form));
      const html = await res.text();
      assert.match(html, message);
      assert.match(html, /Nothing was saved/);
    }
    assert.equal((await f.t.deps.db.select().from(customFields)).length, 1);
    const rename = await f.admin.post(`/admin/fields/${phone}`, { label: " ", maxLength: "20" });
    assert.equal(rename.status, 422);
    const [row] = await f.t.deps.db.select().from(customFields).where(eq(customFields.id, phone));
    assert.equal(row.label, "Phone number");
    assert.equal((await f.admin.get(`/admin/fields/${crypto.randomUUID()}`)).status, 404);
  } finally {
    await f.t.close();
  }
});

Deno.test("a deactivated field leaves every form but keeps its place; it can come back", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 30);
    const order = await addField(f, "Order number", 20);
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    await onlineTechnician(f.t, f.orgId, groupId);
    const channel = await createChannelVia(
      f,
      channelForm({ groupId, fields: { [phone]: "required", [order]: "optional" } }),
    );
    await f.admin.get("/admin/fields");
    const off = await f.admin.post(`/admin/fields/${phone}/active`, { active: "0" });
    assert.equal(off.status, 303);
    const list = await (await f.admin.get("/admin/fields")).text();
    assert.match(list, /Deactivated/);
    assert.match(list, /Reactivate/);

    const visitor = f.t.client();
    const page = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.doesNotMatch(page, new RegExp(`f_${phone}`));
    assert.match(page, new RegExp(`f_${order}`));
    const ok = await visitor.post(`/c/${channel.slug}`, { name: "Ann" });
    assert.equal(ok.status, 303, "a deactivated required field is no longer asked for");
    const form = await (await f.admin.get(`/admin/channels/${channel.id}`)).text();
    assert.doesNotMatch(form, new RegExp(`name="field_${phone}"`));

    await f.admin.post(`/admin/fields/${phone}/active`, { active: "1" });
    assert.match(await (await visitor.get(`/c/${channel.slug}`)).text(), new RegExp(`f_${phone}`));
    assert.deepEqual(await labelsInOrder(f), ["Phone number", "Order number"]);
    const actions = (await auditActions(f.t.deps)).filter((a) => /^field\.(de|re)/.test(a));
    assert.deepEqual(actions, ["field.deactivated", "field.reactivated"]);
  } finally {
    await f.t.close();
  }
});

Deno.test("twenty active fields are allowed and the twenty-first is refused", async () => {
  const f = await startWithAdmin();
  try {
    for (let i = 1; i <= 20; i++) await addField(f, `Field ${i}`, 10);
    const page = await (await f.admin.get("/admin/fields")).text();
    assert.match(page, /There are 20 active fields/);
    const res = await f.admin.post("/admin/fields", { label: "Field 21", maxLength: "10" });
    assert.equal(res.status, 409);
    assert.equal((await f.t.deps.db.select().from(customFields)).length, 20);
  } finally {
    await f.t.close();
  }
});
