// Over 400 lines on purpose: one real app per case walks the workspace route by route (panel, log, chat, files, notes, ended sessions); split, each file would repeat the set-up.
// The session workspace through the real app (sessions, permissions, CSRF): the panel and
// its log, chat, files with both fingerprints, push URL, notes, and who may see what.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { md5, sha256 } from "hash-wasm";
import { toCurrentUser } from "../auth/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  customerLeft,
  endSession,
  fireDueDeadlines,
  readLog,
  readNotes,
  startSession,
  storeFile,
  type SupportSession,
} from "../support/mod.ts";
import { customerChat, DEFAULT_FILE_LIMIT, sessionFiles } from "../support/test_support.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";

const HTMX = { "hx-request": "true" };

interface Desk {
  t: TestApp;
  user: CurrentUser;
  client: TestClient;
  session: SupportSession;
  path: string;
}

/** A signed-in technician with a PIN session the customer has joined (Active if `start`). */
async function desk(
  options: { permissions?: Permission[]; start?: boolean; env?: Record<string, string> } = {},
): Promise<Desk> {
  const t = await startTestApp({ env: options.env });
  const permissions = options.permissions ?? defaultPermissions();
  const group = await makeGroup(t, { permissions });
  const row = await makePerson(t, { groupId: group.id });
  const user = { ...toCurrentUser(row), permissions: new Set(permissions), groupId: group.id };
  const client = t.client();
  await client.signIn(row.email, TECH_PASSWORD);
  const { session } = await createPrivateSession(t.deps, user, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  await customerConnected(t.deps, session);
  if (options.start !== false) await startSession(t.deps, user, session.id);
  return { t, user, client, session, path: `/console/sessions/${session.id}` };
}

async function upload(d: Desk, file: File, htmx = true): Promise<Response> {
  const form = new FormData();
  form.set("file", file);
  if (!htmx) form.set("_csrf", d.client.csrf);
  const headers: Record<string, string> = htmx ? { ...HTMX, "x-csrf-token": d.client.csrf } : {};
  return await d.client.send(`${d.path}/files`, { method: "POST", body: form, headers });
}

const chatLines = async (d: Desk) =>
  (await readLog(d.t.deps.db, d.session.id)).filter((l) => l.kind === "chat");

Deno.test("GET /console/sessions/:id renders the panel with the log and the tools", async () => {
  const d = await desk();
  try {
    await d.client.post(`${d.path}/chat`, { text: "Hello <Carol>" }, HTMX);
    const res = await d.client.get(d.path, HTMX);
    assert.equal(res.status, 200);
    const html = await res.text();
    const id = d.session.id;
    assert.doesNotMatch(html, /<!DOCTYPE html>/, "a fragment for htmx");
    assert.match(html, new RegExp(`<section id="session-${id}"[^>]*data-active-session="${id}"`));
    assert.match(html, /<h2>Carol<\/h2>/);
    assert.match(html, new RegExp(`#${d.session.number}<`));
    assert.match(html, /data-status="active">Active</);
    assert.match(html, new RegExp(`<ol id="log-${id}"`));
    assert.match(html, /Status: Waiting → Active/);
    assert.match(html, /<span class="author">Test Technician<\/span>/);
    assert.match(html, /Hello &lt;Carol&gt;/);
    assert.match(html, new RegExp(`<form class="chat-form" method="post" action="${d.path}/chat"`));
    assert.match(
      html,
      new RegExp(`<textarea id="chat-input-${id}" name="text"[^>]*data-chat-input`),
    );
    assert.match(html, /spellcheck="true"/);
    assert.match(html, new RegExp(`hx-get="/console/replies/picker\\?session=${id}"`));
    assert.match(html, new RegExp(`action="${d.path}/push-url"`));
    assert.match(html, /<form id="send-file-form"[^>]*enctype="multipart\/form-data"/);
    assert.match(html, new RegExp(`<input type="file" id="send-file-${id}" name="file"`));
    assert.match(html, /<progress class="upload-progress"/);
    assert.match(html, /name="note"[^>]*hx-trigger="keyup changed delay:800ms, change"/);
    assert.match(html, new RegExp(`hx-get="${d.path}/transfer" hx-target="#dialog"`));
    assert.doesNotMatch(html, /chat-toggle/, "chatToggle is off by default");
    assert.doesNotMatch(html, /style="/);

    const page = await d.client.get(d.path);
    const full = await page.text();
    assert.match(full, /<!DOCTYPE html>/, "without htmx: a page");
    assert.match(full, /<script type="module" src="\/static\/workspace.js"/);
    assert.equal(page.headers.get("vary"), "HX-Request");
  } finally {
    await d.t.close();
  }
});

/** The side panel's tabs in order: [tool, selected, the panel hidden]. */
function toolTabs(html: string, id: string): [string, boolean, boolean][] {
  const tabs = [...html.matchAll(/<button[^>]*role="tab"[^>]*data-tool="(\w+)"[^>]*>/g)];
  return tabs.map(([tag, tool]) => {
    const panel = new RegExp(`<div role="tabpanel" id="ws-panel-${tool}-${id}"([^>]*)>`).exec(html);
    assert.ok(panel, `the ${tool} tab has its panel`);
    assert.match(tag, new RegExp(`aria-controls="ws-panel-${tool}-${id}"`));
    return [tool, /aria-selected="true"/.test(tag), /\shidden/.test(panel[1])];
  });
}

Deno.test("GET /console/sessions/:id: the tools are tabs, only those this technician has", async () => {
  const d = await desk();
  try {
    const id = d.session.id;
    const html = await (await d.client.get(d.path, HTMX)).text();
    assert.match(
      html,
      /<div class="workspace-side"><div class="workspace-tabs" role="tablist" aria-label="Session tools"/,
    );
    // The main area's tabs (the desktop, the file manager), then the side's tools.
    assert.deepEqual(toolTabs(html, id), [
      ["remote", true, false],
      ["filemanager", false, true],
      ["chat", true, false],
      ["notes", false, true],
      ["history", false, true],
      ["files", false, true],
      ["system", false, true],
    ]);
    // The desktop in the main area, the invitation the island's button puts in the chat.
    assert.match(
      html,
      /<div class="workspace-main"><div class="workspace-tabs workspace-main-tabs" role="tablist"/,
    );
    assert.match(html, /class="workspace-view view-remote"[^>]*><div class="remote-view"/);
    assert.match(html, /data-invite="So that I can see your screen, please click/);
  } finally {
    await d.t.close();
  }
  // Without push URL and send file there is no Files tab (no empty tabs), nor a desktop.
  const plain = await desk({ permissions: ["startPrivate"] });
  try {
    const html = await (await plain.client.get(plain.path, HTMX)).text();
    assert.deepEqual(toolTabs(html, plain.session.id).map(([tool]) => tool), [
      "chat",
      "notes",
      "history",
    ]);
    assert.doesNotMatch(html, /workspace-main|remote-view/);
  } finally {
    await plain.t.close();
  }
  // Before Start: the log (read-only), the notes and the history.
  const waiting = await desk({ start: false });
  try {
    const html = await (await waiting.client.get(waiting.path, HTMX)).text();
    const tools = toolTabs(html, waiting.session.id).map(([tool]) => tool);
    assert.deepEqual(tools, ["chat", "notes", "history"]);
    assert.doesNotMatch(html, /data-invite=/);
  } finally {
    await waiting.t.close();
  }
});

Deno.test("POST /:id/chat stores the line; an empty message is 422 and stores nothing", async () => {
  const d = await desk();
  try {
    const res = await d.client.post(`${d.path}/chat`, { text: "  Please restart  " }, HTMX);
    assert.equal(res.status, 204);
    assert.deepEqual((await chatLines(d)).map((l) => [l.body, l.author]), [
      ["Please restart", "technician"],
    ]);
    const plain = await d.client.post(`${d.path}/chat`, { text: "Without JS" });
    assert.equal(plain.status, 303);
    assert.equal(plain.headers.get("location"), "/console");

    const empty = await d.client.post(`${d.path}/chat`, { text: "   " }, HTMX);
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /Type a message first/);
    assert.equal(empty.headers.get("hx-retarget"), "#flash");
    assert.equal((await chatLines(d)).length, 2);
  } finally {
    await d.t.close();
  }
});

Deno.test("POST /:id/chat before Start is refused with 409 and the panel is read-only", async () => {
  const d = await desk({ start: false });
  try {
    const res = await d.client.post(`${d.path}/chat`, { text: "Hi" }, HTMX);
    assert.equal(res.status, 409);
    assert.match(await res.text(), /Start the session first/);
    assert.equal((await chatLines(d)).length, 0);
    const html = await (await d.client.get(d.path, HTMX)).text();
    assert.match(html, /data-status="waiting"/);
    assert.doesNotMatch(html, /chat-form|send-file-form/);
    assert.match(html, /workspace-readonly/);
  } finally {
    await d.t.close();
  }
});

Deno.test("POST /:id/files logs MD5 and SHA-256 of the bytes; only customer files download", async () => {
  const d = await desk();
  try {
    const bytes = new TextEncoder().encode("driver package ✓\n".repeat(100));
    const res = await upload(d, new File([bytes], "driver.zip", { type: "application/zip" }));
    assert.equal(res.status, 204);
    const line = (await readLog(d.t.deps.db, d.session.id)).find((l) => l.kind === "file")!;
    assert.equal(line.data.md5, await md5(bytes));
    assert.equal(line.data.sha256, await sha256(bytes));
    assert.equal(line.data.direction, "to_customer");
    const html = await (await d.client.get(d.path, HTMX)).text();
    assert.match(html, new RegExp(`<code class="fp-md5">${await md5(bytes)}</code>`));
    assert.match(html, new RegExp(`<code class="fp-sha256">${await sha256(bytes)}</code>`));
    assert.equal(await (await d.client.get(`${d.path}/files/${line.data.fileId}`)).status, 404);

    const plain = await upload(d, new File(["x"], "a.txt"), false);
    assert.equal(plain.status, 303, "the form works without JavaScript");

    const theirs = new TextEncoder().encode("crash log");
    const stored = await storeFile(
      d.t.deps,
      d.session,
      { name: "crash log.txt", type: "text/plain", bytes: theirs },
      { direction: "to_technician" },
      DEFAULT_FILE_LIMIT,
    );
    const panel = await (await d.client.get(d.path, HTMX)).text();
    assert.match(panel, new RegExp(`<a href="${d.path}/files/${stored.id}" data-file-id`));
    const download = await d.client.get(`${d.path}/files/${stored.id}`);
    assert.equal(download.status, 200);
    assert.match(
      download.headers.get("content-disposition")!,
      /^attachment; filename="crash log.txt"; filename\*=UTF-8''crash%20log.txt$/,
    );
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), theirs);
  } finally {
    await d.t.close();
  }
});

