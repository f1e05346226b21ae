// Deleting a group never strands what depends on it (SPEC A4, C1): an active channel only this
// group serves keeps it until the channel has another group — the page names the channels and
// the API refuses alike; so does a calling card only it may deploy; a group with session history
// stays, and the page says how to retire it.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { createApiToken } from "../modules/auth/mod.ts";
import { channelGroups, createChannel } from "../modules/channels/mod.ts";
import { callingCardGroups, callingCards } from "../modules/calling_cards/schema.ts";
import { technicianGroups } from "../modules/org/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { toCurrentUser } from "../modules/auth/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin } from "./support/org.ts";
import { workingSession } from "./support/sessions.ts";

async function channelOf(t: TestApp, name: string, groupIds: string[], active = true) {
  const ctx = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
  const saved = await createChannel(t.deps.db, { name, groupIds, active }, ctx);
  assert.ok(saved.ok, JSON.stringify(saved));
  return saved.channel;
}

async function apiDelete(t: TestApp, groupId: string) {
  const { token } = await createApiToken(t.deps.db, {
    userId: (await masterAdmin(t)).id,
    name: "test",
    now: t.clock.now(),
  });
  return await t.app.request(`http://localhost/api/v1/groups/${groupId}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
}

const exists = async (t: TestApp, id: string) =>
  (await t.deps.db.select().from(technicianGroups).where(eq(technicianGroups.id, id))).length ===
    1;

Deno.test("a group an active channel depends on alone is not deleted: page and API name the channels", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const group = await makeGroup(t, { name: "Field team" });
    const other = await makeGroup(t, { name: "Desk" });
    const web = await channelOf(t, "Website", [group.id]);
    const shop = await channelOf(t, "Web shop", [group.id]);
    await channelOf(t, "Phone", [group.id, other.id]); // has another group: not in the way
    await channelOf(t, "Old form", [group.id], false); // inactive: may be left without a group

    const ask = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(ask, /Web shop, Website/);
    assert.match(ask, /only by this group/);
    assert.match(ask, new RegExp(`href="/admin/channels/${web.id}"`));
    assert.doesNotMatch(ask, /Phone|Old form/);
    assert.doesNotMatch(ask, /Delete the group</, "no button that can only be refused");
    const refused = await admin.post(`/admin/groups/${group.id}/delete`);
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /Web shop, Website/);
    const viaApi = await apiDelete(t, group.id);
    assert.equal(viaApi.status, 409);
    assert.match((await viaApi.json()).detail, /Web shop, Website/);
    assert.ok(await exists(t, group.id));
    assert.equal(
      (await t.deps.db.select().from(channelGroups).where(eq(channelGroups.channelId, shop.id)))
        .length,
      1,
      "the channel still has its group",
    );

    // Once both have another group, the group goes (through the API this time).
    for (const channel of [web, shop]) {
      await t.deps.db.insert(channelGroups).values({ channelId: channel.id, groupId: other.id });
    }
    const ok = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(ok, /Delete the group</);
    assert.equal((await apiDelete(t, group.id)).status, 204);
    assert.ok(!(await exists(t, group.id)));
  } finally {
    await t.close();
  }
});

async function cardOf(t: TestApp, name: string, channelId: string, groupIds: string[]) {
  const now = t.clock.now();
  const [card] = await t.deps.db.insert(callingCards).values({
    orgId: (await masterAdmin(t)).orgId,
    channelId,
    name,
    accent: "#ff6600",
    background: "#ffffff",
    createdAt: now,
    updatedAt: now,
  }).returning();
  if (groupIds.length > 0) {
    await t.deps.db.insert(callingCardGroups).values(groupIds.map((groupId) => ({
      cardId: card.id,
      groupId,
    })));
  }
  return card;
}

Deno.test("a group that alone may deploy a calling card is not deleted: page and API name the cards", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const group = await makeGroup(t, { name: "Field team" });
    const other = await makeGroup(t, { name: "Desk" });
    // The channels have another group, so only the cards hang on `group`.
    const web = await channelOf(t, "Website", [group.id, other.id]);
    const shop = await channelOf(t, "Web shop", [group.id, other.id]);
    await cardOf(t, "Acme support", web.id, [group.id]);
    await cardOf(t, "Shop helper", shop.id, [group.id, other.id]); // another group: not in the way

    const ask = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(ask, /Acme support/);
    assert.match(ask, /calling card can be deployed only by this group/);
    assert.match(ask, new RegExp(`href="/admin/calling-cards/${web.id}"`));
    assert.doesNotMatch(ask, /Shop helper/);
    assert.doesNotMatch(ask, /Delete the group</, "no button that can only be refused");
    const refused = await admin.post(`/admin/groups/${group.id}/delete`);
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /Acme support/);
    const viaApi = await apiDelete(t, group.id);
    assert.equal(viaApi.status, 409);
    assert.match((await viaApi.json()).detail, /Acme support/);
    assert.ok(await exists(t, group.id));

    await admin.post("/account/language", { language: "nl" });
    const dutch = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(dutch, /visitekaartje kan alleen door deze groep worden geplaatst: Acme support/);

    const [acme] = await t.deps.db.select().from(callingCards).where(
      eq(callingCards.channelId, web.id),
    );
    await t.deps.db.insert(callingCardGroups).values({ cardId: acme.id, groupId: other.id });
    assert.equal((await apiDelete(t, group.id)).status, 204);
    assert.ok(!(await exists(t, group.id)));
  } finally {
    await t.close();
  }
});

Deno.test("a group with session history says so before the click, and how to retire it instead", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const spare = await makeGroup(t, { name: "Spare" });
    const history = await makeGroup(t, { name: "Last year" });
    const worker = await makePerson(t, { groupId: history.id });
    const me = { ...toCurrentUser(worker), permissions: new Set(defaultPermissions()) };
    await workingSession(t, { ...me, groupId: history.id });
    await admin.get("/admin/technicians");
    await admin.post(`/admin/technicians/${worker.id}/group`, { groupId: spare.id });

    const ask = await (await admin.get(`/admin/groups/${history.id}/delete`)).text();
    assert.match(ask, /the session history and reports keep referring to it/);
    assert.doesNotMatch(ask, /Delete the group</, "no button that can only be refused");
    assert.match(ask, /To retire it/);
    assert.doesNotMatch(ask, /This cannot be undone/, "nothing to say of what deletion takes");
    assert.match(ask, /<div class="flash error steps">/, "the list sits inside its padding");
    assert.match(ask, new RegExp(`href="/admin/groups/${history.id}"`));
    assert.match(ask, new RegExp(`href="/admin/groups/${history.id}/permissions"`));
    const refused = await admin.post(`/admin/groups/${history.id}/delete`);
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /To retire it/);
    assert.ok(await exists(t, history.id), "the dry run deleted nothing");
    assert.equal((await apiDelete(t, history.id)).status, 409);
  } finally {
    await t.close();
  }
});
