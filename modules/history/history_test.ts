// Session history and search through the real app (SPEC T5): the History tab of a session
// shows the earlier sessions of the same customer or device with their chat and notes — only
// those the technician may see (own; its group's with seeOtherTechnicians; admins' groups);
// the record page follows the same rule; full-text search finds chat words and notes,
// respects filters and permissions (days in the viewer's time zone); the record page shows
// everything a session keeps.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { CurrentUser } from "../http/mod.ts";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  endSession,
  findByToken,
  logSessionEvent,
  recordDevice,
  saveNote,
  startSession,
  supportSessions,
  technicianChat,
  transferSession,
} from "../support/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { toCurrentUser, users } from "../auth/mod.ts";
import { customerChat } from "../support/test_support.ts";

const HTMX = { "hx-request": "true" };

interface Tech {
  user: CurrentUser;
  browser: TestClient;
}

async function tech(t: TestApp, groupId: string, permissions: Permission[], name: string) {
  const row = await makePerson(t, { groupId });
  await t.deps.db.update(users).set({ name }).where(eq(users.id, row.id));
  const user = { ...toCurrentUser(row), name, permissions: new Set(permissions), groupId };
  const browser = t.client();
  await browser.signIn(row.email, TECH_PASSWORD);
  await browser.get("/console");
  return { user, browser };
}

/** A session `by` worked for `customer` (Active), with `chat` said in it. */
async function worked(
  t: TestApp,
  by: Tech,
  customer: { name: string; contact?: string },
  chat?: string,
) {
  const { session } = await createPrivateSession(t.deps, by.user, {
    method: "link",
    customerName: customer.name,
    fields: {},
  });
  if (customer.contact) {
    await t.deps.db.update(supportSessions).set({ customerContact: customer.contact })
      .where(eq(supportSessions.id, session.id));
  }
  const row = (await findByToken(t.deps, session.token))!;
  await customerConnected(t.deps, row);
  await startSession(t.deps, by.user, row.id);
  if (chat) await technicianChat(t.deps, by.user, row.id, chat);
  return (await findByToken(t.deps, session.token))!;
}

async function world() {
  const t = await startTestApp();
  const all = defaultPermissions();
  const blind = all.filter((p) => p !== "seeOtherTechnicians");
  const open = await makeGroup(t, { name: "Open desk", permissions: all });
  const closed = await makeGroup(t, { name: "Closed desk", permissions: blind });
  const ann = await tech(t, open.id, all, "Ann");
  const bob = await tech(t, open.id, all, "Bob");
  const cas = await tech(t, closed.id, blind, "Cas");
  const dirk = await tech(t, closed.id, blind, "Dirk");
  // Ann helped Dave before: chat, a note, ended.
  const first = await worked(
    t,
    ann,
    { name: "Dave", contact: "dave@example.test" },
    "The printer jammed again",
  );
  await saveNote(t.deps, ann.user, first.id, "Replaced the toner cartridge");
  await endSession(t.deps, ann.user, first.id);
  t.clock.advance(60_000);
  return { t, open, closed, ann, bob, cas, dirk, first };
}

const tab = async (who: Tech, sessionId: string) => {
  const res = await who.browser.get(`/console/history/tab/${sessionId}`, HTMX);
  assert.equal(res.status, 200);
  return await res.text();
};

