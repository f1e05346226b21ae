/**
 * What people see of a recording, in Chromium, in English and Dutch at 1366×768 and 1920×1080:
 * the customer's page says "This session is being recorded" with a red dot, as every product
 * shows a recording (it was a pale blue note like any other, easy to miss); afterwards History's
 * search finds the session with "Only sessions with a screen recording", and the record page
 * lists the part with its length, size, Download and — for an admin — Delete, asked first.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { chromium, type Page } from "playwright-core";
import {
  browserTest,
  CHROMIUM_ARGS,
  CHROMIUM_HEADLESS,
  signInPage,
  withBrowser,
} from "../support/browser.ts";
import { ADMIN } from "../support/app.ts";
import { makeGroup, TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { users } from "../../modules/auth/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { recordings } from "../../modules/recording/mod.ts";
import { keepPeers, recordShareStatus } from "../support/share_e2e.ts";

const FAKE_CAPTURE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];
const SHOTS = "/tmp/shots";
const SIZES = [[1366, 768], [1920, 1080]] as const;

function smallFakeScreen() {
  const original = MediaDevices.prototype.getDisplayMedia;
  MediaDevices.prototype.getDisplayMedia = function (
    this: MediaDevices,
    options?: DisplayMediaStreamOptions,
  ) {
    const video = typeof options?.video === "object" ? options.video : {};
    return original.call(this, {
      ...options,
      video: { ...video, width: { max: 640 }, height: { max: 360 } },
    });
  };
}

async function shots(page: Page, name: string) {
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/RQA_${name}_${width}.png` });
  }
}

/** The notice's red dot: there, round, the danger red, beside the words. */
async function redDot(page: Page) {
  return await page.locator("#remote-recording").evaluate((notice) => {
    const dot = notice.querySelector(".rec-dot");
    if (!dot) return null;
    const style = getComputedStyle(dot);
    const box = dot.getBoundingClientRect();
    return {
      color: style.backgroundColor,
      round: style.borderRadius,
      size: [Math.round(box.width), Math.round(box.height)],
    };
  });
}

