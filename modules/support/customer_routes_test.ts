// The customer's side through the real app (middlewares, CSRF, cookies): PIN entry and its
// throttles, the terms, chat, files and the goodbye pages. The live stream has its own file.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { md5, sha256 } from "hash-wasm";
import { auditLog } from "../audit/mod.ts";
import { record } from "../limits/mod.ts";
import { setGroupSettings } from "../org/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { masterAdmin } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { createPrivateSession, customerStreams, findByToken, readLog, storeFile } from "./mod.ts";
import { DEFAULT_FILE_LIMIT, queueEntries } from "./test_support.ts";

async function setup(options: { terms?: boolean } = {}) {
  const t = await startTestApp();
  customerStreams(t.deps).options.graceMs = 5;
  const tech = await technician(t, { name: "Ann" });
  if (options.terms) {
    await setGroupSettings(t.deps.db, tech.groupId!, {
      termsEnabled: true,
      termsText: "Be nice to the technician.",
    }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
  }
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  const customer = t.client();
  return { t, tech, session, customer };
}

async function finish(t: TestApp) {
  await customerStreams(t.deps).idle();
  await t.close();
}

async function audits(t: TestApp, action: string) {
  return await t.deps.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(
    auditLog.id,
  );
}

/** The same six digits with one changed: "one digit away". */
function neighbour(pin: string): string {
  return `${(Number(pin[0]) + 1) % 10}${pin.slice(1)}`;
}

Deno.test("GET / sends visitors to the PIN page, which links to the technician sign-in", async () => {
  const { t, customer } = await setup();
  try {
    const root = await customer.get("/");
    assert.equal(root.status, 303);
    assert.equal(root.headers.get("location"), "/pin");
    const html = await (await customer.get("/pin", { "accept-language": "nl" })).text();
    assert.match(html, /<html lang="nl" dir="ltr">/);
    assert.match(html, /<input[^>]*name="pin"/);
    assert.match(html, /<button type="submit">Verbinden<\/button>/);
    assert.match(html, /href="\/signin"[^>]*>Aanmelden als technicus</);
    assert.match(html, /<script type="module" src="\/static\/customer.js"><\/script>/);
  } finally {
    await finish(t);
  }
});

Deno.test("POST /pin with the session's PIN redirects to its Instant Chat page", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get("/pin");
    const res = await customer.post("/pin", {
      pin: `${session.pin!.slice(0, 3)} ${session.pin!.slice(3)}`,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `/s/${session.token}`);
    assert.equal((await customer.get(`/s/${session.token}`)).status, 200);
  } finally {
    await finish(t);
  }
});

Deno.test("POST /pin refuses a wrong or malformed PIN with 422, keeps it in the box and audits at most two digits", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get("/pin");
    const wrong = session.pin === "999999" ? "999998" : "999999";
    const res = await customer.post("/pin", { pin: wrong });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /That PIN is not valid/);
    // What was typed stays in the box, to check against the technician's six digits.
    assert.match(page, new RegExp(`name="pin"[^>]*value="${wrong}"`));
    const malformed = await customer.post("/pin", { pin: "12ab" });
    assert.equal(malformed.status, 422);
    const malformedPage = await malformed.text();
    assert.match(malformedPage, /exactly six digits/);
    assert.match(malformedPage, /name="pin"[^>]*value="12ab"/);
    const rows = await audits(t, "session.pin_refused");
    assert.deepEqual(rows.map((r) => r.details), [
      { reason: "wrong", prefix: wrong.slice(0, 2) },
      { reason: "malformed", prefix: "12" },
    ]);
    assert.ok(!JSON.stringify(rows).includes(wrong), "the full guess is never stored");
    assert.equal(rows[0].ip, "127.0.0.1");
  } finally {
    await finish(t);
  }
});

Deno.test("POST /pin: the 11th wrong PIN from one address is a 429 with Retry-After", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get("/pin");
    for (let i = 0; i < 10; i++) {
      const pin = String(100_000 + i) === session.pin ? "100010" : String(100_000 + i);
      assert.equal((await customer.post("/pin", { pin })).status, 422, `try ${i + 1}`);
    }
    const res = await customer.post("/pin", { pin: session.pin! });
    assert.equal(res.status, 429, "even the right PIN is not compared while locked out");
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    assert.match(await res.text(), /Too many wrong PINs from this connection/);
    const reasons = (await audits(t, "session.pin_refused")).map((r) => r.details.reason);
    assert.equal(reasons.at(-1), "throttled_address");
  } finally {
    await finish(t);
  }
});

