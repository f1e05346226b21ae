/**
 * The session workspace as a support console (issue 13), measured in Chromium at 1366×768 and
 * 1920×1080 with the real agent on an Xvfb display:
 *
 * - a started session whose support app is connected shows the desktop, the chat box and the
 *   log without page scrolling, the desktop at least 55 % of the window's width;
 * - without the support app the remote view is a compact invite panel (≤ 200 px), whose
 *   button puts the invitation in the chat box;
 * - the detached window has no site header and its desktop fills the window;
 * - full screen shows the desktop and the remote-control toolbar, nothing else;
 * - the file manager keeps its share of the width beside the System tab.
 *
 * Screenshots go to $WORKSPACE_SHOTS (default /tmp) as workspace_*.png.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { createPrivateSession, findByToken, startSession } from "../../modules/support/mod.ts";

const SHOTS = Deno.env.get("WORKSPACE_SHOTS") ?? "/tmp";
const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).boundingBox();
  assert.ok(found, `${selector} is shown`);
  return found;
}

/** Inside the window: nothing to scroll to see it. */
function assertInView(what: string, b: Box, size: { width: number; height: number }) {
  assert.ok(b.x >= 0 && b.y >= 0, `${what} starts inside the window: ${JSON.stringify(b)}`);
  assert.ok(
    b.x + b.width <= size.width + 0.5 && b.y + b.height <= size.height + 0.5,
    `${what} ends inside the ${size.width}×${size.height} window: ${JSON.stringify(b)}`,
  );
}

/** The page itself does not scroll (only panels inside it do). */
async function assertNoPageScroll(page: Page) {
  const { scrollH, scrollW, innerH, innerW } = await page.evaluate(() => ({
    scrollH: document.documentElement.scrollHeight,
    scrollW: document.documentElement.scrollWidth,
    innerH: innerHeight,
    innerW: innerWidth,
  }));
  assert.ok(scrollH <= innerH, `page height ${scrollH} ≤ window ${innerH}`);
  assert.ok(scrollW <= innerW, `page width ${scrollW} ≤ window ${innerW}`);
}

function videoPlays(page: Page, scope = "") {
  return page.waitForFunction(
    (selector) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
    },
    `${scope} .rv-video`,
    { timeout: 40_000 },
  );
}

/** The desktop, the chat box and the log of session `id` under `scope`, measured at each size. */
async function assertDesktopDominant(page: Page, id: string, scope: string, shot: string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    const stage = await box(page, `${scope} #remote-${id} .rv-stage`);
    await page.screenshot({ path: `${SHOTS}/workspace_${shot}_${size.width}.png` });
    assertInView("the desktop", stage, size);
    assert.ok(
      stage.width >= 0.55 * size.width,
      `the desktop is ${stage.width} px of ${size.width} (≥ 55 %)`,
    );
    assertInView("the chat box", await box(page, `${scope} #chat-input-${id}`), size);
    const log = await box(page, `${scope} #log-${id}`);
    assertInView("the log", log, size);
    assert.ok(log.height >= 100, `the log has room (${log.height} px)`);
    await assertNoPageScroll(page);
    await page.screenshot({ path: `${SHOTS}/workspace_${shot}_${size.width}.png` });
  }
}

/**
 * At 1366 px beside a desktop: the remote-control toolbar is one row, the narrow queue's tabs one
 * line with a row's Hold/End/Transfer in the pane; in every colour scheme the tool tabs and the
 * status pill are readable (not black on the black of high contrast). Screenshots per scheme.
 */
