// Over 400 lines: one browser walk over every System sub-tab in Windows words (and a Linux snapshot in Linux words) shares one server, socket and Chromium; split, each part would start them again.
// The System tab for a Windows customer, in Chromium: an agent socket that says hello as Windows
// answers with what windowsSystem() really read under Wine (testdata/windows_wine.json, from
// agent/system/windows/windows_system_fixture.ts all). Every sub-tab speaks Windows: Windows
// version, Page file, drives; Services' Status and Startup type (Running, Automatic), no systemd
// Active column; programs from the registry; the profile folder and RID; drivers' Status; the
// programs that start with Windows, services that start automatically, Task Scheduler; Event
// Viewer's levels — and none of the Linux words (Kernel, Swap, units, cron, packages, priority).
// Services offer what each one's state allows (Wine's PlugPlay Stop/Restart, Eventlog — no
// SERVICE_ACCEPT_STOP — neither, the Disabled LanmanServer no Start, each with its reason); Stop
// reaches the agent and the row then shows Stopped with Start; what the list does not allow is
// refused by the server in words (nothing asked), the agent's own refusal shown in its words;
// a name that is none is refused with nothing sent. A Linux customer's units likewise
// (CanStop=no, masked). A Linux customer (testdata/linux_debian.json, linuxSystem() in this
// container) keeps the Linux words. The Save-as-text export follows the same rule.
// Screenshots at 1366×768 and 1920×1080 go to $SHOTS_DIR (default /tmp/shots/winsys).
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, nextOp, withServer } from "../../tests/support/sockets.ts";
import { browserTest, signInPage, withBrowser } from "../../tests/support/browser.ts";
import { SYSTEM_OPS } from "../../protocol/system.ts";
import { translator } from "../i18n/mod.ts";
import { type FullSnapshot, snapshotText } from "./export.ts";

const WINE = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/windows_wine.json", import.meta.url)),
);
const LINUX = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/linux_debian.json", import.meta.url)),
);
const SHOTS = Deno.env.get("SHOTS_DIR") ?? "/tmp/shots/winsys";

// Wine keeps no programs, Run entries nor event log records: one of each is added here, in
// the shapes windowsSystem() gives them (windows_system_test adds the same with reg add).
const RUN_KEY = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
const APPLICATIONS = {
  sources: [{ source: "registry", status: { available: true, value: { count: 1 } } }],
  apps: [{
    source: "registry",
    name: "Rescue QA Tool",
    version: "4.2.1",
    summary: "QA Publisher",
    sizeBytes: 2_097_152,
  }],
  truncated: false,
};
const STARTUP = {
  ...WINE.startup,
  // The two tasks windows_system_test makes under Wine, as windowsSystem() read them.
  tasks: {
    available: true,
    value: [
      {
        name: "\\Rescue QA\\Tray Helper",
        command: '"C:\\Program Files\\QA\\updater.exe" --check',
        triggers: ["logon", "boot"],
        enabled: false,
      },
      { name: "\\RescueQAUpdater", command: "", triggers: [], enabled: true },
    ],
  },
  autostart: {
    available: true,
    value: [{
      name: "RescueQATray",
      command: "C:\\QA\\tray.exe --quiet",
      file: RUN_KEY,
      enabled: true,
    }],
  },
};
const EVENTS = {
  ...WINE.events,
  entries: [
    {
      time: "2026-12-06T21:00:00.000Z",
      priority: 3,
      source: "Service Control Manager",
      message: "The Spooler service terminated unexpectedly.",
    },
    {
      time: "2026-12-06T20:59:00.000Z",
      priority: 4,
      source: "Tcpip",
      message: "A duplicate name has been detected on the network.",
    },
  ],
};

/** The words of a Linux customer's screen a Windows customer's must not show. */
const LINUX_WORDS =
  /Kernel|Swap|Mounted on|Device|Load \(1, 5, 15 min\)|systemd|Unit|cron|Autostart entries|[Pp]ackage|\binactive\b|\bactive\b|Active|Module|Used by|Effective capabilities|Shell|Home folder|User id|Group id|Priority|more urgent|Emergency|Notice|Debug/;

async function headers(view: Locator): Promise<string[]> {
  return (await view.locator("th").allTextContents()).map((h) => h.trim());
}