browserTest(
  "browser: a recording is shown with a red dot to the customer, found in History, deleted by an admin",
  async (t) => {
    const folder = await Deno.makeTempDir({ prefix: "rescue-recording-sign-" });
    try {
      const group = await makeGroup(t, { permissions: defaultPermissions() });
      await t.deps.db.update(technicianGroups).set({
        settings: {
          ...defaultGroupSettings(),
          recordingPolicy: "always",
          recordingLocation: folder,
        },
      }).where(eq(technicianGroups.id, group.id));
      const ann = await technician(t, { groupId: group.id, name: "Ann" });
      const session = await workingSession(t, ann);
      await withBrowser(t, async ({ base, newPage }) => {
        const customerBrowser = await chromium.launch({
          executablePath: CHROMIUM_HEADLESS,
          headless: true,
          args: [...CHROMIUM_ARGS, ...FAKE_CAPTURE],
        });
        try {
          const customer = await customerBrowser.newPage();
          await customer.addInitScript(smallFakeScreen);
          await customer.addInitScript(keepPeers);
          await customer.addInitScript(recordShareStatus);
          await customer.setViewportSize({ width: 1366, height: 768 });
          await customer.goto(`${base}/s/${session.token}`);
          const notice = customer.locator("#remote-recording");
          // Before sharing: what is shared is recorded, since the group records every view.
          await customer.locator("#browser-share-recorded").waitFor();
          await shots(customer, "customer_before_share");
          await customer.setViewportSize({ width: 1366, height: 768 });
          await customer.locator("#browser-share-start").click();
          await notice.waitFor({ timeout: 15_000 });
          assert.equal(await notice.textContent(), "This session is being recorded.");
          assert.deepEqual(await redDot(customer), {
            color: "rgb(198, 40, 40)",
            round: "50%",
            size: [12, 12],
          });
          await customer.waitForTimeout(2_500);
          await shots(customer, "customer_recorded");
          // The technician's detached remote window says it too: red, with its dot.
          const tech = await newPage();
          await signInPage(tech, base, ann.email, TECH_PASSWORD);
          await tech.goto(`${base}/console/sessions/${session.id}/remote`);
          const sign = tech.locator(".rv-recording-on");
          await sign.waitFor({ timeout: 15_000 });
          assert.equal(await sign.textContent(), "● Recording");
          assert.equal(
            await sign.evaluate((el) => getComputedStyle(el).color),
            "rgb(198, 40, 40)",
          );
          await shots(tech, "detached_window_recording");
          await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, ann.id));
          await tech.reload();
          await tech.locator(".rv-recording-on", { hasText: "● Opname loopt" }).waitFor();
          await shots(tech, "detached_window_recording_nl");
          await t.deps.db.update(users).set({ language: "en" }).where(eq(users.id, ann.id));
          await tech.reload();
          await sign.waitFor();
          // The language form reloads the page, which ends the browser's share: share again.
          await Promise.all([
            customer.waitForURL(/.*/, { waitUntil: "load" }),
            customer.selectOption("#customer-lang", "nl"),
          ]);
          await customer.locator("#browser-share-start").click();
          await customer.locator("#browser-share-stop").waitFor().catch(async (error) => {
            // What the page said instead (a refusal, "connecting"): seen once on a loaded machine.
            const said = await customer.locator("#browser-share-status").textContent();
            const log = await customer.evaluate(() =>
              JSON.stringify((globalThis as { statusLog?: unknown }).statusLog)
            );
            throw new Error(
              `no Stop sharing after the second Share; the page says: ${said}; it said: ${log}`,
              { cause: error },
            );
          });
          await customer.locator("#remote-recording").filter({
            hasText: "Deze sessie wordt opgenomen.",
          }).waitFor({ timeout: 10_000 });
          assert.ok(await redDot(customer), "the dot in Dutch too");
          await customer.waitForTimeout(2_500);
          await shots(customer, "customer_recorded_nl");
          await customer.locator("#browser-share-stop").click();
          await notice.waitFor({ state: "hidden" });
          await sign.waitFor({ state: "detached" });
        } finally {
          await customerBrowser.close();
        }
        for (const until = Date.now() + 10_000; Date.now() < until;) {
          const rows = await t.deps.db.select().from(recordings)
            .where(eq(recordings.sessionId, session.id));
          if (rows.length > 0 && rows.every((r) => r.endedAt)) break;
          await new Promise((r) => setTimeout(r, 100));
        }

        const admin = await newPage();
        await signInPage(admin, base, ADMIN.email, ADMIN.password);
        await admin.goto(`${base}/console/history?recorded=1`);
        const result = admin.locator(`.search-result[data-session="${session.id}"]`);
        await result.waitFor();
        assert.match((await result.textContent())!, /Screen recording/);
        await shots(admin, "history_search_recorded");
        await admin.goto(`${base}/console/history/session/${session.id}`);
        const del = admin.locator("#recordings button", { hasText: "Delete" }).first();
        await del.waitFor();
        await shots(admin, "record_page");
        await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.email, ADMIN.email));
        await admin.goto(`${base}/console/history/session/${session.id}`);
        await admin.locator("#recordings button", { hasText: "Verwijderen" }).first().waitFor();
        await shots(admin, "record_page_nl");
        const parts = await admin.locator("#recordings tbody tr").count();
        admin.once("dialog", (dialog) => {
          assert.match(dialog.message(), /^Deze schermopname verwijderen\?/);
          void dialog.accept();
        });
        await admin.locator("#recordings button", { hasText: "Verwijderen" }).first().click();
        if (parts === 1) await admin.locator("#recordings").waitFor({ state: "detached" });
        else {
          await admin.waitForFunction(
            (n) => document.querySelectorAll("#recordings tbody tr").length === n - 1,
            parts,
          );
        }
        assert.equal(
          (await t.deps.db.select().from(recordings).where(eq(recordings.sessionId, session.id)))
            .length,
          parts - 1,
        );
      });
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
  { graceMs: 50 },
);
