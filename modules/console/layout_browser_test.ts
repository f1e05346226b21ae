// The console as one screen (issue 13) in headless Chromium: at 1366×768 and 1920×1080, with
// a started session open, the page does not scroll and the queue, the tab strip and the
// session's workspace (its desktop and chat box) are inside the viewport, its log showing the
// newest line; switching tabs
// only shows and hides workspaces, so a typed chat draft survives; Start opens the tab; the
// shortcuts reach the queue and the chat; the pane collapses and resizes (remembered); the
// "session created" card is in view and goes by itself; the status in the header works. SCREENSHOTS=<dir> also saves the documentation's
// screenshots (light, dark, Dutch) there.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { clickAndWait, withBrowser } from "../../tests/support/browser.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import type { CurrentUser } from "../http/mod.ts";
import { technicianStatus } from "../org/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  findByToken,
  technicianChat,
} from "../support/mod.ts";
import { saveConsoleOptions } from "./options.ts";

const SIZES = [[1366, 768], [1920, 1080]] as const;
const slot = (id: string) => `#workspaces > [data-session-id="${id}"]`;
const tab = (id: string) => `#session-tabs [data-tab-session="${id}"]`;

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
  await page.waitForFunction(() => "htmx" in globalThis);
}

/** Every selector's box lies inside the viewport, and the page itself does not scroll. */
async function assertOneScreen(page: Page, selectors: string[], size: string) {
  const found = await page.evaluate((selectors) => {
    const out: Record<string, number[] | null> = {};
    for (const selector of selectors) {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      out[selector] = box
        ? [box.left, box.top, box.right, box.bottom, box.width, box.height]
        : null;
    }
    const scroller = document.scrollingElement!;
    return {
      boxes: out,
      scrollHeight: scroller.scrollHeight,
      scrollWidth: scroller.scrollWidth,
      width: innerWidth,
      height: innerHeight,
    };
  }, selectors);
  assert.ok(found.scrollHeight <= found.height, `${size}: page scrolls ${found.scrollHeight}px`);
  assert.ok(found.scrollWidth <= found.width, `${size}: page scrolls sideways`);
  for (const [selector, box] of Object.entries(found.boxes)) {
    assert.ok(box, `${size}: ${selector} is on the page`);
    const [left, top, right, bottom, width, height] = box;
    assert.ok(width > 0 && height > 0, `${size}: ${selector} has a size`);
    assert.ok(
      left >= 0 && top >= 0 && right <= found.width && bottom <= found.height,
      `${size}: ${selector} (${box.map(Math.round)}) is inside ${found.width}×${found.height}`,
    );
  }
}

async function waitingSession(t: TestApp, tech: CurrentUser, customerName: string) {
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName,
    fields: {},
  });
  await customerConnected(t.deps, session);
  return session;
}

