/**
 * A fresh install without outgoing mail (no SMTP_URL, the embedded defaults) still onboards a
 * technician, in headless Chromium: the admin invites, reads that the invitation is held in
 * Messages, follows "Or create a link…" to the person's page, makes an invitation link, copies it
 * with Copy (the clipboard read back, "Copied to the clipboard." said beside the button), and the technician opens it in another browser, sets a
 * password and lands in the console. Screenshots at 1366×768 and 1920×1080 with
 * INVITATION_SHOTS (a folder).
 */
import assert from "node:assert/strict";
import { ADMIN, startTestApp } from "../support/app.ts";
import { clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup } from "../support/org.ts";

const SHOTS = Deno.env.get("INVITATION_SHOTS");

Deno.test({
  name: "browser: without SMTP the admin hands over an invitation link; it sets the password",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      assert.ok(!t.deps.config.smtpUrl);
      await makeGroup(t, { name: "Front desk" });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const admin = await newPage();
        await admin.context().grantPermissions(["clipboard-read", "clipboard-write"], {
          origin: base,
        });
        await admin.setViewportSize({ width: 1366, height: 768 });
        await signInPage(admin, base, ADMIN.email, ADMIN.password);
        await admin.goto(`${base}/admin/technicians`);
        await admin.fill("#i-name", "Nia New");
        await admin.fill("#i-email", "nia@example.test");
        await admin.selectOption("#i-group", { label: "Front desk" });
        await clickAndWait(admin, "form[action='/admin/technicians/invite'] button");
        assert.match(
          await admin.locator(".flash.info").textContent() ?? "",
          /nia@example\.test is held in Messages/,
        );
        await clickAndWait(admin, "#invitation-held-link a");
        const card = admin.locator("#invitation");
        assert.match(await card.textContent() ?? "", /Nia New has not accepted the invitation yet/);
        assert.match(
          await admin.locator("#invitation-until").textContent() ?? "",
          /works until: \S+/,
        );
        const personPage = admin.url();
        await clickAndWait(admin, "#invitation form button[type=submit]");
        const link = (await admin.locator("#invitation-link").textContent() ?? "").trim();
        assert.ok(link.startsWith(`${base}/invite/`), link);
        await admin.locator("button[data-copy=invitation-link]").click();
        assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), link);
        // Said beside the button (role=status), then gone.
        const said = admin.locator("button[data-copy=invitation-link] + .copied[role=status]");
        assert.equal(await said.textContent(), "Copied to the clipboard.");
        // The card is in view at both sizes, the link whole on screen.
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await admin.setViewportSize({ width, height });
          const box = (await admin.locator("#invitation-link").boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= width, `${box.x}+${box.width} in ${width}`);
          if (SHOTS) {
            await Deno.mkdir(SHOTS, { recursive: true });
            await admin.locator("#invitation").scrollIntoViewIfNeeded();
            await admin.screenshot({ path: `${SHOTS}/invitation-link-${width}.png` });
          }
        }

        // The technician, in a browser of their own: the link sets the password once.
        const nia = await newPage();
        await nia.goto(link);
        await nia.fill("#pw", "nia's own password 1");
        await nia.fill("#pw2", "nia's own password 1");
        await clickAndWait(nia, "form button[type=submit]");
        await signInPage(nia, base, "nia@example.test", "nia's own password 1");
        assert.equal(new URL(nia.url()).pathname, "/console");

        // The admin's page now says nothing of an invitation (opened anew: a reload would post
        // the form again, which is refused now in words, 409).
        await admin.goto(personPage);
        assert.equal(await admin.locator("#invitation").count(), 0);
        for (const page of [admin, nia]) assert.deepEqual(page.errors, []);
      });
    } finally {
      await t.close();
    }
  },
});
