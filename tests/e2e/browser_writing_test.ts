// Writing systems on the customer's page, measured in Chromium. Right to left (Arabic, Hebrew):
// the header's links sit at the line's end as in English (the far left), not beside the
// organisation's name (a physical `margin-left: auto` pushed them to the right in both
// directions); a chat line typed in another script keeps its own direction (an English
// "Thank you!" in an Arabic page read "!Thank you"; an Arabic line in an English page the same
// way round), and the font buttons' "A-" and "A+" are not "-A" and "+A". Chinese, Japanese
// and Korean have no italics: the log's event lines stand upright there (slanted glyphs read
// badly) and stay italic in English; Japanese wraps between phrases, not inside a word.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { technicianChat } from "../../modules/support/mod.ts";
import { browserTest, withBrowser } from "../support/browser.ts";
import { technician, workingSession } from "../support/sessions.ts";

const SHOTS = Deno.env.get("SHOTS");

/** Where the header's links sit: how far from the bar's inline end, and from its start. */
function headerLinks(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector("header.topbar")!.getBoundingClientRect();
    const nav = document.querySelector("header.topbar nav")!.getBoundingClientRect();
    const rtl = getComputedStyle(document.documentElement).direction === "rtl";
    return {
      fromEnd: Math.round(rtl ? nav.left - bar.left : bar.right - nav.right),
      fromStart: Math.round(rtl ? bar.right - nav.right : nav.left - bar.left),
    };
  });
}

/** The direction each chat line's words are laid out in, by the words. */
function chatDirections(page: Page) {
  return page.$$eval("#customer-log .log-chat .text", (texts) =>
    Object.fromEntries(
      texts.map((e) => [e.textContent!.trim(), getComputedStyle(e).direction]),
    ));
}

browserTest(
  "browser: right to left, the header's links at the end and chat in its own direction",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann, "pin");
    await technicianChat(t.deps, ann, session.id, "Thank you!");
    await technicianChat(t.deps, ann, session.id, "شكرا لك");
    await withBrowser(t, async ({ base, newPage }) => {
      for (const lang of ["en", "ar", "he"]) {
        const page = await newPage({ locale: lang });
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(`${base}/pin`);
        assert.equal(await page.getAttribute("html", "dir"), lang === "en" ? "ltr" : "rtl");
        const links = await headerLinks(page);
        // The bar's padding from its end; the organisation's name and the brand before them.
        assert.ok(
          links.fromEnd < 30,
          `${lang}: the header's links ${links.fromEnd}px from the end`,
        );
        assert.ok(links.fromStart > 600, `${lang}: the header's links beside the name`);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/writing-pin-${lang}-1366.png` });

        await page.goto(`${base}/s/${session.token}`);
        await page.locator("#customer-log .log-chat").nth(1).waitFor();
        assert.deepEqual(await chatDirections(page), {
          "Thank you!": "ltr",
          "شكرا لك": "rtl",
        }, lang);
        // The font buttons' "A-" and "A+" read so in both directions (not "-A").
        const font = await page.$$eval(
          ".font-size [aria-hidden]",
          (marks) => marks.map((e) => getComputedStyle(e).direction),
        );
        assert.deepEqual(font, ["ltr", "ltr"], lang);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/writing-session-${lang}-1366.png` });
        assert.deepEqual(page.errors, []);
        await page.context().close();
      }
    });
  },
);

browserTest(
  "browser: the log's event lines upright in Chinese, Japanese and Korean; Japanese wraps by phrase",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann, "pin");
    await withBrowser(t, async ({ base, newPage }) => {
      const styles: Record<string, string[]> = {};
      const breaks: Record<string, string> = {};
      for (const lang of ["en", "ja", "ko", "zh", "zh-TW"]) {
        const page = await newPage({ locale: lang });
        await page.goto(`${base}/s/${session.token}`);
        await page.locator("#customer-log :is(.log-event, .log-status)").first().waitFor();
        styles[lang] = await page.$$eval(
          "#customer-log :is(.log-event, .log-status) .text",
          (texts) => texts.map((e) => getComputedStyle(e).fontStyle),
        );
        breaks[lang] = await page.$eval(
          "#customer-log .log-line .text",
          (text) => getComputedStyle(text).wordBreak,
        );
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/writing-session-${lang}-1366.png` });
        await page.context().close();
      }
      assert.ok(styles.en.length > 0, "an event line (Ann joined)");
      assert.deepEqual(styles, {
        en: styles.en.map(() => "italic"),
        ja: styles.en.map(() => "normal"),
        ko: styles.en.map(() => "normal"),
        zh: styles.en.map(() => "normal"),
        "zh-TW": styles.en.map(() => "normal"),
      });
      // Chromium splits Japanese at phrases only (its other languages keep the usual rules).
      assert.deepEqual(breaks, {
        en: "normal",
        ja: "auto-phrase",
        ko: "normal",
        zh: "normal",
        "zh-TW": "normal",
      });
    });
  },
);