interface SystemTab {
  ann: Awaited<ReturnType<typeof technician>>;
  session: Awaited<ReturnType<typeof workingSession>>;
  agent: Awaited<ReturnType<typeof agentSocket>>;
  answer: (kind: string, result: unknown) => ReturnType<typeof nextOp>;
  page: Page & { errors: string[] };
  sysinfo: Locator;
  tab: (view: string, kind: string, result: unknown, ready: string) => Promise<Locator>;
}

/** The console's System tab on a session whose agent says hello as `os`. */
async function openSystemTab(
  t: Parameters<Parameters<typeof browserTest>[1]>[0],
  port: number,
  os: "windows" | "linux",
  fn: (run: SystemTab) => Promise<void>,
) {
  const ann = await technician(t, { name: "Ann" });
  const session = await workingSession(t, ann);
  const agent = await agentSocket(port);
  const hello = agentHello(session.token);
  agent.send({ ...hello, os } as typeof hello);
  await agent.next((m) => m.type === "welcome");
  const about = await nextOp(agent, "agent.about");
  const ops = SYSTEM_OPS.map((s) => s.kind);
  agent.send({ type: "opDone", id: about.id, json: JSON.stringify({ os, ops }) });
  agent.send({ type: "consent", capability: "systemInfo", granted: true });
  const answer = async (kind: string, result: unknown) => {
    const op = await nextOp(agent, kind, 20_000);
    agent.send({ type: "opDone", id: op.id, json: JSON.stringify(result) });
    return op;
  };
  await withBrowser(t, async ({ base, newPage }) => {
    const page = await newPage();
    await page.setViewportSize({ width: 1366, height: 768 });
    await signInPage(page, base, ann.email, TECH_PASSWORD);
    await page.goto(`${base}/console`);
    await page.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
    const workspace = page.locator(`#session-${session.id}`);
    await workspace.locator('[role=tab][data-tool="system"]').click();
    const sysinfo = workspace.locator(`[data-sysinfo="${session.id}"]`);
    /** A sub-tab opened and answered with `result`: its view once `ready` shows. */
    const tab = async (view: string, kind: string, result: unknown, ready: string) => {
      await sysinfo.locator(`[role=tab][data-view="${view}"]`).click();
      await answer(kind, result);
      const shown = sysinfo.locator(`[data-view="${view}"]:not([role=tab])`);
      await shown.locator(ready).first().waitFor({ timeout: 20_000 });
      return shown;
    };
    await fn({ ann, session, agent, answer, page, sysinfo, tab });
  });
  agent.ws.close();
}

