// The predefined replies page through the whole app: add, edit, move and delete one's own
// items (with and without htmx), others' ids refused, export → import round trip, hostile
// files refused with nothing stored, and the session chat picker.
import assert from "node:assert/strict";
import { asc, eq } from "drizzle-orm";
import { auditLog } from "../audit/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { auditActions, startTestApp, type TestApp, TestClient } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { MAX_REPLIES } from "./input.ts";
import { predefinedReplies } from "./schema.ts";

async function technician(t: TestApp, permissions?: Permission[]) {
  const group = await makeGroup(t, { permissions });
  const user = await makePerson(t, { groupId: group.id });
  const client = t.client();
  await client.signIn(user.email, TECH_PASSWORD);
  const page = await client.get("/console/replies");
  assert.equal(page.status, 200);
  return { user, client };
}

async function rowsOf(t: TestApp, userId: string) {
  return await t.deps.db.select().from(predefinedReplies)
    .where(eq(predefinedReplies.userId, userId))
    .orderBy(asc(predefinedReplies.kind), asc(predefinedReplies.position));
}

async function add(client: TestClient, kind: string, title: string, body: string) {
  const res = await client.post("/console/replies", { kind, title, body });
  assert.equal(res.status, 303, await res.clone().text());
  return res;
}

async function importFile(
  client: TestClient,
  content: BlobPart,
  mode: "add" | "replace" = "add",
): Promise<Response> {
  const form = new FormData();
  form.set("_csrf", client.csrf);
  form.set("mode", mode);
  form.set("file", new File([content], "replies.xml", { type: "application/xml" }));
  return await client.send("/console/replies/import", { method: "POST", body: form });
}

const HX = { "hx-request": "true" };

Deno.test("a technician adds, edits, moves and deletes their own replies and URLs", async () => {
  const t = await startTestApp();
  try {
    const { user, client } = await technician(t);
    const res = await add(client, "reply", "Greeting", "Hello,\r\nI am taking over.");
    assert.equal(res.headers.get("location"), "/console/replies?done=added#replies-reply");
    await add(client, "reply", "Bye", "Goodbye!");
    await add(client, "url", "Downloads", "https://example.com/download");
    let rows = await rowsOf(t, user.id);
    assert.deepEqual(rows.map((r) => [r.kind, r.title, r.body, r.position]), [
      ["reply", "Greeting", "Hello,\nI am taking over.", 0],
      ["reply", "Bye", "Goodbye!", 1],
      ["url", "Downloads", "https://example.com/download", 0],
    ]);

    const page = await (await client.get("/console/replies?done=added")).text();
    assert.match(page, /Added\./);
    assert.match(page, /Greeting/);
    assert.match(page, /href="https:\/\/example.com\/download"/);
    assert.match(page, /3 of at most 200 items/);
    assert.match(page, /href="\/console\/replies\/export"/);
    assert.match(page, /enctype="multipart\/form-data"/);

    const [greeting, bye] = rows;
    const editPage = await (await client.get(`/console/replies?edit=${greeting.id}`)).text();
    assert.match(editPage, new RegExp(`action="/console/replies/${greeting.id}"`));
    const saved = await client.post(`/console/replies/${greeting.id}`, {
      title: "Hello",
      body: "Hi there",
    });
    assert.equal(saved.status, 303);
    const moved = await client.post(`/console/replies/${bye.id}/move`, { direction: "up" });
    assert.equal(moved.status, 303);
    rows = await rowsOf(t, user.id);
    assert.deepEqual(rows.map((r) => [r.title, r.body, r.position]), [
      ["Bye", "Goodbye!", 0],
      ["Hello", "Hi there", 1],
      ["Downloads", "https://example.com/download", 0],
    ]);

    const gone = await client.post(`/console/replies/${bye.id}/delete`);
    assert.equal(gone.headers.get("location"), "/console/replies?done=deleted#replies-reply");
    assert.deepEqual((await rowsOf(t, user.id)).map((r) => r.title), ["Hello", "Downloads"]);
  } finally {
    await t.close();
  }
});

