/**
 * LAN connect end to end, through the real parts and only loopback: the real agent runs as a
 * service with unattended access (its generated unit's command) on Xvfb, told by the
 * test-only RESCUE_LAN_TEST_NETWORKS to scan 127.0.0.1/32; OpenSSH's server listens on
 * 127.0.0.1:22 with a throwaway account. A technician in Chromium opens "Computers on this
 * network", scans — 127.0.0.1 appears with SSH — opens Connect: the host key's fingerprint is
 * the server's own; a wrong password is said in words and leaves nothing on the host, and the
 * key accepted with it is remembered. The right one pushes the portable support app over SSH
 * and starts it with a new session's PIN: while the account has no desktop, the app connects
 * and the queue and the log say in words that no desktop was found for that user. Then the
 * account gets an X display of its own (Xvfb run as that user with an -auth cookie, 1024×640,
 * unlike the service's 1280×720): a second Connect says the key is the one Ann accepted, the
 * pushed app finds that display, and the technician's remote view receives its 1024×640
 * picture. A remembered key made different shows the changed-key warning. Screenshots at
 * 1366×768 and 1920×1080 into LAN_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { and, eq } from "drizzle-orm";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { agentCommand, SystemdInstaller, unitCommand } from "../../agent/unattended/installer.ts";
import { localSshd, throwawayUser, userXvfb } from "../../agent/unattended/sshd_test_support.ts";
import { deviceWithGrant } from "../../modules/unattended/test_fixtures.ts";
import { lanHostKeys } from "../../modules/unattended/schema.ts";
import { queueRow, startFromQueue } from "../support/agent_e2e.ts";
import { queueEntries, readLog, supportSessions } from "../../modules/support/mod.ts";

const SHOTS = Deno.env.get("LAN_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);
const PASSWORD = "Lan-pässword 7!";

async function hostFingerprint(): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-l", "-E", "sha256", "-f", "/etc/ssh/ssh_host_ed25519_key.pub"],
    stdout: "piped",
  }).output();
  return /SHA256:\S+/.exec(new TextDecoder().decode(out.stdout))![0];
}

const OTHER_KEY = "SHA256:" + "Q".repeat(42) + "c";
/** The pushed app's `mktemp -d` folder (not an X server's lock file of the user's display). */
const isPushFolder = (path: string) => /\/rescue-support\.[A-Za-z0-9]+$/.test(path);