async function assertCompactBeside(page: Page, id: string) {
  await page.setViewportSize(SIZES[0]);
  await page.waitForTimeout(200);
  const bar = await box(page, `#ws-${id} .rv-toolbar`);
  const view = await box(page, `#ws-${id} .rv-view`);
  assert.ok(bar.height < view.height * 1.6, `the toolbar is one row (${bar.height} px)`);
  const tabs = await box(page, "#queue-pane .queue-tabs");
  const tab = await box(page, "#queue-pane .queue-tabs .tab >> nth=0");
  assert.ok(tabs.height < tab.height * 1.5, `the queue's tabs are one line (${tabs.height} px)`);
  const pane = await box(page, "#queue-pane");
  for (const action of ["hold", "end", "transfer"]) {
    const button = await box(page, `#queue tr[data-session="${id}"] [data-action=${action}]`);
    assert.ok(
      button.x >= pane.x && button.x + button.width <= pane.x + pane.width + 1,
      `${action} is inside the queue pane`,
    );
  }
  for (const scheme of ["light", "dark", "contrast", "system"]) {
    await page.evaluate((s) => document.documentElement.dataset.scheme = s, scheme);
    const colours = await page.evaluate((sel) =>
      [...document.querySelectorAll(sel)].map((e) => {
        const style = getComputedStyle(e);
        let back = "rgba(0, 0, 0, 0)";
        for (let n: Element | null = e; n && back === "rgba(0, 0, 0, 0)"; n = n.parentElement) {
          back = getComputedStyle(n).backgroundColor;
        }
        return [style.color, back];
      }), `#ws-${id} :is(.workspace-tab, .session-status, .rv-more > summary)`);
    for (const [fg, bg] of colours) assert.notEqual(fg, bg, `${scheme}: text ${fg} on ${bg}`);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${SHOTS}/workspace_console_${scheme}_${size.width}.png` });
    }
  }
  // "More" opens a menu with the rest of the toolbar, in view; Escape closes it.
  await page.setViewportSize(SIZES[0]);
  await page.evaluate(() => document.documentElement.dataset.scheme = "light");
  await page.click(`#ws-${id} .rv-more > summary`);
  assertInView("the More menu", await box(page, `#ws-${id} .rv-menu`), SIZES[0]);
  await box(page, `#ws-${id} .rv-screenshot`);
  await page.screenshot({ path: `${SHOTS}/workspace_console_more_1366.png` });
  await page.keyboard.press("Escape");
  assert.equal(await page.locator(`#ws-${id} .rv-menu`).isVisible(), false, "Escape closes it");
  // A press inside keeps it open; one outside it (back on the picture's area) closes it.
  await page.click(`#ws-${id} .rv-more > summary`);
  await page.click(`#ws-${id} .rv-menu`, { position: { x: 4, y: 4 } });
  assert.equal(await page.locator(`#ws-${id} .rv-menu`).isVisible(), true, "a press inside");
  await page.click(`#ws-${id} .rv-stage`, { position: { x: 20, y: 20 } });
  await page.locator(`#ws-${id} .rv-menu`).waitFor({ state: "hidden", timeout: 2_000 });
}

/**
 * The System tab beside the file manager at 1366 px: the side panel takes the larger share only
 * beside the desktop (a picture that scales); the file manager's two panes keep the main area's
 * share — with the System tab open they were squeezed to a third of the window, the lists gone.
 */
async function assertFilesBesideSystem(page: Page, id: string) {
  await page.setViewportSize(SIZES[0]);
  await page.click(`#ws-tab-filemanager-${id}`);
  await page.click(`#ws-${id} [role=tab][data-tool="system"]`);
  await page.locator(`#ws-${id} [data-sysinfo="${id}"]`).waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${SHOTS}/workspace_files_system_1366.png` });
  const files = await box(page, `#files-${id}`);
  assert.ok(
    files.width >= 0.45 * SIZES[0].width,
    `the file manager is ${files.width} px of ${SIZES[0].width} beside the System tab (≥ 45 %)`,
  );
  assertInView("the file manager", files, SIZES[0]);
  await page.click(`#ws-tab-remote-${id}`);
  await page.click(`#ws-${id} [role=tab][data-tool="chat"]`);
}

/** The agent program on the display, joined by PIN; resolves with its window's address. */
function runAgent(options: { pin: string; server: string; display: string; stateDir: string }) {
  const agent = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "agent/main.ts",
      "--pin",
      options.pin,
      "--server",
      options.server,
      "--no-open",
      "--state-dir",
      options.stateDir,
    ],
    env: { DISPLAY: options.display, LANG: "en_US.UTF-8" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const page = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const lines = stream.pipeThrough(
      new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
    );
    for await (const line of lines) {
      output.push(line);
      const match = /PAGE (\S+)/.exec(line);
      if (match) page.resolve(match[1]);
    }
  };
  collect(agent.stdout);
  collect(agent.stderr);
  agent.status.then((status) =>
    page.reject(new Error(`the agent exited (${status.code}): ${output.join("")}`))
  );
  return { agent, page: page.promise };
}