Deno.test("POST /pin: under a wave of wrong PINs an address past its first tries waits a minute, not fifteen", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get("/pin");
    // A customer's first PIN and one typo are always checked; this one typed it wrong twice.
    for (let i = 0; i < 2; i++) {
      assert.equal((await customer.post("/pin", { pin: neighbour(session.pin!) })).status, 422);
    }
    for (let i = 0; i < 20; i++) {
      await record(t.deps.db, { action: "pinGlobal", key: "*", now: t.clock.now() });
    }
    const res = await customer.post("/pin", { pin: session.pin! });
    assert.equal(res.status, 429);
    const wait = Number(res.headers.get("retry-after"));
    assert.ok(wait > 0 && wait <= 90, `waits ${wait} s`);
    assert.match(await res.text(), /Many wrong PINs are being tried right now/);
    assert.deepEqual(
      (await audits(t, "session.pin_refused")).map((r) => r.details.reason),
      ["wrong", "wrong", "throttled_global"],
    );
    t.clock.advance(wait * 1000);
    assert.equal((await customer.post("/pin", { pin: session.pin! })).status, 303);
  } finally {
    await finish(t);
  }
});

Deno.test("POST /pin: a code guessed one digit away ten times is locked, logged and audited", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get("/pin");
    for (let i = 0; i < 10; i++) {
      assert.equal((await customer.post("/pin", { pin: neighbour(session.pin!) })).status, 422);
    }
    assert.equal((await findByToken(t.deps, session.token))!.pin, null, "the code is gone");
    const locked = await audits(t, "session.pin_locked");
    assert.deepEqual(locked.map((r) => [r.orgId, r.target]), [[session.orgId, session.id]]);
    const log = await readLog(t.deps.db, session.id);
    assert.ok(log.some((l) => l.kind === "event" && l.body === "log.pinLocked"));
  } finally {
    await finish(t);
  }
});

Deno.test("GET /s/:token answers 404 for an unknown link", async () => {
  const { t, customer } = await setup();
  try {
    const res = await customer.get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(res.status, 404);
    assert.match(await res.text(), /This support session does not exist/);
  } finally {
    await finish(t);
  }
});

Deno.test("terms: chat and stream are refused until accepted; declining ends the session", async () => {
  const { t, tech, session, customer } = await setup({ terms: true });
  try {
    const page = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(page, /Be nice to the technician\./);
    assert.match(page, /<button type="submit" name="decision" value="accept">/);
    assert.doesNotMatch(page, /id="customer-chat-form"/);
    assert.equal((await customer.post(`/s/${session.token}/chat`, { text: "hi" })).status, 403);
    assert.equal((await customer.get(`/s/${session.token}/events`)).status, 403);
    assert.equal((await readLog(t.deps.db, session.id)).filter((l) => l.kind === "chat").length, 0);

    const accepted = await customer.post(`/s/${session.token}/terms`, { decision: "accept" });
    assert.equal(accepted.status, 303);
    assert.match(
      await (await customer.get(`/s/${session.token}`)).text(),
      /id="customer-chat-form"/,
    );
    assert.equal((await customer.post(`/s/${session.token}/chat`, { text: "hi" })).status, 303);

    const other = (await createPrivateSession(t.deps, tech, {
      method: "link",
      customerName: "Dan",
      fields: {},
    })).session;
    await customer.get(`/s/${other.token}`);
    const declined = await customer.post(`/s/${other.token}/terms`, { decision: "decline" });
    assert.equal(declined.status, 200);
    assert.match(await declined.text(), /You declined the terms/);
    const [row] = await t.deps.db.select().from(queueEntries).where(
      and(eq(queueEntries.sessionId, other.id), eq(queueEntries.userId, tech.id)),
    );
    assert.equal(row.status, "removed");
    assert.ok(row.removedAt, "the technician's row is gone from the queue");
    assert.match(await (await customer.get(`/s/${other.token}`)).text(), /This session has ended/);
  } finally {
    await finish(t);
  }
});