/** Screenshots at 1366×768 and 1920×1080 into SHOTS, back at 1366×768 after. */
async function shots(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}_1366x768.png` });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${SHOTS}/${name}_1920x1080.png` });
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** The address of the pushed app's own window, from its output on the host. */
async function pageOf(logFile: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const page = /PAGE (\S+)/.exec(await Deno.readTextFile(logFile).catch(() => ""))?.[1];
    if (page) return page;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no PAGE line in ${logFile}: ${await Deno.readTextFile(logFile).catch(String)}`);
}

async function ownedBy(user: string): Promise<string[]> {
  const out = await new Deno.Command("find", {
    args: ["/tmp", "-maxdepth", "1", "-user", user],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
}

Deno.test({
  name:
    "e2e: LAN connect scans 127.0.0.1, refuses a wrong password, pushes the support app over SSH to the user's own display, remembers the key",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const sshd = await localSshd();
    const account = await throwawayUser(PASSWORD);
    // What a removed account with the same uid left in /tmp (another test's desktop session's
    // ssh-agent folder, say) is not this push's: only what appears from now on counts.
    const before = new Set(await ownedBy(account.name));
    const leftByPush = async () => (await ownedBy(account.name)).filter((p) => !before.has(p));
    const t = await startTestApp();
    const root = await Deno.makeTempDir({ prefix: "rescue-lan-e2e-" });
    let service: Deno.ChildProcess | null = null;
    let serviceSaid = "";
    let stopDesktop = () => Promise.resolve();
    let pushedFirst: string | undefined;
    const sessionRow = async (id: string) =>
      (await t.deps.db.select().from(supportSessions).where(eq(supportSessions.id, id)))[0];
    try {
      const ann = await technician(t, {
        name: "Ann",
        permissions: ["unattendedAccess", "lanConnect", "startPrivate", "methodPin", "desktopView"],
      });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const stateDir = `${root}/var/lib/rescue-agent`;
        const { device } = await deviceWithGrant(t, ann, {
          dir: stateDir,
          name: "office-pc",
          window: { kind: "unlimited" },
        });
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
          env: {
            ...env,
            LANG: "en_US.UTF-8",
            HOME: root,
            RESCUE_LAN_TEST_NETWORKS: "127.0.0.1/32",
          },
          stdout: "piped",
          stderr: "piped",
        }).spawn();
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
        /** Connect → the push went through: its session, connected with the pushed app. */
        const pushed = async (page: typeof tech) => {
          await page.click("button[data-lan-push]");
          const done = page.locator("[data-lan-pushed]");
          await done.waitFor({ timeout: 120_000 });
          const id = (await done.getAttribute("data-lan-pushed"))!;
          assert.match(await done.textContent() ?? "", /The support app was started on localhost/);
          const deadline = Date.now() + 90_000;
          while (Date.now() < deadline && (await sessionRow(id)).customerState !== "connected") {
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
          assert.equal((await sessionRow(id)).customerState, "connected", "the app connected");
          const [entry] = await t.deps.db.select().from(queueEntries).where(
            and(eq(queueEntries.sessionId, id), eq(queueEntries.userId, ann.id)),
          );
          assert.ok(entry, "in the technician's queue");
          if (!pushedFirst) {
            pushedFirst = (await leftByPush()).filter(isPushFolder)[0];
          }
          return id;
        };
        /** Scan again (127.0.0.1 only) and open its Connect dialog. */
        const openConnect = async (page: typeof tech) => {
          if (!page.url().endsWith("/lan")) {
            await page.goto(`${base}/console/computers/${device.id}/lan`);
          }
          await page.click("button[data-lan-scan]");
          await page.locator('[data-lan-ended="done"]').waitFor({ timeout: 20_000 });
          await page.click('button[data-lan-connect="127.0.0.1"]');
          await page.locator("[data-lan-fingerprint]").waitFor({ timeout: 20_000 });
        };
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");
        await tech.goto(`${base}/console/computers`);
        const link = tech.locator(`tr[data-computer="${device.id}"] a[data-lan-link]`);
        await link.waitFor({ timeout: 30_000 });
        await shots(tech, "lan_computers");
        await clickAndWait(tech, `tr[data-computer="${device.id}"] a[data-lan-link]`);
        await tech.getByRole("heading", { name: "Computers on this network — office-pc" })
          .waitFor();
        await tech.click("button[data-lan-scan]");
        const row = tech.locator('tr[data-lan-host="127.0.0.1"]');
        await row.waitFor({ timeout: 20_000 });
        await tech.locator('[data-lan-ended="done"]').waitFor({ timeout: 20_000 });
        assert.equal(await row.getAttribute("data-ssh"), "1");
        assert.match(await row.textContent() ?? "", /127\.0\.0\.1.*localhost.*22 \(SSH\)/s);
        await shots(tech, "lan_scan");
        step("the scan found 127.0.0.1 with SSH open");

        await tech.click('button[data-lan-connect="127.0.0.1"]');
        const fingerprint = tech.locator("[data-lan-fingerprint]");
        await fingerprint.waitFor({ timeout: 20_000 });
        assert.equal((await fingerprint.textContent())?.trim(), await hostFingerprint());
        assert.equal(await tech.locator("[data-lan-key]").count(), 0, "no key remembered yet");
        await tech.fill("#lan-user", account.name);
        await tech.fill("#lan-password", "not-the-password");
        await tech.check('input[name="acceptKey"]');
        await shots(tech, "lan_connect");
        step("Connect shows the host's own key fingerprint");

        await tech.click("button[data-lan-push]");
        const error = tech.locator("[data-lan-error]");
        await error.waitFor({ timeout: 30_000 });
        assert.match(
          await error.textContent() ?? "",
          /The host refused this user name or password\. Nothing was copied\./,
        );
        assert.deepEqual(await leftByPush(), [], "nothing left on the host");
        const [failed] = await t.deps.db.select().from(supportSessions)
          .where(eq(supportSessions.method, "lan"));
        assert.ok(failed.endedAt, "the failed push's session is over");
        await tech.screenshot({ path: `${SHOTS}/lan_connect_refused_1366x768.png` });
        step("a wrong password: said in words, nothing left behind");

        // The key accepted with it is remembered: the dialog asks no acceptance again.
        await tech.locator('[data-lan-key="same"]').waitFor();
        assert.equal(await tech.locator('input[name="acceptKey"]').count(), 0);
        // The user has no desktop yet: the app connects for chat and files, and says so.
        await tech.fill("#lan-password", PASSWORD);
        const first = await pushed(tech);
        const noScreen = await sessionRow(first);
        assert.deepEqual(noScreen.noDesktop, { reason: "noUserDisplay", user: account.name });
        const log = (await readLog(t.deps.db, first)).map((line) => line.body);
        assert.ok(log.includes("log.lanPushStarted") && log.includes("log.lanPushed"), log.join());
        assert.ok(log.includes("log.noDesktop.noUserDisplay"), log.join());
        assert.equal(
          (await leftByPush()).filter(isPushFolder).length,
          1,
          "the app's one folder on the host",
        );
        await tech.goto(`${base}/console`);
        const said = tech.locator(`${queueRow(first)} .no-desktop`);
        await said.waitFor();
        assert.equal((await said.textContent())?.trim(), "No screen");
        assert.match(
          await said.getAttribute("title") ?? "",
          new RegExp(`found no desktop of the user ${account.name} on this computer`),
        );
        await shots(tech, "lan_no_desktop_queue");
        step("no desktop of the SSH user: connected, and the queue and the log say so");

        // The user's desktop: an X display of theirs, cookie and all. A second Connect: the
        // key is the one accepted before, by Ann; the pushed app shares THAT display.
        const desktop = await userXvfb(account, { width: 1024, height: 640 });
        stopDesktop = desktop.stop;
        await openConnect(tech);
        const same = tech.locator('[data-lan-key="same"]');
        await same.waitFor();
        assert.match(await same.textContent() ?? "", /accepted before[^]*Accepted by Ann/);
        assert.equal(await tech.locator('input[name="acceptKey"]').count(), 0);
        await tech.fill("#lan-user", account.name);
        await tech.fill("#lan-password", PASSWORD);
        await shots(tech, "lan_key_remembered");
        step("a second Connect: the key is said to be the one Ann accepted");
        const second = await pushed(tech);
        const folder = (await leftByPush()).filter(isPushFolder).find((p) => p !== pushedFirst);
        assert.equal(
          (await sessionRow(second)).noDesktop,
          null,
          `a desktop was found: ${await Deno.readTextFile(`${folder}/support-app.log`)}`,
        );
        const appPage = await pageOf(`${folder}/support-app.log`);
        await tech.goto(`${base}/console`);
        const workspace = await startFromQueue(tech, second);
        await workspace.locator(".remote-view .rv-view").click();
        const appWindow = await newPage();
        await appWindow.goto(appPage);
        await appWindow.locator("#allow-view").click();
        await tech.waitForFunction(
          ({ width, height }) => {
            const video = document.querySelector<HTMLVideoElement>(".rv-video");
            return Boolean(video && video.videoWidth === width && video.videoHeight === height);
          },
          { width: 1024, height: 640 },
          { timeout: 60_000 },
        );
        await shots(tech, "lan_pushed_view");
        step("the pushed app shares the SSH user's own display (1024×640): the picture arrives");

        // The first session (no desktop): its workspace says so above the view, in words.
        const blind = await startFromQueue(tech, first);
        const note = blind.locator(".rv-no-desktop");
        await note.waitFor();
        assert.match(
          await note.textContent() ?? "",
          new RegExp(`found no desktop of the user ${account.name} on this computer`),
        );
        // …and offers nothing on screen: no Start desktop view, Remote control or drawing.
        await blind.locator(".rv-no-screen").waitFor();
        for (const offer of [".rv-view", ".rv-control", ".rv-whiteboard-bar", ".rv-stage"]) {
          assert.equal(await blind.locator(offer).first().isVisible(), false, `${offer} offered`);
        }
        await shots(tech, "lan_no_desktop_workspace");
        step("the workspace of the session without a desktop says why and offers no view");

        // The host's key changed (here: the remembered one made different): a plain warning,
        // the old key shown, and a new explicit acceptance required.
        await t.deps.db.update(lanHostKeys).set({ fingerprint: OTHER_KEY })
          .where(eq(lanHostKeys.address, "127.0.0.1"));
        await tech.goto(`${base}/console/computers/${device.id}/lan`);
        await openConnect(tech);
        const changed = tech.locator('[data-lan-key="changed"]');
        await changed.waitFor();
        assert.match(await changed.textContent() ?? "", /this host's key has changed/);
        assert.equal(
          (await tech.locator("[data-lan-old-fingerprint]").textContent())?.trim(),
          OTHER_KEY,
        );
        assert.equal(await tech.locator('input[name="acceptKey"][required]').count(), 1);
        await shots(tech, "lan_key_changed");
        step("a changed key: warned plainly, acceptance asked again");
        assert.ok(!serviceSaid.includes(PASSWORD), "the password is in none of its output");
      });
    } finally {
      try {
        (service as Deno.ChildProcess | null)?.kill("SIGKILL");
      } catch { /* gone */ }
      await stopDesktop().catch(() => {});
      await account.remove();
      await t.close();
      await sshd.stop();
      await xvfb.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