async function shots(page: Page, name: string) {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.screenshot({ path: `${SHOTS}/${name}_1366x768.png`, fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${SHOTS}/${name}_1920x1080.png`, fullPage: true });
}

browserTest("the System tab speaks Windows to a Windows customer, on every sub-tab", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  await withServer(t, async (port) => {
    await openSystemTab(
      t,
      port,
      "windows",
      async ({ ann, session, agent, answer, page, sysinfo, tab }) => {
        await answer("system.snapshot", WINE.snapshot);
        const dashboard = sysinfo.locator('[data-view="dashboard"]:not([role=tab])');
        await dashboard.locator('[data-fact="os"]').waitFor({ timeout: 20_000 });
        const s = WINE.snapshot;
        assert.equal(await dashboard.locator('[data-fact="os"]').textContent(), s.os.value.name);
        assert.equal(
          await dashboard.locator('[data-fact="kernel"]').textContent(),
          s.kernel.value.release,
        );
        assert.equal(await dashboard.locator('[data-fact="load"]').count(), 0, "no load average");
        const text = (await dashboard.textContent()) ?? "";
        assert.match(text, /C:\\/);
        assert.match(text, /deno_wine8\.exe/);
        assert.match(text, /the support app does not read it on this system yet/);
        assert.match(text, /This system keeps it in Task Scheduler\./);
        const facts = await dashboard.locator("dt").allTextContents();
        assert.ok(facts.includes("Windows version"), facts.join("|"));
        assert.ok(facts.includes("Page file"), facts.join("|"));
        const disks = await headers(dashboard.locator('[data-card="disks"]'));
        assert.deepEqual(disks.slice(0, 3), ["Drive", "Volume", "File system"]);
        const drive = await dashboard.locator('[data-card="disks"] tbody tr').first().textContent();
        assert.match(drive ?? "", /^C:\\Local DiskNTFS/);
        assert.ok((await headers(dashboard.locator('[data-card="top"]'))).includes("Command line"));
        assert.doesNotMatch(text, LINUX_WORDS);
        assert.deepEqual(page.errors, []);
        await shots(page, "windows_dashboard");

        const processes = await tab(
          "processes",
          "system.processes",
          WINE.processes,
          "text=services.exe",
        );
        const processHeads = await headers(processes);
        assert.ok(processHeads.includes("Command line"), processHeads.join("|"));
        assert.ok(!processHeads.includes("Command"));

        // Services: as Windows's Services shows them; an action on one reaches the agent as it is.
        const services = await tab("services", "system.services", WINE.services, "text=PlugPlay");
        assert.deepEqual(await headers(services), [
          "Service name",
          "Status",
          "Startup type",
          "Display name",
          "Actions",
        ]);
        const plugPlay = services.locator("tr", { hasText: "PlugPlay" });
        assert.match(
          (await plugPlay.textContent()) ?? "",
          /PlugPlayRunningAutomaticPlug and Play Service/,
        );
        const lanman = (await services.locator("tr", { hasText: "LanmanServer" }).textContent()) ??
          "";
        assert.match(lanman, /StoppedDisabled/);
        assert.doesNotMatch((await services.textContent()) ?? "", LINUX_WORDS);
        await shots(page, "windows_services");
        // What each row offers follows its state (and dwControlsAccepted, the start type).
        const offers = async (name: string) =>
          await services.locator(`[data-offers="${name}"] button`).evaluateAll((buttons) =>
            buttons.map((b) => {
              const button = b as HTMLButtonElement;
              return `${button.textContent}${button.disabled ? ` (${button.title})` : ""}`;
            })
          );
        assert.deepEqual(await offers("PlugPlay"), ["Stop", "Restart"]);
        assert.deepEqual(await offers("BITS"), ["Start"]);
        const noStop =
          "Eventlog does not accept a stop request, so it cannot be stopped or restarted.";
        assert.deepEqual(await offers("Eventlog"), [`Stop (${noStop})`, `Restart (${noStop})`]);
        assert.deepEqual(await offers("LanmanServer"), [
          "Start (LanmanServer is disabled: it cannot be started until its startup type is changed.)",
        ]);
        page.once("dialog", (dialog) => dialog.accept());
        await plugPlay.locator("button", { hasText: "Stop" }).click();
        // The server reads the list first (the row allows Stop), then asks for it.
        await answer("system.services", WINE.services);
        const op = await answer("system.serviceAction", {
          unit: "PlugPlay",
          action: "stop",
          active: "inactive",
        });
        assert.deepEqual([op.request.unit, op.request.action], ["PlugPlay", "stop"]);
        const after = structuredClone(WINE.services);
        Object.assign(after.value.find((r: { name: string }) => r.name === "PlugPlay"), {
          active: "inactive",
          sub: "stopped",
          canStop: false,
        });
        await answer("system.services", after);
        const notice = sysinfo.locator(".sysinfo-notice");
        await notice.waitFor({ timeout: 20_000 });
        assert.equal(await notice.textContent(), "PlugPlay is now Stopped.");
        // The row as it is now: Stopped, offering Start.
        assert.match((await plugPlay.textContent()) ?? "", /PlugPlayStoppedAutomatic/);
        assert.deepEqual(await offers("PlugPlay"), ["Start"]);
        await shots(page, "windows_services_stopped");
        // A stale page: BITS started meanwhile. The server's fresh list refuses Start in words,
        // shown above the list as it is now (Running, offering Stop and Restart).
        const bitsRunning = structuredClone(after);
        Object.assign(bitsRunning.value.find((r: { name: string }) => r.name === "BITS"), {
          active: "active",
          sub: "running",
          canStop: true,
        });
        page.once("dialog", (dialog) => dialog.accept());
        await services.locator('[data-offers="BITS"] button', { hasText: "Start" }).click();
        await answer("system.services", bitsRunning);
        await answer("system.services", bitsRunning);
        const refusedNotice = sysinfo.locator(".sysinfo-notice.error[role=alert]");
        await refusedNotice.waitFor({ timeout: 20_000 });
        assert.equal(await refusedNotice.textContent(), "BITS is already running.");
        assert.deepEqual(await offers("BITS"), ["Stop", "Restart"]);
        await shots(page, "windows_services_refused");
        // The refusal's status (409) is Chromium's only console line.
        assert.deepEqual(page.errors.splice(0), [
          "console: Failed to load resource: the server responded with a status of 409 (Conflict)",
        ]);

        // A request the list says is impossible (a stale page, a hand-made form): refused in
        // words before the customer is asked, the list shown as it is.
        const client = t.client();
        assert.equal((await client.signIn(ann.email, TECH_PASSWORD)).status, 303);
        const actionPath = `/console/sessions/${session.id}/system/services/action`;
        for (
          const [unit, action, words] of [
            ["Eventlog", "stop", noStop],
            ["LanmanServer", "start", "LanmanServer is disabled: it cannot be started"],
            ["BITS", "stop", "BITS is not running."],
            ["PlugPlay", "start", "PlugPlay is already running."],
            ["GoneQA", "stop", "GoneQA is no longer among the computer's services."],
          ]
        ) {
          const sent = client.post(actionPath, { unit, action });
          await answer("system.services", WINE.services);
          await answer("system.services", WINE.services);
          const res = await sent;
          assert.equal(res.status, 409, unit);
          const body = (await res.text()).replaceAll("&#39;", "'");
          assert.ok(body.includes(words), `${unit}: ${body.slice(0, 300)}`);
          assert.match(body, /data-offers="PlugPlay"/, "the list below the reason");
        }
        // The agent's own refusal reaches the technician in its words, the list below it.
        const declined = client.post(actionPath, { unit: "BITS", action: "start" });
        await answer("system.services", WINE.services);
        const bitsOp = await nextOp(agent, "system.serviceAction", 20_000);
        agent.send({
          type: "opFailed",
          id: bitsOp.id,
          code: "failed",
          reason: "StartServiceW(BITS) failed (error 1058: it is disabled)",
        });
        await answer("system.services", WINE.services);
        const declinedRes = await declined;
        assert.equal(declinedRes.status, 409);
        assert.match(
          await declinedRes.text(),
          /It did not work: StartServiceW\(BITS\) failed \(error 1058: it is disabled\)/,
        );

        const apps = await tab(
          "applications",
          "system.applications",
          APPLICATIONS,
          "text=Rescue QA Tool",
        );
        const appsText = (await apps.textContent()) ?? "";
        assert.match(appsText, /Where the programs are listed/);
        assert.match(appsText, /Registry \(Uninstall keys\): 1 program/);
        assert.doesNotMatch(appsText, LINUX_WORDS);

        const user = await tab("user", "system.user", WINE.user, '[data-fact="user-name"]');
        const userFacts = await user.locator("dt").allTextContents();
        assert.deepEqual(userFacts, [
          "User name",
          "Full name",
          "Relative ID (RID)",
          "Profile folder",
          "Command processor (ComSpec)",
          "Administrator",
        ]);
        assert.deepEqual(await headers(user), ["Group", "Relative ID (RID)"]);
        assert.doesNotMatch((await user.textContent()) ?? "", LINUX_WORDS);

        const drivers = await tab("drivers", "system.drivers", WINE.drivers, "text=MountMgr");
        assert.deepEqual(await headers(drivers), ["Driver", "File version", "File size", "Status"]);
        // Wine's ksecdd.sys (registered by windows_system_test) has a version resource, its
        // mountmgr.sys none.
        assert.match(
          (await drivers.locator("tr", { hasText: "RescueQADriver" }).textContent()) ?? "",
          /^RescueQADriver10\.0\.14393\.187143.*Stopped$/,
        );
        assert.match(
          (await drivers.locator("tr", { hasText: "MountMgr" }).textContent()) ?? "",
          /^MountMgr—.*Running$/,
        );
        assert.doesNotMatch((await drivers.textContent()) ?? "", LINUX_WORDS);
        await shots(page, "windows_drivers");

        const startup = await tab("startup", "system.startup", STARTUP, "text=RescueQATray");
        assert.deepEqual(await startup.locator("h4").allTextContents(), [
          "Programs that start with Windows",
          "Services that start automatically",
          "Scheduled tasks",
        ]);
        const startupText = (await startup.textContent()) ?? "";
        assert.match(startupText, /RescueQATrayEnabled/);
        assert.match(startupText, /EventlogRunning/);
        // Task Scheduler's tasks: start-up ones first, triggers in Task Scheduler's words.
        const tasks = startup.locator("table").nth(2);
        assert.deepEqual(await headers(tasks), ["Name", "Triggers", "Status", "Command line"]);
        assert.deepEqual(
          (await tasks.locator("tbody tr").allTextContents()).map((r) => r.trim()),
          [
            '\\Rescue QA\\Tray HelperAt log on, At startupDisabled"C:\\Program Files\\QA\\updater.exe" --check',
            "\\RescueQAUpdaterNone (runs only when started)Enabled—",
          ],
        );
        assert.doesNotMatch(startupText, /does not read it on this system yet/);
        assert.doesNotMatch(startupText, LINUX_WORDS);
        await shots(page, "windows_startup");

        const events = await tab("events", "system.events", EVENTS, "text=Spooler");
        assert.deepEqual(await events.locator("select option").allTextContents(), [
          "Error and more severe",
          "Warning and more severe",
          "Information and more severe",
        ]);
        assert.ok((await headers(events)).includes("Level"));
        const levels = await events.locator("tbody tr td:nth-child(2)").allTextContents();
        assert.deepEqual(levels, ["Error", "Warning"]);
        assert.doesNotMatch((await events.textContent()) ?? "", LINUX_WORDS);
        assert.deepEqual(page.errors, []);

        // A name that is no Windows service's: refused on the server, in Windows's rule, nothing sent.
        const refused = await client.post(
          `/console/sessions/${session.id}/system/services/action`,
          {
            unit: "a\\b",
            action: "stop",
          },
        );
        assert.equal(refused.status, 422);
        assert.match(await refused.text(), /not a Windows service name/);
        await assert.rejects(
          agent.next((m) => m.type === "op", 300),
          /no matching frame/,
        );
      },
    );
  });
});

browserTest("the System tab keeps the Linux words for a Linux customer", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  await withServer(t, async (port) => {
    await openSystemTab(t, port, "linux", async ({ answer, page, sysinfo, tab }) => {
      await answer("system.snapshot", LINUX.snapshot);
      const dashboard = sysinfo.locator('[data-view="dashboard"]:not([role=tab])');
      await dashboard.locator('[data-fact="os"]').waitFor({ timeout: 20_000 });
      const facts = await dashboard.locator("dt").allTextContents();
      for (const word of ["Kernel", "Swap", "Load (1, 5, 15 min)"]) {
        assert.ok(facts.includes(word), `${word}: ${facts.join("|")}`);
      }
      const disks = await headers(dashboard.locator('[data-card="disks"]'));
      assert.deepEqual(disks.slice(0, 3), ["Mounted on", "Device", "Type"]);
      assert.ok((await headers(dashboard.locator('[data-card="top"]'))).includes("Command"));
      assert.doesNotMatch(
        (await dashboard.textContent()) ?? "",
        /Windows version|Page file|File system|Command line/,
      );
      assert.deepEqual(page.errors, []);
      await shots(page, "linux_dashboard");

      const user = await tab("user", "system.user", LINUX.user, '[data-fact="user-name"]');
      assert.deepEqual(await user.locator("dt").allTextContents(), [
        "User name",
        "Full name",
        "User id",
        "Home folder",
        "Shell",
        "Administrator",
        "Effective capabilities",
      ]);
      // systemd's words; the offers follow ActiveState and CanStart/CanStop (a disabled unit
      // may still be started by hand: only a masked one, or RefuseManualStart, may not).
      const unit = (name: string, active: string, sub: string, enabled: string, can: object) => ({
        name,
        description: name,
        load: enabled === "masked" ? "masked" : "loaded",
        active,
        sub,
        enabled,
        ...can,
      });
      const units = {
        available: true,
        value: [
          unit("cron.service", "active", "running", "enabled", { canStart: true, canStop: true }),
          unit("systemd-journald.service", "active", "running", "static", {
            canStart: true,
            canStop: false,
          }),
          unit("ssh.service", "inactive", "dead", "disabled", { canStart: true, canStop: false }),
          unit("bluetooth.service", "inactive", "dead", "masked", {
            canStart: false,
            canStop: false,
          }),
        ],
      };
      const services = await tab("services", "system.services", units, "text=cron.service");
      const offers = async (name: string) =>
        await services.locator(`[data-offers="${name}"] button`).evaluateAll((buttons) =>
          buttons.map((b) => {
            const button = b as HTMLButtonElement;
            return `${button.textContent}${button.disabled ? ` (${button.title})` : ""}`;
          })
        );
      assert.deepEqual(await offers("cron.service"), ["Stop", "Restart"]);
      const noStop =
        "systemd-journald.service does not accept a stop request, so it cannot be stopped or restarted.";
      assert.deepEqual(await offers("systemd-journald.service"), [
        `Stop (${noStop})`,
        `Restart (${noStop})`,
      ]);
      assert.deepEqual(await offers("ssh.service"), ["Start"]);
      assert.deepEqual(await offers("bluetooth.service"), [
        "Start (bluetooth.service is masked: systemd will not start it until it is unmasked.)",
      ]);
      assert.match(
        (await services.locator("tr", { hasText: "cron.service" }).textContent()) ?? "",
        /cron\.serviceactiverunningenabled/,
      );
      await shots(page, "linux_services");

      const startup = await tab("startup", "system.startup", LINUX.startup, "h4");
      assert.deepEqual(await startup.locator("h4").allTextContents(), [
        "Autostart entries",
        "Units enabled at start-up",
        "Commands run at start-up by cron",
      ]);
      const events = await tab("events", "system.events", LINUX.events, "tbody tr");
      assert.equal(await events.locator("select option").count(), 8);
      assert.ok((await headers(events)).includes("Priority"));
      assert.doesNotMatch((await events.textContent()) ?? "", /Level|more severe/);
    });
  });
});

Deno.test("Save as text: Windows's words for a Windows customer, Linux's for a Linux one", () => {
  const t = translator("en");
  const windows = snapshotText(
    t,
    { ...WINE, applications: APPLICATIONS, startup: STARTUP, events: EVENTS } as FullSnapshot,
    true,
  );
  for (
    const line of [
      /^Windows version: 6\.1\.7601 /m,
      /^Page file: /m,
      /^C:\\\tLocal Disk\tNTFS\t/m,
      /^PlugPlay\tRunning\tAutomatic\tPlug and Play Service$/m,
      /^Registry \(Uninstall keys\): 1 program$/m,
      /^Rescue QA Tool\t4\.2\.1\tRegistry \(Uninstall keys\)$/m,
      /^MountMgr\t—\t\d+\tRunning$/m,
      /^RescueQADriver\t10\.0\.14393\.187\t146744\tStopped$/m,
      /^\\Rescue QA\\Tray Helper\tAt log on, At startup\tDisabled\t"C:\\Program Files/m,
      /^RescueQATray\tEnabled\t/m,
      /^Eventlog\tRunning$/m,
      /\tError\tService Control Manager\t/,
    ]
  ) assert.match(windows, line);
  assert.doesNotMatch(windows, /^(Kernel|Swap):|\tinactive\t|\tactive\t|: \d+ packages?$/m);
  // Not an administrator: the Tasks folder cannot be listed, and the export says why.
  const denied = snapshotText(t, {
    ...WINE,
    startup: {
      ...STARTUP,
      tasks: {
        available: false,
        why: "denied",
        about: "admin_only",
        detail: "C:\\Windows\\System32\\Tasks",
      },
    },
  } as FullSnapshot, true);
  assert.match(denied, /Only an administrator can read C:\\Windows\\System32\\Tasks\./);
  const linux = snapshotText(t, {
    ...WINE,
    snapshot: LINUX.snapshot,
    user: LINUX.user,
    startup: LINUX.startup,
    events: LINUX.events,
    services: {
      available: true,
      value: [{
        name: "cron.service",
        description: "Regular background program processing daemon",
        load: "loaded",
        active: "active",
        sub: "running",
        enabled: "enabled",
      }],
    },
  } as FullSnapshot, false);
  assert.match(linux, /^Kernel: 6\./m);
  assert.match(linux, /^Swap: /m);
  assert.match(linux, /^cron\.service\tactive\trunning\tenabled\t/m);
  assert.match(linux, /\tNotice\tkernel\t/);
  assert.doesNotMatch(linux, /Windows version|Page file/);
});
