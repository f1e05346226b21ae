// Over 400 lines on purpose: one flow (ask, mail, link, second factor, new password) and each of its refusals against the same real mail and database set-up.
// Password reset links: "Forgot your password?" answers the same words whoever asks, mails a
// single-use link valid for an hour (hashed in the database, a newer one replacing it), asks
// for the second factor when the account has one, and on success signs the person out
// everywhere, revokes their API tokens and lifts a lockout; an admin sends a link from the
// person page under its usual rule.
import assert from "node:assert/strict";
import { and, desc, eq } from "drizzle-orm";
import { createApiToken, currentTotp, users } from "../modules/auth/mod.ts";
import { apiTokens } from "../modules/auth/schema.ts";
import { mailOutbox } from "../modules/mail/mod.ts";
import { ssoSettings } from "../modules/sso/schema.ts";
import { passwordResets } from "../modules/org/schema.ts";
import { afterAnswerSettled, holdAfterAnswer } from "../modules/org/after_answer.ts";
import { sha256Hex } from "../modules/tokens/mod.ts";
import { startSmtpServer } from "../modules/mail/smtp_test_server.ts";
import { ADMIN, auditActions, startTestApp, type TestApp, type TestClient } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { enrolTotp } from "./support/totp.ts";

const NEW_PASSWORD = "a brand new password";

async function withApp(fn: (t: TestApp) => Promise<void>) {
  const t = await startTestApp();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** The reset mails sent to `email`, newest first. */
async function resetMails(t: TestApp, email: string) {
  return await t.deps.db.select().from(mailOutbox).where(
    and(eq(mailOutbox.toAddress, email), eq(mailOutbox.kind, "password_reset")),
  ).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id));
}

/** The token of the newest link mailed to `email`. */
async function latestToken(t: TestApp, email: string) {
  const [mail] = await resetMails(t, email);
  assert.ok(mail, `a reset mail went to ${email}`);
  return /\/reset\/([A-Za-z0-9_-]+)/.exec(mail.textBody)![1];
}

/** Asks for a link as the sign-in page does, then waits for the work done after the answer. */
async function forgot(t: TestApp, browser: TestClient, email: string) {
  await browser.get("/signin/forgot");
  const res = await browser.post("/signin/forgot", { email });
  await afterAnswerSettled(t.deps);
  return res;
}

Deno.test("forgot password: the same answer for an account, a stranger and a deactivated one; mail only for the account", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const gone = await makePerson(t, { groupId: group.id });
    await t.deps.db.update(users).set({ active: false }).where(eq(users.id, gone.id));
    const browser = t.client();
    const page = await (await browser.get("/signin")).text();
    assert.match(page, /href="\/signin\/forgot">Forgot your password\?</);
    const answers = [];
    for (const email of [person.email, "nobody@example.test", gone.email]) {
      const res = await forgot(t, browser, email);
      assert.equal(res.status, 200);
      answers.push((await res.text()).replaceAll(email, "EMAIL"));
    }
    assert.equal(answers[1], answers[0]);
    assert.equal(answers[2], answers[0]);
    assert.match(answers[0], /If EMAIL belongs to an account that signs in with a password/);
    assert.equal((await resetMails(t, person.email)).length, 1);
    assert.equal((await resetMails(t, gone.email)).length, 0);
    // Only the hash is stored.
    const token = await latestToken(t, person.email);
    const rows = await t.deps.db.select().from(passwordResets);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].tokenHash, await sha256Hex(token));
    assert.ok(!JSON.stringify(rows).includes(token));
  });
});

