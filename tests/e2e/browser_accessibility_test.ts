/**
 * engine-neutral: it audits rendered pages in Chromium; no check here depends on the database engine.
 * The console as a keyboard-first, accessible support console (issue 13), audited in Chromium
 * in all four colour schemes (light, dark, system on a dark OS, high contrast):
 *
 * - /console with a session open in its tab, /admin, /account, /signin, /pin and the
 *   customer's /s/<token>: (a) landmarks — one main, a banner, nav for navigation, landmarks of
 *   a kind labelled apart; (b) every control named; (c) text contrast 4.5:1 (3:1 large), by
 *   axe-core and by our own walk over the text nodes (tests/support/a11y.ts);
 * - (d) Tab from the top of /console reaches the skip link, the header's status control, the
 *   queue, the open session's tab and the chat box, in that order, each with a visible ring;
 * - the Admin Center's tab bar is one line at 1366×768.
 *
 * Every finding is printed as "page scheme rule: detail" before the assertion; A11Y_SHOTS (a
 * folder) takes screenshots of the console per scheme at 1366 and 1920.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ADMIN } from "../support/app.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import {
  applyScheme,
  axeFindings,
  contrastFindings,
  type Finding,
  landmarkFindings,
  preloadAxe,
  ringOf,
  SCHEMES,
  tally,
} from "../support/a11y.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";
import { carolSession, workingSession } from "../support/sessions.ts";
import { toCurrentUser } from "../../modules/auth/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";

const SHOTS = Deno.env.get("A11Y_SHOTS");
/** The Admin Center's sections, each audited (the master admin sees all of them). */
const ADMIN_SECTIONS = [
  "groups",
  "technicians",
  "channels",
  "fields",
  "outbox",
  "sms",
  "audit",
  "organisation",
  "security",
];
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

/** /console with session `id` open in its tab (the console reopens it after a reload). */
async function openInConsole(page: Page, base: string, id: string) {
  await page.goto(`${base}/console`);
  await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
  await page.locator(`#ws-${id} #chat-input-${id}`).waitFor();
}

/** All findings on `page` as served (the customer's pages carry no scheme) and in every
 * scheme, as "where scheme rule" lines. */
async function audit(page: Page, where: string, findings: string[], counts: string[]) {
  for (const scheme of ["as served", ...SCHEMES] as const) {
    if (scheme !== "as served") await applyScheme(page, scheme);
    // The new scheme's styles in place: two animation frames (was a fixed 50 ms). No colour
    // has a transition (static/*.css), and every check reads computed styles.
    await page.evaluate(() =>
      new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
    );
    const here: Finding[] = [
      ...await landmarkFindings(page),
      ...await axeFindings(page),
      ...await contrastFindings(page),
    ];
    counts.push(`${where} ${scheme}: ${JSON.stringify(tally(here))}`);
    findings.push(...here.map((f) => `${where} ${scheme} ${f.rule}: ${f.detail}`));
  }
  await applyScheme(page, "light");
}

browserTest(
  "browser: the main pages pass the landmark, name and contrast audit in all four schemes",
  async (t) => {
    const group = await makeGroup(t, { permissions: defaultPermissions() });
    const row = await makePerson(t, { groupId: group.id, role: "admin" });
    const tech = {
      ...toCurrentUser(row),
      permissions: new Set(defaultPermissions()),
      groupId: group.id,
    };
    const session = await workingSession(t, tech);
    const waiting = await carolSession(t, tech, "pin");
    await withBrowser(t, async ({ base, newPage }) => {
      const findings: string[] = [];
      const counts: string[] = [];

      const anonymous = await newPage();
      await preloadAxe(anonymous);
      await anonymous.setViewportSize(SIZES[0]);
      for (const path of ["/signin", "/pin", `/s/${session.token}`]) {
        await anonymous.goto(`${base}${path}`);
        await audit(anonymous, path.startsWith("/s/") ? "/s/<token>" : path, findings, counts);
      }

      const page = await newPage();
      await preloadAxe(page);
      await page.setViewportSize(SIZES[0]);
      await signInPage(page, base, row.email, TECH_PASSWORD);
      await openInConsole(page, base, session.id);
      await page.locator(`#queue tr[data-session="${waiting.id}"]`).waitFor();
      await audit(page, "/console", findings, counts);
      if (SHOTS) {
        for (const scheme of SCHEMES) {
          await applyScheme(page, scheme);
          for (const size of SIZES) {
            await page.setViewportSize(size);
            await page.waitForTimeout(150);
            await page.screenshot({ path: `${SHOTS}/a11y_console_${scheme}_${size.width}.png` });
          }
        }
        await applyScheme(page, "light");
        await page.setViewportSize(SIZES[0]);
      }
      for (const path of ["/account", "/console/options", "/console/replies"]) {
        await page.goto(`${base}${path}`);
        await audit(page, path, findings, counts);
      }

      const admin = await newPage();
      await preloadAxe(admin);
      await admin.setViewportSize(SIZES[0]);
      await signInPage(admin, base, ADMIN.email, ADMIN.password);
      for (const section of ADMIN_SECTIONS) {
        await admin.goto(`${base}/admin/${section}`);
        await audit(admin, `/admin/${section}`, findings, counts);
      }

      console.log(counts.join("\n"));
      if (findings.length) console.log(findings.join("\n"));
      assert.equal(findings.length, 0, `${findings.length} accessibility findings (above)`);
    });
  },
  { graceMs: 200 },
);

