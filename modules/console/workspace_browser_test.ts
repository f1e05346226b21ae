// static/workspace.js in headless Chromium on the real panel page: the tool tabs switch by
// click and by arrow keys, Enter sends and empties the chat box while Shift+Enter does not, a refused URL shows its message in #flash, a file
// goes up by XMLHttpRequest without leaving the page, notes save as one types, and chat
// on/off follows both the toggle and the live stream's log lines — with no CSP error.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { toCurrentUser } from "../auth/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  readLog,
  readNotes,
  startSession,
} from "../support/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { clickAndWait, withBrowser } from "../../tests/support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function activeSession(t: TestApp) {
  const permissions = [...defaultPermissions(), "chatToggle" as const];
  const group = await makeGroup(t, { permissions });
  const row = await makePerson(t, { groupId: group.id });
  const user = { ...toCurrentUser(row), permissions: new Set(permissions), groupId: group.id };
  const { session } = await createPrivateSession(t.deps, user, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  await customerConnected(t.deps, session);
  await startSession(t.deps, user, session.id);
  return { email: row.email, session };
}

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
}

Deno.test({
  name: "browser: workspace.js sends chat on Enter, uploads with progress, saves notes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const { email, session } = await activeSession(t);
      const id = session.id;
      const lines = async (kind: string) =>
        (await readLog(t.deps.db, id)).filter((l) => l.kind === kind);
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await signIn(page, base, email);
        await page.goto(`${base}/console/sessions/${id}`);
        const box = page.locator(`#chat-input-${id}`);

        await box.fill("first line");
        await box.press("Shift+Enter");
        await box.type("second line");
        assert.equal(await box.inputValue(), "first line\nsecond line");
        await box.press("Enter");
        await until("the chat line", async () => (await lines("chat")).length === 1);
        assert.equal((await lines("chat"))[0].body, "first line\nsecond line");
        await until("an empty box", async () => (await box.inputValue()) === "");

        // The tools are tabs of the side panel: chat and log first, then notes, history, files
        // and links, system information (the desktop and the file manager are the main area's).
        const tabs = page.locator(`#session-${id} .workspace-side [role=tablist] [role=tab]`);
        assert.deepEqual(await tabs.allTextContents(), [
          "Chat",
          "Notes",
          "History",
          "Files",
          "System",
        ]);
        assert.equal(await page.isVisible(`#note-${id}`), false);
        await page.click(`#ws-tab-files-${id}`);
        assert.equal(await page.getAttribute(`#ws-tab-files-${id}`, "aria-selected"), "true");
        assert.equal(await page.isVisible(`#log-${id}`), false);
        await page.fill(`#push-url-${id}`, "ftp://example.test/file");
        await page.click(".push-url-form button[type=submit]");
        await page.waitForSelector("#flash .flash.error");
        assert.match(await page.textContent("#flash") ?? "", /http:\/\/ or https:\/\//);

        await page.setInputFiles(`#send-file-${id}`, {
          name: "notes.txt",
          mimeType: "text/plain",
          buffer: Buffer.from("hello file"),
        });
        await page.click("#send-file-form button[type=submit]");
        await until("the file line", async () => (await lines("file")).length === 1);
        assert.match(page.url(), new RegExp(`/console/sessions/${id}$`), "stayed on the page");

        // ← from Files goes to History, ← again to Notes (and focus follows).
        await page.focus(`#ws-tab-files-${id}`);
        await page.keyboard.press("ArrowLeft");
        assert.equal(await page.getAttribute(`#ws-tab-history-${id}`, "aria-selected"), "true");
        await page.keyboard.press("ArrowLeft");
        assert.equal(await page.getAttribute(`#ws-tab-notes-${id}`, "aria-selected"), "true");
        assert.equal(await page.getAttribute(`#ws-tab-files-${id}`, "tabindex"), "-1");
        assert.equal(await page.evaluate(() => document.activeElement?.id), `ws-tab-notes-${id}`);
        await page.fill(`#note-${id}`, "Uses a VPN");
        await page.locator(`#note-${id}`).press("n");
        await page.waitForSelector(`#note-status-${id} time`);
        assert.deepEqual((await readNotes(t.deps.db, id)).map((n) => n.body), ["Uses a VPNn"]);

        // → from Notes past History, Files and System wraps round to Chat.
        await page.focus(`#ws-tab-notes-${id}`);
        for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
        assert.equal(await page.getAttribute(`#ws-tab-chat-${id}`, "aria-selected"), "true");
        assert.equal(await page.isVisible(`#note-${id}`), false);
        // Turning chat off updates this panel at once (HX-Trigger)…
        // The customer cannot be written to; the technicians' private chat stays open.
        await page.click(".chat-toggle button");
        const only = page.locator(`#session-${id} .chat-form input[data-tech-only]`);
        await until("technicians only, fixed", async () => await only.isDisabled());
        assert.equal(await only.isChecked(), true);
        assert.equal(await box.isDisabled(), false);
        assert.match(await page.textContent(".chat-off-note") ?? "", /cannot be written to/);
        assert.equal(await page.textContent(".chat-toggle button"), "Turn chat on");
        await box.fill("for the technicians");
        await box.press("Enter");
        await until("the technicians' line", async () => (await lines("chat")).length === 2);
        assert.equal((await lines("chat"))[1].data.audience, "technicians");
        await until("an empty box", async () => (await box.inputValue()) === "");
        assert.equal(await only.isChecked(), true, "a reset keeps it fixed");
        // …and a "chat on" line from the live stream (someone else) turns it back on.
        await page.evaluate((sessionId) => {
          const li = document.createElement("li");
          li.className = "log-line log-event";
          li.dataset.event = "log.chatOn";
          document.getElementById(`log-${sessionId}`)!.append(li);
        }, id);
        await until("a free choice again", async () => !(await only.isDisabled()));
        assert.equal(await only.isChecked(), false);
        assert.equal(await page.isVisible(".chat-off-note"), false);
        assert.equal(await page.inputValue(".chat-toggle input[name=enabled]"), "0");

        // The refused URL above logs its 422; nothing else of ours may fail or be blocked.
        const ours = page.errors.filter((e) =>
          /Content Security Policy|pageerror|workspace\.js/.test(e)
        );
        assert.deepEqual(ours, []);
      });
    } finally {
      await t.close();
    }
  },
});
