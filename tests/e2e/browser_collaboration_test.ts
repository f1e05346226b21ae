// Internal collaboration in the browser (issue 20, SPEC K1, K3), lean — no agent: the lead
// invites a colleague from the workspace → the colleague's queue shows an Invitation → Start →
// Collaborating → a technicians-only chat line is not on the customer's page → the lead hands
// the lead over and the colleague accepts → the new lead ends for everyone. The helpers are
// exported for scenarios that add the agent; the whole story with the agent, control passing and
// an external technician is tests/e2e/browser_collaboration_story_test.ts.
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { eq } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import { findByToken } from "../../modules/support/mod.ts";

const row = (sessionId: string) => `#queue tbody tr[data-session="${sessionId}"]`;

/** A technician's console at 1366×768, signed in, htmx loaded. */
export async function openConsole(
  newPage: () => Promise<Page & { errors: string[] }>,
  base: string,
  email: string,
) {
  const page = await newPage();
  page.setDefaultTimeout(20_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await signInPage(page, base, email, TECH_PASSWORD);
  await page.waitForFunction(() => "htmx" in globalThis);
  return page;
}

/** Opens the session's tab and returns its workspace. */
export async function openWorkspace(page: Page, sessionId: string): Promise<Locator> {
  await page.locator(`#session-tabs [data-tab-session="${sessionId}"]`).click();
  const workspace = page.locator(`#session-${sessionId}`);
  await workspace.waitFor();
  return workspace;
}

/** The lead invites `name` from the workspace's Invite technician dialog. */
export async function inviteColleague(
  page: Page,
  workspace: Locator,
  name: string,
  options: { screenshot?: string } = {},
) {
  await workspace.locator(".head-menu > summary").click(); // the header's More actions
  await workspace.locator("[data-invite-technician]").click();
  const dialog = page.locator("#invite-dialog");
  await dialog.waitFor();
  await dialog.locator("#invite-search").fill(name.slice(0, 3).toLowerCase());
  await dialog.locator("label.colleague", { hasText: name }).locator("input").check();
  await dialog.locator("#invite-note").fill("Can you look at the printer driver?");
  if (options.screenshot) await page.screenshot({ path: options.screenshot });
  await dialog.locator("button[type=submit]").click();
  await page.locator("#dialog", { hasText: `${name} is invited` }).waitFor();
}

/** The colleague presses Start on its Invitation row and opens the workspace. */
export async function acceptInvitation(page: Page, sessionId: string): Promise<Locator> {
  await page.locator(`${row(sessionId)}[data-status="invitation"]`).waitFor({ state: "attached" });
  await page.click(`${row(sessionId)} button[data-action=start]`);
  await page.locator(`${row(sessionId)}[data-status="collaborating"]`).waitFor({
    state: "attached",
  });
  return await openWorkspace(page, sessionId);
}

browserTest(
  "browser: invite a colleague, private chat, hand over the lead, end for everyone",
  async (t) => {
    const ann = await technician(t, { name: "Ann Lead" });
    const bob = await technician(t, { groupId: ann.groupId!, name: "Bob Colleague" });
    for (const person of [ann, bob]) {
      await t.deps.db.update(users).set({ name: person.name }).where(eq(users.id, person.id));
    }
    const session = await workingSession(t, ann);
    const id = session.id;
    await withBrowser(t, async ({ base, newPage }) => {
      const lead = await openConsole(newPage, base, ann.email);
      const colleague = await openConsole(newPage, base, bob.email);
      const customer = await newPage();
      await customer.goto(`${base}/s/${session.token}`);

      const ws = await openWorkspace(lead, id);
      await inviteColleague(lead, ws, "Bob Colleague", {
        screenshot: "docs/screenshots/collaboration_invite.png",
      });
      const bobWs = await acceptInvitation(colleague, id);
      await ws.locator(`[data-participant="${bob.id}"][data-status="collaborating"]`).waitFor();
      await bobWs.locator(`[data-participant="${ann.id}"][data-role="lead"]`).waitFor();
      await lead.screenshot({ path: "docs/screenshots/collaboration_lead.png" });

      // Private chat: both technicians see it marked; the customer's page never shows it.
      await bobWs.locator("[data-tech-only]").check();
      await bobWs.locator("[data-chat-input]").fill("Driver is v3.2, the customer has v2");
      await bobWs.locator(".chat-form button[type=submit]").click();
      await ws.locator(`#log-${id} li.technicians-only`, { hasText: "v3.2" }).waitFor();
      await lead.locator("[data-close-dialog]").first().click().catch(() => {});
      await lead.screenshot({ path: "docs/screenshots/collaboration_lead.png" });
      await ws.locator("[data-chat-input]").fill("Hello, we are two now");
      await ws.locator(".chat-form button[type=submit]").click();
      await customer.locator("#customer-log", { hasText: "we are two now" }).waitFor();
      assert.doesNotMatch(await customer.locator("body").innerText(), /v3\.2/);
      await customer.reload();
      await customer.locator("#customer-log", { hasText: "we are two now" }).waitFor();
      assert.doesNotMatch(await customer.content(), /v3\.2/);

      // Hand-over: Ann offers, Bob accepts from his queue row.
      await ws.locator(`[data-participant="${bob.id}"] button`, { hasText: "Hand over" }).click();
      await colleague.locator(`${row(id)} button[data-action=accept_lead]`).click();
      await ws.locator(`[data-participant="${bob.id}"][data-role="lead"]`).waitFor();
      await colleague.locator(`${row(id)}[data-status="active"]`).waitFor({ state: "attached" });

      // The new lead ends: Ann's row is Closed, the customer's page says the session ended.
      colleague.once("dialog", (d) => d.accept());
      await colleague.click(`${row(id)} button[data-action=end]`);
      await lead.locator(`${row(id)}[data-status="closed"]`).waitFor({ state: "attached" });
      assert.ok((await findByToken(t.deps, session.token))?.endedAt);
      // Ann's tab stays until she clears it; her collaborator's panel turned read-only.
      await ws.locator("[data-ended-notice]", { hasText: "The session has ended." }).waitFor();
      assert.equal(await ws.locator("[data-chat-input]").count(), 0);
      assert.equal(await lead.locator(`#session-tabs [data-tab-session="${id}"].ended`).count(), 1);
      assert.deepEqual(lead.errors, []);
      assert.deepEqual(colleague.errors, []);
    });
  },
);
