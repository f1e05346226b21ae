// Small things a user noticed (issue 13), in a real browser whose own locale is en-US: a Dutch
// technician's times are Dutch (no "12:28 AM"), the audit log reads as sentences, a chat box
// near its limit counts, and a customer's 0-byte file is called empty.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { toCurrentUser, users } from "../../modules/auth/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  startSession,
  technicianChat,
} from "../../modules/support/mod.ts";
import { ADMIN } from "../support/app.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";

const SHOTS = Deno.env.get("W6_SHOTS"); // a folder to keep screenshots in, when looking

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }
}

browserTest(
  "browser: Dutch times in an English browser, audit sentences, chat counter, empty file",
  async (t) => {
    const permissions = defaultPermissions();
    const group = await makeGroup(t, { permissions });
    const row = await makePerson(t, { groupId: group.id });
    await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, row.id));
    await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.email, ADMIN.email));
    const user = { ...toCurrentUser(row), permissions: new Set(permissions), groupId: group.id };
    const { session } = await createPrivateSession(t.deps, user, {
      method: "pin",
      customerName: "Carol",
      fields: {},
    });
    await customerConnected(t.deps, session);
    await startSession(t.deps, user, session.id);
    await technicianChat(t.deps, user, session.id, "Goedemiddag");

    await withBrowser(t, async ({ base, newPage }) => {
      const tech = await newPage({ locale: "en-US" });
      await signInPage(tech, base, row.email, TECH_PASSWORD);
      await tech.goto(`${base}/console/sessions/${session.id}`);
      const times = await tech.locator(".workspace .log-line time").allTextContents();
      assert.ok(times.length > 0, "the workspace log shows times");
      for (const time of times) assert.match(time, /^\d\d:\d\d$/, `a Dutch clock, not "${time}"`);

      const box = tech.locator(`#chat-input-${session.id}`);
      await box.fill("x".repeat(3500));
      await box.press("x");
      const counter = tech.locator(`#chat-input-${session.id} + output.char-count`);
      assert.equal(await counter.isVisible(), true, "the counter shows near the limit");
      assert.equal(await counter.textContent(), "3.501 / 4.000");
      assert.deepEqual(tech.errors, []);
      await shoot(tech, "workspace-nl");

      await tech.goto(`${base}/console`);
      await shoot(tech, "console-nl");

      const admin = await newPage({ locale: "en-US" });
      await signInPage(admin, base, ADMIN.email, ADMIN.password);
      await admin.goto(`${base}/admin/audit`);
      const sentence = await admin.locator("#audit-table tbody tr td:nth-child(2)").first()
        .textContent();
      assert.match(sentence ?? "", /meldde zich aan|startte een ondersteuningssessie/);
      const when = await admin.locator("#audit-table time[data-moment]").first().textContent();
      assert.doesNotMatch(when ?? "", /AM|PM/);
      assert.equal(await admin.locator("#audit-table details pre").first().isVisible(), false);
      await admin.locator("#audit-table details summary").first().click();
      assert.equal(await admin.locator("#audit-table details pre").first().isVisible(), true);
      await shoot(admin, "audit-nl");
      assert.deepEqual(admin.errors, []);

      const customer = await newPage({ locale: "en-US" });
      await customer.goto(`${base}/s/${session.token}`);
      await customer.setInputFiles("#customer-file", {
        name: "empty.txt",
        mimeType: "text/plain",
        buffer: Buffer.alloc(0),
      });
      await customer.click("#customer-file-form button[type=submit]");
      await customer.waitForFunction(() =>
        (document.getElementById("file-status")?.textContent ?? "").length > 0
      );
      assert.equal(await customer.locator("#file-status").textContent(), "This file is empty.");
    });
  },
);
