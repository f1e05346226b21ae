// Over 400 lines on purpose: one end-to-end case (consent, typing, clipboard, revoke, network cut) against one agent on Xvfb; splitting it would start the agent several times.
/**
 * Remote control end to end, on real parts: an Xvfb display with an xterm on it, the real
 * agent program (`agent/main.ts`, X11 over FFI, H.264 over OpenH264 —
 * Chromium decodes it — or VP8 over libvpx without it) joining by PIN through a
 * TCP proxy whose network the test can cut, the real server, and Chromium for the
 * technician and the customer.
 *
 * The technician starts remote control → the agent's own window (its page on loopback, not
 * the server's) asks, and the server's customer page only says where to answer → the
 * customer allows in the agent's window → the video plays → the technician clicks into the
 * xterm and types a command whose output file appears on disk → the clipboard goes both ways,
 * by hand and by itself (the console option; then switched off in the view: by hand only)
 * → the customer takes control back in the agent's window and the next input is refused (by
 * the server, and the xterm gets nothing) → the agent's network is cut → Reconnecting → the
 * network returns → Active, with the picture resumed → the technician ends the session and
 * the agent says so in its window and exits.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startTcpProxy } from "../support/tcp_proxy.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { eq } from "drizzle-orm";
import { findByToken } from "../../modules/support/mod.ts";
import { sessionFiles } from "../../modules/support/test_support.ts";
import { remoteHub } from "../../modules/remote/mod.ts";

/** Progress lines, so a stuck step names itself in the test output. */
const step = (what: string) => console.log(`  · ${what}`);
const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;

