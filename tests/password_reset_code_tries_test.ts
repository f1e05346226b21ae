// A reset link's two-step code is limited by the link, not by the account's sign-in lock: a
// locked account's owner uses the link at once; five wrong codes use the link up (its own page
// says so); the client address's throttle still counts; wrong codes sent at once never get
// more than five tries, and the link is used once. Codes from oathtool (independent TOTP).
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { currentTotp, users } from "../modules/auth/mod.ts";
import { loginThrottle } from "../modules/auth/schema.ts";
import { passwordResets } from "../modules/org/schema.ts";
import { RESET_CODE_TRIES } from "../modules/org/password_reset.ts";
import { sha256Hex } from "../modules/tokens/mod.ts";
import { ADMIN, auditActions, startTestApp, type TestApp, type TestClient } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { enrolTotp, oathtool } from "./support/totp.ts";

const NEW_PASSWORD = "a brand new password";
const FIELDS = { password: NEW_PASSWORD, confirm: NEW_PASSWORD };
const USED_UP =
  /This password reset link is used up: the two-step verification code was wrong 5 times/;

async function withApp(fn: (t: TestApp) => Promise<void>) {
  // Addresses from X-Forwarded-For, so a test can be two people in two places.
  const t = await startTestApp({ env: { RESCUE_TRUST_PROXY: "1" } });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** A client at `address`. */
function clientAt(t: TestApp, address: string): TestClient {
  const client = t.client();
  client.headers["x-forwarded-for"] = address;
  return client;
}

/** A technician with two-step verification (its secret and recovery codes). */
async function personWith2fa(t: TestApp) {
  const group = await makeGroup(t);
  const person = await makePerson(t, { groupId: group.id });
  const tech = clientAt(t, "198.51.100.1");
  await tech.signIn(person.email, TECH_PASSWORD);
  const { secret, confirmed } = await enrolTotp(tech, (s) => oathtool(s, t.clock.now()));
  const recovery = (await confirmed.text()).match(/\b[a-z0-9]{5}-[a-z0-9]{5}\b/g) ?? [];
  assert.ok(recovery.length > 0, "recovery codes shown");
  // The enrolment used this time step's code.
  t.clock.advance(60_000);
  return { person, secret, recovery };
}

/** The master admin sends `userId` a link; returns its token (from the held mail). */
async function adminLink(t: TestApp, admin: TestClient, userId: string, email: string) {
  t.clock.advance(1000); // The newest mail is the one sent last.
  await admin.get(`/admin/technicians/${userId}/password-reset`);
  assert.equal((await admin.post(`/admin/technicians/${userId}/password-reset`)).status, 303);
  const { mailOutbox } = await import("../modules/mail/mod.ts");
  const { desc } = await import("drizzle-orm");
  const [mail] = await t.deps.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, email))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id));
  return /\/reset\/([A-Za-z0-9_-]+)/.exec(mail.textBody)![1];
}

async function masterAdmin(t: TestApp) {
  const admin = clientAt(t, "198.51.100.2");
  await admin.signIn(ADMIN.email, ADMIN.password);
  return admin;
}

/** Six-digit codes that are wrong now (not those of this, the previous or the next step). */
function wrongCodes(secret: string, now: Date, count: number): string[] {
  const near = [-30_000, 0, 30_000].map((d) => currentTotp(secret, new Date(now.getTime() + d)));
  const codes: string[] = [];
  for (let i = 0; codes.length < count; i++) {
    const code = String(100_000 + i * 7919).padStart(6, "0");
    if (!near.includes(code)) codes.push(code);
  }
  return codes;
}

/** The stored row of the link `token`. */
async function linkRow(t: TestApp, token: string) {
  const [row] = await t.deps.db.select().from(passwordResets)
    .where(eq(passwordResets.tokenHash, await sha256Hex(token)));
  return row;
}

const count = (list: string[], item: string) => list.filter((x) => x === item).length;