Deno.test("POST /s/:token/chat stores the line; an empty or too long message is a 422", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get(`/s/${session.token}`);
    assert.equal(
      (await customer.post(`/s/${session.token}/chat`, { text: " Hello " })).status,
      303,
    );
    const htmx = await customer.post(`/s/${session.token}/chat`, { text: "It <b>breaks</b>" }, {
      "hx-request": "true",
    });
    assert.equal(htmx.status, 200);
    const fragment = await htmx.text();
    assert.match(fragment, /<form id="customer-chat-form"/);
    assert.match(fragment, /hx-swap-oob="beforeend:#customer-log"/);
    assert.match(fragment, /data-kind="chat" data-author="customer"/);
    assert.match(fragment, /It &lt;b&gt;breaks&lt;\/b&gt;/);

    const empty = await customer.post(`/s/${session.token}/chat`, { text: "   " }, {
      "hx-request": "true",
    });
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /Type a message first/);
    const long = await customer.post(`/s/${session.token}/chat`, { text: "x".repeat(4001) });
    assert.equal(long.status, 422);
    assert.match(await long.text(), /too long/);
    const chat = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "chat");
    assert.deepEqual(chat.map((l) => [l.author, l.body]), [
      ["customer", "Hello"],
      ["customer", "It <b>breaks</b>"],
    ]);
    const page = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(page, /<div class="log-line log-chat from-customer"[^>]*data-kind="chat"/);
  } finally {
    await finish(t);
  }
});

Deno.test("files: the customer's upload is logged with MD5 and SHA-256; over the limit is a 413", async () => {
  const { t, tech, session, customer } = await setup();
  try {
    await customer.get(`/s/${session.token}`);
    const bytes = new TextEncoder().encode("printer log\n".repeat(100));
    const upload = (file: Blob, name: string, script = true) => {
      const body = new FormData();
      body.append("file", file, name);
      const headers: Record<string, string> = { "x-csrf-token": customer.csrf };
      if (script) headers["x-requested-with"] = "XMLHttpRequest";
      return customer.send(`/s/${session.token}/files`, { method: "POST", body, headers });
    };
    const res = await upload(new Blob([bytes]), "printer.log");
    assert.equal(res.status, 201);
    const line = await res.text();
    assert.match(line, new RegExp(`class="fp-md5">${await md5(bytes)}<`));
    assert.match(line, new RegExp(`class="fp-sha256">${await sha256(bytes)}<`));
    assert.match(line, /data-kind="file" data-author="customer"/);
    assert.doesNotMatch(line, /data-file-id/, "the customer's own file has no download link");
    const [logged] = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "file");
    assert.equal(logged.data.sha256, await sha256(bytes));

    const big = await upload(new Blob([new Uint8Array(DEFAULT_FILE_LIMIT + 1)]), "big.bin", false);
    assert.equal(big.status, 413);
    assert.match(await big.text(), /too large/);
    assert.equal((await readLog(t.deps.db, session.id)).filter((l) => l.kind === "file").length, 1);

    // The technician's file: the customer saves it as an attachment; the customer's own
    // upload is not downloadable from the customer's side.
    const sent = await storeFile(
      t.deps,
      session,
      {
        name: "fix é.ps1",
        type: "text/plain",
        bytes: new TextEncoder().encode("Restart-Service Spooler"),
      },
      { direction: "to_customer", user: tech },
      DEFAULT_FILE_LIMIT,
    );
    const page = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(page, new RegExp(`<a class="button" href="/s/${session.token}/files/${sent.id}"`));
    assert.match(page, /<progress class="download-progress"/);
    const download = await customer.get(`/s/${session.token}/files/${sent.id}`);
    assert.equal(download.status, 200);
    assert.match(
      download.headers.get("content-disposition")!,
      /^attachment; filename="fix _.ps1"; filename\*=UTF-8''fix%20%C3%A9\.ps1$/,
    );
    assert.equal(await download.text(), "Restart-Service Spooler");
    assert.equal(
      (await customer.get(`/s/${session.token}/files/${logged.data.fileId}`)).status,
      404,
    );
  } finally {
    await finish(t);
  }
});

Deno.test("language and end: the page follows the chosen language; ending shows the goodbye page", async () => {
  const { t, session, customer } = await setup();
  try {
    await customer.get(`/s/${session.token}`);
    const lang = await customer.post(`/s/${session.token}/lang`, { lang: "nl" });
    assert.equal(lang.status, 303);
    assert.equal((await findByToken(t.deps, session.token))!.customerLanguage, "nl");
    const page = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(page, /<html lang="nl" dir="ltr">/);
    assert.match(page, /id="end-session"[^>]*>Sessie beëindigen</);
    const end = await customer.post(`/s/${session.token}/end`);
    assert.equal(end.status, 303);
    const ended = await customer.get(`/s/${session.token}`);
    assert.equal(ended.status, 200);
    assert.match(await ended.text(), /Deze sessie is beëindigd/);
    assert.ok((await findByToken(t.deps, session.token))!.endedAt);
    assert.equal((await customer.post(`/s/${session.token}/chat`, { text: "hi" })).status, 409);
  } finally {
    await finish(t);
  }
});
