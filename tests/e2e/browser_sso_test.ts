/**
 * Single sign-on end to end (SPEC A9), in Chromium against a real OpenID Connect provider
 * (oidc-provider, in-process on loopback): the master admin sets the provider up on the Admin
 * Center's Single sign-on page, signs out; a technician clicks "Sign in with Contoso", signs in
 * at the provider's own page and lands in the console; signing out signs out at the provider
 * too, so the next sign-in asks for the password there again. The provider's page asks for a
 * web font on the internet; the browser is kept to loopback.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ADMIN } from "../support/app.ts";
import { browserTest, clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup, makePerson } from "../support/org.ts";
import { startOidcProvider } from "../support/oidc_provider.ts";

const SHOTS = Deno.env.get("SSO_SHOTS"); // a folder: screenshots at two sizes, for a person

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/SSO_${name}_${width}.png`, fullPage: true });
  }
}

browserTest(
  "browser: the admin sets up single sign-on; a technician signs in at the provider and lands in the console",
  async (t) => {
    await withBrowser(t, async (run) => {
      (t.deps.config as { publicUrl: string }).publicUrl = run.base;
      const idp = await startOidcProvider({
        redirectUri: `${run.base}/signin/sso/callback`,
        postLogoutRedirectUri: `${run.base}/signin`,
        accounts: {
          tess: { email: "tess@example.test", email_verified: true, name: "Tess" },
          noor: { email: "noor@example.test", email_verified: true, name: "Noor Nieuw" },
        },
      });
      try {
        const group = await makeGroup(t, { name: "Helpdesk" });
        await makePerson(t, { groupId: group.id, email: "tess@example.test" });
        const page = await run.newPage();
        await page.context().route(
          (url) => !["127.0.0.1", "localhost"].includes(url.hostname),
          (route) => route.abort(),
        );

        // The master admin: Admin Center → Organisation → Single sign-on.
        await signInPage(page, run.base, ADMIN.email, ADMIN.password);
        await page.goto(`${run.base}/admin/technicians`);
        await clickAndWait(page, "nav.admin-nav a:has-text('Organisation')");
        await clickAndWait(page, "nav.admin-subnav a:has-text('Single sign-on')");
        assert.equal(new URL(page.url()).pathname, "/admin/sso");
        await page.getByText("Single sign-on is off").waitFor();
        await page.getByLabel("Name on the button").fill("Contoso");
        await page.getByLabel("Issuer URL").fill(`${idp.issuer}/wrong`);
        await page.getByLabel("Client ID").fill(idp.clientId);
        await page.getByLabel("Client secret").fill(idp.clientSecret);
        assert.equal(
          await page.getByLabel("Redirect URI to register at the identity provider", {
            exact: true,
          })
            .inputValue(),
          `${run.base}/signin/sso/callback`,
        );
        assert.equal(
          await page.getByLabel("Sign-out redirect URI").inputValue(),
          `${run.base}/signin`,
        );
        await clickAndWait(page, "button:has-text('Check and save')");
        await page.locator(".flash").filter({ hasText: "discovery document" }).waitFor();
        await shoot(page, "admin_refused");
        await page.getByLabel("Issuer URL").fill(idp.issuer);
        await page.getByLabel("Client secret").fill(idp.clientSecret);
        await page.getByLabel("Add them as technicians to group “Helpdesk”").check();
        await clickAndWait(page, "button:has-text('Check and save')");
        await page.getByText("Single sign-on is on: the sign-in page shows “Sign in with Contoso”.")
          .waitFor();
        await shoot(page, "admin_saved");

        // Signed out: the sign-in page offers the provider.
        await clickAndWait(page, "form[action='/signout'] button");
        assert.equal(new URL(page.url()).pathname, "/signin");
        const button = page.getByRole("link", { name: "Sign in with Contoso" });
        await button.waitFor();
        await shoot(page, "signin");
        const dutch = await run.newPage({ locale: "nl-NL" });
        await dutch.goto(`${run.base}/signin?sso=unknown`);
        await dutch.getByRole("link", { name: "Aanmelden met Contoso" }).waitFor();
        await dutch.getByText("Er is hier geen account voor je e-mailadres.").waitFor();
        await shoot(dutch, "signin_nl");
        await dutch.context().close();

        // The technician: at the provider's page, then back in the console.
        await Promise.all([page.waitForURL(`${idp.issuer}/**`), button.click()]);
        await page.locator("input[name=login]").fill("tess");
        await page.locator("input[name=password]").fill("anything");
        await Promise.all([
          page.waitForURL(`${run.base}/console`),
          page.locator("button[type=submit]").click(),
        ]);
        await page.locator("#console-home").waitFor({ state: "visible" });
        await shoot(page, "console");
        // Expected: the refused save's 422 and the provider's blocked web font.
        const expected = /status of 422|ERR_FAILED/;
        assert.deepEqual(page.errors.filter((e) => !expected.test(e)), []);

        // Signing out signs out at the provider too (RP-Initiated Logout): its page asks, then
        // sends the browser back to the sign-in page; the next "Sign in with Contoso" asks for
        // the password at the provider again instead of going straight through.
        // Our page says where it goes on to (held there a moment to be seen), then goes on.
        let release = () => {};
        const held = new Promise<void>((resolve) => release = resolve);
        await page.route(`${idp.issuer}/session/end?**`, async (route) => {
          await held;
          await route.continue();
        });
        await page.locator("form[action='/signout'] button").click();
        await page.getByText("You are signed out here. Now signing you out at Contoso too…")
          .waitFor();
        assert.equal(
          await page.getByRole("link", { name: "Continue to Contoso" }).getAttribute("href")
            .then((href) => new URL(href!).pathname),
          "/session/end",
        );
        assert.equal(await page.locator("form[action='/signout']").count(), 0, "signed out");
        // One size only: a screenshot waits while a navigation is held.
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/SSO_signing_out_1920.png` });
        release();
        await page.waitForURL(`${idp.issuer}/session/end**`);
        await shoot(page, "provider_signout");
        await Promise.all([
          page.waitForURL(`${run.base}/signin`),
          page.getByRole("button", { name: "Yes, sign me out" }).click(),
        ]);
        await Promise.all([page.waitForURL(`${idp.issuer}/**`), button.click()]);
        await page.locator("input[name=password]").waitFor({ state: "visible" });
        assert.equal(new URL(page.url()).pathname.startsWith("/interaction/"), true);
        // What a provider without sign-out leaves the sign-in page saying (sso_signout_test).
        await page.goto(`${run.base}/signin?signedOut=local`);
        await page.getByText("Contoso offers this product no sign-out").waitFor();
        await shoot(page, "signed_out_local");

        // A refused sign-in reads as words on the sign-in page.
        await page.context().clearCookies();
        await page.goto(`${run.base}/signin/sso/callback?state=forged&code=forged`);
        assert.equal(new URL(page.url()).pathname, "/signin");
        await page.locator(".flash").filter({ hasText: "could not be matched to this browser" })
          .waitFor();
        await shoot(page, "refused");

        // Someone the product does not know yet is made a technician in Helpdesk; My account
        // says there is no password to change.
        const noor = await run.newPage();
        await noor.context().route(
          (url) => !["127.0.0.1", "localhost"].includes(url.hostname),
          (route) => route.abort(),
        );
        await noor.goto(`${run.base}/signin`);
        await Promise.all([
          noor.waitForURL(`${idp.issuer}/**`),
          noor.getByRole("link", { name: "Sign in with Contoso" }).click(),
        ]);
        await noor.locator("input[name=login]").fill("noor");
        await noor.locator("input[name=password]").fill("anything");
        await Promise.all([
          noor.waitForURL(`${run.base}/console`),
          noor.locator("button[type=submit]").click(),
        ]);
        await noor.goto(`${run.base}/account`);
        await noor.getByText("You have no password here").waitFor();
        await shoot(noor, "account_no_password");
      } finally {
        await idp.close();
      }
    });
  },
);