Deno.test("forgot password: the answer does the same work for an account as for a stranger; the link follows it", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const browser = t.client();
    await browser.get("/signin/forgot");
    // Each call the answer makes on the database, in order: what its time is made of.
    const db = t.deps.db;
    let calls: string[] = [];
    t.deps.db = new Proxy(db, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== "function" || typeof name !== "string") return value;
        return (...args: unknown[]) => {
          calls.push(name);
          return value.apply(target, args);
        };
      },
    });
    const held = holdAfterAnswer(t.deps);
    // A first request also does the app's housekeeping (expired limits, sign-ins): not measured.
    await browser.post("/signin/forgot", { email: "first@example.test" });
    const answered: string[][] = [];
    for (const email of [person.email, "nobody@example.test"]) {
      calls = [];
      assert.equal((await browser.post("/signin/forgot", { email })).status, 200);
      answered.push(calls);
    }
    t.deps.db = db;
    assert.deepEqual(answered[0], answered[1]);
    assert.ok(answered[0].length > 0, "the address's limit is checked before the answer");
    // Nothing about the account was done yet: one job each, the same path for both.
    assert.equal(held.waiting(), 3);
    assert.equal((await t.deps.db.select().from(passwordResets)).length, 0);
    held.release();
    await afterAnswerSettled(t.deps);
    assert.equal((await resetMails(t, person.email)).length, 1);
    assert.equal((await resetMails(t, "nobody@example.test")).length, 0);
    assert.ok((await auditActions(t.deps)).includes("auth.password_reset_requested"));
  });
});

Deno.test("a reset link sets the password once: everyone signed out, tokens revoked, old password refused", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const signedIn = t.client();
    await signedIn.signIn(person.email, TECH_PASSWORD);
    assert.equal((await signedIn.get("/console")).status, 200);
    await createApiToken(t.deps.db, { userId: person.id, name: "script", now: t.clock.now() });
    await forgot(t, t.client(), person.email);
    const token = await latestToken(t, person.email);
    const browser = t.client();
    const form = await browser.get(`/reset/${token}`);
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, /Choose a new password for/);
    assert.doesNotMatch(html, /name="code"/);
    const differ = await browser.post(`/reset/${token}`, {
      password: NEW_PASSWORD,
      confirm: "something else entirely",
    });
    assert.equal(differ.status, 422);
    const short = await browser.post(`/reset/${token}`, { password: "short", confirm: "short" });
    assert.equal(short.status, 422);
    const done = await browser.post(`/reset/${token}`, {
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(done.status, 200);
    const doneText = await done.text();
    assert.match(doneText, /Your password has been changed/);
    assert.match(doneText, /href="\/signin"/);
    // Signed out everywhere, tokens revoked, audited.
    assert.equal((await signedIn.get("/console")).status, 303);
    assert.equal(
      (await t.deps.db.select().from(apiTokens).where(eq(apiTokens.userId, person.id))).length,
      0,
    );
    assert.ok((await auditActions(t.deps)).includes("auth.password_reset"));
    // The old password is refused, the new one works.
    assert.equal((await t.client().signIn(person.email, TECH_PASSWORD)).status, 401);
    const fresh = await t.client().signIn(person.email, NEW_PASSWORD);
    assert.equal(fresh.headers.get("location"), "/console");
    // Used: the page says so and offers a new link.
    const again = await browser.get(`/reset/${token}`);
    assert.equal(again.status, 410);
    const againText = await again.text();
    assert.match(againText, /already used/);
    assert.match(againText, /href="\/signin\/forgot"/);
    const reuse = await browser.post(`/reset/${token}`, {
      password: "yet another password",
      confirm: "yet another password",
    });
    assert.equal(reuse.status, 410);
  });
});

Deno.test("reset links: a newer one replaces the older, an hour later it has expired, a changed one is unknown", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const browser = t.client();
    await forgot(t, browser, person.email);
    const first = await latestToken(t, person.email);
    t.clock.advance(1000);
    await forgot(t, browser, person.email);
    const second = await latestToken(t, person.email);
    assert.notEqual(first, second);
    const old = await browser.get(`/reset/${first}`);
    assert.equal(old.status, 410);
    assert.match(await old.text(), /newer link was sent/);
    const tampered = second.slice(0, -1) + (second.endsWith("A") ? "B" : "A");
    const bad = await browser.get(`/reset/${tampered}`);
    assert.equal(bad.status, 410);
    assert.match(await bad.text(), /is not valid/);
    assert.equal((await browser.get(`/reset/${second}`)).status, 200);
    t.clock.advance(60 * 60_000 + 1000);
    const late = await browser.get(`/reset/${second}`);
    assert.equal(late.status, 410);
    assert.match(await late.text(), /has expired/);
    const latePost = await browser.post(`/reset/${second}`, {
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(latePost.status, 410);
  });
});