Deno.test("POST /:id/files over the limit is 413 and stores nothing; no sendFiles is 403", async () => {
  const d = await desk();
  try {
    const res = await upload(d, new File([new Uint8Array(DEFAULT_FILE_LIMIT + 1)], "big.iso"));
    assert.equal(res.status, 413);
    assert.match(await res.text(), /larger than 25 MB/);
    const rows = await d.t.deps.db.select({ id: sessionFiles.id }).from(sessionFiles)
      .where(eq(sessionFiles.sessionId, d.session.id));
    assert.equal(rows.length, 0);
  } finally {
    await d.t.close();
  }
  const small = await desk({ env: { FILE_LIMIT_MB: "1" } });
  try {
    const res = await upload(small, new File([new Uint8Array(1024 * 1024 + 1)], "a.bin"));
    assert.equal(res.status, 413, "FILE_LIMIT_MB applies");
    assert.match(await res.text(), /larger than 1 MB/);
    assert.equal(
      (await upload(small, new File([new Uint8Array(1024 * 1024)], "b.bin"))).status,
      204,
    );
  } finally {
    await small.t.close();
  }
  const e = await desk({ permissions: defaultPermissions().filter((p) => p !== "sendFiles") });
  try {
    assert.equal((await upload(e, new File(["x"], "a.txt"))).status, 403);
    assert.doesNotMatch(await (await e.client.get(e.path, HTMX)).text(), /send-file-form/);
  } finally {
    await e.t.close();
  }
});

