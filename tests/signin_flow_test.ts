// Cross-module flows of SPEC A1–A3 through the real app and database: password, lockout,
// TOTP enrolment and sign-in, replay, recovery codes, remembered devices, required 2FA.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { currentTotp, organisations, users } from "../modules/auth/mod.ts";
import { enrolTotp } from "./support/totp.ts";
import { ADMIN, auditActions, type TestApp, type TestClient, withTestApp } from "./support/app.ts";

/** Enrols the signed-in `browser` in TOTP via My account; returns the secret and codes. */
async function enrol(t: TestApp, browser: TestClient) {
  const { secret, page, confirmed } = await enrolTotp(
    browser,
    (secret) => currentTotp(secret, t.clock.now()),
  );
  assert.match(page, /<svg/);
  assert.equal(confirmed.status, 200);
  const codes = [...(await confirmed.text()).matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((
    m,
  ) => m[1]);
  assert.equal(codes.length, 10);
  return { secret, codes };
}

Deno.test("sign-in refuses a wrong password with 401, audits it, and keeps the user out", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    const res = await browser.signIn(ADMIN.email, "wrong password!");
    assert.equal(res.status, 401);
    assert.match(await res.text(), /e-mail address or password is wrong/);
    assert.equal((await browser.get("/console")).status, 303);
    assert.ok((await auditActions(t.deps)).includes("auth.signin_failed"));
  });
});

Deno.test("sign-in slows down, then locks the account after ten failures, and audits the lockout", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await browser.signIn(ADMIN.email, `wrong-${i}-password`)).status);
      t.clock.advance(61_000); // wait out any back-off so every try is counted
    }
    assert.deepEqual(statuses, Array(10).fill(401));
    const locked = await browser.signIn(ADMIN.email, ADMIN.password);
    assert.equal(locked.status, 423, "even the right password is refused while locked");
    assert.match(await locked.text(), /locked/);
    assert.equal(
      (await auditActions(t.deps)).filter((a) => a === "auth.lockout").length,
      1,
    );
    t.clock.advance(15 * 60_000);
    assert.equal((await browser.signIn(ADMIN.email, ADMIN.password)).status, 303);
  });
});

Deno.test("sign-in asks to slow down (429 with Retry-After) after a few quick failures", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    let res: Response | undefined;
    for (let i = 0; i < 6; i++) res = await browser.signIn(ADMIN.email, `wrong-${i}-password`);
    assert.equal(res!.status, 429);
    assert.ok(Number(res!.headers.get("retry-after")) > 0);
  });
});

Deno.test("TOTP sign-in: code required, replay refused, recovery code works once", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const { secret, codes } = await enrol(t, browser);
    await browser.post("/signout");

    t.clock.advance(30_000);
    const second = t.client();
    const step1 = await second.signIn(ADMIN.email, ADMIN.password);
    assert.equal(step1.headers.get("location"), "/signin/2fa");
    assert.equal((await second.get("/console")).status, 303, "no console before the code");
    const code = currentTotp(secret, t.clock.now());
    assert.equal((await second.post("/signin/2fa", { code })).headers.get("location"), "/console");

    const replay = t.client();
    await replay.signIn(ADMIN.email, ADMIN.password);
    await replay.get("/signin/2fa");
    const refused = await replay.post("/signin/2fa", { code });
    assert.equal(refused.status, 401, "the same code is not accepted twice");

    const recovery = await replay.post("/signin/2fa", { code: codes[0] });
    assert.equal(recovery.headers.get("location"), "/signin/recovery-used");
    const said = await (await replay.get("/signin/recovery-used")).text();
    assert.match(said, /9 unused recovery codes left/);
    assert.match(said, /href="\/console"/);
    assert.match(said, /href="\/account"/, "where to make new ones");
    assert.equal((await replay.get("/console")).status, 200, "signed in");
    const again = t.client();
    await again.signIn(ADMIN.email, ADMIN.password);
    await again.get("/signin/2fa");
    assert.equal((await again.post("/signin/2fa", { code: codes[0] })).status, 401);
    const actions = await auditActions(t.deps);
    assert.ok(actions.includes("auth.2fa_enabled"));
    assert.ok(actions.includes("auth.recovery_code_used"));
    assert.ok(actions.includes("auth.totp_failed"));
  });
});