Deno.test("forgot password is limited: three mails an hour per account (same answer after), ten asks per address", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const browser = t.client();
    for (let i = 0; i < 5; i++) assert.equal((await forgot(t, browser, person.email)).status, 200);
    assert.equal((await resetMails(t, person.email)).length, 3);
    for (let i = 0; i < 5; i++) {
      assert.equal((await forgot(t, browser, `x${i}@example.test`)).status, 200);
    }
    const refused = await forgot(t, browser, "y@example.test");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match(await refused.text(), /Too many requests/);
  });
});

Deno.test("a reset of an account with two-step verification needs its code; a wrong one counts", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const tech = t.client();
    await tech.signIn(person.email, TECH_PASSWORD);
    const { secret } = await enrolTotp(tech, (s) => currentTotp(s, t.clock.now()));
    t.clock.advance(60_000);
    await forgot(t, t.client(), person.email);
    const token = await latestToken(t, person.email);
    const browser = t.client();
    assert.match(await (await browser.get(`/reset/${token}`)).text(), /name="code"/);
    const fields = { password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    const none = await browser.post(`/reset/${token}`, fields);
    assert.equal(none.status, 422);
    const wrong = await browser.post(`/reset/${token}`, { ...fields, code: "000000" });
    assert.equal(wrong.status, 422);
    assert.ok((await auditActions(t.deps)).includes("auth.totp_failed"));
    // Nothing changed: the link still works.
    assert.equal((await browser.get(`/reset/${token}`)).status, 200);
    const right = await browser.post(`/reset/${token}`, {
      ...fields,
      code: currentTotp(secret, t.clock.now()),
    });
    assert.equal(right.status, 200);
    const res = await t.client().signIn(
      person.email,
      NEW_PASSWORD,
      () => currentTotp(secret, new Date(t.clock.now().getTime() + 30_000)),
    );
    assert.equal(res.status, 303);
  });
});

Deno.test("a reset lifts the account's sign-in lockout", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const guesser = t.client();
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await guesser.signIn(person.email, `wrong guess ${i}`);
      if (last.status === 423) break;
      t.clock.advance(120_000);
    }
    assert.equal(last?.status, 423);
    await forgot(t, t.client(), person.email);
    const token = await latestToken(t, person.email);
    const browser = t.client();
    await browser.get(`/reset/${token}`);
    await browser.post(`/reset/${token}`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    const res = await t.client().signIn(person.email, NEW_PASSWORD);
    assert.equal(res.headers.get("location"), "/console");
  });
});

Deno.test("with password sign-in off for single sign-on only the master admin gets a link, and the page says so", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    await t.deps.db.insert(ssoSettings).values({
      orgId: master.orgId,
      displayName: "Contoso ID",
      issuer: "https://idp.example.test",
      clientId: "rescue",
      clientSecret: "sealed",
      allowPassword: false,
      updatedAt: t.clock.now(),
    });
    const browser = t.client();
    const page = await (await browser.get("/signin/forgot")).text();
    assert.match(page, /signs in with Contoso ID: reset your password there/);
    const a = (await forgot(t, browser, person.email)).status;
    const b = (await forgot(t, browser, ADMIN.email)).status;
    assert.deepEqual([a, b], [200, 200]);
    assert.equal((await resetMails(t, person.email)).length, 0);
    assert.equal((await resetMails(t, ADMIN.email)).length, 1);
    // The person page says why in place of the button, and refuses a post.
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const personPage = await (await admin.get(`/admin/technicians/${person.id}`)).text();
    assert.match(personPage, /signs in through single sign-on, where password sign-in is off/);
    assert.doesNotMatch(personPage, /Send a password reset link/);
    await admin.get(`/admin/technicians/${person.id}/password-reset`);
    const sent = await admin.post(`/admin/technicians/${person.id}/password-reset`);
    assert.equal(sent.status, 409);
  });
});