Deno.test("a locked account's reset link works with the right code at once, and the account signs in after", async () => {
  await withApp(async (t) => {
    const { person, secret } = await personWith2fa(t);
    // Someone guesses the password from elsewhere until the account is locked.
    const guesser = clientAt(t, "203.0.113.66");
    let last: Response | undefined;
    for (let i = 0; i < 12 && last?.status !== 423; i++) {
      last = await guesser.signIn(person.email, `wrong guess ${i}`);
      t.clock.advance(70_000);
    }
    assert.equal(last?.status, 423);
    const [lock] = await t.deps.db.select().from(loginThrottle)
      .where(eq(loginThrottle.key, person.email));
    assert.ok(lock.lockedUntil && lock.lockedUntil > t.clock.now(), "still locked");
    const admin = await masterAdmin(t);
    const token = await adminLink(t, admin, person.id, person.email);
    const owner = clientAt(t, "192.0.2.10");
    assert.equal((await owner.get(`/reset/${token}`)).status, 200);
    // A wrong code first: refused for the code (with the tries left), not for the lock.
    const [wrong] = wrongCodes(secret, t.clock.now(), 1);
    const refused = await owner.post(`/reset/${token}`, { ...FIELDS, code: wrong });
    assert.equal(refused.status, 422);
    const refusedText = await refused.text();
    assert.match(refusedText, /That code is not valid/);
    assert.match(refusedText, /You can enter 4 more codes with this link/);
    assert.doesNotMatch(refusedText, /locked/i);
    const done = await owner.post(`/reset/${token}`, {
      ...FIELDS,
      code: await oathtool(secret, t.clock.now()),
    });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Your password has been changed/);
    // The lock is lifted: the new password and a code sign in at once.
    t.clock.advance(30_000);
    const code = await oathtool(secret, t.clock.now());
    const signedIn = await clientAt(t, "192.0.2.10").signIn(person.email, NEW_PASSWORD, () => code);
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get("location"), "/console");
    const actions = await auditActions(t.deps);
    assert.ok(actions.includes("auth.password_reset"));
    assert.equal(count(actions, "auth.totp_failed"), 1, "the wrong code still counts");
  });
});

Deno.test("five wrong codes use a reset link up: its page says so, and even the right code is refused after", async () => {
  await withApp(async (t) => {
    const { person, secret } = await personWith2fa(t);
    const admin = await masterAdmin(t);
    const token = await adminLink(t, admin, person.id, person.email);
    const [before] = await t.deps.db.select().from(users).where(eq(users.id, person.id));
    const owner = clientAt(t, "192.0.2.10");
    await owner.get(`/reset/${token}`);
    const codes = wrongCodes(secret, t.clock.now(), RESET_CODE_TRIES);
    for (const [i, code] of codes.entries()) {
      const res = await owner.post(`/reset/${token}`, { ...FIELDS, code });
      const text = await res.text();
      const left = RESET_CODE_TRIES - i - 1;
      if (left > 0) {
        assert.equal(res.status, 422, `try ${i + 1}`);
        const more = left === 1 ? "1 more code" : `${left} more codes`;
        assert.match(text, new RegExp(`You can enter ${more} with this link`));
      } else {
        assert.equal(res.status, 410, "the fifth wrong code uses the link up");
        assert.match(text, USED_UP);
        assert.match(text, /href="\/signin\/forgot"/);
      }
      assert.equal((await linkRow(t, token)).failedCodes, i + 1);
    }
    const page = await owner.get(`/reset/${token}`);
    assert.equal(page.status, 410);
    const pageText = await page.text();
    assert.match(pageText, USED_UP);
    assert.doesNotMatch(pageText, /already used/);
    // The sixth try, with the right code: refused with the same words, nothing changed.
    const sixth = await owner.post(`/reset/${token}`, {
      ...FIELDS,
      code: await oathtool(secret, t.clock.now()),
    });
    assert.equal(sixth.status, 410);
    assert.match(await sixth.text(), USED_UP);
    const [after] = await t.deps.db.select().from(users).where(eq(users.id, person.id));
    assert.equal(after.passwordHash, before.passwordHash);
    assert.equal(after.totpLastStep, before.totpLastStep, "the right code was not even checked");
    const row = await linkRow(t, token);
    assert.equal(row.failedCodes, RESET_CODE_TRIES);
    assert.ok(row.usedAt);
    // Each wrong code counted as a failed sign-in, on the account and the address.
    const actions = await auditActions(t.deps);
    assert.equal(count(actions, "auth.totp_failed"), RESET_CODE_TRIES);
    assert.ok(!actions.includes("auth.password_reset"));
    const throttle = await t.deps.db.select().from(loginThrottle);
    const failures = Object.fromEntries(throttle.map((r) => [`${r.scope}:${r.key}`, r.failures]));
    assert.equal(failures[`account:${person.email}`], RESET_CODE_TRIES);
    assert.equal(failures["address:192.0.2.10"], RESET_CODE_TRIES);
    // A new link works again.
    const fresh = await adminLink(t, admin, person.id, person.email);
    t.clock.advance(30_000);
    await owner.get(`/reset/${fresh}`);
    const done = await owner.post(`/reset/${fresh}`, {
      ...FIELDS,
      code: await oathtool(secret, t.clock.now()),
    });
    assert.equal(done.status, 200);
  });
});

