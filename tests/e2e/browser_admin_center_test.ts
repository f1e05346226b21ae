/**
 * The Admin Center end to end (issue "Done when"), in headless Chromium with a real SMTP
 * server: the master admin creates a group without the PIN permission and with a 2-minute
 * waiting timeout, invites a technician; the invitation arrives by SMTP and its link sets
 * the password; the technician sees PIN disabled and Link enabled; the admin grants PIN
 * and the technician's next page has it, without signing in again.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { technicianGroups } from "../../modules/org/mod.ts";
import { startSmtpServer } from "../../modules/mail/smtp_test_server.ts";
import { ADMIN, startTestApp } from "../support/app.ts";
import { clickAndWait, signInPage, withBrowser } from "../support/browser.ts";

/** The body of a raw message, quoted-printable soft breaks and escapes undone. */
function decodeBody(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)),
  );
}

Deno.test({
  name: "browser: admin creates a group, invites by SMTP, permission change applies at once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const smtp = await startSmtpServer();
    const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
    try {
      await withBrowser(t, async ({ base, newPage }) => {
        const admin = await newPage();
        await signInPage(admin, base, ADMIN.email, ADMIN.password);

        // A group without PIN, waiting timeout 2 minutes.
        await admin.goto(`${base}/admin/groups`);
        await admin.fill("#g-name", "Field team");
        await clickAndWait(admin, "form[action='/admin/groups'] button[type=submit]");
        assert.match(admin.url(), /\/permissions$/);
        await admin.locator("input[value=methodPin]").uncheck();
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        await admin.getByRole("link", { name: "Settings" }).click();
        await admin.fill("#s-waitingTimeout", "2");
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        assert.match(await admin.locator(".flash.info").textContent() ?? "", /Saved/);
        const [group] = await t.deps.db.select().from(technicianGroups).where(
          eq(technicianGroups.name, "Field team"),
        );
        assert.equal(group.settings.waitingTimeout, 2);
        assert.ok(!group.permissions.includes("methodPin"));

        // Invite: the message arrives at the SMTP server.
        await admin.goto(`${base}/admin/technicians`);
        await admin.fill("#i-name", "Tess Tech");
        await admin.fill("#i-email", "tess@example.test");
        await admin.selectOption("#i-group", { label: "Field team" });
        await clickAndWait(admin, "form[action='/admin/technicians/invite'] button");
        assert.match(await admin.locator(".flash.info").textContent() ?? "", /tess@example\.test/);
        assert.equal(smtp.messages.length, 1);
        assert.deepEqual(smtp.recipients[0], ["tess@example.test"]);
        const link =
          /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(decodeBody(smtp.messages[0]))![1];

        // The technician sets a password through the link and signs in.
        const tech = await newPage();
        await tech.goto(link.replace(/^http:\/\/localhost:\d+/, base));
        await tech.fill("#pw", "tess password 1");
        await tech.fill("#pw2", "tess password 1");
        await clickAndWait(tech, "form button[type=submit]");
        await signInPage(tech, base, "tess@example.test", "tess password 1");
        assert.equal(new URL(tech.url()).pathname, "/console");
        assert.equal(await tech.locator("button[data-method=pin]").isDisabled(), true);
        assert.equal(await tech.locator("button[data-method=link]").isDisabled(), false);
        await tech.locator("button[data-method=link]").click();
        await tech.locator("#new-session-dialog[data-method=link]").waitFor();
        assert.equal(await tech.locator("a[href='/admin/groups']").count(), 0, "no Admin link");

        // The admin grants PIN; the technician's next page shows it, no new sign-in.
        await admin.goto(`${base}/admin/groups/${group.id}/permissions`);
        await admin.locator("input[value=methodPin]").check();
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        await tech.reload();
        assert.equal(new URL(tech.url()).pathname, "/console");
        assert.equal(await tech.locator("button[data-method=pin]").isDisabled(), false);
        await tech.locator("button[data-method=pin]").click();
        await tech.locator("#new-session-dialog[data-method=pin]").waitFor();

        for (const page of [admin, tech]) {
          assert.deepEqual(
            page.errors.filter((e) => /Content Security Policy|pageerror/.test(e)),
            [],
          );
        }
      });
    } finally {
      await t.close();
      await smtp.close();
    }
  },
});
