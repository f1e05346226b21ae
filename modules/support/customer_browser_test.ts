// The customer's side in a real browser (headless Chromium): PIN entry, the live log over
// EventSource (both sides' chat, pushed link), Enter to send through htmx without a duplicate
// line, font size and a typed message kept across a reload and a change of language, upload and download with progress, chat switched off
// live and the end of the session (no empty log box before it, no welcome or support-app
// link or screen sharing after it) — with no CSP violation or script error on the way.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { eq } from "drizzle-orm";
import { md5 } from "hash-wasm";
import { defaultPermissions } from "../permissions/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { withBrowser } from "../../tests/support/browser.ts";
import { technician } from "../../tests/support/sessions.ts";
import {
  createPrivateSession,
  customerStreams,
  endSession,
  pushUrl,
  setChatEnabled,
  startSession,
  storeFile,
  technicianChat,
} from "./mod.ts";
import { DEFAULT_FILE_LIMIT, queueEntries } from "./test_support.ts";

Deno.test({
  name: "browser: a customer joins by PIN, chats live, sends and saves files, sees the end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    customerStreams(t.deps).options.graceMs = 50;
    try {
      const tech = await technician(t, {
        name: "Ann",
        permissions: [...defaultPermissions(), "chatToggle", "pushUrls"],
      });
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "pin",
        customerName: "Carol",
        fields: {},
      });
      const status = async () =>
        (await t.deps.db.select().from(queueEntries).where(eq(queueEntries.sessionId, session.id)))
          .map((e) => e.status).join();
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.goto(`${base}/pin`);
        await page.fill("input[name=pin]", session.pin!);
        await Promise.all([
          page.waitForURL(`**/s/${session.token}`),
          page.click("button[type=submit]"),
        ]);
        for (let i = 0; i < 50 && await status() !== "waiting"; i++) await page.waitForTimeout(100);
        assert.equal(await status(), "waiting", "the page's stream connected the customer");
        assert.equal(await page.locator("#reconnect-banner").isHidden(), true);
        // Nothing said yet: no empty log box above the rest.
        assert.equal(await page.locator("#customer-log").isHidden(), true, "empty log hidden");
        assert.equal(await page.locator("#agent-download").isVisible(), true);
        assert.equal(await page.locator(".waiting-intro").isVisible(), true);

        await page.fill("#customer-chat-input", "My printer is broken");
        await page.press("#customer-chat-input", "Enter");
        const mine = page.locator(".log-line[data-kind=chat][data-author=customer]");
        await mine.first().waitFor();
        assert.equal(await page.inputValue("#customer-chat-input"), "", "the form was reset");
        await startSession(t.deps, tech, session.id);
        await technicianChat(t.deps, tech, session.id, "Let me look");
        await page.locator(".log-line[data-kind=chat][data-author=technician]").waitFor();
        assert.equal(await mine.count(), 1, "the htmx answer and the stream did not duplicate it");
        await pushUrl(t.deps, tech, session.id, "http://127.0.0.1:9/help");
        await page.locator(".log-line[data-kind=url] a.pushed-url").waitFor();

        await page.click("[data-font-step='1']");
        assert.match(await page.getAttribute("#customer-page", "class") ?? "", /\bfont-s2\b/);
        await page.reload();
        assert.match(await page.getAttribute("#customer-page", "class") ?? "", /\bfont-s2\b/);

        // A message half typed survives a change of language (the page reloads for it).
        await page.fill("#customer-chat-input", "Half a sentence");
        await Promise.all([page.waitForNavigation(), page.selectOption("#customer-lang", "nl")]);
        assert.equal(await page.getAttribute("html", "lang"), "nl");
        assert.equal(await page.inputValue("#customer-chat-input"), "Half a sentence");
        await Promise.all([page.waitForNavigation(), page.selectOption("#customer-lang", "en")]);
        assert.equal(await page.inputValue("#customer-chat-input"), "Half a sentence");
        await page.fill("#customer-chat-input", "");

        const bytes = new TextEncoder().encode("event log\n".repeat(1000));
        await page.setInputFiles("#customer-file", {
          name: "events.txt",
          mimeType: "text/plain",
          buffer: Buffer.from(bytes),
        });
        await page.click("#customer-file-form button[type=submit]");
        const uploaded = page.locator(".log-line[data-kind=file][data-author=customer] .fp-md5");
        await uploaded.waitFor();
        assert.equal(await uploaded.textContent(), await md5(bytes));

        const sent = await storeFile(
          t.deps,
          session,
          {
            name: "fix.txt",
            type: "text/plain",
            bytes: new TextEncoder().encode("fixed"),
          },
          { direction: "to_customer", user: tech },
          DEFAULT_FILE_LIMIT,
        );
        const link = page.locator(`a[data-file-id="${sent.id}"]`);
        await link.waitFor();
        const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
        assert.equal(download.suggestedFilename(), "fix.txt");

        // Screen sharing from the browser is offered while the session lasts…
        assert.equal(await page.locator("#browser-share-start").isVisible(), true);
        await setChatEnabled(t.deps, tech, session.id, false);
        await page.locator("#customer-chat-input:disabled").waitFor();
        assert.equal(await page.locator("#chat-disabled-notice").isVisible(), true);
        await endSession(t.deps, tech, session.id);
        await page.locator("#ended-notice").waitFor({ state: "visible" });
        // Once ended, the page no longer welcomes or offers the support app.
        assert.equal(await page.locator(".waiting-intro").isHidden(), true);
        assert.equal(await page.locator("#agent-download").isHidden(), true);
        // …and not once it has ended: there is nobody left to share with.
        assert.equal(await page.locator("#browser-share").isHidden(), true, "no Share my screen");
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await customerStreams(t.deps).idle();
      await t.close();
    }
  },
});
