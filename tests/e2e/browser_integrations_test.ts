// The Admin Center's integration pages in Chromium: adding a webhook endpoint (its secret
// shown once), its deliveries with their answers and "Send again", and the audit chain's
// integrity page, intact and then broken by a database edit. SCREENSHOT_DIR, when set,
// receives each page at 1366×768 and 1920×1080.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { auditLog } from "../../modules/audit/mod.ts";
import { users } from "../../modules/auth/mod.ts";
import { endSession } from "../../modules/support/mod.ts";
import { deliverWebhooks, webhookDeliveries } from "../../modules/webhooks/mod.ts";
import { ADMIN } from "../support/app.ts";
import { browserTest, clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { startReceiver } from "../integrations/webhook_receiver.ts";

const SIZES = [[1366, 768], [1920, 1080]] as const;

async function shoot(page: Page, name: string) {
  const dir = Deno.env.get("SCREENSHOT_DIR");
  if (!dir) return;
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${dir}/${name}-${width}x${height}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

browserTest(
  "Admin Center: webhooks (secret once, deliveries, send again) and the audit chain's integrity",
  async (t) => {
    const receiver = await startReceiver();
    try {
      t.clock.set(new Date());
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await signInPage(page, base, ADMIN.email, ADMIN.password);
        await page.goto(`${base}/admin/audit`);
        await clickAndWait(page, "nav.admin-nav a[href='/admin/organisation']");
        await clickAndWait(page, "nav.admin-subnav a[href='/admin/webhooks']");
        assert.equal(await page.locator("h1").textContent(), "Webhooks");
        await shoot(page, "webhooks-empty");

        await page.fill("#wh-url", receiver.url);
        await page.fill("#wh-description", "Helpdesk tickets");
        for (const type of ["session.created", "session.picked_up", "session.ended"]) {
          await page.check(`input[name=eventTypes][value='${type}']`);
        }
        await clickAndWait(page, "form[action='/admin/webhooks'] button[type=submit]");
        const secret = await page.inputValue("#secret");
        assert.match(secret, /^whsec_/);
        receiver.secret = secret;
        await shoot(page, "webhooks-added");

        // A session happens; the receiver turns the first delivery away.
        const tech = await technician(t, { name: "Ann" });
        const session = await workingSession(t, tech);
        await endSession(t.deps, tech, session.id);
        receiver.failures = 1;
        await deliverWebhooks(t.deps);
        const failed = (await t.deps.db.select().from(webhookDeliveries))
          .find((d) => d.status === "pending")!;
        assert.ok(failed, "one delivery waits for its retry");

        await page.goto(`${base}/admin/webhooks`);
        await clickAndWait(page, `a[href^='/admin/webhooks/']`);
        const row = page.locator(`#delivery-${failed.id}`);
        assert.match(await row.textContent() ?? "", /Waiting/);
        await row.locator("summary").click();
        assert.match(await row.textContent() ?? "", /HTTP 500 in \d+ ms[\s\S]*receiver down/);
        await shoot(page, "webhook-deliveries");
        await row.locator("button", { hasText: "Send again" }).click();
        await page.waitForFunction(
          (id) => document.querySelector(`#delivery-${id}`)?.textContent?.includes("Delivered"),
          failed.id,
        );
        assert.equal(receiver.accepted.get(failed.id), 1);
        await shoot(page, "webhook-deliveries-resent");

        // The audit chain: intact, then broken by an edit in the database.
        await page.goto(`${base}/admin/audit`);
        await clickAndWait(page, "a[href='/admin/audit/integrity']");
        assert.match(
          await page.locator("#chain-result").textContent() ?? "",
          /The chain is intact/,
        );
        await shoot(page, "audit-integrity-intact");
        const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
        const [third] = await t.deps.db.select().from(auditLog)
          .where(and(eq(auditLog.orgId, master.orgId), eq(auditLog.seq, 3)));
        await t.deps.db.update(auditLog).set({ actorEmail: "nobody@example.test" })
          .where(eq(auditLog.id, third.id));
        await page.reload();
        const broken = await page.locator("#chain-result").textContent() ?? "";
        assert.match(broken, /The chain is broken/);
        assert.match(broken, new RegExp(`Entry 3 \\(id ${third.id}\\)`));
        await shoot(page, "audit-integrity-broken");
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await receiver.close();
    }
  },
  // The receiver is on loopback: the operator's setting lets webhooks go there.
  { env: { WEBHOOK_ALLOW_PRIVATE: "loopback" } },
);