Deno.test({
  name: "browser: the console fits one screen and keeps each open session's state",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    const shots = Deno.env.get("SCREENSHOTS");
    try {
      const tech = await technician(t, { name: "Ann" });
      const first = await workingSession(t, tech);
      const second = await workingSession(t, tech);
      const waiting = await waitingSession(t, tech, "Dave");
      // A log longer than its box: a workspace opens on its newest line.
      for (let i = 1; i <= 40; i++) await technicianChat(t.deps, tech, first.id, `Line ${i}`);
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await signIn(page, base, tech.email);
        for (const [width, height] of SIZES) {
          const size = `${width}×${height}`;
          await page.setViewportSize({ width, height });
          await page.click(tab(first.id));
          await page.locator(`${slot(first.id)} [data-chat-input]`).waitFor();
          await assertOneScreen(page, [
            "#queue-pane",
            `#queue tr[data-session="${waiting.id}"]`,
            "#session-tabs",
            slot(first.id),
            `${slot(first.id)} .workspace-main`,
            `${slot(first.id)} [data-chat-input]`,
          ], size);
          await page.screenshot({ path: `/tmp/W1_console_${width}.png` });
          const log = await page.$eval(`${slot(first.id)} .session-log`, (el) => ({
            hidden: el.scrollHeight - el.clientHeight - el.scrollTop,
            last: el.lastElementChild?.textContent ?? "",
          }));
          assert.match(log.last, /Line 40/);
          assert.ok(
            log.hidden <= 2,
            `${size}: the newest line is ${log.hidden}px below the log's end`,
          );
        }

        // A typed draft survives a switch away and back; the workspace is not fetched again.
        const box = `${slot(first.id)} [data-chat-input]`;
        await page.fill(box, "Half a sentence");
        await page.$eval(slot(first.id), (el) => (el as HTMLElement).dataset.probe = "kept");
        await page.click(tab(second.id));
        await page.locator(`${slot(second.id)} [data-chat-input]`).waitFor();
        assert.equal(await page.locator(slot(first.id)).isHidden(), true);
        assert.equal(await page.getAttribute(tab(second.id), "aria-selected"), "true");
        await page.click(tab(first.id));
        assert.equal(await page.inputValue(box), "Half a sentence");
        assert.equal(await page.getAttribute(`${slot(first.id)}`, "data-probe"), "kept");
        assert.equal(await page.locator(`${slot(first.id)} > .workspace`).count(), 1);

        // Alt+C puts the focus in the open session's chat box; Alt+N picks the waiting row;
        // Alt+S starts it, and Start opens its tab.
        await page.keyboard.press("Alt+KeyQ");
        await page.keyboard.press("Alt+KeyC");
        assert.equal(
          await page.evaluate(() => document.activeElement?.hasAttribute("data-chat-input")),
          true,
        );
        await page.keyboard.press("Alt+KeyN");
        assert.equal(
          await page.evaluate(() => (document.activeElement as HTMLElement).dataset.session),
          waiting.id,
        );
        await page.keyboard.press("Alt+KeyS");
        await page.locator(`${tab(waiting.id)}[aria-selected=true]`).waitFor();
        await page.locator(`${slot(waiting.id)} [data-chat-input]`).waitFor();
        assert.equal(await page.inputValue(box), "Half a sentence");

        // "?" opens the list of shortcuts.
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.keyboard.press("Shift+Slash");
        await page.locator("#shortcut-help").waitFor({ state: "visible" });
        await page.keyboard.press("Escape");

        // The queue pane collapses and gives its room to the workspace; that is remembered.
        const wide = (await page.locator(slot(waiting.id)).boundingBox())!.width;
        await page.click("[data-queue-collapse]");
        const wider = (await page.locator(slot(waiting.id)).boundingBox())!.width;
        assert.ok(wider > wide + 100, `collapsed: ${wide} → ${wider}`);
        await page.reload();
        await page.waitForFunction(() => "htmx" in globalThis);
        assert.equal(await page.getAttribute("[data-queue-collapse]", "aria-expanded"), "false");
        // …and the session open before the reload is open again.
        await page.locator(`${tab(waiting.id)}[aria-selected=true]`).waitFor();
        await page.click("[data-queue-collapse]");

        // The handle widens the pane from the keyboard, and the width is remembered.
        const before = (await page.locator("#queue-pane").boundingBox())!.width;
        await page.focus("[data-queue-resize]");
        await page.keyboard.press("Shift+ArrowRight");
        const after = (await page.locator("#queue-pane").boundingBox())!.width;
        assert.ok(Math.abs(after - before - 80) <= 1, `resized: ${before} → ${after}`);
        await page.reload();
        await page.waitForFunction(() => "htmx" in globalThis);
        assert.equal(
          Math.round((await page.locator("#queue-pane").boundingBox())!.width),
          Math.round(after),
        );

        // The "session created" card takes the focus and goes once the customer is in.
        await page.click("button[data-method=pin]");
        await page.fill("#ns-name", "Erin");
        await page.click("#new-session-form button[type=submit]");
        const link = (await page.locator("#created-link").textContent())?.trim() ?? "";
        assert.equal(
          await page.evaluate(() => document.activeElement?.closest("#new-session") !== null),
          true,
        );
        // The whole card is in view at both sizes: the link wraps, Copy stays reachable.
        for (const [width, height] of SIZES) {
          await page.setViewportSize({ width, height });
          await assertOneScreen(page, [
            "#new-session-dialog",
            "#created-link",
            "#new-session [data-copy=created-link]",
          ], `${width}×${height}, session created`);
        }
        const created = (await findByToken(t.deps, link.split("/s/")[1]))!;
        await page.locator(`#queue tr[data-session="${created.id}"][data-status=connecting]`)
          .waitFor();
        assert.equal(await page.locator("#new-session [data-created-session]").count(), 1);
        await customerConnected(t.deps, created);
        await page.locator("#new-session [data-created-session]").waitFor({ state: "detached" });

        // The technician's status is in the header and changes without leaving the page.
        assert.equal(await page.inputValue("#my-status"), "online");
        await page.selectOption("#my-status", "away");
        await page.locator("#my-status[data-presence=away]").waitFor();
        const chosen = async () =>
          (await t.deps.db.select().from(technicianStatus)
            .where(eq(technicianStatus.userId, tech.id)))[0]?.chosen;
        for (let i = 0; i < 50 && await chosen() !== "away"; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(await chosen(), "away");
        await page.locator(`${tab(waiting.id)}[aria-selected=true]`).waitFor();
        assert.deepEqual(page.errors, []);

        if (shots) {
          await page.selectOption("#my-status", "online");
          for (let i = 0; i < 50 && await chosen() !== "online"; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          await page.evaluate(() => localStorage.removeItem("rescue.console.queueWidth"));
          await page.setViewportSize({ width: 1366, height: 768 });
          await page.reload();
          await page.locator(`${slot(waiting.id)} [data-chat-input]`).waitFor();
          await page.screenshot({ path: `${shots}/console-light-1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.screenshot({ path: `${shots}/console-light-1920.png` });
          await saveConsoleOptions(t.deps.db, tech.id, { colourScheme: "dark" }, new Date());
          await page.reload();
          await page.locator(`${slot(waiting.id)} [data-chat-input]`).waitFor();
          await page.screenshot({ path: `${shots}/console-dark-1920.png` });
          const dutch = await newPage({ locale: "nl-NL" });
          await dutch.setViewportSize({ width: 1366, height: 768 });
          await signIn(dutch, base, tech.email);
          await dutch.click(tab(first.id));
          await dutch.locator(`${slot(first.id)} [data-chat-input]`).waitFor();
          await dutch.screenshot({ path: `${shots}/console-dutch-1366.png` });
        }
      });
    } finally {
      await t.close();
    }
  },
});
