/**
 * "Forgot your password?" end to end, through the real parts: headless Chromium, the app on
 * loopback and a real SMTP server (smtp-server) on loopback. A technician with two-step
 * verification asks for a link on the sign-in page, the e-mail arrives over SMTP, its link
 * opens the page that asks for the new password twice and a TOTP code (from oathtool, an
 * implementation independent of the app's), and then the new password signs in (with a code)
 * while the old one is refused. A locked account (ten wrong passwords) resets at once with its
 * link and a code, and five wrong codes use a link up (its own page). PWR_SHOTS=<dir> keeps
 * screenshots of each page at 1366×768 and 1920×1080.
 */
import assert from "node:assert/strict";
import { startSmtpServer } from "../../modules/mail/smtp_test_server.ts";
import { startTestApp } from "../support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { eventually } from "../support/eventually.ts";
import { enrolTotp, oathtool } from "../support/totp.ts";
import { currentTotp } from "../../modules/auth/mod.ts";
import type { Page } from "playwright-core";

const SHOTS = Deno.env.get("PWR_SHOTS");
const NEW_PASSWORD = "my new password 2026";

/** The body of a raw message, quoted-printable soft breaks and escapes undone. */
function decodeBody(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)),
  );
}

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/PWR_${name}_${size.width}.png`, fullPage: true });
  }
}

Deno.test({
  name: "browser: forgot password → e-mail over SMTP → link → new password + TOTP → sign in",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const smtp = await startSmtpServer();
    const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
    t.clock.set(new Date()); // TOTP codes are checked against t.clock.now().
    try {
      const group = await makeGroup(t);
      const person = await makePerson(t, { groupId: group.id, email: "tess@example.test" });
      const client = t.client();
      await client.signIn(person.email, TECH_PASSWORD);
      const { secret } = await enrolTotp(client, (s) => oathtool(s, t.clock.now()));
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.goto(`${base}/signin`);
        await clickAndWait(page, "a:has-text('Forgot your password?')");
        assert.equal(new URL(page.url()).pathname, "/signin/forgot");
        await shoot(page, "forgot");
        await page.fill("#email", person.email);
        await clickAndWait(page, "form[action='/signin/forgot'] button[type=submit]");
        const answer = await page.locator("[role=status]").textContent() ?? "";
        assert.match(answer, /If tess@example\.test belongs to an account/);
        await shoot(page, "forgot_sent");

        // The e-mail arrives at the SMTP server, to the technician, with the link.
        await eventually("the reset e-mail", () => smtp.messages.length === 1);
        assert.deepEqual(smtp.recipients[0], [person.email]);
        const body = decodeBody(smtp.messages[0]);
        assert.match(body, /Subject: Choose a new password/);
        const link = /(http:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/.exec(body)![1];

        // The link's page: new password twice and the code (a new 30-second step).
        t.clock.advance(30_000);
        await page.goto(link.replace(/^http:\/\/localhost:\d+/, base));
        assert.equal(await page.locator("#code").count(), 1, "the code is asked for");
        await shoot(page, "choose");
        await page.fill("#pw", NEW_PASSWORD);
        await page.fill("#pw2", NEW_PASSWORD);
        await page.fill("#code", await oathtool(secret, t.clock.now()));
        await clickAndWait(page, "form button[type=submit]");
        assert.match(
          await page.locator("h1").textContent() ?? "",
          /Your password has been changed/,
        );
        await shoot(page, "done");
        // The used link says so, with a way to ask again.
        await page.goto(link.replace(/^http:\/\/localhost:\d+/, base));
        assert.match(await page.locator(".flash.error").textContent() ?? "", /already used/);
        await shoot(page, "link_used");

        // The old password is refused; the new one (and a code) signs in.
        const browser = await newPage();
        await browser.goto(`${base}/signin`);
        await browser.fill("#email", person.email);
        await browser.fill("#password", TECH_PASSWORD);
        await clickAndWait(browser, "form[action='/signin'] button[type=submit]");
        assert.match(await browser.locator(".flash.error").textContent() ?? "", /wrong/);
        await browser.fill("#email", person.email);
        await browser.fill("#password", NEW_PASSWORD);
        await clickAndWait(browser, "form[action='/signin'] button[type=submit]");
        assert.equal(new URL(browser.url()).pathname, "/signin/2fa");
        t.clock.advance(30_000);
        await browser.fill("input[name=code]", await oathtool(secret, t.clock.now()));
        await clickAndWait(browser, "form button[type=submit]");
        assert.equal(new URL(browser.url()).pathname, "/console");

        for (const p of [page, browser]) {
          assert.deepEqual(p.errors.filter((e) => /Content Security Policy|pageerror/.test(e)), []);
        }
      });
    } finally {
      await t.close();
      await smtp.close();
    }
  },
});

Deno.test({
  name:
    "browser: a locked account's owner resets at once with the link and a code; five wrong codes use a link up",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const smtp = await startSmtpServer();
    const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
    t.clock.set(new Date()); // TOTP codes are checked against t.clock.now().
    try {
      const group = await makeGroup(t);
      const person = await makePerson(t, { groupId: group.id, email: "lou@example.test" });
      const client = t.client();
      await client.signIn(person.email, TECH_PASSWORD);
      const { secret } = await enrolTotp(client, (s) => oathtool(s, t.clock.now()));
      // Someone guesses the password until the account is locked (10 failures).
      const guesser = t.client();
      let last: Response | undefined;
      for (let i = 0; i < 12 && last?.status !== 423; i++) {
        last = await guesser.signIn(person.email, `wrong guess ${i}`);
        t.clock.advance(61_000);
      }
      assert.equal(last?.status, 423);
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        // The owner finds the account locked, and asks for a link.
        await page.goto(`${base}/signin`);
        await page.fill("#email", person.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "form[action='/signin'] button[type=submit]");
        assert.match(await page.locator(".flash.error").textContent() ?? "", /is locked/);
        await shoot(page, "locked_signin");
        await clickAndWait(page, "a:has-text('Forgot your password?')");
        await page.fill("#email", person.email);
        await clickAndWait(page, "form[action='/signin/forgot'] button[type=submit]");
        await eventually("the reset e-mail", () => smtp.messages.length === 1);
        const link = /(http:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/.exec(decodeBody(smtp.messages[0]))![1]
          .replace(/^http:\/\/localhost:\d+/, base);

        // A mistyped code: the code is refused (not the lock), with the tries left.
        t.clock.advance(30_000);
        await page.goto(link);
        await page.fill("#pw", NEW_PASSWORD);
        await page.fill("#pw2", NEW_PASSWORD);
        await page.fill("#code", wrongCode(secret, t.clock.now()));
        await clickAndWait(page, "form button[type=submit]");
        assert.match(await page.locator(".flash.error").textContent() ?? "", /not valid/);
        assert.match(
          await page.locator("#code-tries").textContent() ?? "",
          /You can enter 4 more codes with this link/,
        );
        await shoot(page, "wrong_code");
        // The right code resets at once, though the account's 15-minute lock has not run out.
        await page.fill("#pw", NEW_PASSWORD);
        await page.fill("#pw2", NEW_PASSWORD);
        await page.fill("#code", await oathtool(secret, t.clock.now()));
        await clickAndWait(page, "form button[type=submit]");
        assert.match(
          await page.locator("h1").textContent() ?? "",
          /Your password has been changed/,
        );
        // …and the lock is lifted: the new password and a code sign in now.
        await page.goto(`${base}/signin`);
        await page.fill("#email", person.email);
        await page.fill("#password", NEW_PASSWORD);
        await clickAndWait(page, "form[action='/signin'] button[type=submit]");
        assert.equal(new URL(page.url()).pathname, "/signin/2fa");
        t.clock.advance(30_000);
        await page.fill("input[name=code]", await oathtool(secret, t.clock.now()));
        await clickAndWait(page, "form button[type=submit]");
        assert.equal(new URL(page.url()).pathname, "/console");

        // A new link and five wrong codes: the link is used up, and says so.
        const other = await newPage();
        await other.goto(`${base}/signin/forgot`);
        await other.fill("#email", person.email);
        await clickAndWait(other, "form[action='/signin/forgot'] button[type=submit]");
        await eventually("the second reset e-mail", () => smtp.messages.length === 2);
        const second = /(http:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/.exec(
          decodeBody(smtp.messages[1]),
        )![1].replace(/^http:\/\/localhost:\d+/, base);
        await other.goto(second);
        for (let i = 0; i < 5; i++) {
          await other.fill("#pw", "another new password");
          await other.fill("#pw2", "another new password");
          await other.fill("#code", wrongCode(secret, t.clock.now(), i));
          await clickAndWait(other, "form button[type=submit]");
        }
        assert.match(
          await other.locator(".flash.error").textContent() ?? "",
          /This password reset link is used up: the two-step verification code was wrong 5 times/,
        );
        assert.equal(await other.locator("#code").count(), 0, "no form any more");
        await shoot(other, "link_used_up");
        await other.goto(second);
        assert.match(await other.locator(".flash.error").textContent() ?? "", /is used up/);
        await clickAndWait(other, "a:has-text('Ask for a new link')");
        assert.equal(new URL(other.url()).pathname, "/signin/forgot");

        for (const p of [page, other]) {
          assert.deepEqual(p.errors.filter((e) => /Content Security Policy|pageerror/.test(e)), []);
        }
      });
    } finally {
      await t.close();
      await smtp.close();
    }
  },
});

/** The `n`th six-digit code that is wrong at `now` (not this, the previous or the next step's). */
function wrongCode(secret: string, now: Date, n = 0): string {
  const near = [-30_000, 0, 30_000].map((d) => currentTotp(secret, new Date(now.getTime() + d)));
  const codes = [...Array(n + 4).keys()].map((i) => String(100_000 + i * 7_919))
    .filter((code) => !near.includes(code));
  return codes[n];
}