Deno.test("History tab: a colleague with seeOtherTechnicians sees the customer's earlier session, chat and notes", async () => {
  const w = await world();
  try {
    // Bob (same group, may see colleagues) now helps the same customer — same e-mail.
    const next = await worked(w.t, w.bob, { name: "D. Jansen", contact: "DAVE@example.test" });
    const html = await tab(w.bob, next.id);
    assert.match(html, new RegExp(`data-history-session="${w.first.id}"`));
    assert.match(html, /The printer jammed again/);
    assert.match(html, /Replaced the toner cartridge/);
    assert.match(html, /same e-mail or phone/);
    assert.match(html, /Closed by technician/);
    assert.match(html, /· Ann/);
    // The record page: whole log, notes, who took part.
    const record = await w.bob.browser.get(`/console/history/session/${w.first.id}`);
    assert.equal(record.status, 200);
    const page = await record.text();
    assert.match(page, /Session #\d+ · Dave/);
    assert.match(page, /The printer jammed again/);
    assert.match(page, /<td>Ann<\/td>\s*<td>Lead<\/td>\s*<td>Removed/);
  } finally {
    await w.t.close();
  }
});

Deno.test("History tab: without seeOtherTechnicians, or in another group, earlier sessions stay hidden", async () => {
  const w = await world();
  try {
    // Cas (a group without seeOtherTechnicians) helped Dave too, then Dirk of the same group.
    const casSession = await worked(
      w.t,
      w.cas,
      { name: "Dave", contact: "dave@example.test" },
      "Cas was here",
    );
    await endSession(w.t.deps, w.cas.user, casSession.id);
    const dirkSession = await worked(w.t, w.dirk, { name: "Dave", contact: "dave@example.test" });
    const html = await tab(w.dirk, dirkSession.id);
    assert.match(html, /No earlier sessions of this device or customer that you may see\./);
    assert.doesNotMatch(html, /Cas was here|printer/);
    // Cas sees its own earlier session, not Ann's (another group).
    const casNext = await worked(w.t, w.cas, { name: "Dave", contact: "dave@example.test" });
    const own = await tab(w.cas, casNext.id);
    assert.match(own, /Cas was here/);
    assert.doesNotMatch(own, /printer/);
    // The record of a session one may not see is "not found", like a missing one.
    assert.equal((await w.dirk.browser.get(`/console/history/session/${w.first.id}`)).status, 404);
    assert.equal(
      (await w.dirk.browser.get(`/console/history/session/${casSession.id}`)).status,
      404,
    );
    assert.equal(
      (await w.dirk.browser.get(`/console/history/session/${crypto.randomUUID()}`)).status,
      404,
    );
    // Nor the History tab of a session the technician cannot see.
    assert.equal(
      (await w.dirk.browser.get(`/console/history/tab/${casNext.id}`, HTMX)).status,
      404,
    );
    // The master admin sees every session.
    const admin = w.t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    assert.equal((await admin.get(`/console/history/session/${casSession.id}`)).status, 200);
  } finally {
    await w.t.close();
  }
});

Deno.test("History tab: the same device is found by the support app's id, whatever the name", async () => {
  const w = await world();
  try {
    await recordDevice(w.t.deps, w.first, "device-0001-abcdef");
    const next = await worked(w.t, w.ann, { name: "Someone else" });
    await recordDevice(w.t.deps, next, "device-0001-abcdef");
    const html = await tab(w.ann, next.id);
    assert.match(html, /The printer jammed again/);
    assert.match(html, /same device/);
    const stranger = await worked(w.t, w.ann, { name: "Nobody known" });
    assert.match(await tab(w.ann, stranger.id), /No earlier sessions/);
  } finally {
    await w.t.close();
  }
});

const search = async (who: Tech, query: Record<string, string>) => {
  const res = await who.browser.get(`/console/history?${new URLSearchParams(query)}`);
  return { status: res.status, html: await res.text() };
};

Deno.test("search: the form sent with every field empty lists the sessions the reader may see", async () => {
  const w = await world();
  try {
    // What the page's Search button sends with nothing chosen.
    const empty = { q: "", technician: "", group: "", channel: "", outcome: "", from: "", to: "" };
    const listed = await search(w.bob, { ...empty, tz: "UTC" });
    assert.equal(listed.status, 200);
    assert.match(listed.html, new RegExp(`data-session="${w.first.id}"`));
    assert.match(listed.html, /sessions? found\./);
    // The bare page and the time zone alone list nothing yet.
    for (const query of [{}, { tz: "UTC" }] as Record<string, string>[]) {
      assert.doesNotMatch((await search(w.bob, query)).html, /data-session=|found\./);
    }
  } finally {
    await w.t.close();
  }
});

Deno.test("search: finds a chat word and a note, with filters and permissions", async () => {
  const w = await world();
  try {
    const found = await search(w.bob, { q: "printer" });
    assert.equal(found.status, 200);
    assert.match(found.html, new RegExp(`data-session="${w.first.id}"`));
    assert.match(found.html, /The <mark>printer<\/mark> jammed again/);
    assert.match(found.html, /1 session found\./);
    const note = await search(w.bob, { q: "toner" });
    assert.match(note.html, /data-source="note"/);
    assert.match(note.html, /Replaced the <mark>toner<\/mark> cartridge/);
    // Web-search syntax: a phrase, and a word left out.
    assert.match((await search(w.bob, { q: '"jammed again"' })).html, /1 session found/);
    assert.match((await search(w.bob, { q: "printer -jammed" })).html, /No sessions found\./);
    // Filters.
    const byAnn = await search(w.bob, { q: "printer", technician: w.ann.user.id });
    assert.match(byAnn.html, /1 session found/);
    const byBob = await search(w.bob, { q: "printer", technician: w.bob.user.id });
    assert.match(byBob.html, /No sessions found/);
    assert.match((await search(w.bob, { q: "printer", group: w.open.id })).html, /1 session found/);
    assert.match((await search(w.bob, { q: "printer", group: w.closed.id })).html, /No sessions/);
    const closed = await search(w.bob, { q: "printer", outcome: "closed_by_technician" });
    assert.match(closed.html, /1 session found/);
    assert.match((await search(w.bob, { q: "printer", outcome: "open" })).html, /No sessions/);
    const day = w.first.createdAt.toISOString().slice(0, 10);
    assert.match((await search(w.bob, { q: "printer", from: day, to: day })).html, /1 session/);
    const later = new Date(w.first.createdAt.getTime() + 86_400_000).toISOString().slice(0, 10);
    assert.match((await search(w.bob, { q: "printer", from: later })).html, /No sessions/);
    // A bad filter is refused clearly.
    const bad = await search(w.bob, { q: "printer", outcome: "exploded" });
    assert.equal(bad.status, 422);
    assert.match(bad.html, /cannot be searched for/);
    // Permissions: another group without seeOtherTechnicians finds nothing of Ann's.
    assert.match((await search(w.dirk, { q: "printer" })).html, /No sessions found/);
    assert.match((await search(w.cas, { q: "toner" })).html, /No sessions found/);
    // Without words: the sessions the filters leave (Bob's group: Ann's session).
    const listed = await search(w.bob, { technician: w.ann.user.id });
    assert.match(listed.html, new RegExp(`data-session="${w.first.id}"`));
  } finally {
    await w.t.close();
  }
});

Deno.test("search: from and to are days in the viewer's time zone (Pacific/Auckland, over a DST start)", async () => {
  const w = await world();
  try {
    // New Zealand's clocks go from 02:00 to 03:00 on 27 September 2026: that day has 23
    // hours, from 26 Sep 12:00 UTC (+12) to 27 Sep 11:00 UTC (+13).
    const at = [
      "2026-09-26T11:30:00Z",
      "2026-09-26T12:30:00Z",
      "2026-09-27T10:30:00Z",
      "2026-09-27T11:30:00Z",
    ];
    const ids: string[] = [];
    for (const [i, instant] of at.entries()) {
      w.t.clock.set(new Date(instant));
      ids.push((await worked(w.t, w.ann, { name: `Modem ${i}` }, "The modem blinks")).id);
    }
    const found = async (query: Record<string, string>) => {
      const { status, html } = await search(w.bob, { q: "modem", ...query });
      assert.equal(status, 200);
      return ids.filter((id) => html.includes(`data-session="${id}"`));
    };
    const nz = { tz: "Pacific/Auckland" };
    assert.deepEqual(await found({ ...nz, from: "2026-09-27", to: "2026-09-27" }), ids.slice(1, 3));
    assert.deepEqual(await found({ ...nz, to: "2026-09-26" }), ids.slice(0, 1));
    assert.deepEqual(await found({ ...nz, from: "2026-09-28" }), ids.slice(3));
    // The same days in UTC (the default without a zone) split the sessions elsewhere.
    assert.deepEqual(await found({ from: "2026-09-26", to: "2026-09-26" }), ids.slice(0, 2));
    assert.deepEqual(
      await found({ tz: "UTC", from: "2026-09-27", to: "2026-09-27" }),
      ids.slice(2),
    );
    // The form keeps the zone; an unknown one is refused.
    const page = await search(w.bob, { ...nz, from: "2026-09-27" });
    assert.match(page.html, /<option value="Pacific\/Auckland" selected(="")?>/);
    assert.equal((await search(w.bob, { q: "modem", tz: "Mars/Olympus" })).status, 422);
  } finally {
    await w.t.close();
  }
});

Deno.test("record page: statuses with times, both chats (the technicians' marked, never the customer's), files with hashes, notes, remote, file and script actions, who took part", async () => {
  const w = await world();
  try {
    const { t, ann, bob } = w;
    const session = await worked(t, ann, { name: "Erik" }, "Which printer model is it?");
    const customer = t.client();
    const page = await (await customer.get(`/s/${session.token}`)).text();
    await customerChat(t.deps, session, "An HP LaserJet");
    await technicianChat(t.deps, ann.user, session.id, "Bob, he needs a new fuser", undefined, {
      audience: "technicians",
    });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const form = new FormData();
    form.append("_csrf", csrf);
    form.append("file", new File(["fuser error 50.1"], "error.txt", { type: "text/plain" }));
    assert.equal(
      (await customer.send(`/s/${session.token}/files`, {
        method: "POST",
        body: form,
      })).status,
      303,
    );
    await saveNote(t.deps, ann.user, session.id, "Ordered a fuser kit");
    const by = { userId: ann.user.id, name: "Ann", author: "technician" as const };
    await logSessionEvent(t.deps, session, "log.remote.controlRequested", { name: "Ann" }, by);
    await logSessionEvent(t.deps, session, "log.remote.controlGranted", {}, {
      author: "customer",
      name: "Erik",
    });
    await logSessionEvent(t.deps, session, "log.files.renamed", {
      name: "Ann",
      path: "C:/a.txt",
      to: "C:/b.txt",
    }, by);
    await logSessionEvent(t.deps, session, "log.scripts.started", {
      name: "Ann",
      script: "Clear spooler",
    }, by);
    await endSession(t.deps, ann.user, session.id);

    const html = await (await bob.browser.get(`/console/history/session/${session.id}`)).text();
    const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    // Statuses, each with its time.
    assert.match(html, /class="log-line log-status[^"]*"[^>]*>\s*<time[^>]*datetime="[^"]+"/);
    assert.match(text, /Active/);
    // Both chats; the technicians' own marked as such.
    assert.match(text, /Which printer model is it\?/);
    assert.match(text, /An HP LaserJet/);
    assert.match(
      html,
      /class="log-line log-chat by-technician technicians-only"[\s\S]*?Technicians only[\s\S]*?Bob, he needs a new fuser/,
    );
    // The file with both hashes, the note, the remote, file and script actions.
    const sha = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("fuser error 50.1"));
    const hex = [...new Uint8Array(sha)].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.match(html, new RegExp(`error\\.txt[\\s\\S]*[0-9a-f]{32}[\\s\\S]*${hex}`));
    assert.match(text, /Ordered a fuser kit/);
    assert.match(text, /Ann asked for remote control\./);
    assert.match(text, /The customer granted remote control\./);
    assert.match(text, /Ann renamed C:\/a\.txt to C:\/b\.txt/);
    assert.match(text, /Ann started the script “Clear spooler”/);
    // Who took part.
    assert.match(html, /class="record-people"[\s\S]*Ann/);
    // The customer's page never shows the technicians' chat, during or after.
    const ended = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(ended, /An HP LaserJet/);
    assert.doesNotMatch(ended, /needs a new fuser/);
  } finally {
    await w.t.close();
  }
});

Deno.test("History tab of a session passed on: its former technician reads why, not an error; one never theirs stays not found", async () => {
  const w = await world();
  try {
    // Cas (may not see colleagues' sessions) passes a session to Dirk, who starts it.
    const session = await worked(w.t, w.cas, { name: "Erin" });
    assert.doesNotMatch(await tab(w.cas, session.id), /history-tab-gone/); // 200 while Cas works it
    await transferSession(
      w.t.deps,
      w.cas.user,
      session.id,
      { kind: "technician", id: w.dirk.user.id },
      "",
      () => Promise.resolve(true),
    );
    await startSession(w.t.deps, w.dirk.user, session.id);
    // Cas's workspace may still ask for the tab: it says why there is nothing to show.
    const gone = await tab(w.cas, session.id);
    assert.match(gone, /id="history-tab-gone"/);
    assert.match(gone, /You no longer work this session/);
    // Dirk never had Ann's session: not found, as before.
    const never = await w.dirk.browser.get(`/console/history/tab/${w.first.id}`, HTMX);
    assert.equal(never.status, 404);
  } finally {
    await w.t.close();
  }
});
