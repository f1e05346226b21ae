// After a transfer the sender's console tells the truth (issue 13): the answer names who got
// the session, and within a second the sender's open workspace neither says "Active" nor shows
// the remote view's "Connection to the server lost. Reconnecting…" (its viewer socket was
// closed because the sender no longer works the session). The recipient reads the note, with
// the row's buttons in sight beside it at 1366×768 and 1920×1080, and a Transfer dialog the
// recipient opened goes when the sender takes the session back.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { attachFakeAgent } from "../support/fake_agent.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { users } from "../../modules/auth/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { startSession } from "../../modules/support/mod.ts";

const TRUTH_MS = 1_000;

browserTest(
  "browser: the sender's workspace stops saying Active and reconnecting after a transfer",
  async (t) => {
    const permissions = [
      ...defaultPermissions(),
      "transfer" as const,
      "seeOtherTechnicians" as const,
    ];
    const ann = await technician(t, { permissions });
    const bob = await technician(t, { permissions, groupId: ann.groupId ?? undefined });
    await t.deps.db.update(users).set({ name: "Bob Receiver" }).where(eq(users.id, bob.id));
    const receiver = t.client();
    await receiver.signIn(bob.email, TECH_PASSWORD);
    await receiver.get("/console"); // Bob is online: a technician to transfer to
    const session = await workingSession(t, ann);
    const id = session.id;
    await withBrowser(t, async ({ base, newPage }) => {
      const agent = await attachFakeAgent(base, session.token);
      const page = await newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await signInPage(page, base, ann.email, TECH_PASSWORD);
      await page.waitForFunction(() => "htmx" in globalThis);
      await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
      const panel = page.locator(`#session-${id}`);
      await panel.locator(".session-status[data-status=active]").waitFor();
      await panel.locator(".remote-view[data-agent=connected]").waitFor();

      await panel.locator(`button[hx-get$="/${id}/transfer"]`).click();
      await page.locator("#transfer-dialog").waitFor();
      await page.selectOption("#transfer-target", `technician:${bob.id}`);
      await page.fill("#transfer-note", "Printer on floor 2");
      await page.click("#transfer-form button[type=submit]");
      await page.locator("#dialog .flash.info", {
        hasText: "The session was transferred to Bob Receiver.",
      }).waitFor();
      await page.screenshot({ path: "/tmp/w3_after_transfer.png" });

      // Within a second: no "Active" for this session and no reconnecting remote view.
      const stale = async () => {
        const active = await page.locator(
          `#session-${id} .session-status[data-status=active]:visible`,
        ).count();
        const lost = await page.getByText("Connection to the server lost").filter({
          visible: true,
        }).count();
        return active + lost;
      };
      const started = Date.now();
      while (await stale() > 0 && Date.now() - started < TRUTH_MS) await page.waitForTimeout(50);
      await page.screenshot({ path: "/tmp/w3_after_transfer_1s.png" });
      assert.equal(await stale(), 0, "the sender's workspace still says Active or reconnecting");
      // …and stays so (the remote view does not come back reconnecting).
      await page.waitForTimeout(1_500);
      assert.equal(await stale(), 0, "the workspace went stale again");
      assert.equal(agent.got.some((m) => m.type === "end"), false, "the session goes on");
      assert.deepEqual(page.errors, []);

      // Bob's Incoming row carries the note, and its buttons stay in sight beside it (the
      // pane does not scroll sideways) at both window sizes.
      const bobPage = await newPage();
      await signInPage(bobPage, base, bob.email, TECH_PASSWORD);
      const incoming = bobPage.locator(`#queue tr[data-session="${id}"][data-status=incoming]`);
      await incoming.waitFor();
      assert.match(await incoming.locator(".c-note").innerText(), /Printer on floor 2/);
      for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
        await bobPage.setViewportSize(size);
        const seen = await bobPage.evaluate((id) => {
          const pane = document.getElementById("queue-body")!;
          const box = pane.getBoundingClientRect();
          const buttons = [...document.querySelectorAll(`#queue tr[data-session="${id}"] button`)]
            .filter((b) => b.getClientRects().length > 0);
          return {
            sideways: pane.scrollWidth - pane.clientWidth,
            out: buttons.filter((b) => {
              const r = b.getBoundingClientRect();
              return r.left < box.left || r.right > box.left + pane.clientWidth;
            }).map((b) => b.textContent?.trim()),
            count: buttons.length,
          };
        }, id);
        const at = `${size.width}×${size.height}`;
        assert.ok(seen.count >= 4, `${at}: Start, Transfer, Return and Copy are there`);
        assert.deepEqual(seen.out, [], `${at}: buttons out of sight`);
        assert.ok(seen.sideways <= 0, `${at}: the queue scrolls ${seen.sideways}px sideways`);
      }
      // Bob opens Transfer on it, and Ann takes the session back meanwhile: the dialog about a
      // session Bob no longer has goes with its row.
      await incoming.locator("button[data-action=transfer]").click();
      await bobPage.locator("#transfer-dialog").waitFor();
      await startSession(t.deps, ann, id);
      await incoming.waitFor({ state: "detached" });
      await bobPage.locator("#transfer-dialog").waitFor({ state: "detached", timeout: TRUTH_MS });
      assert.deepEqual(bobPage.errors, []);
      agent.close();
    });
  },
  { graceMs: 50 },
);