browserTest(
  "browser: Tab from the top of /console reaches skip link, status, queue, session tab, chat box — each with a ring",
  async (t) => {
    const group = await makeGroup(t, { permissions: defaultPermissions() });
    const row = await makePerson(t, { groupId: group.id });
    const tech = {
      ...toCurrentUser(row),
      permissions: new Set(defaultPermissions()),
      groupId: group.id,
    };
    const session = await workingSession(t, tech);
    await carolSession(t, tech);
    await withBrowser(t, async ({ base, newPage }) => {
      const problems: string[] = [];
      for (const locale of ["en-US", "nl-NL"]) {
        const page = await newPage({ locale });
        await page.setViewportSize(SIZES[0]);
        await signInPage(page, base, row.email, TECH_PASSWORD);
        await openInConsole(page, base, session.id);
        for (const scheme of SCHEMES) {
          // A fresh load, so the first Tab starts at the top of the page.
          await page.reload();
          await page.locator(`#ws-${session.id} #chat-input-${session.id}`).waitFor();
          await applyScheme(page, scheme);
          const stops: { what: string; ring: Awaited<ReturnType<typeof ringOf>> }[] = [];
          const unringed: string[] = [];
          for (let i = 0; i < 80; i++) {
            await page.keyboard.press("Tab");
            // One round trip per stop: what has focus, its ring, and the ring of the same
            // element without focus (a clone beside it), which must differ from the focused one.
            const { what, focused, rest } = await page.evaluate((id) => {
              const ring = (e: Element) => {
                const s = getComputedStyle(e);
                return {
                  outline: s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
                    ? "none"
                    : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
                  shadow: s.boxShadow,
                };
              };
              const e = document.activeElement;
              if (!e || e === document.body) return { what: "body", focused: null, rest: null };
              const name = () => {
                if (e.matches(".skip-link")) return `skip:${e.textContent?.trim()}`;
                if (e.id === "my-status") return "status";
                if (e.closest("#queue-pane")) return "queue";
                if (e.matches(`.session-tab[data-tab-session="${id}"]`)) return "session-tab";
                if (e.id === `chat-input-${id}`) return "chat";
                return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`;
              };
              const what = name();
              const focused = ring(e);
              const clone = e.cloneNode(false) as HTMLElement;
              clone.removeAttribute("id");
              e.after(clone);
              const rest = ring(clone);
              clone.remove();
              return { what, focused, rest };
            }, session.id);
            if (
              focused && rest && focused.outline === rest.outline && focused.shadow === rest.shadow
            ) {
              unringed.push(what);
            }
            stops.push({ what, ring: focused });
            if (what === "chat") break;
          }
          const order = stops.map((s) => s.what);
          const at = (name: string) => order.findIndex((w) => w === name || w.startsWith(name));
          const wanted = ["skip:", "status", "queue", "session-tab", "chat"];
          const where = `${locale} ${scheme}`;
          const skip = `skip:${locale === "en-US" ? "Skip to content" : "Naar de inhoud"}`;
          if (order[0] !== skip) {
            problems.push(`${where}: the first stop is ${order[0]}, not ${skip}`);
          }
          for (let i = 1; i < wanted.length; i++) {
            if (at(wanted[i]) < 0 || at(wanted[i]) < at(wanted[i - 1])) {
              problems.push(`${where}: ${wanted[i]} not after ${wanted[i - 1]}`);
            }
          }
          if (unringed.length) {
            problems.push(`${where}: no visible ring on ${unringed.join(", ")}`);
          }
          console.log(`${where}: ${order.join(" → ")}`);
        }
        // The skip link moves focus into main, past the header and toolbar.
        await page.reload();
        await page.locator(`#ws-${session.id} #chat-input-${session.id}`).waitFor();
        await page.keyboard.press("Tab");
        if (!await page.evaluate(() => document.activeElement?.matches(".skip-link"))) {
          problems.push(`${locale}: no skip link to follow`);
          continue;
        }
        await page.keyboard.press("Enter");
        if (!await page.evaluate(() => document.activeElement?.closest("main") !== null)) {
          problems.push(`${locale}: the skip link does not move focus into main`);
        }
      }
      assert.deepEqual(problems, []);

      // The ring check can fail: with rings taken away (a constructed sheet, which the CSP
      // allows), the focused chat box looks as it does unfocused.
      const page = await newPage();
      await signInPage(page, base, row.email, TECH_PASSWORD);
      await openInConsole(page, base, session.id);
      await page.focus(`#chat-input-${session.id}`);
      const ringed = await ringOf(page);
      await page.evaluate(() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync("* { outline: none !important; box-shadow: none !important }");
        document.adoptedStyleSheets = [sheet];
      });
      assert.notDeepEqual(ringed, await ringOf(page), "a ring while focused");
      assert.deepEqual(await ringOf(page), { outline: "none", shadow: "none" });
    });
  },
);

browserTest("browser: the Admin Center's tab bar is one line at 1366×768", async (t) => {
  await withBrowser(t, async ({ base, newPage }) => {
    for (const locale of ["en-US", "nl-NL"]) {
      const admin = await newPage({ locale });
      await admin.setViewportSize(SIZES[0]);
      await signInPage(admin, base, ADMIN.email, ADMIN.password);
      await admin.goto(`${base}/admin/groups`);
      const bar = await admin.locator("nav.admin-nav").boundingBox();
      const link = await admin.locator("nav.admin-nav a >> nth=0").boundingBox();
      assert.ok(bar && link);
      assert.ok(
        bar.height < link.height * 1.5,
        `${locale}: the Admin Center's tabs are one line (${bar.height} px, a tab ${link.height} px)`,
      );
      const links = await admin.locator("nav.admin-nav a").all();
      for (const a of links) {
        const b = await a.boundingBox();
        assert.ok(
          b && b.x >= bar.x && b.x + b.width <= bar.x + bar.width + 0.5,
          `${locale}: “${await a.textContent()}” inside the bar, not scrolled away`,
        );
      }
    }
  });
});
