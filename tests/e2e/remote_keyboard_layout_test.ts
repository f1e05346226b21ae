/**
 * The technician's "Keyboard: remote" layout end to end, on real parts: a German customer
 * (`setxkbmap de` on Xvfb) with an xterm reading one line, the real support app, the real
 * server and Chromium (a US keyboard). With the remote layout the physical keys act as on the
 * customer's keyboard — Shift + the A key "A", the Z key "y", the Y key "z" — and with the local
 * layout the character the technician typed, "z", is typed. An older support app (today's
 * sources with `keyCodes` cut from its hello and `code` from its strict decoder) still gets
 * every key — the server leaves `code` out — and types the keysyms as it always did.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { pagePoint, waitFor } from "../support/whiteboard_e2e.ts";

const step = (what: string) => console.log(`  · ${what}`);
const ROOT = new URL("../../", import.meta.url).pathname;

/** What the older app lacks: from each start marker to the end marker after it. */
const OLDER: [file: string, from: string, to: string][] = [
  ["agent/main.ts", "    keyCodes: true,\n", "\n"],
  [
    "protocol/messages.ts",
    "    /**\n     * The physical key (`KeyboardEvent.code`",
    "    }).optional(),\n",
  ],
];

/** The app's sources copied to `dir` (agent/, protocol/, deno.json, its lock) and cut back. */
async function olderApp(dir: string) {
  await Deno.mkdir(dir, { recursive: true });
  const copy = await new Deno.Command("cp", {
    args: ["-r", `${ROOT}agent`, `${ROOT}protocol`, `${ROOT}deno.json`, `${ROOT}deno.lock`, dir],
  }).output();
  assert.ok(copy.success, new TextDecoder().decode(copy.stderr));
  await Deno.symlink(`${ROOT}node_modules`, `${dir}/node_modules`);
  for (const [file, from, to] of OLDER) {
    const text = await Deno.readTextFile(`${dir}/${file}`);
    const start = text.indexOf(from);
    assert.ok(start >= 0, `${file} no longer has ${JSON.stringify(from)}`);
    const end = text.indexOf(to, start + from.length - to.length) + to.length;
    await Deno.writeTextFile(`${dir}/${file}`, text.slice(0, start) + text.slice(end));
  }
}

/** An xterm at the screen's top left whose shell writes the line typed into `file`. */
function lineReader(display: string, file: string) {
  const xterm = new Deno.Command("xterm", {
    args: [
      "-u8",
      "-geometry",
      "80x6+0+0",
      "-e",
      "sh",
      "-c",
      `read line; printf %s "$line" > ${file}`,
    ],
    env: { DISPLAY: display, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    async stop() {
      try {
        xterm.kill("SIGKILL");
      } catch { /* gone */ }
      await xterm.status;
    },
  };
}

/** Switches the remote view's keyboard layout (under "More") until its label says `want`. */
async function layout(page: Page, want: RegExp) {
  const view = page.locator(".remote-view");
  await view.locator(".rv-more > summary").click();
  const button = view.locator(".rv-layout");
  if (!want.test(await button.textContent() ?? "")) await button.click();
  await waitFor(`the layout ${want}`, async () => want.test(await button.textContent() ?? ""));
  await view.locator(".rv-more > summary").click();
}

async function typeStory(options: { older: boolean }) {
  const xvfb = await startXvfb({ width: 1280, height: 720 });
  const work = await Deno.makeTempDir({ prefix: "rescue-keyboard-layout-" });
  const t = await startTestApp();
  let agent: Deno.ChildProcess | null = null;
  await runX(xvfb.display, "setxkbmap", ["de"]);
  const typed = `${work}/typed.txt`;
  const xterm = lineReader(xvfb.display, typed);
  try {
    if (options.older) await olderApp(`${work}/older-app`);
    const tech = await technician(t);
    await withBrowser(t, async ({ base, newPage }) => {
      const { page, customerApp, appWindow, space } = await signedInWithAgentSession(
        { t, base, newPage },
        tech,
        {
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
          started: (started) => agent = started,
          appDir: options.older ? `${work}/older-app` : undefined,
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
      step(`control granted (${options.older ? "an older app" : "today's app"})`);

      await layout(page, /remote \(de\)/i);
      const spot = await pagePoint(page, 200, 40); // inside the xterm
      await page.mouse.click(spot.x, spot.y);
      await page.keyboard.down("Shift");
      await page.keyboard.press("KeyA");
      await page.keyboard.up("Shift");
      await page.keyboard.press("KeyZ");
      await page.keyboard.press("KeyY");
      step("remote layout: Shift+A, Z, Y pressed");
      await layout(page, /local/i);
      await page.mouse.click(spot.x, spot.y);
      await page.keyboard.press("KeyZ"); // "z" on the technician's US keyboard
      await page.keyboard.press("Enter");
      const line = await waitFor("the typed line", async () => {
        try {
          return await Deno.readTextFile(typed);
        } catch {
          return null;
        }
      });
      // Today's app: the customer's keys. The older one: the US characters it gets by keysym,
      // with its old Shift handling (XK_a with Shift held typed "a").
      assert.equal(line, options.older ? "azyz" : "Ayzz");
      step(`typed ${JSON.stringify(line)}`);
      assert.doesNotMatch(customerApp.output.join(""), /refused a server frame/);
    });
  } finally {
    await xterm.stop();
    await closeAgentWorld({ agent, app: t, xvfb, work });
  }
}

Deno.test({
  name: "e2e: Keyboard: remote on a German customer — Shift+A is 'A', the Z key 'y', Y 'z'",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => typeStory({ older: false }),
});

Deno.test({
  name: "e2e: an older support app without keyCodes gets the keys without code and types them",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => typeStory({ older: true }),
});
