// GET /console/events through the real app: the queue first, then only the rows each
// technician may see, new log lines, auto-start, and no listener left behind.
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { customerConnected, findByToken } from "../support/mod.ts";
import { customerChat } from "../support/test_support.ts";
import {
  createPinSession,
  entriesOf,
  HTMX,
  signedInTechnician,
  SseReader,
} from "./test_fixtures.ts";

const sessionOf = (data: string) => /^<template data-session="([0-9a-f-]{36})">/.exec(data)?.[1];

Deno.test("the stream sends the queue, then rows another technician's change makes visible; other groups hear nothing", async () => {
  const t = await startTestApp();
  const readers: SseReader[] = [];
  let orgId = "";
  try {
    const a = await signedInTechnician(t, { name: "Ann" });
    orgId = a.user.orgId;
    const b = await signedInTechnician(t, { groupId: a.user.groupId!, name: "Bob" });
    const c = await signedInTechnician(t, { name: "Cleo" }); // another group
    const own = await createPinSession(t, a.browser, "Carol");

    const res = await a.browser.get("/console/events");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const streamA = new SseReader(res);
    readers.push(streamA);
    const queue = await streamA.next();
    assert.equal(queue.event, "queue");
    assert.match(queue.data, /^<tbody>.*<\/tbody>$/s);
    assert.match(
      queue.data,
      new RegExp(`<tr data-session="${own.id}"[^>]*data-status="connecting"`),
    );

    const streamC = new SseReader(await c.browser.get("/console/events"));
    readers.push(streamC);
    assert.deepEqual(await streamC.next(), { event: "queue", data: "<tbody></tbody>" });
    assert.equal(t.deps.live.listenerCount(a.user.orgId), 2);

    // Bob's private session is his alone until he hands it to the group.
    const theirs = await createPinSession(t, b.browser, "Dave");
    await customerConnected(t.deps, theirs);
    const sent = await b.browser.post(`/console/sessions/${theirs.id}/transfer`, {
      target: `group:${a.user.groupId}`,
      note: "VPN",
    }, HTMX);
    assert.equal(sent.status, 200);
    const rows = await streamA.until((e) => e.event === "rows");
    assert.equal(sessionOf(rows.data), theirs.id, "nothing earlier about Bob's private session");
    assert.match(
      rows.data,
      /data-status="incoming"[^>]*data-kind="private" data-visibility="group"/,
    );
    assert.match(rows.data, /<span class="from">from Bob<\/span><span class="note">VPN<\/span>/);
    assert.match(rows.data, /data-action="start"/);

    // Cleo (another group) heard nothing of it: her first rows are her own new session.
    const hers = await createPinSession(t, c.browser, "Erin");
    const first = await streamC.until((e) => e.event === "rows");
    assert.equal(sessionOf(first.data), hers.id);

    // Ann picks it up: her group row becomes her own Active row, Bob's Outgoing row goes.
    assert.equal(
      (await a.browser.post(`/console/sessions/${theirs.id}/start`, {}, HTMX)).status,
      204,
    );
    const picked = await streamA.until((e) =>
      e.event === "rows" && sessionOf(e.data) === theirs.id
    );
    assert.match(
      picked.data,
      /data-status="active"[^>]*data-visibility="own"[^>]*data-has-tab="1"/,
    );
    assert.deepEqual(
      (await entriesOf(t, theirs.id)).map((e) => `${e.userId}:${e.status}`).sort(),
      [`${b.user.id}:removed`, `${a.user.id}:active`].sort(),
    );
  } finally {
    for (const reader of readers) await reader.cancel();
    assert.equal(t.deps.live.listenerCount(orgId), 0, "cancelled streams unsubscribe");
    await t.close();
  }
});

Deno.test("the stream sends new log lines of visible sessions as JSON with their HTML", async () => {
  const t = await startTestApp();
  const a = await signedInTechnician(t);
  const stream = new SseReader(await a.browser.get("/console/events"));
  try {
    await stream.next();
    const session = await createPinSession(t, a.browser, "Carol");
    await customerConnected(t.deps, session);
    await a.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    await customerChat(t.deps, (await findByToken(t.deps, session.token))!, "My printer <3");
    const log = await stream.until((e) => e.event === "log" && e.data.includes("printer"));
    const line = JSON.parse(log.data);
    assert.equal(line.sessionId, session.id);
    assert.equal(line.author, "customer");
    assert.equal(line.kind, "chat");
    assert.match(line.html, /^<li id="log-line-\d+"/);
    assert.match(line.html, /My printer &lt;3/);
  } finally {
    await stream.cancel();
    await t.close();
  }
});

Deno.test("with auto-start on, a private session is started as soon as the customer waits", async () => {
  const t = await startTestApp();
  const a = await signedInTechnician(t);
  await a.browser.get("/console/options");
  const saved = await a.browser.post("/console/options", { autoStartPrivate: "1" });
  assert.equal(saved.status, 303);
  const stream = new SseReader(await a.browser.get("/console/events"));
  try {
    await stream.next();
    const session = await createPinSession(t, a.browser, "Carol");
    await customerConnected(t.deps, session);
    await stream.until((e) =>
      e.event === "rows" && sessionOf(e.data) === session.id && e.data.includes('"active"')
    );
    const [entry] = await entriesOf(t, session.id);
    assert.equal(entry.status, "active");
  } finally {
    await stream.cancel();
    await t.close();
  }
});
