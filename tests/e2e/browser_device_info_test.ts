// The device dashboard (SPEC M2, modules/device_info) through the real parts: the customer's
// page in Chromium at a phone's viewport (390×844, touch, mobile), the technician's workspace in
// another Chromium context. Ask → the customer's prompt → Allow → the Device tab shows what
// that Chromium really reports (read from the customer's page itself, not written here), then a
// turn of the phone arrives live, Refresh, Stop, and the declined path; then a desktop
// browser's customer in Dutch.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { deviceBoard } from "../../modules/device_info/board.ts";
import { users } from "../../modules/auth/mod.ts";
import { eq } from "drizzle-orm";

const SHOTS = "/tmp/shots";

/** Polls `done` (a server-side condition) for up to 10 s. */
async function waitUntil(done: () => boolean) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail("the condition did not come true within 10 s");
}

/** The technician's value for `field`, as shown. */
const fact = (page: Page, field: string) =>
  page.locator(`.device-board [data-field="${field}"] dd`).textContent();

async function waitForFact(page: Page, field: string, wanted: string) {
  await page.waitForFunction(
    ([f, w]) =>
      document.querySelector(`.device-board [data-field="${f}"] dd`)?.textContent?.includes(w),
    [field, wanted],
  );
}

browserTest(
  "browser: a phone customer shares device information, live, and can stop",
  async (t) => {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "mobileTools"],
    });
    const session = await workingSession(t, ann);
    await withBrowser(t, async ({ base, browser, newPage }) => {
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 3,
        locale: "en-US",
        timezoneId: "Europe/Amsterdam",
      });
      phone.setDefaultTimeout(30_000);
      const customer = await phone.newPage();
      const customerErrors: string[] = [];
      customer.on("pageerror", (error) => customerErrors.push(error.message));
      await customer.goto(`${base}/s/${session.token}`);
      assert.equal(await customer.locator("#device-info").isHidden(), true, "nothing asked yet");
      const board = deviceBoard(t.deps);

      const tech = await newPage();
      await signInPage(tech, base, ann.email, TECH_PASSWORD);
      await tech.setViewportSize({ width: 1366, height: 768 });
      await tech.goto(`${base}/console/sessions/${session.id}`);
      await tech.locator(`#ws-tab-device-${session.id}`).click();

      // --- Ask: the customer's phone shows the question, in words — without taking the focus
      // from the chat box the customer types in (a key there must not land on Allow). ---
      await customer.locator("#customer-chat-form textarea").focus();
      await tech.screenshot({ path: `${SHOTS}/mob-tech-device-off-1366.png` });
      await tech.locator("[data-device-action=ask]").click();
      await tech.locator(".device-board[data-consent=asked]").waitFor();
      await tech.screenshot({ path: `${SHOTS}/mob-tech-device-asked-1366.png` });
      assert.match(
        await tech.locator(".device-state").textContent() ?? "",
        /Waiting for the customer/,
      );
      await customer.locator("#device-ask").waitFor();
      // The ask came as a line of the page's log, its own stream: the page holds nothing of ours.
      await customer.locator("#customer-log .log-line", {
        hasText: "Ann asked to see information about this device.",
      }).waitFor();
      assert.equal(board.waiting(session.id), 0, "an idle page holds no question");
      assert.match(
        await customer.locator("#device-ask-text").textContent() ?? "",
        /^Ann asks to see information about this device: model and system, browser, battery, network and screen/,
      );
      assert.equal(
        await customer.evaluate(() =>
          document.activeElement?.closest("#customer-chat-form") !== null
        ),
        true,
        "the chat box keeps the focus",
      );
      await customer.screenshot({ path: `${SHOTS}/mob-customer-consent-phone.png` });

      // --- Allow: the technician sees what this Chromium really reports. ---
      await customer.locator("#device-allow").tap();
      await customer.locator("#device-sharing").waitFor();
      // Sharing, the page holds one question, to hear a Refresh or the end at once.
      await waitUntil(() => board.waiting(session.id) === 1);
      await customer.screenshot({ path: `${SHOTS}/mob-customer-sharing-phone.png` });
      await tech.locator(".device-dashboard").waitFor();
      const truth = await customer.evaluate(async () => {
        // deno-lint-ignore no-explicit-any
        const nav = navigator as any;
        const battery = nav.getBattery ? await nav.getBattery() : null;
        const hints = nav.userAgentData
          ? await nav.userAgentData.getHighEntropyValues(["platform", "platformVersion", "model"])
          : null;
        return {
          cores: navigator.hardwareConcurrency,
          width: screen.width,
          height: screen.height,
          viewport: [innerWidth, innerHeight],
          pixelRatio: devicePixelRatio,
          touchPoints: navigator.maxTouchPoints,
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          languages: [...navigator.languages],
          memory: nav.deviceMemory ?? null,
          level: battery?.level ?? null,
          effectiveType: nav.connection?.effectiveType ?? null,
          system: hints ? [hints.platform, hints.platformVersion].filter(Boolean).join(" ") : null,
          model: hints ? hints.model || null : null,
          mobile: nav.userAgentData?.mobile ?? null,
          online: navigator.onLine,
        };
      });
      const en = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);
      assert.equal(await fact(tech, "cores"), String(truth.cores));
      assert.equal(await fact(tech, "size"), `${truth.width} × ${truth.height} px`);
      assert.equal(await fact(tech, "viewport"), `${truth.viewport[0]} × ${truth.viewport[1]} px`);
      assert.equal(await fact(tech, "pixelRatio"), en(truth.pixelRatio));
      assert.equal(await fact(tech, "touchPoints"), String(truth.touchPoints));
      assert.equal(await fact(tech, "timeZone"), truth.timeZone);
      assert.equal(await fact(tech, "languages"), truth.languages.join(", "));
      assert.equal(await fact(tech, "online"), truth.online ? "Yes" : "No");
      assert.equal(
        await fact(tech, "memory"),
        truth.memory === null ? "not available in this browser" : `at least ${en(truth.memory)} GB`,
      );
      assert.match(
        await fact(tech, "level") ?? "",
        truth.level === null
          ? /not available in this browser/
          : new RegExp(`${Math.round(truth.level * 100)}%`),
      );
      assert.equal(
        await fact(tech, "effectiveType"),
        truth.effectiveType ?? "not available in this browser",
      );
      // This Chromium sends client hints: the Device card shows them as they are.
      const na = "not available in this browser";
      assert.equal(await fact(tech, "system"), truth.system ?? na);
      assert.equal(await fact(tech, "model"), truth.model ?? na);
      if (truth.mobile !== null) {
        assert.match(
          await fact(tech, "kind") ?? "",
          truth.mobile ? /^Phone or tablet/ : /^Computer/,
        );
      }
      assert.match(await fact(tech, "serverRtt") ?? "", /^\d+ ms$/);
      await tech.screenshot({ path: `${SHOTS}/mob-tech-device-1366.png` });
      await tech.setViewportSize({ width: 1920, height: 1080 });
      await tech.screenshot({ path: `${SHOTS}/mob-tech-device-1920.png` });

      // --- Live: the phone turns; the tab follows without a click. ---
      await customer.setViewportSize({ width: 844, height: 390 });
      const turned = await customer.evaluate(() => `${innerWidth} × ${innerHeight} px`);
      await waitForFact(tech, "viewport", turned);

      // --- Refresh: the page is asked for fresh values and sends them. ---
      const before = Number(await tech.locator(".device-board").getAttribute("data-version"));
      await tech.locator("[data-device-action=refresh]").click();
      await tech.waitForFunction(
        (v) =>
          Number(document.querySelector(".device-board")?.getAttribute("data-version")) >= v + 2,
        before,
      );

      // --- Stop: the values go; the technician reads that the customer stopped. ---
      await customer.locator("#device-stop").tap();
      await customer.locator("#device-status", { hasText: "You stopped sharing" }).waitFor();
      await tech.locator(".device-board[data-consent=stopped]").waitFor();
      await waitUntil(() => board.waiting(session.id) === 0);
      assert.equal(await tech.locator(".device-dashboard").count(), 0);

      // --- Asked again and declined. ---
      await tech.locator("[data-device-action=ask]").click();
      await customer.locator("#device-ask").waitFor();
      await customer.locator("#device-deny").tap();
      await customer.locator("#device-status", { hasText: "You declined" }).waitFor();
      await tech.locator(".device-board[data-consent=denied]").waitFor();
      assert.equal(await tech.locator(".device-state").textContent(), "The customer declined.");

      // --- A desktop browser's customer, in Dutch: the same tab, its own values. ---
      const second = await workingSession(t, ann);
      const desk = await newPage({ locale: "nl-NL" });
      await desk.setViewportSize({ width: 1366, height: 768 });
      await desk.goto(`${base}/s/${second.token}`);
      await tech.goto(`${base}/console/sessions/${second.id}`);
      await tech.locator(`#ws-tab-device-${second.id}`).click();
      await tech.locator("[data-device-action=ask]").click();
      await desk.locator("#device-ask").waitFor();
      assert.match(
        await desk.locator("#device-ask-text").textContent() ?? "",
        /^Ann vraagt gegevens over dit apparaat te zien.* u kunt op elk moment stoppen\.$/,
      );
      await desk.screenshot({ path: `${SHOTS}/mob-customer-consent-desktop-nl.png` });
      await desk.locator("#device-allow").click();
      await tech.locator(".device-dashboard").waitFor();
      const desktop = await desk.evaluate(() => ({
        size: `${screen.width} × ${screen.height} px`,
        cores: String(navigator.hardwareConcurrency),
        // deno-lint-ignore no-explicit-any
        mobile: (navigator as any).userAgentData?.mobile ?? null,
      }));
      assert.equal(await fact(tech, "size"), desktop.size);
      assert.equal(await fact(tech, "cores"), desktop.cores);
      if (desktop.mobile !== null) {
        assert.equal(await fact(tech, "kind"), desktop.mobile ? "Phone or tablet" : "Computer");
      }

      // --- The technician in Dutch: the same board in its words ("je" form, Dutch numbers). ---
      await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, ann.id));
      await tech.setViewportSize({ width: 1366, height: 768 });
      await tech.goto(`${base}/console/sessions/${second.id}`);
      await tech.locator(`#ws-tab-device-${second.id}`).click();
      await tech.locator(".device-dashboard").waitFor();
      assert.equal(
        await tech.locator(".device-state").textContent(),
        "De klant deelt de gegevens van dit apparaat. Ze worden bijgewerkt zolang de sessie loopt.",
      );
      assert.equal(await tech.locator("[data-device-action=refresh]").textContent(), "Vernieuwen");
      await tech.screenshot({ path: `${SHOTS}/mob-tech-device-nl-1366.png` });

      assert.deepEqual(tech.errors, []);
      assert.deepEqual(desk.errors, []);
      assert.deepEqual(customerErrors, []);
      await phone.close();
    });
  },
);
