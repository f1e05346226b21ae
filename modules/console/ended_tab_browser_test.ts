// static/console_tabs.js and workspace_follow.js in headless Chromium on the real console: when
// the customer leaves an Active session, its tab stays — marked Closed, its workspace read-only
// with the customer's last line and a notice that says what to do — nothing more is sent, a
// reload shows it again, and End clears row and tab together (SPEC Q8 "Closed → Removed").
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { users } from "../auth/mod.ts";
import { toCurrentUser } from "../auth/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  customerLeft,
  findByToken,
  startSession,
  transferSession,
} from "../support/mod.ts";
import { customerChat } from "../support/test_support.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { signInPage, withBrowser } from "../../tests/support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";

const SHOTS = Deno.env.get("SHOTS");

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }
}

Deno.test({
  name: "browser: a session the customer closed keeps its tab, read-only, until End clears it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const group = await makeGroup(t, { permissions: defaultPermissions() });
      const person = await makePerson(t, { groupId: group.id });
      const user = { ...toCurrentUser(person), groupId: group.id };
      const { session } = await createPrivateSession(t.deps, user, {
        method: "pin",
        customerName: "Carol",
        fields: {},
      });
      await customerConnected(t.deps, session);
      await startSession(t.deps, user, session.id);
      const id = session.id;
      const row = `#queue tbody tr[data-session="${id}"]`;
      const tab = `#session-tabs [data-tab-session="${id}"]`;
      const panel = `#workspaces #session-${id}`;

      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await signInPage(page, base, person.email, TECH_PASSWORD);
        await page.goto(`${base}/console`);
        await page.waitForFunction(() => "htmx" in globalThis);
        await page.click(tab);
        await page.locator(`${panel} #chat-input-${id}`).waitFor();
        await customerChat(t.deps, session, "It prints again, thank you — bye!");
        await page.locator(`#log-${id} li`, { hasText: "It prints again" }).waitFor();

        // Whatever the console sends for this session from now on is counted.
        const sent: string[] = [];
        page.on("request", (request) => {
          if (request.method() === "POST" && request.url().includes(id)) sent.push(request.url());
        });

        // The customer leaves: the row says Closed, and the tab stays, marked so.
        await customerLeft(t.deps, session);
        await page.locator(`${row}[data-status=closed]`).waitFor({ state: "attached" });
        await page.locator(`${panel} [data-ended-notice]`).waitFor();
        assert.equal(await page.locator(tab).count(), 1, "the tab stays");
        assert.equal(await page.locator(`${tab}.ended .tab-ended`).textContent(), "Closed");
        assert.equal(await page.locator(tab).getAttribute("data-active-session"), null);
        assert.match(
          (await page.locator(`${panel} [data-ended-notice]`).textContent()) ?? "",
          /The customer ended the session\. Read the chat and your notes, then press End/,
        );
        // The customer's last line is there to read; the message box and the tools are not.
        await page.locator(`#log-${id} li`, { hasText: "It prints again" }).waitFor();
        const box = page.locator(`${panel} [data-chat-input]`);
        assert.ok(
          (await box.count()) === 0 || (await box.isDisabled()),
          "no message box to type in",
        );
        assert.equal(await page.locator(`${panel} .send-file-form`).count(), 0);
        assert.equal(await page.locator(`${panel} .workspace-main`).count(), 0, "no remote view");
        await page.keyboard.press("Enter");
        assert.deepEqual(sent, [], "nothing sent for a closed session");
        await shoot(page, "H-ended-tab");

        // A reload shows the closed session's tab, open, with the same notice.
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.reload();
        await page.waitForFunction(() => "htmx" in globalThis);
        await page.locator(`${panel} [data-ended-notice]`).waitFor();
        assert.equal(await page.locator(`${tab}[aria-selected=true].ended`).count(), 1);
        await page.locator(`#log-${id} li`, { hasText: "It prints again" }).waitFor();
        assert.equal(await page.locator(`${panel} [data-chat-input]`).count(), 0);

        // End (in the notice) clears the row and the tab together.
        page.once("dialog", (dialog) => dialog.accept());
        await page.click(`${panel} [data-ended-notice] button`);
        await page.locator(row).waitFor({ state: "detached" });
        await page.locator(tab).waitFor({ state: "detached" });
        assert.equal(await page.locator(panel).count(), 0, "its workspace goes with it");
        await shoot(page, "H-ended-cleared");
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a session the customer closes while Outgoing stays a Closed row, never a tab",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const group = await makeGroup(t, { permissions: defaultPermissions() });
      const ann = await makePerson(t, { groupId: group.id });
      const bob = await makePerson(t, { groupId: group.id });
      const user = {
        ...toCurrentUser(ann),
        groupId: group.id,
        permissions: new Set(defaultPermissions()),
      };
      const { session } = await createPrivateSession(t.deps, user, {
        method: "pin",
        customerName: "Carol",
        fields: {},
      });
      await customerConnected(t.deps, session);
      await startSession(t.deps, user, session.id);
      const id = session.id;
      const row = `#queue tbody tr[data-session="${id}"]`;
      const tab = `#session-tabs [data-tab-session="${id}"]`;

      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await signInPage(page, base, ann.email, TECH_PASSWORD);
        await page.goto(`${base}/console`);
        await page.waitForFunction(() => "htmx" in globalThis);
        await page.locator(tab).waitFor();

        // Sent to Bob (Outgoing: no tab), and the customer leaves before Bob takes it.
        await transferSession(
          t.deps,
          user,
          id,
          { kind: "technician", id: bob.id },
          "",
          () => Promise.resolve(true),
        );
        await page.locator(`${row}[data-status=outgoing]`).waitFor({ state: "attached" });
        await page.locator(tab).waitFor({ state: "detached" });
        await customerLeft(t.deps, (await findByToken(t.deps, session.token))!);
        await page.locator(`${row}[data-status=closed]`).waitFor({ state: "attached" });
        await page.waitForTimeout(300);
        assert.equal(await page.locator(tab).count(), 0, "no tab as it closes");

        // Nor after a reload, in either language: the row, with End, is all there is.
        for (const lang of ["en", "nl"] as const) {
          await t.deps.db.update(users).set({ language: lang }).where(eq(users.id, ann.id));
          await page.reload();
          await page.waitForFunction(() => "htmx" in globalThis);
          await page.locator(`${row}[data-status=closed] [data-action=end]`).waitFor();
          assert.equal(await page.locator(tab).count(), 0, `${lang}: no tab after a reload`);
          assert.equal(await page.locator(`#workspaces #session-${id}`).count(), 0);
          await shoot(page, `QA2_outgoing_closed_${lang}`);
          await page.setViewportSize({ width: 1366, height: 768 });
        }
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await t.close();
    }
  },
});
