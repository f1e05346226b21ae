// static/alerts.js in headless Chromium on the real options page: no CSP violation, the
// test buttons fetch their sound, the saved scheme colours the page, spell check follows
// the option, a hidden tab gets a flashing title and a notification, and closing with an
// active session asks first.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ADMIN, startTestApp } from "../../tests/support/app.ts";
import { clickAndWait, withBrowser } from "../../tests/support/browser.ts";
import { consoleOptionsRoutes } from "./options_routes.tsx";

// deno-lint-ignore no-explicit-any
type Win = any;

async function signIn(page: Page, base: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", ADMIN.email);
  await page.fill("#password", ADMIN.password);
  await clickAndWait(page, "button[type=submit]");
}

Deno.test({
  name: "browser: alerts.js applies the console options and plays, flashes and notifies",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    if (!t.app.routes.some((route) => route.path.startsWith("/console/options"))) {
      t.app.route("/console/options", consoleOptionsRoutes);
    }
    try {
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await signIn(page, base);
        await page.goto(`${base}/console/options`);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.scheme), "system");
        assert.equal(
          await page.evaluate(() => typeof (window as Win).rescueAlerts.alert),
          "function",
        );

        // A test button fetches its own sound.
        const [sound] = await Promise.all([
          page.waitForResponse((res) => res.url().endsWith("/static/sounds/networkLost.wav")),
          page.click("button[data-sound=networkLost]"),
        ]);
        assert.equal(sound.status(), 200);

        // Dark scheme and spell check off, saved; the page comes back dark.
        await page.selectOption("#co-colourScheme", "dark");
        assert.equal(await page.evaluate(() => document.documentElement.dataset.scheme), "dark");
        await page.uncheck("input[name=spellCheck]");
        await clickAndWait(page, "#console-options-form button[type=submit]");
        assert.match(page.url(), /saved=1/);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.scheme), "dark");
        const background = await page.evaluate(() =>
          getComputedStyle(document.body).backgroundColor
        );
        assert.equal(background, "rgb(17, 21, 28)");

        // A chat box htmx swaps in gets spellcheck from the options.
        const spell = await page.evaluate(() => {
          const box = document.createElement("textarea");
          box.dataset.chatInput = "";
          document.body.append(box);
          box.dispatchEvent(new CustomEvent("htmx:load", { bubbles: true }));
          return box.spellcheck;
        });
        assert.equal(spell, false);

        // Hidden tab: the title alternates with the message, a notification shows, and
        // both stop when the technician comes back.
        const hidden = await page.evaluate(async () => {
          const w = window as Win;
          const shown: unknown[] = [];
          w.Notification = class {
            static permission = "granted";
            constructor(title: string, options: unknown) {
              shown.push({ title, options });
            }
            addEventListener() {}
          };
          let away = true;
          Object.defineProperty(document, "hidden", { get: () => away, configurable: true });
          document.hasFocus = () => !away;
          const before = document.title;
          w.rescueAlerts.alert("chatMinimised", { title: "New chat", body: "Hello" });
          const first = document.title;
          await new Promise((r) => setTimeout(r, 1100));
          const second = document.title;
          away = false;
          document.dispatchEvent(new Event("visibilitychange"));
          return { before, first, second, after: document.title, shown };
        });
        assert.equal(hidden.first, "New chat");
        assert.equal(hidden.second, hidden.before);
        assert.equal(hidden.after, hidden.before);
        assert.deepEqual(hidden.shown, [
          { title: "New chat", options: { body: "Hello", tag: "chatMinimised" } },
        ]);

        // While the tab is visible an alert flashes nothing.
        const visible = await page.evaluate(() => {
          const before = document.title;
          (window as Win).rescueAlerts.alert("sessionUrgent", { title: "Urgent" });
          return document.title === before;
        });
        assert.ok(visible);
        assert.deepEqual(page.errors, []);

        // Leaving with an active session asks; the browser shows its own beforeunload dialog.
        await page.evaluate(() => {
          const marker = document.createElement("div");
          marker.dataset.activeSession = "1";
          document.body.append(marker);
        });
        await page.click("h1"); // beforeunload prompts need a user gesture first
        const dialog = new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve("no dialog"), 5_000);
          page.once("dialog", (d) => {
            clearTimeout(timer);
            resolve(d.type());
            d.dismiss();
          });
        });
        await page.close({ runBeforeUnload: true });
        assert.equal(await dialog, "beforeunload");
      });
    } finally {
      await t.close();
    }
  },
});