Deno.test("with htmx the same endpoints answer with the list that changed", async () => {
  const t = await startTestApp();
  try {
    const { user, client } = await technician(t);
    const res = await client.post("/console/replies", {
      kind: "url",
      title: "Docs",
      body: "https://docs.example.com",
    }, HX);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /^<section class="card" id="replies-url">/);
    assert.match(html, /Added\./);
    assert.doesNotMatch(html, /<html/);
    // The page's count is swapped along, out of band, after an add and after a delete.
    assert.match(html, /<p class="muted" id="replies-count" hx-swap-oob="true">1 of at most/);
    const [row] = await rowsOf(t, user.id);
    const edit = await (await client.get(`/console/replies?edit=${row.id}`, HX)).text();
    assert.match(edit, /^<section class="card" id="replies-url">/);
    assert.match(edit, /value="https:\/\/docs.example.com\/"/);
    const bad = await client.post(`/console/replies/${row.id}`, { title: "", body: "x" }, HX);
    assert.equal(bad.status, 200, "htmx swaps only 2xx, so the messages come back as 200");
    const text = await bad.text();
    assert.match(text, /Give it a title\./);
    assert.match(text, /Enter a complete web address/);
    assert.equal((await rowsOf(t, user.id))[0].title, "Docs");
    const gone = await (await client.post(`/console/replies/${row.id}/delete`, {}, HX)).text();
    assert.match(gone, /id="replies-count" hx-swap-oob="true">0 of at most/);
  } finally {
    await t.close();
  }
});

