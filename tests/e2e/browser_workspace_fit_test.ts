/**
 * The workspace in the console beside the queue, in English and Dutch, at 1366×768 and
 * 1920×1080, with the real support app on an Xvfb display and the desktop playing: the remote
 * view's toolbar is one row and the header shows the customer's whole name — a technician
 * whose group has every tool (the most header buttons). Dutch labels are longer: at 1366 the
 * toolbar wrapped onto two rows and the header cut the name. Also with the System tab open
 * (the side panel at its widest), and every tool tab of the side panel in sight. Screenshots go
 * to $SHOTS as QA2_fit_<lang>_<tab>_<width>.png.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { users } from "../../modules/auth/mod.ts";
import { AVAILABLE_PERMISSION_IDS } from "../../modules/permissions/mod.ts";
import { createPrivateSession, findByToken, startSession } from "../../modules/support/mod.ts";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { closeAgentWorld, runAgent } from "../support/agent_e2e.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

const SHOTS = Deno.env.get("SHOTS");
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];
const NAME = "Annemarie van den Broek-Jansen";

/** The toolbar's visible parts all on one line, and the header's name not cut. */
async function measure(page: Page, id: string) {
  return await page.evaluate((id) => {
    const bar = document.querySelector(`#ws-${id} .rv-toolbar`)!;
    // A row per distinct middle (groups of different heights are centred on one line).
    const middles = [...bar.children].filter((e) => (e as HTMLElement).offsetParent !== null)
      .map((e) => e.getBoundingClientRect()).map((r) => r.top + r.height / 2).sort((a, b) => a - b);
    const rows = middles.filter((m, i) => i === 0 || m - middles[i - 1] > 8).length;
    const name = document.querySelector(`#session-${id} .workspace-head h2`) as HTMLElement;
    const barBox = bar.getBoundingClientRect();
    return {
      rows,
      barRight: Math.round(barBox.right),
      viewRight: Math.round(
        document.querySelector(`#ws-${id} .rv-view`)!.closest(".remote-view")!
          .getBoundingClientRect().right,
      ),
      nameCut: name.scrollWidth > name.clientWidth + 1,
      // The side panel's tool tabs each inside their strip (none scrolled out of sight).
      tabsHidden: [...document.querySelectorAll(`#session-${id} .workspace-side [role=tab]`)]
        .filter((tab) => {
          const strip = tab.parentElement!.getBoundingClientRect();
          const r = tab.getBoundingClientRect();
          return r.right > strip.right + 1 || r.left < strip.left - 1;
        }).map((tab) => tab.textContent),
      // The chat form's buttons, box and hint inside the side panel (not cut at its edge).
      cutAtSide: (() => {
        const side = document.querySelector(`#session-${id} .workspace-side`);
        if (!side) return [];
        const edge = side.getBoundingClientRect().right;
        return [...side.querySelectorAll(":is(.chat-form > .row, .workspace-chat-extras) > *")]
          .filter((e) => (e as HTMLElement).offsetParent !== null)
          .filter((e) => e.getBoundingClientRect().right > edge + 1)
          .map((e) => e.textContent?.trim().slice(0, 30));
      })(),
      nameShown: name.textContent,
    };
  }, id);
}

/** Starts the desktop view, allowing it in the app's window when asked; until the picture plays. */
async function startView(page: Page, appWindow: Page, id: string) {
  const playing = () =>
    page.evaluate((id) => {
      const video = document.querySelector<HTMLVideoElement>(`#remote-${id} .rv-video`);
      return Boolean(video && video.videoWidth > 0);
    }, id);
  for (let tries = 0; tries < 40 && !await playing(); tries++) {
    const view = page.locator(`#remote-${id} .rv-view`);
    if (tries % 10 === 0 && !await view.evaluate((b) => b.classList.contains("is-on"))) {
      await view.click();
    }
    const allow = appWindow.locator("#allow-view");
    if (await allow.isVisible()) await allow.click();
    await page.waitForTimeout(1000);
  }
  assert.ok(await playing(), "the desktop plays");
}

Deno.test({
  name: "e2e: the remote view's toolbar is one row and the header shows the whole name, en and nl",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-fit-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, { name: "Ann", permissions: [...AVAILABLE_PERMISSION_IDS] });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const page = await newPage();
        await page.setViewportSize(SIZES[0]);
        await page.goto(`${base}/signin`);
        await page.fill("#email", ann.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "button[type=submit]");

        const created = await createPrivateSession(t.deps, ann, {
          method: "pin",
          customerName: NAME,
          fields: {},
        });
        const id = created.session.id;
        const run = runAgent({
          pin: created.session.pin!,
          server: base,
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
        });
        agent = run.agent;
        const appWindow = await newPage();
        await appWindow.goto(await run.page);
        await appWindow.locator("#consent").waitFor();
        for (let waited = 0; waited < 20_000; waited += 50) {
          const now = await findByToken(t.deps, created.session.token);
          if (now?.customerState === "connected") break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await startSession(t.deps, ann, id);

        const problems: string[] = [];
        for (const lang of ["en", "nl"] as const) {
          await t.deps.db.update(users).set({ language: lang }).where(eq(users.id, ann.id));
          await page.setViewportSize(SIZES[0]);
          await page.goto(`${base}/console`);
          await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
          await page.locator(`#remote-${id}[data-agent=connected]`).waitFor({
            timeout: 20_000,
          });
          await startView(page, appWindow, id);
          for (const tab of ["chat", "system"]) {
            await page.click(`#ws-${id} [role=tab][data-tool="${tab}"]`);
            for (const size of SIZES) {
              await page.setViewportSize(size);
              await page.waitForTimeout(250);
              const m = await measure(page, id);
              const where = `${lang} ${tab} ${size.width}`;
              if (m.rows !== 1) problems.push(`${where}: the toolbar has ${m.rows} rows`);
              if (m.barRight > m.viewRight + 1) problems.push(`${where}: the toolbar overflows`);
              if (m.nameCut) problems.push(`${where}: the header cuts "${m.nameShown}"`);
              if (m.tabsHidden.length) problems.push(`${where}: tabs out of sight ${m.tabsHidden}`);
              if (m.cutAtSide.length) problems.push(`${where}: cut at the side ${m.cutAtSide}`);
              if (SHOTS) {
                await page.screenshot({
                  path: `${SHOTS}/QA2_fit_${lang}_${tab}_${size.width}.png`,
                });
              }
            }
          }
          await page.click(`#ws-${id} [role=tab][data-tool="chat"]`);
        }
        assert.deepEqual(problems, []);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