Deno.test("a remembered device skips the code until it is revoked from My account", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const { secret } = await enrol(t, browser);
    await browser.post("/signout");
    t.clock.advance(30_000);
    await browser.signIn(ADMIN.email, ADMIN.password);
    const res = await browser.post("/signin/2fa", {
      code: currentTotp(secret, t.clock.now()),
      remember: "1",
    });
    assert.equal(res.headers.get("location"), "/console");
    await browser.post("/signout");

    const direct = await browser.signIn(ADMIN.email, ADMIN.password);
    assert.equal(direct.headers.get("location"), "/console", "no code on a remembered device");

    const page = await (await browser.get("/account")).text();
    const deviceId = /\/account\/devices\/([0-9a-f-]{36})\/revoke/.exec(page)?.[1];
    assert.ok(deviceId);
    assert.equal((await browser.post(`/account/devices/${deviceId}/revoke`)).status, 200);
    await browser.post("/signout");
    const after = await browser.signIn(ADMIN.email, ADMIN.password);
    assert.equal(after.headers.get("location"), "/signin/2fa");
  });
});

Deno.test("required 2FA sends a user without it to enrolment before anything else", async () => {
  await withTestApp(async (t) => {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await admin.get("/admin/security");
    const saved = await admin.post("/admin/security", { require2fa: "1", rememberDeviceDays: "7" });
    assert.equal(saved.status, 303);
    const [org] = await t.deps.db.select().from(organisations);
    assert.equal(org.require2fa, true);

    const browser = t.client();
    const res = await browser.signIn(ADMIN.email, ADMIN.password);
    assert.equal(res.headers.get("location"), "/signin/enrol");
    assert.equal((await browser.get("/console")).status, 303);
    const page = await (await browser.get("/signin/enrol")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
    const wrong = await browser.post("/signin/enrol", { code: "000000" });
    assert.equal(wrong.status, 400);
    const ok = await browser.post("/signin/enrol", { code: currentTotp(secret, t.clock.now()) });
    assert.equal(ok.status, 200);
    const codesPage = await ok.text();
    assert.match(codesPage, /recovery-code-list/);
    assert.doesNotMatch(codesPage, /class="signin-link"/, "signed in: no 'Sign in' offered");
    assert.equal((await browser.get("/console")).status, 200);
    const [user] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    assert.ok(user.totpEnabledAt);
  });
});

/** Two browsers signed in to the admin's account, `a` on My account. */
async function twoSessions(t: TestApp): Promise<{ a: TestClient; b: TestClient }> {
  const a = t.client();
  const b = t.client();
  await a.signIn(ADMIN.email, ADMIN.password);
  await b.signIn(ADMIN.email, ADMIN.password);
  await a.get("/account");
  return { a, b };
}

Deno.test("sign out everywhere ends every session of the account", async () => {
  await withTestApp(async (t) => {
    const { a, b } = await twoSessions(t);
    assert.equal((await a.post("/account/signout-everywhere")).status, 303);
    assert.equal((await a.get("/console")).status, 303);
    assert.equal((await b.get("/console")).status, 303);
    assert.ok((await auditActions(t.deps)).includes("auth.signout_everywhere"));
  });
});

Deno.test("a deactivated user's session stops working at once", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await t.deps.db.update(users).set({ active: false });
    assert.equal((await browser.get("/console")).status, 303);
    assert.equal((await t.client().signIn(ADMIN.email, ADMIN.password)).status, 401);
  });
});

