/**
 * Computers end to end, lean: the real agent runs as a service (its generated unit's command)
 * on an Xvfb desktop, a technician in Chromium finds the computer online in Computers,
 * connects with nobody present — typing the customer's OS credentials in the Connect form
 * (the grant asks for them at every connection), which the service types into the login
 * screen (a stand-in greeter: an xterm running a script named like LightDM's that writes what
 * it read to a file) — sees the remote picture of that desktop in the new session's
 * workspace, removes access for everyone — and the next Connect is refused with the reason.
 * Screenshots of Computers at 1366×768 and 1920×1080 into UNATTENDED_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import {
  agentCommand,
  EXIT_NOT_SET_UP,
  SystemdInstaller,
  unitCommand,
} from "../../agent/unattended/installer.ts";
import { deviceWithGrant } from "../../modules/unattended/test_fixtures.ts";
import { readLog } from "../../modules/support/mod.ts";
import { greeterLock, standInGreeter } from "../../agent/unattended/greeter_test_support.ts";

const SHOTS = Deno.env.get("UNATTENDED_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);
const OS_PASSWORD = "Pw at-Connect-é!7";

/** A POST from the technician's page with its CSRF token (what a stale Connect button sends). */
function post(page: Page, path: string) {
  return page.evaluate(async (path) => {
    const token = JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRF-Token"];
    const res = await fetch(path, {
      method: "POST",
      headers: { "X-CSRF-Token": token },
      body: new URLSearchParams({}),
    });
    return { status: res.status, text: await res.text() };
  }, path);
}

Deno.test({
  name:
    "e2e: Computers lists the service online → Connect shows its desktop → Remove access → Connect refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const t = await startTestApp();
    const root = await Deno.makeTempDir({ prefix: "rescue-computers-e2e-" });
    let service: Deno.ChildProcess | null = null;
    let serviceSaid = "";
    let greeter: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, {
        permissions: ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"],
      });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const stateDir = `${root}/var/lib/rescue-agent`;
        const { device } = await deviceWithGrant(t, ann, { dir: stateDir, name: "reception-pc" });
        const unit = await Deno.readTextFile(
          await new SystemdInstaller(root).install({
            server: base,
            stateDir,
            command: agentCommand(),
            display: xvfb.display,
          }),
        );
        const { argv, env } = unitCommand(unit);
        service = new Deno.Command(argv[0], {
          args: argv.slice(1),
          env: { ...env, LANG: "en_US.UTF-8", HOME: root },
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        // Everything the service says, to look for the password in afterwards.
        for (const stream of [service.stdout, service.stderr]) {
          stream.pipeThrough(new TextDecoderStream()).pipeTo(
            new WritableStream({
              write(chunk) {
                serviceSaid += chunk;
                if (Deno.env.get("E2E_VERBOSE")) console.error(chunk.trimEnd());
              },
            }),
          ).catch(() => {});
        }

        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");
        await tech.click('a[href="/console/computers"]');
        const row = tech.locator(`tr[data-computer="${device.id}"]`);
        // The list refreshes itself every few seconds: the service comes online there.
        await tech.locator(`tr[data-computer="${device.id}"][data-online="1"]`).waitFor({
          timeout: 30_000,
        });
        assert.match(await row.textContent() ?? "", /reception-pc.*linux.*Online.*Now/s);
        assert.match(await row.textContent() ?? "", /Mon, Tue, Wed, Thu, Fri, 09:00–17:00/);
        // Said, not left out: the X11 login screen is shown, nobody is signed in on it for you.
        assert.equal(
          await row.locator("[data-login-screen]").textContent(),
          "Login screen: shown on X11; the credentials are typed into it",
        );
        await tech.screenshot({ path: `${SHOTS}/computers_1366x768.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/computers_1920x1080.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });
        step("Computers lists the computer online");

        // The login screen, and the customer's OS credentials typed at Connect.
        const standIn = await standInGreeter(xvfb.display, root);
        greeter = standIn.child;
        await row.locator("details.sign-in summary").click();
        await tech.screenshot({ path: `${SHOTS}/computers_sign_in_1366x768.png` });
        await row.locator('input[name="osUser"]').fill("anne");
        await row.locator('input[name="osPassword"]').fill(OS_PASSWORD);
        await clickAndWait(tech, `button[data-connect="${device.id}"]`);
        assert.match(tech.url(), /\/console\?open=/);
        const sessionId = new URL(tech.url()).searchParams.get("open")!;
        const closed = tech.getByText(
          "The user name and password were typed into the login screen (LightDM GTK) and it " +
            "closed: the computer is signing in.",
        ).first();
        await closed.waitFor({ timeout: 30_000 });
        assert.equal(await Deno.readTextFile(standIn.read), `anne\n${OS_PASSWORD}\n`);
        assert.deepEqual(
          (await readLog(t.deps.db, sessionId)).map((line) => line.body).filter((body) =>
            body.startsWith("log.unattendedSignIn.")
          ),
          ["log.unattendedSignIn.signing_in", "log.unattendedSignIn.greeter_closed"],
        );
        await tech.screenshot({ path: `${SHOTS}/computers_signed_in_1366x768.png` });
        step("the service typed the credentials into the login screen; the log says it closed");
        const view = tech.locator(`.remote-view[data-session="${sessionId}"]`);
        await view.waitFor({ timeout: 20_000 });
        await view.locator(".rv-control").click();
        await tech.waitForFunction(
          (id) => {
            const video = document.querySelector<HTMLVideoElement>(
              `.remote-view[data-session="${id}"] .rv-video`,
            );
            return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
          },
          sessionId,
          { timeout: 40_000 },
        );
        step("connected with nobody present: the Xvfb desktop's picture plays");

        await tech.goto(`${base}/console/computers`);
        await row.locator("details.remove-access summary").click();
        await clickAndWait(tech, `${"tr"}[data-computer="${device.id}"] [data-remove=everyone]`);
        await tech.locator("[data-computers-empty]").waitFor();
        const again = await post(tech, `/console/computers/${device.id}/connect`);
        assert.equal(again.status, 409);
        assert.match(again.text, /Unattended access to this computer was removed/);
        step("access removed; the next Connect is refused with the reason");
        const status = await (service as Deno.ChildProcess).status;
        assert.equal(
          status.code,
          EXIT_NOT_SET_UP,
          "the service stopped for good: its device was removed",
        );
        service = null;
        assert.match(serviceSaid, /login screen: LightDM GTK greeter \(process \d+\)/);
        assert.ok(!serviceSaid.includes(OS_PASSWORD), "the password is in none of its output");
      });
    } finally {
      for (const child of [service, greeter] as (Deno.ChildProcess | null)[]) {
        try {
          child?.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await (greeter as Deno.ChildProcess | null)?.status;
      await t.close();
      await xvfb.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
