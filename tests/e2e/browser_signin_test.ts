/**
 * End to end in a real browser (headless Debian Chromium through playwright-core): the
 * bootstrap admin signs in with a password, turns on two-step verification from My account
 * (htmx swaps in the QR code and then the 10 recovery codes), signs out, and signs in again
 * through /signin/2fa — a wrong code is refused, a fresh one lets them in. The TOTP codes
 * come from oathtool, an implementation independent of the app's. Along the way the page
 * must log no Content Security Policy violation and htmx must have loaded.
 */
import assert from "node:assert/strict";
import { oathtool } from "../support/totp.ts";
import { chromium } from "playwright-core";
import { ADMIN, startTestApp } from "../support/app.ts";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS } from "../support/browser.ts";

Deno.test({
  name: "browser: password sign-in, turning on 2FA, sign-out, sign-in with a TOTP code",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    t.clock.set(new Date()); // TOTP codes are checked against t.clock.now().
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const userDataDir = await Deno.makeTempDir({ prefix: "rescue-chromium-" });
    let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM_HEADLESS,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      context.setDefaultTimeout(10_000);
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      const path = () => new URL(page.url()).pathname;
      const htmxLoaded = async () =>
        // deno-lint-ignore no-explicit-any
        assert.equal(await page.evaluate(() => typeof (window as any).htmx), "object");

      const signInWithPassword = async () => {
        await page.goto(`${base}/signin`);
        await page.fill("#email", ADMIN.email);
        await page.fill("#password", ADMIN.password);
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole("button", { name: "Sign in" }).click(),
        ]);
      };

      // 1. Password sign-in lands on the console.
      await signInWithPassword();
      assert.equal(path(), "/console");
      await page.locator("#console-home").waitFor({ state: "visible" });
      await htmxLoaded();

      // 2. Turn on 2FA from My account: htmx swaps in the QR code and the secret.
      await page.goto(`${base}/account`);
      await htmxLoaded();
      await page.locator("#twofa").getByRole("button", { name: "Turn on" }).click();
      const secretEl = page.locator("#totp-secret");
      await secretEl.waitFor({ state: "visible" });
      assert.equal(await page.locator("#twofa .qr svg").count(), 1, "QR code shown");
      const secret = (await secretEl.textContent() ?? "").trim();
      assert.match(secret, /^[A-Z2-7]{16,}$/);
      // A mistyped first code is refused at the top of the page; that message goes once the
      // right code is in (it stood beside the recovery codes).
      const flash = page.locator("#flash");
      await page.fill("#enrol-code", "12345");
      await page.locator("#twofa").getByRole("button", { name: "Turn on" }).click();
      await flash.getByText("not valid").waitFor({ state: "visible" });
      await page.fill("#enrol-code", await oathtool(secret, t.clock.now()));
      await page.locator("#twofa").getByRole("button", { name: "Turn on" }).click();
      const codes = page.locator("#recovery-code-list li");
      await codes.first().waitFor({ state: "visible" });
      assert.equal(await codes.count(), 10);
      assert.equal((await flash.textContent())?.trim(), "", "no refusal left beside the codes");
      assert.equal(path(), "/account", "the enrolment was an htmx swap, not a navigation");

      // 3. Sign out from the top bar.
      await Promise.all([
        page.waitForNavigation(),
        page.locator(".topbar").getByRole("button", { name: "Sign out", exact: true }).click(),
      ]);
      assert.equal(path(), "/signin");

      // 4. Password again, then the second factor: a wrong code first, then a fresh one.
      await signInWithPassword();
      assert.equal(path(), "/signin/2fa");
      const acceptable = new Set<string>();
      for (const offset of [-30_000, 0, 30_000, 60_000]) {
        acceptable.add(await oathtool(secret, new Date(t.clock.now().getTime() + offset)));
      }
      let wrong = "000000";
      while (acceptable.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, "0");
      await page.fill("#code", wrong);
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole("button", { name: "Verify" }).click(),
      ]);
      assert.equal(path(), "/signin/2fa");
      const alert = page.locator(".flash.error[role=alert]");
      await alert.waitFor({ state: "visible" });
      assert.match(await alert.textContent() ?? "", /not valid/);

      // The enrolment code's time step is spent; the next step's code is accepted.
      t.clock.advance(30_000);
      await page.fill("#code", await oathtool(secret, t.clock.now()));
      await page.getByLabel(/Remember this device/).check();
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole("button", { name: "Verify" }).click(),
      ]);
      assert.equal(path(), "/console");
      await page.locator("#console-home").waitFor({ state: "visible" });
      await htmxLoaded();

      // 5. A new password: a refused one first, then one that is taken. The refusal goes,
      // and this browser is no longer remembered (the list says so without a reload).
      await page.goto(`${base}/account`);
      assert.equal(await page.locator("#devices tbody tr").count(), 1);
      const changePassword = async (next: string) => {
        await page.fill("#pw-current", ADMIN.password);
        await page.fill("#pw-next", next);
        await page.fill("#pw-confirm", next);
        await page.getByRole("button", { name: "Change password" }).click();
      };
      // A short one: the field says its rule up front and the browser keeps the form (minlength;
      // the server's own refusal is route-tested), nothing is sent.
      await changePassword("short");
      assert.equal(
        await page.locator("#pw-next").evaluate((el) => (el as HTMLInputElement).validity.tooShort),
        true,
      );
      await page.getByText("At least 10 characters").first().waitFor({ state: "visible" });
      await changePassword("a much longer new password");
      await page.locator("#password-result").getByText("Password changed").waitFor();
      assert.equal((await flash.textContent())?.trim(), "", "the refusal is gone");
      await page.locator("#devices").getByText("No remembered devices.").waitFor();

      // 6. No CSP violation, and no script error, anywhere along the way.
      const csp = errors.filter((e) => /Content Security Policy/i.test(e));
      assert.deepEqual(csp, [], "CSP violations");
      const pageErrors = errors.filter((e) => e.startsWith("pageerror"));
      assert.deepEqual(pageErrors, [], "uncaught page errors");
    } finally {
      await context?.close();
      await server.shutdown();
      await t.close();
      await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
    }
  },
});