Deno.test("POST /:id/push-url needs pushUrls and an http(s) URL", async () => {
  const d = await desk();
  try {
    const bad = await d.client.post(`${d.path}/push-url`, { url: "javascript:alert(1)" }, HTMX);
    assert.equal(bad.status, 422);
    const ok = await d.client.post(`${d.path}/push-url`, { url: "https://example.test/a" }, HTMX);
    assert.equal(ok.status, 204);
    const urls = (await readLog(d.t.deps.db, d.session.id)).filter((l) => l.kind === "url");
    assert.deepEqual(urls.map((l) => l.body), ["https://example.test/a"]);
    const html = await (await d.client.get(d.path, HTMX)).text();
    assert.match(html, /<a class="pushed-url" href="https:\/\/example.test\/a"/);
  } finally {
    await d.t.close();
  }
  const e = await desk({ permissions: defaultPermissions().filter((p) => p !== "pushUrls") });
  try {
    const res = await e.client.post(`${e.path}/push-url`, { url: "https://example.test" }, HTMX);
    assert.equal(res.status, 403);
    assert.doesNotMatch(await (await e.client.get(e.path, HTMX)).text(), /push-url-form/);
  } finally {
    await e.t.close();
  }
});

Deno.test("POST /:id/chat-enabled turns chat off (with chatToggle): a line to the customer is then refused, one to the technicians only is not", async () => {
  const d = await desk({ permissions: [...defaultPermissions(), "chatToggle"] });
  try {
    assert.match(await (await d.client.get(d.path, HTMX)).text(), /class="chat-toggle/);
    const res = await d.client.post(`${d.path}/chat-enabled`, { enabled: "0" }, HTMX);
    assert.equal(res.status, 204);
    assert.match(res.headers.get("hx-trigger")!, /"workspace:chat".*"enabled":false/);
    assert.equal((await d.client.post(`${d.path}/chat`, { text: "hi" }, HTMX)).status, 409);
    const private_ = { text: "for the technicians", audience: "technicians" };
    assert.ok((await d.client.post(`${d.path}/chat`, private_, HTMX)).status < 300);
    const html = await (await d.client.get(d.path, HTMX)).text();
    // The composer stays for the technicians: "Only to technicians" ticked, fixed and sent.
    assert.doesNotMatch(html, /data-chat-input[^>]*disabled/);
    assert.match(html, /data-tech-only="" checked="" disabled=""/);
    assert.match(html, /name="audience" value="technicians" data-tech-only-forced=""\/?>/);
    assert.match(html, /the customer cannot be written to/);
    assert.match(html, /turned chat off/);
  } finally {
    await d.t.close();
  }
});

Deno.test("POST /:id/notes saves the note and the panel shows it again", async () => {
  const d = await desk();
  try {
    const res = await d.client.post(`${d.path}/notes`, { note: "Printer on 2nd floor" }, HTMX);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Saved at/);
    assert.deepEqual((await readNotes(d.t.deps.db, d.session.id)).map((n) => n.body), [
      "Printer on 2nd floor",
    ]);
    const plain = await d.client.post(`${d.path}/notes`, { note: "Printer on 3rd floor" });
    assert.equal(plain.status, 303);
    const html = await (await d.client.get(d.path, HTMX)).text();
    assert.match(html, /name="note"[^>]*>Printer on 3rd floor<\/textarea>/);
  } finally {
    await d.t.close();
  }
});

