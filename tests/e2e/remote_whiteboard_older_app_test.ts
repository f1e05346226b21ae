/**
 * An older support app that knows no whiteboard Undo (SPEC R4), end to end: the real agent from
 * a copy of today's sources with Undo taken out as it was before — its hello does not offer
 * `whiteboardUndo`, and its strict decoder knows neither the `whiteboardUndo` message nor the
 * line's `by` (the server's number for the technician's window) — on Xvfb, with the real server
 * and Chromium. The technician's Undo is disabled and says why in its title; lines and Clear work
 * as before, and the app never refused a frame: the server sent it neither `by` nor Undo (either
 * would be refused, and the line not drawn). Screenshots of the bar at 1366×768 and 1920×1080 go
 * to /tmp/shots/wb/ (E2E_SHOTS=0: none).
 */
import assert from "node:assert/strict";
import { startTestApp } from "../support/app.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { openDesktop } from "../../agent/platform/mod.ts";
import { countColour, drag, pagePoint, RED, waitFor } from "../support/whiteboard_e2e.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("E2E_SHOTS") === "0" ? null : "/tmp/shots/wb";
const ROOT = new URL("../../", import.meta.url).pathname;

/** Today's app with Undo taken out: each cut must still match, or this test says what changed. */
const OLDER: Record<string, string[]> = {
  "agent/main.ts": ["    whiteboardUndo: agent.whiteboard.available,\n"],
  "protocol/messages.ts": [
    "    by: pen.optional(),\n",
    '  z.strictObject({ type: z.literal("whiteboardUndo"), by: pen.optional() }),\n',
  ],
};

/** The app's sources copied to `dir` (agent/, protocol/, deno.json, its lock) and cut back. */
async function olderApp(dir: string) {
  await Deno.mkdir(dir, { recursive: true });
  const copy = await new Deno.Command("cp", {
    args: ["-r", `${ROOT}agent`, `${ROOT}protocol`, `${ROOT}deno.json`, `${ROOT}deno.lock`, dir],
  }).output();
  assert.ok(copy.success, new TextDecoder().decode(copy.stderr));
  await Deno.symlink(`${ROOT}node_modules`, `${dir}/node_modules`);
  for (const [file, cuts] of Object.entries(OLDER)) {
    let text = await Deno.readTextFile(`${dir}/${file}`);
    for (const cut of cuts) {
      assert.ok(text.includes(cut), `${file} no longer has ${JSON.stringify(cut)}`);
      text = text.replace(cut, "");
    }
    await Deno.writeTextFile(`${dir}/${file}`, text);
  }
}

Deno.test({
  name:
    "e2e: an older support app without Undo — Undo disabled with the reason, lines and Clear work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-whiteboard-older-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
    const screen = openDesktop({ display: xvfb.display });
    try {
      await olderApp(`${work}/older-app`);
      const tech = await technician(t);
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, customerApp, appWindow, space } = await signedInWithAgentSession(
          { t, base, newPage },
          tech,
          {
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
            appDir: `${work}/older-app`,
          },
        );
        const view = space.locator(".remote-view");
        await view.locator(".rv-control").click();
        await appWindow.locator("#allow-control").click();
        await page.waitForFunction(
          () => document.querySelector<HTMLVideoElement>(".remote-view .rv-video")?.videoWidth,
          undefined,
          { timeout: 60_000 },
        );
        step("the older app's picture, with control granted");

        await view.locator(".rv-draw-row .rv-whiteboard").click();
        const bar = view.locator(".rv-whiteboard-bar");
        await bar.waitFor();
        const undo = bar.locator(".rv-undo");
        assert.equal(await undo.isDisabled(), true, "Undo is disabled");
        assert.equal(
          await undo.getAttribute("title"),
          "The customer's support app is an older version that cannot undo one line: " +
            "Clear erases every drawing",
        );
        assert.equal(await bar.locator(".rv-clear").isDisabled(), false, "Clear is not");
        step("whiteboard on: Undo disabled, its title says why");

        // A line reaches the older app's screen: its decoder took the strokes (no `by` in them).
        await drag(page, await pagePoint(page, 300, 350), await pagePoint(page, 900, 350), 12);
        await waitFor(
          "the line on the X screen",
          () => [310, 600, 890].every((x) => countColour(screen, x, 350, 4, RED) > 0),
        );
        if (SHOTS) {
          await Deno.mkdir(SHOTS, { recursive: true });
          await page.waitForTimeout(300);
          await page.screenshot({ path: `${SHOTS}/older_app_undo_disabled_1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.waitForTimeout(500);
          await page.screenshot({ path: `${SHOTS}/older_app_undo_disabled_1920.png` });
        }
        await bar.locator(".rv-clear").click();
        await waitFor("the clear", () => countColour(screen, 600, 350, 6, RED) === 0);
        step("a line drawn and cleared on the older app's screen");

        const output = customerApp.output.join("");
        assert.doesNotMatch(output, /refused a server frame/, "the app refused nothing");
      });
    } finally {
      screen.close();
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
