/**
 * LAN connect end to end, through the real parts and only loopback: the real agent runs as a
 * service with unattended access (its generated unit's command) on Xvfb, told by the
 * test-only RESCUE_LAN_TEST_NETWORKS to scan 127.0.0.1/32; OpenSSH's server listens on
 * 127.0.0.1:22 with a throwaway account. A technician in Chromium opens "Computers on this
 * network", scans — 127.0.0.1 appears with SSH — opens Connect: the host key's fingerprint is
 * the server's own; a wrong password is said in words and leaves nothing on the host; the
 * right one pushes the portable support app over SSH and starts it with a new session's PIN:
 * the session is in the technician's queue and the pushed app is connected to it.
 * Screenshots of the scan list and the Connect dialog at 1366×768 and 1920×1080 into
 * LAN_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { agentCommand, SystemdInstaller, unitCommand } from "../../agent/unattended/installer.ts";
import { localSshd, throwawayUser } from "../../agent/unattended/sshd_test_support.ts";
import { deviceWithGrant } from "../../modules/unattended/test_fixtures.ts";
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
    "e2e: LAN connect scans 127.0.0.1, refuses a wrong password, pushes the support app over SSH",
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
    try {
      const ann = await technician(t, {
        permissions: ["unattendedAccess", "lanConnect", "startPrivate", "methodPin"],
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
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");
        await tech.goto(`${base}/console/computers`);
        const link = tech.locator(`tr[data-computer="${device.id}"] a[data-lan-link]`);
        await link.waitFor({ timeout: 30_000 });
        await clickAndWait(tech, `tr[data-computer="${device.id}"] a[data-lan-link]`);
        await tech.getByRole("heading", { name: "Computers on this network — office-pc" })
          .waitFor();
        await tech.click("button[data-lan-scan]");
        const row = tech.locator('tr[data-lan-host="127.0.0.1"]');
        await row.waitFor({ timeout: 20_000 });
        await tech.locator('[data-lan-ended="done"]').waitFor({ timeout: 20_000 });
        assert.equal(await row.getAttribute("data-ssh"), "1");
        assert.match(await row.textContent() ?? "", /127\.0\.0\.1.*localhost.*22 \(SSH\)/s);
        await tech.screenshot({ path: `${SHOTS}/lan_scan_1366x768.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/lan_scan_1920x1080.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });
        step("the scan found 127.0.0.1 with SSH open");

        await tech.click('button[data-lan-connect="127.0.0.1"]');
        const fingerprint = tech.locator("[data-lan-fingerprint]");
        await fingerprint.waitFor({ timeout: 20_000 });
        assert.equal((await fingerprint.textContent())?.trim(), await hostFingerprint());
        await tech.fill("#lan-user", account.name);
        await tech.fill("#lan-password", "not-the-password");
        await tech.check('input[name="acceptKey"]');
        await tech.screenshot({ path: `${SHOTS}/lan_connect_1366x768.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/lan_connect_1920x1080.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });
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

        await tech.fill("#lan-password", PASSWORD);
        await tech.check('input[name="acceptKey"]');
        await tech.click("button[data-lan-push]");
        const pushed = tech.locator("[data-lan-pushed]");
        await pushed.waitFor({ timeout: 120_000 });
        const sessionId = await pushed.getAttribute("data-lan-pushed");
        assert.match(await pushed.textContent() ?? "", /The support app was started on localhost/);
        // The pushed app joins with the PIN: the session's customer side connects.
        const deadline = Date.now() + 90_000;
        let session = null;
        while (Date.now() < deadline) {
          [session] = await t.deps.db.select().from(supportSessions)
            .where(eq(supportSessions.id, sessionId!));
          if (session?.customerState === "connected") break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        assert.equal(session?.customerState, "connected", "the pushed support app connected");
        const [entry] = await t.deps.db.select().from(queueEntries).where(
          and(eq(queueEntries.sessionId, sessionId!), eq(queueEntries.userId, ann.id)),
        );
        assert.ok(entry, "in the technician's queue");
        assert.ok(["waiting", "connecting"].includes(entry.status), entry.status);
        const log = (await readLog(t.deps.db, sessionId!)).map((line) => line.body);
        assert.ok(log.includes("log.lanPushStarted") && log.includes("log.lanPushed"), log.join());
        assert.equal((await leftByPush()).length, 1, "the app's one folder on the host");
        await tech.screenshot({ path: `${SHOTS}/lan_pushed_1366x768.png` });
        step("the right password: the pushed app connected with the session's PIN");
        assert.ok(!serviceSaid.includes(PASSWORD), "the password is in none of its output");
      });
    } finally {
      try {
        (service as Deno.ChildProcess | null)?.kill("SIGKILL");
      } catch { /* gone */ }
      await account.remove();
      await t.close();
      await sshd.stop();
      await xvfb.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