async function waitStatus(page: Page, id: string, status: string, timeout = 20_000) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({
    state: "attached",
    timeout,
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function exists(path: string) {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function xclip(display: string, input?: string): Promise<string> {
  const child = new Deno.Command("xclip", {
    args: input === undefined ? ["-selection", "clipboard", "-o"] : ["-selection", "clipboard"],
    env: { DISPLAY: display },
    stdin: input === undefined ? "null" : "piped",
    stdout: input === undefined ? "piped" : "null",
    stderr: "null",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    // xclip stays to serve the selection; it is killed with the display.
    return "";
  }
  const out = await child.output();
  return new TextDecoder().decode(out.stdout);
}

/** Frames the technician's browser has decoded so far. */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>(".rv-video");
    const quality = video?.getVideoPlaybackQuality?.();
    return quality?.totalVideoFrames ?? 0;
  });
}

Deno.test({
  name: "e2e: remote control on Xvfb — consent, typing, clipboard, revoke, network cut",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-remote-e2e-" });
    const display = xvfb.display;
    const xterm = new Deno.Command("xterm", {
      args: ["-geometry", "120x40+0+0", "-fa", "Monospace", "-fs", "12", "-e", "sh"],
      cwd: work,
      env: { DISPLAY: display, LANG: "C.UTF-8", PS1: "$ " },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    const agentOutput: string[] = [];
    try {
      const ann = await technician(t, { name: "Ann" });
      await withBrowser(t, async ({ base, newPage }) => {
        const proxy = await startTcpProxy(Number(new URL(base).port));
        // The agent is pointed at the server's public address (through the proxy) and accepts
        // a session link only on that same origin.
        const agentServer = Deno.env.get("E2E_NO_PROXY") ? base : `http://127.0.0.1:${proxy.port}`;
        (t.deps.config as { publicUrl: string }).publicUrl = agentServer;
        try {
          const tech = await newPage();
          // The technician's browser lets the console use the clipboard (as it asks once).
          await tech.context().grantPermissions(["clipboard-read", "clipboard-write"], {
            origin: base,
          });
          await tech.goto(`${base}/signin`);
          await tech.fill("#email", ann.email);
          await tech.fill("#password", TECH_PASSWORD);
          await clickAndWait(tech, "button[type=submit]");
          await tech.waitForFunction(() => "htmx" in globalThis);

          step("signed in");
          // A PIN session; the customer runs the agent with it.
          await tech.click("button[data-method=pin]");
          await tech.fill("#ns-name", "Carol");
          await tech.click("#new-session-form button[type=submit]");
          const pin = (await tech.locator("#created-pin").textContent())!.trim();
          const link = (await tech.locator("#created-link").textContent())!.trim();
          const session = (await findByToken(t.deps, link.split("/s/")[1]))!;

          agent = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              "agent/main.ts",
              "--pin",
              pin,
              "--server",
              agentServer,
              "--no-open",
              "--state-dir",
              `${work}/agent-state`,
            ],
            env: { DISPLAY: display, LANG: "nl_NL.UTF-8" },
            stdin: "piped",
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          const pageLine = Promise.withResolvers<string>();
          const collect = async (stream: ReadableStream<Uint8Array>) => {
            for await (
              const line of stream.pipeThrough(
                new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
              )
            ) {
              agentOutput.push(line);
              if (Deno.env.get("E2E_VERBOSE")) step(`agent: ${line.trim()}`);
              const match = /PAGE (\S+)/.exec(line);
              if (match) pageLine.resolve(match[1]);
            }
          };
          collect(agent.stdout);
          collect(agent.stderr);
          agent.status.then((status) =>
            pageLine.reject(new Error(`the agent exited (${status.code}): ${agentOutput.join("")}`))
          );
          step("agent started");
          // The agent's window is its own page on loopback, behind a secret path: nothing of
          // it is on (or known to) the server.
          const pageUrl = new URL(await pageLine.promise);
          assert.equal(pageUrl.hostname, "127.0.0.1");
          assert.notEqual(pageUrl.origin, new URL(base).origin);
          assert.match(pageUrl.pathname, /^\/[A-Za-z0-9_-]{32}\/$/);
          assert.equal(pageUrl.hash, "");
          await waitStatus(tech, session.id, "waiting");

          step("agent attached: Waiting");
          assert.equal(
            (await findByToken(t.deps, session.token))?.customerLanguage,
            "nl",
            "the agent follows the OS language",
          );
          // The customer has the agent's window (Dutch, as the OS) and the chat page.
          const appWindow = await newPage();
          await appWindow.goto(pageUrl.href);
          await appWindow.locator("#consent").waitFor();
          assert.equal(await appWindow.locator("html").getAttribute("lang"), "nl");
          const customer = await newPage();
          await customer.goto(`${base}/s/${session.token}`);

          step("customer page and agent window open");
          // Start, open the workspace, ask for remote control.
          await tech.click(`${row(session.id)} button[data-action=start]`);
          await waitStatus(tech, session.id, "active");
          await tech.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
          const view = tech.locator(`.remote-view[data-session="${session.id}"]`);
          await view.locator(".rv-control").click();

          step("control requested");
          // The server's page only says where to answer; it has nothing to allow with.
          await customer.locator("#remote-ask").waitFor({ state: "visible" });
          assert.match(
            await customer.locator("#remote-ask-text").textContent() ?? "",
            /control.*support app's window/,
          );
          assert.equal(await customer.locator("#remote-consent button:visible").count(), 0);
          assert.equal(
            await customer.locator("#remote-sharing-text").isVisible(),
            false,
            "nothing is said to be shared before the customer allowed it",
          );
          await customer.waitForTimeout(500); // the viewer's socket is open: a state went out
          assert.equal(
            await customer.locator("#remote-technicians").isVisible(),
            false,
            "nobody is said to be connected to the screen before the customer allowed it",
          );
          // The agent's window asks; the customer allows there.
          await appWindow.locator("#allow-control").waitFor({ state: "visible" });
          assert.match(
            await appWindow.locator(".question[data-capability]").textContent() ?? "",
            /muis en toetsenbord/,
          );
          await appWindow.click("#allow-control");
          await appWindow.locator("#stop-control").waitFor({ state: "visible" });
          assert.equal(await appWindow.locator("#consent").getAttribute("data-control"), "true");
          // The server's page shows the state the agent reported.
          await customer.locator("#remote-revoke-control").waitFor({ state: "visible" });
          await customer.locator("#remote-technicians", { hasText: "Ann" }).waitFor();

          step("customer allowed");
          // The picture arrives in the technician's browser.
          await tech.waitForFunction(
            () => {
              const video = document.querySelector<HTMLVideoElement>(".rv-video");
              return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
            },
            undefined,
            { timeout: 40_000 },
          ).catch(async (error) => {
            const stats = await tech.evaluate(() =>
              JSON.stringify((globalThis as unknown as { __remoteView: unknown }).__remoteView)
            );
            const remote = remoteHub(t.deps).find(session.id);
            const peers = [...remote?.viewers ?? []].map((v) => ({
              state: v.peer?.pc.connectionState,
              sent: v.peer?.framesSent,
              skipped: v.peer?.framesSkipped,
            }));
            throw new Error(
              `${error}\nviewer: ${stats}\nframes in: ${remote?.framesIn}, peers: ${
                JSON.stringify(peers)
              }\n${tech.errors.join("\n")}`,
            );
          });

          step("picture arrives");
          // A screenshot lands in the session's files (and the log); it is under "More".
          await view.locator(".rv-more > summary").click();
          await view.locator(".rv-screenshot").click();
          await waitFor("the screenshot in the session's files", async () => {
            const files = await t.deps.db.select({
              name: sessionFiles.name,
              size: sessionFiles.size,
            })
              .from(sessionFiles).where(eq(sessionFiles.sessionId, session.id));
            return files.some((f) => f.name.endsWith(".png") && f.size > 1000);
          });
          // The customer's keyboard layout, as the agent reported it, on the layout switch.
          await view.locator(".rv-layout").click();
          await waitFor(
            "the customer's layout (us) on the layout switch",
            async () => (await view.locator(".rv-layout").textContent() ?? "").includes("(us)"),
          );
          await view.locator(".rv-layout").click(); // back to the local layout for typing
          await view.locator(".rv-more > summary").click(); // the menu closes off the desktop
          // Click into the xterm (at actual size, video pixels are screen pixels) and type.
          await view.locator(".rv-actual").click();
          const box = (await view.locator(".rv-video").boundingBox())!;
          await tech.mouse.click(box.x + 300, box.y + 200);
          await tech.keyboard.type("echo remote-ok > typed.txt");
          await tech.keyboard.press("Enter");
          await waitFor("the typed command's file", () => exists(`${work}/typed.txt`));
          assert.equal(await Deno.readTextFile(`${work}/typed.txt`), "remote-ok\n");

          step("typed command ran");
          // Clipboard, technician → customer (the clipboard is folded under the screen).
          assert.equal(await view.locator(".rv-local-clipboard").isVisible(), false);
          await view.locator(".rv-clipboard summary").click();
          await view.locator(".rv-local-clipboard").fill("from the technician €");
          await view.locator(".rv-send-clipboard").click();
          await waitFor(
            "the customer's clipboard",
            async () => (await xclip(display)) === "from the technician €",
          );
          // Clipboard, customer → technician.
          await xclip(display, "from the customer ü");
          await waitFor(
            "the technician's copy of the customer's clipboard",
            async () =>
              (await view.locator(".rv-remote-clipboard").inputValue()) === "from the customer ü",
          );

          step("clipboard both ways");
          // Synchronised by itself (the console option, on by default): the customer's copy is
          // already in the technician's own clipboard; what the technician copies in another
          // tab reaches the customer's clipboard when they come back and click into the screen.
          // (Headless Chromium fires no window focus on switching tabs, so the click — the
          // stage's own focus — is what brings it over here; a real browser's window focus
          // does it as the tab comes back.)
          const readLocal = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
          await waitFor(
            "the customer's copy in the technician's clipboard",
            async () => (await readLocal(tech)) === "from the customer ü",
          );
          const elsewhere = await tech.context().newPage();
          await elsewhere.goto(`${base}/console/options`);
          const copyThere = async (text: string) => {
            await elsewhere.bringToFront();
            await elsewhere.evaluate((text) => navigator.clipboard.writeText(text), text);
            await tech.bringToFront();
            await view.locator(".rv-clipboard summary").focus(); // off the screen first
            // Into the xterm's empty part (scrolled into view: the clipboard box is open below).
            await view.locator(".rv-video").click({ position: { x: 600, y: 500 } });
          };
          await copyThere("copied in another tab ✓");
          await waitFor(
            "the technician's copy from another tab in the customer's clipboard",
            async () => (await xclip(display)) === "copied in another tab ✓",
          );
          // Switched off in the view's clipboard box: only Copy and Send move text now.
          await view.locator(".rv-clipboard-auto").uncheck();
          const shots = Deno.env.get("REMOTE_CONTROL_SHOTS"); // a folder, when looking
          if (shots) {
            await tech.screenshot({ path: `${shots}/clipboard-by-hand.png`, fullPage: true });
          }
          assert.equal(
            await view.locator(".rv-clipboard-summary").textContent(),
            "Clipboard sync is on, by hand only.",
          );
          await xclip(display, "the customer again");
          await waitFor(
            "the customer's new copy in the view's box",
            async () =>
              (await view.locator(".rv-remote-clipboard").inputValue()) === "the customer again",
          );
          await copyThere("stays with the technician");
          await new Promise((r) => setTimeout(r, 1_500));
          assert.equal(await readLocal(tech), "stays with the technician");
          assert.equal(await xclip(display), "the customer again");
          await elsewhere.close();
          step("clipboard synchronised by itself; off: by hand only");
          // The customer takes control back in the agent's window: the next input is refused,
          // the xterm gets nothing.
          await appWindow.click("#stop-control");
          await appWindow.locator("#stop-control").waitFor({ state: "hidden" });
          await waitFor(
            "the console to know control was revoked",
            async () =>
              /revoked/i.test(await view.getAttribute("data-control") ?? "") ||
              (await view.locator(".rv-consent").textContent() ?? "").length > 0 &&
                await tech.evaluate(() =>
                  (globalThis as unknown as { __remoteView?: { state?: { control?: string } } })
                    .__remoteView?.state?.control === "revoked"
                ),
          );
          const refusal = await tech.evaluate(async (path) => {
            const ws = new WebSocket(`ws://${location.host}${path}`);
            const answers: string[] = [];
            ws.onmessage = (event) => answers.push(event.data);
            await new Promise((resolve) => ws.onopen = resolve);
            ws.send(JSON.stringify({ type: "key", keysym: 0x61, down: true }));
            await new Promise((resolve) => setTimeout(resolve, 500));
            ws.close();
            return answers.map((a) => JSON.parse(a)).find((m) => m.type === "error");
          }, `/console/sessions/${session.id}/remote/ws`);
          assert.equal(refusal?.code, "control_not_granted");
          await tech.mouse.click(box.x + 300, box.y + 200);
          await tech.keyboard.type("echo leaked > leaked.txt");
          await tech.keyboard.press("Enter");
          await new Promise((r) => setTimeout(r, 1_000));
          assert.equal(await exists(`${work}/leaked.txt`), false, "no input after the revoke");

          step("revoked; input refused");
          // The agent's network goes away (and the customer's page with it).
          const before = await framesDecoded(tech);
          proxy.cut();
          await customer.context().setOffline(true);
          await waitStatus(tech, session.id, "reconnecting");
          // The last frame stays, dimmed under "reconnecting": never shown as if live.
          await view.locator(".rv-stage.is-stale .rv-placeholder:not([hidden])").waitFor();
          await tech.screenshot({ path: "/tmp/shots/remote-stale-1366.png" }).catch(() => {});
          proxy.restore();
          await customer.context().setOffline(false);
          step("network cut: Reconnecting");
          await waitStatus(tech, session.id, "active", 30_000);
          step("network back: Active");
          // The picture resumes: change the screen and watch new frames arrive.
          await new Deno.Command("xdotool", {
            args: ["mousemove", "900", "600"],
            env: { DISPLAY: display },
          }).output();
          await waitFor("frames after the reconnect", async () => {
            await new Deno.Command("xsetroot", {
              args: [
                "-solid",
                `#${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0")}`,
              ],
              env: { DISPLAY: display },
            }).output();
            return (await framesDecoded(tech)) > before + 2;
          }, 30_000);

          assert.equal(await view.locator(".rv-stage.is-stale").count(), 0, "live again");
          step("picture resumed");
          // The technician ends the session: the agent is told, says so, stops and exits.
          tech.once("dialog", (dialog) => dialog.accept());
          await tech.click(`${row(session.id)} button[data-action=end]`);
          await appWindow.locator("#consent[data-ended=true]").waitFor({ timeout: 15_000 });
          assert.match(await appWindow.locator("#status").textContent() ?? "", /beëindigd/);
          const exited = await Promise.race([
            (agent as Deno.ChildProcess).status,
            new Promise<null>((r) => setTimeout(() => r(null), 10_000)),
          ]);
          assert.equal(exited?.code, 0, "the agent exits by itself when the session ends");
          assert.match(agentOutput.join(""), /De sessie is beëindigd/);
          agent = null;

          for (const page of [tech, customer, appWindow]) {
            assert.deepEqual(
              page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|net::ERR/.test(e)),
              [],
            );
          }
        } finally {
          await proxy.close();
        }
      });
    } catch (error) {
      console.error(agentOutput.join("").slice(-4000));
      console.error(
        t.logLines.filter((l) => !l.includes('"request"') || l.includes("/remote"))
          .join("\n").slice(-4000),
      );
      throw error;
    } finally {
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill("SIGTERM");
          await (agent as Deno.ChildProcess).status;
        } catch {
          // gone already
        }
      }
      try {
        xterm.kill("SIGKILL");
        await xterm.status;
      } catch {
        // gone already
      }
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true });
    }
  },
});