Deno.test("an admin sends a password reset link from the person page, under the page's rule", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const other = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const stranger = await makePerson(t, { groupId: other.id });
    const fellowAdmin = await makePerson(t, { groupId: group.id, role: "admin" });
    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    // A limited admin of `group`.
    await master.get(`/admin/groups/${group.id}`);
    await master.post(`/admin/groups/${group.id}/admins`, { admin: fellowAdmin.id });
    const page = await (await master.get(`/admin/technicians/${person.id}`)).text();
    assert.match(page, /Send a password reset link/);
    const confirm = await master.get(`/admin/technicians/${person.id}/password-reset`);
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), /Send Test Technician a password reset link\?/);
    const sent = await master.post(`/admin/technicians/${person.id}/password-reset`);
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get("location"), `/admin/technicians/${person.id}?resetLink=1`);
    const notice = await (await master.get(sent.headers.get("location")!)).text();
    // Without SMTP the mail waits in the outbox, and the notice says so.
    assert.match(notice, new RegExp(`The password reset link for ${person.email} is held`));
    const [mail] = await resetMails(t, person.email);
    assert.match(mail.textBody, /An administrator sent you a link/);
    assert.ok((await auditActions(t.deps)).includes("technician.password_reset_sent"));
    // The master admin of another admin: yes; never oneself.
    assert.equal(
      (await master.post(`/admin/technicians/${fellowAdmin.id}/password-reset`)).status,
      303,
    );
    const [me] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    assert.equal((await master.post(`/admin/technicians/${me.id}/password-reset`)).status, 403);
    // A limited admin: its technicians only — not a stranger's, not the master admin.
    const limited = t.client();
    await limited.signIn(fellowAdmin.email, TECH_PASSWORD);
    await limited.get(`/admin/technicians/${person.id}`);
    assert.equal(
      (await limited.post(`/admin/technicians/${person.id}/password-reset`)).status,
      303,
    );
    for (const id of [stranger.id, me.id, fellowAdmin.id]) {
      const res = await limited.post(`/admin/technicians/${id}/password-reset`);
      assert.equal(res.status, 403, id);
    }
    assert.equal((await resetMails(t, stranger.email)).length, 0);
    // A deactivated person gets no link.
    await t.deps.db.update(users).set({ active: false }).where(eq(users.id, person.id));
    assert.equal((await master.post(`/admin/technicians/${person.id}/password-reset`)).status, 409);
  });
});

Deno.test("the reset e-mail speaks the person's own language, else the asker's", async () => {
  await withApp(async (t) => {
    const group = await makeGroup(t);
    const dutch = await makePerson(t, { groupId: group.id });
    await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, dutch.id));
    const unset = await makePerson(t, { groupId: group.id });
    const english = t.client();
    await forgot(t, english, dutch.email);
    const [nl] = await resetMails(t, dutch.email);
    assert.equal(nl.subject, "Kies een nieuw wachtwoord");
    assert.match(nl.textBody, /^Hallo Test Technician,/);
    assert.match(nl.textBody, /de link werkt één uur, één keer/);
    const asker = t.client();
    asker.headers["accept-language"] = "nl-NL";
    await forgot(t, asker, unset.email);
    const [fallback] = await resetMails(t, unset.email);
    assert.equal(fallback.subject, "Kies een nieuw wachtwoord");
  });
});

Deno.test("with SMTP the person page says the link was sent, and it was", async () => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    await master.get(`/admin/technicians/${person.id}/password-reset`);
    const sent = await master.post(`/admin/technicians/${person.id}/password-reset`);
    const notice = await (await master.get(sent.headers.get("location")!)).text();
    assert.match(notice, new RegExp(`A password reset link was sent to ${person.email}`));
    assert.equal(smtp.messages.length, 1);
    assert.deepEqual(smtp.recipients[0], [person.email]);
  } finally {
    await t.close();
    await smtp.close();
  }
});