Deno.test("another technician gets 404; a monitoring admin reads the log only", async () => {
  const d = await desk();
  try {
    const other = await makePerson(d.t, { groupId: d.user.groupId! });
    const them = d.t.client();
    await them.signIn(other.email, TECH_PASSWORD);
    assert.equal((await them.get(d.path, HTMX)).status, 404);
    assert.equal((await them.get(`${d.path}/log`, HTMX)).status, 404);
    // Not "start it first" (409): a session it cannot see is as good as missing.
    assert.equal((await them.post(`${d.path}/chat`, { text: "hi" }, HTMX)).status, 404);

    const admin = d.t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const log = await admin.get(`${d.path}/log`, HTMX);
    assert.equal(log.status, 200);
    const html = await log.text();
    assert.match(html, new RegExp(`^<ol id="log-${d.session.id}"`));
    assert.match(html, /Status: Waiting → Active/);
    const panel = await (await admin.get(d.path, HTMX)).text();
    assert.doesNotMatch(panel, /chat-form/);
  } finally {
    await d.t.close();
  }
});

Deno.test("GET /console/sessions/:id of an own row the customer closed: read-only, says so, offers End; others get 404", async () => {
  const d = await desk();
  try {
    await customerChat(d.t.deps, d.session, "Thanks, it prints now");
    await customerLeft(d.t.deps, d.session);
    const res = await d.client.get(d.path, HTMX);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Thanks, it prints now/);
    assert.match(html, /data-ended-notice/);
    assert.match(html, /The customer ended the session\. Read the chat and your notes/);
    assert.match(html, new RegExp(`hx-post="${d.path}/end"`));
    // Nothing to send: no message box, no files or links, no remote view; notes stay.
    assert.doesNotMatch(html, /chat-form|data-chat-input|send-file-form|remote-view/);
    assert.doesNotMatch(html, /You can read this session but not work on it/);
    assert.match(html, /name="note"/);
    assert.equal((await d.client.post(`${d.path}/chat`, { text: "hello?" }, HTMX)).status, 409);

    const other = await makePerson(d.t, { groupId: d.user.groupId! });
    const them = d.t.client();
    await them.signIn(other.email, TECH_PASSWORD);
    assert.equal((await them.get(d.path, HTMX)).status, 404);

    // End clears the row; then the workspace is gone for its technician too.
    await endSession(d.t.deps, d.user, d.session.id);
    assert.equal((await d.client.get(d.path, HTMX)).status, 404);
  } finally {
    await d.t.close();
  }
});

Deno.test("GET /console/sessions/:id of an own row that timed out says it timed out", async () => {
  const d = await desk({ start: false });
  try {
    const html = await (await d.client.get(d.path, HTMX)).text();
    // Waiting is not ended: the plain read-only words, no notice.
    assert.doesNotMatch(html, /data-ended-notice/);
    await startSession(d.t.deps, d.user, d.session.id);
    // The two-week system timeout (SPEC Q8), through the real timers.
    d.t.clock.advance(15 * 24 * 3_600_000);
    assert.equal(await fireDueDeadlines(d.t.deps), 1);
    // Two weeks outlast the sign-in too.
    const again = d.t.client();
    await again.signIn(d.user.email, TECH_PASSWORD);
    const timedOut = await (await again.get(d.path, HTMX)).text();
    assert.match(timedOut, /The session timed out\. Read the chat and your notes/);
    assert.doesNotMatch(timedOut, /chat-form/);
  } finally {
    await d.t.close();
  }
});