Deno.test({
  name:
    "e2e: the workspace fits 1366×768 and 1920×1080 — desktop dominant, invite, detached, full screen",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-workspace-e2e-" });
    const xterm = new Deno.Command("xterm", {
      args: ["-geometry", "100x30+40+40", "-fa", "Monospace", "-fs", "12", "-e", "sh"],
      cwd: work,
      env: { DISPLAY: xvfb.display, LANG: "C.UTF-8", PS1: "$ " },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, { name: "Ann" });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const page = await newPage();
        page.on("pageerror", (error) => console.error("page error:", error.stack));
        await page.setViewportSize(SIZES[0]);
        await page.goto(`${base}/signin`);
        await page.fill("#email", ann.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "button[type=submit]");

        // ---- without the support app: a compact invite panel, never a big black box ----
        const lonely = await workingSession(t, ann);
        await page.goto(`${base}/console/sessions/${lonely.id}`);
        const invite = page.locator(`#remote-${lonely.id} .rv-invite`);
        await invite.waitFor({ state: "visible" });
        await page.locator(`#remote-${lonely.id}[data-agent=missing]`).waitFor();
        // "Connecting…" until the viewer socket's first state, then why there is no desktop.
        await invite.locator(".rv-invite-title", { hasText: "support app is not connected" })
          .waitFor();
        for (const size of SIZES) {
          await page.setViewportSize(size);
          const view = await box(page, `#remote-${lonely.id}`);
          assert.ok(view.height <= 200, `the invite panel is ${view.height} px tall (≤ 200)`);
          assert.equal(await page.locator(`#remote-${lonely.id} .rv-stage`).isVisible(), false);
          assertInView("the chat box", await box(page, `#chat-input-${lonely.id}`), size);
          assertInView("the log", await box(page, `#log-${lonely.id}`), size);
          await assertNoPageScroll(page);
          await page.screenshot({ path: `${SHOTS}/workspace_invite_${size.width}.png` });
        }
        await page.click(`#remote-${lonely.id} .rv-invite-button`);
        assert.match(
          await page.inputValue(`#chat-input-${lonely.id}`),
          /click “Let your technician see your screen: get the support app”/,
        );
        assert.equal(
          await page.evaluate(() => document.activeElement?.id),
          `chat-input-${lonely.id}`,
        );

        // ---- with the support app: the desktop takes the main area ----
        const created = await createPrivateSession(t.deps, ann, {
          method: "pin",
          customerName: "Dave",
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
        // The agent's own window opens as it starts; the server counts the customer connected
        // once its socket has said hello (a database write later on PostgreSQL): wait for it.
        for (let waited = 0; waited < 20_000; waited += 50) {
          const now = await findByToken(t.deps, created.session.token);
          if (now?.customerState === "connected") break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await startSession(t.deps, ann, id);
        await page.setViewportSize(SIZES[0]);
        await page.goto(`${base}/console/sessions/${id}`);
        await page.locator(`#remote-${id}[data-agent=connected]`).waitFor({ timeout: 20_000 });
        await page.click(`#remote-${id} .rv-view`);
        await appWindow.locator("#allow-view").click();
        await videoPlays(page);
        await assertDesktopDominant(page, id, "", "desktop");

        // …and in the console, its tab beside the queue (static/console.css's contract).
        await page.setViewportSize(SIZES[0]);
        await page.goto(`${base}/console`);
        await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        await videoPlays(page, `#ws-${id}`);
        await assertDesktopDominant(page, id, `#ws-${id}`, "console");
        await assertCompactBeside(page, id);
        await assertFilesBesideSystem(page, id);
        await page.goto(`${base}/console/sessions/${id}`);
        await videoPlays(page);

        // ---- the detached window: the desktop alone, sized to the window ----
        const detached = await page.context().newPage();
        const detachedErrors: string[] = [];
        detached.on("console", (m) => m.type() === "error" && detachedErrors.push(m.text()));
        detached.on("pageerror", (e) => detachedErrors.push(e.message));
        await detached.setViewportSize({ width: 1100, height: 700 });
        await detached.goto(`${base}/console/sessions/${id}/remote`);
        await videoPlays(detached);
        assert.equal(await detached.locator(".remote-view").count(), 1, "the island alone");
        assert.equal(await detached.locator("header, nav, .topbar").count(), 0, "no site header");
        assert.equal(await detached.locator(".rv-detach").count(), 0);
        const alone = await box(detached, ".rv-stage");
        assert.ok(alone.width >= 1100 * 0.97, `the desktop spans the window (${alone.width} px)`);
        assert.ok(alone.height >= 700 * 0.75, `the desktop fills the window (${alone.height} px)`);
        assertInView("the detached desktop", alone, { width: 1100, height: 700 });
        await assertNoPageScroll(detached);
        await detached.screenshot({ path: `${SHOTS}/workspace_detached.png` });
        await detached.setViewportSize({ width: 800, height: 900 });
        await detached.waitForTimeout(200);
        const resized = await box(detached, ".rv-stage");
        assert.ok(resized.height >= 900 * 0.75, `…and follows it (${resized.height} px)`);
        // Actual size sets the video's size through the CSSOM, which the strict CSP allows.
        await detached.click(".rv-actual");
        await detached.waitForFunction(() =>
          document.querySelector<HTMLVideoElement>(".rv-video")?.style.width.endsWith("px")
        );
        assert.deepEqual(detachedErrors, []);
        await detached.close();

        // ---- full screen: the desktop and the toolbar only ----
        await page.setViewportSize(SIZES[0]);
        await page.click(`#remote-${id} .rv-fullscreen`);
        await page.waitForFunction(
          (sel) => document.fullscreenElement === document.querySelector(sel),
          `#remote-${id}`,
        );
        await page.waitForTimeout(300);
        const full = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
        const shown = await page.evaluate(() => {
          const visible = (el: Element | null) =>
            Boolean(
              el && el.getBoundingClientRect().height > 0 &&
                getComputedStyle(el).display !== "none",
            );
          const root = document.fullscreenElement!;
          return [...root.children].filter(visible).map((el) => el.className);
        });
        assert.deepEqual(
          shown.map((c) => c.split(" ")[0]),
          ["rv-toolbar", "rv-stage"],
          "only the toolbar and the desktop",
        );
        const toolbar = await box(page, `#remote-${id} .rv-toolbar`);
        const screen = await box(page, `#remote-${id} .rv-stage`);
        assert.ok(screen.width >= full.width - 1, `the desktop is as wide as the screen`);
        assert.ok(
          Math.abs(screen.y + screen.height - full.height) <= 1 &&
            screen.height >= full.height - toolbar.height - 2,
          `the desktop takes all but the toolbar (${screen.height} of ${full.height})`,
        );
        await page.screenshot({ path: `${SHOTS}/workspace_fullscreen.png` });
        await page.keyboard.press("Escape");

        const ours = page.errors.filter((e) => /Content Security Policy|pageerror/.test(e));
        assert.deepEqual(ours, []);
      });
    } finally {
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill("SIGTERM");
          await (agent as Deno.ChildProcess).status;
        } catch { /* gone already */ }
      }
      try {
        xterm.kill("SIGKILL");
        await xterm.status;
      } catch { /* gone already */ }
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
