// What the customer's page and the technician's workspace send at the edges: a file of
// 0 bytes is refused as empty (not as "no file chosen"), raw body or multipart; a chat
// message as long as the box allows is taken, its line breaks sent as CRLF or not.
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { createPrivateSession, customerConnected, readLog, startSession } from "./mod.ts";

async function setup() {
  const t = await startTestApp();
  const tech = await technician(t, { name: "Ann" });
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  const customer = t.client();
  await customer.get(`/s/${session.token}`);
  await customerConnected(t.deps, session);
  await startSession(t.deps, tech, session.id);
  return { t, tech, session, customer };
}

/** The two ways a page sends a file: the script's raw body, or a plain multipart form. */
function bodies(file: File, csrf: string, extra: Record<string, string>) {
  const form = new FormData();
  form.set("file", file);
  return {
    raw: {
      method: "POST",
      body: file,
      headers: { ...extra, "x-csrf-token": csrf, "x-file-name": encodeURIComponent(file.name) },
    },
    multipart: { method: "POST", body: form, headers: { ...extra, "x-csrf-token": csrf } },
  };
}

Deno.test("the customer's 0-byte file is refused as empty, by the script and by the form", async () => {
  const { t, session, customer } = await setup();
  try {
    const empty = new File([], "empty.txt", { type: "text/plain" });
    const ways = bodies(empty, customer.csrf, { "x-requested-with": "XMLHttpRequest" });
    for (const [way, init] of Object.entries(ways)) {
      const res = await customer.send(`/s/${session.token}/files`, init);
      assert.equal(res.status, 422, way);
      assert.equal(await res.text(), "This file is empty.", way);
    }
    const files = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "file");
    assert.equal(files.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("the technician's 0-byte file is refused as empty, by the script and by the form", async () => {
  const { t, tech, session } = await setup();
  try {
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const empty = new File([], "empty.txt", { type: "text/plain" });
    const ways = bodies(empty, client.csrf, { "hx-request": "true" });
    for (const [way, init] of Object.entries(ways)) {
      const res = await client.send(`/console/sessions/${session.id}/files`, init);
      assert.equal(res.status, 422, way);
      assert.match(await res.text(), /This file is empty\./, way);
    }
  } finally {
    await t.close();
  }
});

// 800 lines of "line": 3,999 characters in the textarea (maxlength 4,000), 4,798 as a form
// sends them (CRLF).
const fullBox = Array.from({ length: 800 }, () => "line").join("\r\n");

Deno.test("a customer's message that fit the box is taken, CRLF counted as one; longer is refused", async () => {
  const { t, session, customer } = await setup();
  try {
    const hx = { "hx-request": "true" };
    const sent = await customer.post(`/s/${session.token}/chat`, { text: fullBox }, hx);
    assert.equal(sent.status, 200);
    const chat = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "chat");
    assert.equal(chat.at(-1)?.body, fullBox.replaceAll("\r\n", "\n"));
    const long = await customer.post(`/s/${session.token}/chat`, { text: "x".repeat(4001) }, hx);
    assert.equal(long.status, 422);
    const form = await long.text();
    assert.match(form, /This message is too long \(at most 4000 characters\)\./);
    assert.match(
      form,
      /<textarea[^>]*data-counter=""[^>]*>x{4001}<\/textarea>/,
      "the draft is kept",
    );
  } finally {
    await t.close();
  }
});

Deno.test("a technician's message that fit the box is taken, CRLF counted as one", async () => {
  const { t, tech, session } = await setup();
  try {
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const path = `/console/sessions/${session.id}/chat`;
    const sent = await client.post(path, { text: fullBox }, { "hx-request": "true" });
    assert.equal(sent.status, 204);
    const chat = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "chat");
    assert.equal(chat.at(-1)?.body, fullBox.replaceAll("\r\n", "\n"));
    const long = await client.post(path, { text: "x".repeat(4001) }, { "hx-request": "true" });
    assert.equal(long.status, 422);
    assert.match(await long.text(), /This message is too long/);
  } finally {
    await t.close();
  }
});