Deno.test("bad input re-renders the page at 422 with what was typed and saves nothing", async () => {
  const t = await startTestApp();
  try {
    const { user, client } = await technician(t);
    const cases: [Record<string, string>, RegExp][] = [
      [{ kind: "reply", title: " ", body: "text" }, /Give it a title\./],
      [{ kind: "reply", title: "x".repeat(101), body: "text" }, /at most 100 characters/],
      [{ kind: "reply", title: "Long", body: "b".repeat(4001) }, /at most 4000 characters/],
      [{ kind: "url", title: "Evil", body: "javascript:alert(1)" }, /https:\/\/ or http:\/\//],
    ];
    for (const [form, message] of cases) {
      const res = await client.post("/console/replies", form);
      assert.equal(res.status, 422, JSON.stringify(form));
      const html = await res.text();
      assert.match(html, message);
      if (form.title.trim()) assert.ok(html.includes(`value="${form.title}"`), "typed text kept");
    }
    assert.equal((await client.post("/console/replies", { kind: "x", title: "a" })).status, 400);
    assert.equal((await rowsOf(t, user.id)).length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("another technician's replies cannot be seen, edited, moved or deleted", async () => {
  const t = await startTestApp();
  try {
    const owner = await technician(t);
    await add(owner.client, "reply", "Mine", "Private text");
    const [row] = await rowsOf(t, owner.user.id);
    const other = await technician(t);
    const page = await (await other.client.get("/console/replies")).text();
    assert.doesNotMatch(page, /Private text/);
    assert.equal((await other.client.get(`/console/replies?edit=${row.id}`)).status, 404);
    const attempts = [
      other.client.post(`/console/replies/${row.id}`, { title: "Stolen", body: "x" }),
      other.client.post(`/console/replies/${row.id}/move`, { direction: "down" }),
      other.client.post(`/console/replies/${row.id}/delete`),
      other.client.post("/console/replies/not-a-uuid/delete"),
    ];
    for (const res of await Promise.all(attempts)) assert.equal(res.status, 404);
    const export_ = await (await other.client.get("/console/replies/export")).text();
    assert.doesNotMatch(export_, /Private text/);
    assert.deepEqual((await rowsOf(t, owner.user.id)).map((r) => r.title), ["Mine"]);

    const anonymous = await t.client().get("/console/replies");
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location") ?? "", /^\/signin/);
  } finally {
    await t.close();
  }
});

Deno.test("export then import shares a set: added to or replacing one's own, audited", async () => {
  const t = await startTestApp();
  try {
    const alice = await technician(t);
    await add(alice.client, "reply", `Quote "this" & <that>`, "Line 1\nLine 2 & <b>");
    await add(alice.client, "url", "Search", "https://example.com/s?q=a&b=c");
    await add(alice.client, "reply", "Ünïcødé ✓", "😀");
    const res = await alice.client.get("/console/replies/export");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="replies.xml"');
    assert.match(res.headers.get("content-type") ?? "", /^application\/xml/);
    const xml = await res.text();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<replies version="1">/);

    const bob = await technician(t);
    await add(bob.client, "reply", "Bob's own", "keep me");
    const added = await importFile(bob.client, xml, "add");
    assert.equal(added.status, 303);
    assert.equal(added.headers.get("location"), "/console/replies?imported=3&removed=0");
    const mine = (await rowsOf(t, alice.user.id)).map((r) => [r.kind, r.title, r.body]);
    assert.deepEqual(
      (await rowsOf(t, bob.user.id)).map((r) => [r.kind, r.title, r.body, r.position]),
      [["reply", "Bob's own", "keep me", 0], ...mine.map((r, i) => [...r, i < 2 ? i + 1 : 0])],
    );
    const flash = await (await bob.client.get("/console/replies?imported=3&removed=0")).text();
    assert.match(flash, /Import done: 3 added, 0 removed\./);

    const replaced = await importFile(bob.client, xml, "replace");
    assert.equal(replaced.headers.get("location"), "/console/replies?imported=3&removed=4");
    assert.deepEqual((await rowsOf(t, bob.user.id)).map((r) => [r.kind, r.title, r.body]), mine);

    assert.deepEqual((await auditActions(t.deps)).filter((a) => a.startsWith("replies.")), [
      "replies.imported",
      "replies.imported",
    ]);
    const entries = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "replies.imported")).orderBy(asc(auditLog.id));
    assert.deepEqual(entries.map((e) => e.details), [
      { mode: "add", added: 3, removed: 0 },
      { mode: "replace", added: 3, removed: 4 },
    ]);
    assert.equal(entries[0].actorId, bob.user.id);
  } finally {
    await t.close();
  }
});

Deno.test("a hostile or broken file is refused at 422 with a specific reason and adds nothing", async () => {
  const t = await startTestApp();
  try {
    const { user, client } = await technician(t);
    await add(client, "reply", "Existing", "stays");
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">` +
      `<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><replies version="1">` +
      `<reply title="ok">fine</reply><reply title="b">&b;</reply></replies>`;
    const badItem = `<replies version="1"><reply title="ok">fine</reply>` +
      `<url title="bad">javascript:alert(1)</url></replies>`;
    const cases: [BlobPart, RegExp][] = [
      [laughs, /DOCTYPE or ENTITY declaration/],
      [badItem, /Item 2 \(URL\) cannot be used: Enter a complete web address/],
      ['<html><body onload="x"/></html>', /starts with &lt;html&gt; instead of &lt;replies&gt;/],
      ['<replies version="1"><reply title="a">x</replies>', /not well-formed XML \(see line 1\)/],
      [new Uint8Array([0x3C, 0xE9, 0x3E]), /not in UTF-8/],
      [`<replies version="1"><!-- ${"x".repeat(600 * 1024)} --></replies>`, /larger than 512 KiB/],
      [
        `<replies version="1">${'<reply title="t">b</reply>'.repeat(MAX_REPLIES + 1)}</replies>`,
        /201 items; at most 200/,
      ],
      ["", /Choose a file to import\./],
    ];
    for (const [content, message] of cases) {
      const res = content === ""
        ? await (async () => {
          const form = new FormData();
          form.set("_csrf", client.csrf);
          form.set("mode", "replace");
          form.set("file", new File([], ""));
          return await client.send("/console/replies/import", { method: "POST", body: form });
        })()
        : await importFile(client, content, "replace");
      assert.equal(res.status, 422, String(message));
      const html = await res.text();
      assert.match(html, message);
      assert.match(html, /Nothing was imported\./);
    }
    assert.deepEqual((await rowsOf(t, user.id)).map((r) => r.title), ["Existing"]);
    assert.equal((await auditActions(t.deps)).includes("replies.imported"), false);
  } finally {
    await t.close();
  }
});

Deno.test("the 200-item limit holds for adding one and for importing in add mode", async () => {
  const t = await startTestApp();
  try {
    const { user, client } = await technician(t);
    const now = t.clock.now();
    await t.deps.db.insert(predefinedReplies).values(
      Array.from({ length: MAX_REPLIES - 1 }, (_, i) => ({
        orgId: user.orgId,
        userId: user.id,
        kind: "reply" as const,
        title: `R${i}`,
        body: "b",
        position: i,
        createdAt: now,
        updatedAt: now,
      })),
    );
    const two = `<replies version="1"><url title="a">https://a.test</url>` +
      `<url title="b">https://b.test</url></replies>`;
    const refused = await importFile(client, two, "add");
    assert.equal(refused.status, 422);
    assert.match(
      await refused.text(),
      /You have 199 items; adding the file&#39;s 2 would make more/,
    );
    await add(client, "url", "Last", "https://last.test");
    const full = await client.post("/console/replies", {
      kind: "url",
      title: "One more",
      body: "https://x.test",
    });
    assert.equal(full.status, 409);
    assert.match(await full.text(), /You have 200 predefined replies and URLs, the most allowed/);
    assert.equal((await rowsOf(t, user.id)).length, MAX_REPLIES);
    const replaced = await importFile(client, two, "replace");
    assert.equal(replaced.status, 303);
    assert.equal((await rowsOf(t, user.id)).length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("the picker lists insert buttons, and push forms only with pushUrls", async () => {
  const t = await startTestApp();
  try {
    const session = crypto.randomUUID();
    const pusher = await technician(t, ["pushUrls"]);
    await add(pusher.client, "reply", "Greeting", `Hello "you" & <welcome>`);
    await add(pusher.client, "url", "Docs", "https://docs.example.com/a?b=1&c=2");
    const html = await (await pusher.client.get(`/console/replies/picker?session=${session}`))
      .text();
    assert.doesNotMatch(html, /<html/);
    assert.ok(html.includes(
      `data-insert="Hello &quot;you&quot; &amp; &lt;welcome&gt;" data-target="chat-input-${session}"`,
    ));
    assert.ok(html.includes(
      `data-insert="https://docs.example.com/a?b=1&amp;c=2" data-target="chat-input-${session}"`,
    ));
    const action = `/console/sessions/${session}/push-url`;
    assert.ok(html.includes(
      `<form method="post" action="${action}" hx-post="${action}" hx-target="this" hx-swap="none"`,
    ));
    assert.match(
      html,
      /<input type="hidden" name="url" value="https:\/\/docs.example.com\/a\?b=1&amp;c=2"/,
    );
    assert.match(html, /name="_csrf"/);

    const plain = await technician(t, []);
    await add(plain.client, "url", "Docs", "https://docs.example.com");
    const without = await (await plain.client.get(`/console/replies/picker?session=${session}`))
      .text();
    assert.match(without, /data-insert="https:\/\/docs.example.com\/"/);
    assert.doesNotMatch(without, /push-url/);
    assert.doesNotMatch(without, /name="url"/);

    const bad = await plain.client.get(`/console/replies/picker?session="><script>`);
    assert.equal(bad.status, 400);
    assert.equal((await plain.client.get("/console/replies/picker")).status, 400);
  } finally {
    await t.close();
  }
});

Deno.test("the replies page and picker render in Dutch", async () => {
  const t = await startTestApp();
  try {
    const { client } = await technician(t);
    client.headers["accept-language"] = "nl";
    const page = await (await client.get("/console/replies")).text();
    assert.match(page, /<html lang="nl" dir="ltr">/);
    assert.match(page, /Standaardantwoorden en -URL&#39;s|Standaardantwoorden en -URL's/);
    assert.match(page, /Exporteren als XML/);
    const bad = await client.post("/console/replies", { kind: "reply", title: "", body: "x" });
    assert.match(await bad.text(), /Geef een titel op\./);
    const refused = await importFile(client, "<answers/>");
    assert.match(await refused.text(), /Er is niets geïmporteerd\./);
  } finally {
    await t.close();
  }
});
