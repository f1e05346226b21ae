// An external technician end to end (issue 20, SPEC K2): the lead invites by a one-time link
// from the workspace; the external person opens it, sees the session's chat and sends a line
// the lead sees; the lead removes them; their page says the access ended and a reload is
// refused. One browser, two contexts, no agent.
import assert from "node:assert/strict";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

browserTest(
  "browser: lead invites an external technician by link, chats, removes them",
  async (t) => {
    const lead = await technician(t, {
      permissions: [...defaultPermissions(), "inviteExternal", "inviteExternalUnlisted"],
      name: "Lena Lead",
    });
    const session = await workingSession(t, lead);
    const id = session.id;
    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await signInPage(page, base, lead.email, TECH_PASSWORD);
      await page.waitForFunction(() => "htmx" in globalThis);
      await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
      const workspace = page.locator(`#session-${id}`);
      await workspace.locator(".head-menu > summary").click(); // the header's More actions
      await workspace.locator("[data-invite-external]").click();
      await page.locator("#external-dialog").waitFor();
      await page.fill("#external-name", "Xavier Extern");
      await page.fill("#external-email", "xavier@partner.test");
      await page.locator("input[name=permissions][value=desktopView]").check();
      await page.locator("#external-form button[type=submit]").click();
      const link = await page.locator("[data-external-link]").inputValue();
      assert.match(link, /\/x\/join\/[A-Za-z0-9_-]{40,}$/);

      const guest = await newPage();
      await guest.setViewportSize({ width: 1366, height: 768 });
      await guest.goto(`${base}${new URL(link).pathname}`);
      assert.equal(new URL(guest.url()).pathname, "/x/console");
      await guest.locator("#guest-log li", { hasText: "invited Xavier Extern" }).waitFor();
      await guest.waitForFunction(() => "htmx" in globalThis);
      await guest.fill("#guest-text", "Hello from the partner");
      await guest.locator("#guest-chat button[type=submit]").click();
      // The line comes back through the guest's own stream, and reaches the lead's workspace.
      await guest.locator("#guest-log li", { hasText: "Hello from the partner" }).waitFor();
      await page.locator(`#log-${id} li`, { hasText: "Hello from the partner" }).waitFor();
      await guest.screenshot({ path: "docs/screenshots/external_console.png" });
      // Its view-only remote-view socket (a second one beside the island's) is open.
      await guest.evaluate(() => {
        const g = globalThis as unknown as { ws: WebSocket; wsCode: number | null };
        g.wsCode = null;
        g.ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/x/console/remote/ws`);
        g.ws.onclose = (event) => g.wsCode = event.code;
      });
      await guest.waitForFunction(() =>
        (globalThis as unknown as { ws: WebSocket }).ws.readyState === 1
      );

      // The lead sees the external technician and removes them.
      await page.locator("[data-close-dialog]").first().click().catch(() => {});
      const remove = workspace.locator("[data-remove-guest]");
      await remove.waitFor();
      await remove.click();
      await guest.locator("[data-external-ended=removed]").waitFor();
      // Removal closed the open socket too.
      const code = await guest.waitForFunction(
        () => (globalThis as unknown as { wsCode: number | null }).wsCode,
        undefined,
        { polling: 100 },
      );
      assert.equal(await code.jsonValue(), 4403);
      assert.match(await guest.locator("main").innerText(), /removed you from the session/);
      const reload = await guest.reload();
      assert.equal(reload?.status(), 410);
      assert.match(await guest.locator("main").innerText(), /removed you from the session/);
      assert.equal(await guest.locator("#guest-chat").count(), 0);
      assert.deepEqual(page.errors, []);
      assert.deepEqual(
        guest.errors.filter((e) => !/status of 410|WebSocket/.test(e)),
        [],
      );
    });
  },
);