Deno.test("changing the password needs the current one and signs other sessions out", async () => {
  await withTestApp(async (t) => {
    const { a, b } = await twoSessions(t);
    const change = (current: string, next: string) =>
      a.post("/account/password", { current, next, confirm: next }, { "hx-request": "true" });
    assert.equal((await change("not it at all", "a brand new password")).status, 400, "wrong");
    assert.equal((await change(ADMIN.password, "short")).status, 400, "too short");
    assert.equal((await change(ADMIN.password, "a brand new password")).status, 200);
    assert.equal((await a.get("/console")).status, 200, "this session stays");
    assert.equal((await b.get("/console")).status, 303, "the other one ends");
    assert.equal((await t.client().signIn(ADMIN.email, "a brand new password")).status, 303);
  });
});

Deno.test("pages render in Dutch from Accept-Language, the picker cookie, and the user's setting", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    const nl = await (await browser.get("/signin", { "accept-language": "nl-NL,nl;q=0.9" })).text();
    assert.match(nl, /<html lang="nl" dir="ltr">/);
    assert.match(nl, /Aanmelden/);
    await browser.post("/lang", { lang: "en", back: "/signin" });
    const en = await (await browser.get("/signin", { "accept-language": "nl" })).text();
    assert.match(en, /<html lang="en" dir="ltr">/);
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.get("/account");
    await browser.post("/account/language", { language: "nl" });
    const account = await (await browser.get("/account")).text();
    assert.match(account, /Mijn account/);
    assert.equal((await browser.post("/lang", { lang: "xx" })).status, 400);
    // A customer-only language (SPEC L2) is no setting for staff: refused, the setting kept.
    assert.equal((await browser.post("/account/language", { language: "ru" })).status, 400);
    assert.match(await (await browser.get("/account")).text(), /Mijn account/);
    await browser.post("/account/language", { language: "ja" });
    assert.match(await (await browser.get("/account")).text(), /<html lang="ja" dir="ltr">/);
  });
});

Deno.test("the right password does not reset the count of wrong second-factor codes", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await enrol(t, browser);
    await browser.post("/signout");
    for (let i = 0; i < 10; i++) {
      t.clock.advance(61_000); // wait out any back-off so every try is counted
      const guesser = t.client();
      const step1 = await guesser.signIn(ADMIN.email, ADMIN.password);
      assert.equal(step1.headers.get("location"), "/signin/2fa", `try ${i}`);
      await guesser.get("/signin/2fa");
      assert.equal((await guesser.post("/signin/2fa", { code: "000000" })).status, 401);
    }
    t.clock.advance(61_000);
    const locked = await t.client().signIn(ADMIN.email, ADMIN.password);
    assert.equal(locked.status, 423, "ten wrong codes lock the account, password or not");
    assert.ok((await auditActions(t.deps)).includes("auth.lockout"));
  });
});

Deno.test("turning 2FA off from My account counts wrong codes and locks after ten", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const { secret } = await enrol(t, browser);
    const disable = (code: string) =>
      browser.post("/account/2fa/disable", { code }, { "hx-request": "true" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await disable("000000")).status);
      t.clock.advance(61_000);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
    assert.deepEqual(statuses.slice(10), [423, 423], "locked, a guess is not even checked");
    t.clock.advance(30_000);
    assert.equal((await disable(currentTotp(secret, t.clock.now()))).status, 423);
    const [user] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    assert.ok(user.totpEnabledAt, "2FA stays on");
  });
});

Deno.test("changing the password forgets remembered devices: the next sign-in asks for a code", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const { secret } = await enrol(t, browser);
    await browser.post("/signout");
    t.clock.advance(30_000);
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.post("/signin/2fa", { code: currentTotp(secret, t.clock.now()), remember: "1" });
    await browser.get("/account");
    const next = "a brand new password";
    const changed = await browser.post(
      "/account/password",
      { current: ADMIN.password, next, confirm: next },
      { "hx-request": "true" },
    );
    assert.equal(changed.status, 200);
    const answer = await changed.text();
    assert.match(answer, /remembered devices/);
    assert.match(answer, /id="devices"[^>]*hx-swap-oob/, "the page's device list is redrawn");
    await browser.post("/signout");
    const after = await browser.signIn(ADMIN.email, next);
    assert.equal(after.headers.get("location"), "/signin/2fa");
  });
});