Deno.test("wrong reset codes from one address across links still hit the address's throttle", async () => {
  await withApp(async (t) => {
    const { person, secret } = await personWith2fa(t);
    const admin = await masterAdmin(t);
    const guesser = clientAt(t, "203.0.113.66");
    // Four links used up from one address: 20 failures, all the address gets for free.
    for (let link = 0; link < 4; link++) {
      const token = await adminLink(t, admin, person.id, person.email);
      await guesser.get(`/reset/${token}`);
      for (const code of wrongCodes(secret, t.clock.now(), RESET_CODE_TRIES)) {
        const res = await guesser.post(`/reset/${token}`, { ...FIELDS, code });
        assert.notEqual(res.status, 429);
      }
    }
    const token = await adminLink(t, admin, person.id, person.email);
    await guesser.get(`/reset/${token}`);
    const [first, second] = wrongCodes(secret, t.clock.now(), 2);
    assert.equal((await guesser.post(`/reset/${token}`, { ...FIELDS, code: first })).status, 422);
    // The 21st failure from the address: the next try must wait, and is not a link's try.
    const slowed = await guesser.post(`/reset/${token}`, { ...FIELDS, code: second });
    assert.equal(slowed.status, 429);
    assert.ok(Number(slowed.headers.get("retry-after")) > 0);
    assert.match(await slowed.text(), /Too many|wait/i);
    assert.equal((await linkRow(t, token)).failedCodes, 1);
    // The owner, elsewhere, is not held up by the guesser's address (nor the account's lock).
    const owner = clientAt(t, "192.0.2.10");
    await owner.get(`/reset/${token}`);
    const done = await owner.post(`/reset/${token}`, {
      ...FIELDS,
      code: await oathtool(secret, t.clock.now()),
    });
    assert.equal(done.status, 200);
  });
});

Deno.test("wrong reset codes sent at once never get more than five tries; right codes at once use the link once", async () => {
  await withApp(async (t) => {
    const { person, secret, recovery } = await personWith2fa(t);
    const admin = await masterAdmin(t);
    const token = await adminLink(t, admin, person.id, person.email);
    const guesser = clientAt(t, "203.0.113.66");
    await guesser.get(`/reset/${token}`);
    const codes = wrongCodes(secret, t.clock.now(), 12);
    const answers = await Promise.all(
      codes.map((code) => guesser.post(`/reset/${token}`, { ...FIELDS, code })),
    );
    // A refused code's page shows the link as it is by then, so some of the first five may
    // already read "used up": what counts is that only five codes were tried.
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 422 || s === 410), statuses.join());
    assert.ok(count(statuses.map(String), "410") >= codes.length - RESET_CODE_TRIES + 1);
    for (const res of answers) {
      const text = await res.text();
      if (res.status === 410) assert.match(text, USED_UP);
      else assert.match(text, /more codes? with this link/);
    }
    assert.equal((await linkRow(t, token)).failedCodes, RESET_CODE_TRIES);
    assert.equal(count(await auditActions(t.deps), "auth.totp_failed"), RESET_CODE_TRIES);

    // Two right codes at once (the app's code and a recovery code): one reset, one "used".
    const fresh = await adminLink(t, admin, person.id, person.email);
    t.clock.advance(30_000);
    const owner = clientAt(t, "192.0.2.10");
    await owner.get(`/reset/${fresh}`);
    const both = await Promise.all([
      owner.post(`/reset/${fresh}`, { ...FIELDS, code: await oathtool(secret, t.clock.now()) }),
      owner.post(`/reset/${fresh}`, { ...FIELDS, code: recovery[0]! }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 410]);
    const used = both.find((r) => r.status === 410)!;
    assert.match(await used.text(), /already used/);
    assert.equal(count(await auditActions(t.deps), "auth.password_reset"), 1);
  });
});
