// static/notes_flush.js in headless Chromium on the real console: a note typed just before the
// customer leaves (inside the autosave's 0.8 s) is saved and still in the box once the
// workspace turns read-only, and one typed just before the page is left is saved too.
import assert from "node:assert/strict";
import { toCurrentUser } from "../auth/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  customerLeft,
  readNotes,
  startSession,
} from "../support/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { signInPage, withBrowser } from "../../tests/support/browser.ts";
import { until } from "../../tests/support/files_agent.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";

const SHOTS = Deno.env.get("SHOTS");

Deno.test({
  name: "browser: a note typed just before the session closes or the page is left is saved",
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
      const panel = `#workspaces #session-${id}`;
      const notes = async () => (await readNotes(t.deps.db, id)).map((n) => n.body);

      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await signInPage(page, base, person.email, TECH_PASSWORD);
        await page.goto(`${base}/console`);
        await page.waitForFunction(() => "htmx" in globalThis);
        await page.click(`#session-tabs [data-tab-session="${id}"]`);
        await page.click(`${panel} #ws-tab-notes-${id}`);

        // Typed, and the customer leaves before the autosave's delay has run out.
        await page.locator(`#note-${id}`).pressSequentially("Reinstalled the printer driver");
        await customerLeft(t.deps, session);
        await page.locator(`${panel} [data-ended-notice]`).waitFor();
        assert.equal(
          await page.locator(`#note-${id}`).inputValue(),
          "Reinstalled the printer driver",
          "the read-only workspace shows the note as typed",
        );
        assert.deepEqual(await notes(), ["Reinstalled the printer driver"]);
        // The panel fetched again opens on its first tab, Chat.
        await page.click(`${panel} #ws-tab-notes-${id}`);
        if (SHOTS) {
          for (const [width, height] of [[1366, 768], [1920, 1080]]) {
            await page.setViewportSize({ width, height });
            await page.screenshot({ path: `${SHOTS}/notes-flushed-${width}.png` });
          }
        }

        // Typed, and the page is left at once: the rest goes along.
        await page.locator(`#note-${id}`).pressSequentially(" — works now");
        await page.goto(`${base}/account`);
        await until(
          "the note saved on page hide",
          async () => (await notes())[0] === "Reinstalled the printer driver — works now",
        );
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await t.close();
    }
  },
});
