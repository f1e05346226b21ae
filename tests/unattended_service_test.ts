/**
 * Unattended access with the real agent running as a service, the way its systemd unit runs
 * it: the unit is generated into a temporary root, its ExecStart (and Environment) read back
 * and started as a process on an Xvfb display against the real server. It proves its device
 * key and shows online in Computers; a technician connects with nobody on a customer page,
 * inside the access window (the server's clock, injected), and the agent joins the new
 * Active session with view and control allowed; outside the window the same Connect is
 * refused with the reason. With nobody present the tools the approval carries work (files,
 * system information, a process ended: its confirmation answered by the approval) and what it
 * does not carry (scripts, narrowed away in service.json) the agent refuses. The device
 * socket dropped → the service reconnects with its key.
 * `remote-support --unattended status` (the command the installer put in /usr/local/bin, which
 * the consent question names) shows the customer the grant. Bad input: a forged device key (the
 * device's id, another key), refused and audited, nothing changed. `remote-support --unattended
 * revoke` (the customer at the computer) → revoked and audited, the service stops; the removed
 * device started again (a copy of its key) is refused and audited.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp } from "./support/app.ts";
import { serveLoopback } from "./support/browser.ts";
import { technician } from "./support/sessions.ts";
import { startXvfb } from "../agent/platform/xvfb_test_support.ts";
import {
  agentCommand,
  EXIT_NOT_SET_UP,
  SystemdInstaller,
  unitCommand,
} from "../agent/unattended/installer.ts";
import { deviceKey } from "../agent/unattended/device_key.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { callAgent, remoteHub } from "../modules/remote/mod.ts";
import { loadSession, readLog } from "../modules/support/mod.ts";
import { computersFor, connectUnattended, devices } from "../modules/unattended/mod.ts";
import { deviceWithGrant } from "../modules/unattended/test_fixtures.ts";
import { deviceHub } from "../modules/unattended/device_hub.ts";
import { Refusal } from "../modules/refusal/mod.ts";
import { greeterLock } from "../agent/unattended/greeter_test_support.ts";

const step = (what: string) => console.log(`  · ${what}`);
const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;

/** The unit's command, run as systemd would; its output lines, and a wait for one of them. */
function runUnit(unit: string, extraEnv: Record<string, string>) {
  const { argv, env } = unitCommand(unit);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { ...env, LANG: "en_US.UTF-8", ...extraEnv },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: { pattern: RegExp; count: number; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (lines.filter((line) => waiter.pattern.test(line)).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    const text = stream.pipeThrough(
      new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
    );
    for await (const chunk of text) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
      if (Deno.env.get("E2E_VERBOSE")) { for (const p of parts) console.log(`    service: ${p}`); }
      check();
    }
  };
  collect(child.stdout);
  collect(child.stderr);
  return {
    child,
    lines,
    /** Resolves once `pattern` has been printed `count` times (rejects after `ms`). */
    waitFor(pattern: RegExp, count = 1, ms = 30_000): Promise<void> {
      const done = Promise.withResolvers<void>();
      waiters.push({ pattern, count, resolve: done.resolve });
      check();
      const timer = setTimeout(
        () => done.reject(new Error(`no ${pattern} ×${count}:\n${lines.join("\n")}`)),
        ms,
      );
      return done.promise.finally(() => clearTimeout(timer));
    },
  };
}

async function eventually(what: string, test: () => Promise<boolean> | boolean, ms = 15_000) {
  const until = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name:
    "unattended service: the unit's command reconnects with its device key, Connect inside the window, refused outside, forged and removed devices refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const t = await startTestApp();
    const server = serveLoopback(t.app.fetch);
    const root = await Deno.makeTempDir({ prefix: "rescue-unit-root-" });
    const children: Deno.ChildProcess[] = [];
    try {
      (t.deps.config as { publicUrl: string }).publicUrl = server.base;
      const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
      const stateDir = `${root}/var/lib/rescue-agent`;
      const { device } = await deviceWithGrant(t, ann, { dir: stateDir, name: "reception-pc" });
      const installer = new SystemdInstaller(root);
      const unitPath = await installer.install({
        server: server.base,
        stateDir,
        command: agentCommand(),
        display: xvfb.display,
      });
      assert.equal(unitPath, `${root}/etc/systemd/system/rescue-agent.service`);
      // This customer narrowed the approval's tools to the screen, files and system information
      // (docs/unattended.md, "Tools on an unattended session"): scripts stay refused by the agent.
      const config = JSON.parse(await Deno.readTextFile(`${stateDir}/service.json`));
      await Deno.writeTextFile(
        `${stateDir}/service.json`,
        JSON.stringify({ ...config, tools: ["control", "files", "systemInfo"] }),
      );
      const unit = await Deno.readTextFile(unitPath);
      assert.match(unit, /^ExecStart=.* --service --config \S+\/service\.json$/m);
      // The customer's own command, which the consent question names (local_command.ts): run
      // below for status and revoke, as the customer would.
      const command = `${root}/usr/local/bin/remote-support`;
      assert.equal((await Deno.stat(command)).mode! & 0o777, 0o755);
      assert.equal((await Deno.stat(`${stateDir}/device-key.json`)).mode! & 0o777, 0o600);
      const service = runUnit(unit, { HOME: root });
      children.push(service.child);
      await service.waitFor(/^SERVICE online/);
      step("the service proved its device key");
      const [listed] = await computersFor(t.deps, ann);
      assert.equal(listed.device.id, device.id);
      assert.equal(listed.online, true);

      // Tuesday 24 November 2026 10:00 UTC: 11:00 in Amsterdam, inside office hours.
      const { session } = await connectUnattended(t.deps, ann, device.id, t.clock.now());
      await service.waitFor(new RegExp(`UNATTENDED CONNECTED ${session.id} Ann`));
      await eventually("the agent in the session with view allowed", () => {
        const remote = remoteHub(t.deps).find(session.id);
        return remote?.agent != null && remote.consent.view === "granted" &&
          remote.consent.control === "granted";
      });
      const log = (await readLog(t.deps.db, session.id)).map((line) => line.body);
      assert.ok(log.includes("log.unattendedStarted"), log.join());
      assert.ok(log.includes("log.agentConnected"), log.join());
      assert.equal((await loadSession(t.deps.db, session.id)).method, "unattended");
      const active = JSON.parse(await Deno.readTextFile(`${stateDir}/unattended-active.json`));
      assert.equal(active.technician, "Ann");
      step("connected with nobody present: Active, view and control allowed, indicator on");

      // The technician's tools with nobody present: what the approval carries works (a tool's
      // confirmation answered by the approval), the rest the agent itself refuses.
      const folder = await callAgent(t.deps, session.id, {
        kind: "files.list",
        path: stateDir,
        hidden: true,
      });
      assert.ok(folder.ok, JSON.stringify(folder));
      assert.ok(folder.result.entries.some((entry) => entry.name === "device-key.json"));
      const snapshot = await callAgent(t.deps, session.id, { kind: "system.snapshot" });
      assert.ok(snapshot.ok, JSON.stringify(snapshot));
      const sleeper = new Deno.Command("sleep", { args: ["300"] }).spawn();
      children.push(sleeper);
      const ended = await callAgent(t.deps, session.id, {
        kind: "system.endProcess",
        pid: sleeper.pid,
        force: false,
      });
      assert.ok(ended.ok && ended.result.ended, JSON.stringify(ended));
      assert.equal((await sleeper.status).signal, "SIGTERM");
      await service.waitFor(/allowed by the unattended approval: .*sleep/);
      const marker = `${root}/script-ran`;
      const script = await callAgent(t.deps, session.id, {
        kind: "scripts.run",
        name: "Touch a file",
        fileName: "touch.sh",
        targetOs: "linux",
        script: `touch ${marker}\n`,
        resource: null,
        timeoutSeconds: 5,
      });
      assert.equal(script.ok ? "ran" : script.code, "not_granted");
      await assert.rejects(Deno.stat(marker), Deno.errors.NotFound, "nothing ran");
      step(
        "tools: files and system information work (a confirmation answered by the approval), scripts refused by the agent",
      );

      t.clock.set(new Date("2026-11-24T17:30:00Z")); // 18:30 in Amsterdam
      const refused = await connectUnattended(t.deps, ann, device.id, t.clock.now())
        .catch((error) => error);
      assert.ok(refused instanceof Refusal);
      assert.equal(refused.key, "unattended.refused.outside_hours");
      step("outside the window: refused with the reason");

      deviceHub(t.deps).find(device.id)!.close(4000, "test drops the socket");
      await service.waitFor(/^SERVICE online/, 2);
      await eventually("online again", async () => (await computersFor(t.deps, ann))[0].online);
      step("socket dropped: reconnected with the device key");

      const status = await new Deno.Command(command, {
        args: ["--unattended", "status"],
        env: { LANG: "en_US.UTF-8", HOME: root },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(status.stdout);
      assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));
      // The stored name of the test technician (the grant's owner) precedes it.
      assert.match(said, / may connect: Mon, Tue, Wed, Thu, Fri 09:00–17:00 \(Europe\/Amsterdam\)/);
      assert.match(said, /Connected now: Ann/);
      step("remote-support --unattended status shows the grant and who is connected");

      // A forged key: this device's id, a key made elsewhere.
      const forgedDir = `${root}/forged`;
      await Deno.mkdir(forgedDir, { recursive: true });
      await Deno.copyFile(`${stateDir}/device-id`, `${forgedDir}/device-id`);
      await deviceKey(forgedDir);
      await Deno.writeTextFile(
        `${forgedDir}/service.json`,
        JSON.stringify({ server: server.base, stateDir: forgedDir }),
      );
      const [before] = await t.deps.db.select().from(devices).where(eq(devices.id, device.id));
      const forged = runUnit(
        unit.replace(`${stateDir}/service.json`, `${forgedDir}/service.json`),
        {
          HOME: root,
        },
      );
      children.push(forged.child);
      await forged.waitFor(/refused this device: bad_proof/);
      forged.child.kill("SIGTERM");
      const [after] = await t.deps.db.select().from(devices).where(eq(devices.id, device.id));
      assert.deepEqual(after, before, "a forged key changes nothing");
      step("forged key refused, nothing changed");

      // The customer revokes at the computer: the server revokes and removes, the service
      // hears it and stops, the key is forgotten here.
      const keyCopy = await Deno.readTextFile(`${stateDir}/device-key.json`);
      const revoke = await new Deno.Command(command, {
        args: ["--unattended", "revoke"],
        env: { LANG: "en_US.UTF-8", HOME: root },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(revoke.code, 0, new TextDecoder().decode(revoke.stderr));
      assert.match(
        new TextDecoder().decode(revoke.stdout),
        /Unattended access revoked \(permissions withdrawn: 1\)/,
      );
      await assert.rejects(Deno.stat(`${stateDir}/device-key.json`));
      // Stopped with the code the unit does not restart (nor call failed): removed for good.
      assert.equal((await service.child.status).code, EXIT_NOT_SET_UP);
      assert.match(unit, new RegExp(`^RestartPreventExitStatus=${EXIT_NOT_SET_UP}$`, "m"));
      assert.match(unit, new RegExp(`^SuccessExitStatus=${EXIT_NOT_SET_UP}$`, "m"));
      const [gone] = await t.deps.db.select().from(devices).where(eq(devices.id, device.id));
      assert.ok(gone.removedAt);
      assert.equal(
        (await t.deps.db.select().from(auditLog)).filter((row) =>
          row.action === "unattended.revoked_by_customer"
        ).length,
        1,
      );
      step(
        "remote-support --unattended revoke: revoked, audited, the service stopped, the key forgotten",
      );
      // A copy of the key kept somewhere: the removed device is refused all the same.
      await Deno.writeTextFile(`${stateDir}/device-key.json`, keyCopy, { mode: 0o600 });
      const again = runUnit(unit, { HOME: root });
      children.push(again.child);
      await again.waitFor(/refused this device: removed/);
      assert.equal(
        (await again.child.status).code,
        EXIT_NOT_SET_UP,
        "a removed device stops for good",
      );
      const refusals = (await t.deps.db.select().from(auditLog))
        .filter((row) => row.action === "unattended.device_refused")
        .map((row) => (row.details as { code: string }).code);
      assert.deepEqual(refusals.sort(), ["bad_proof", "removed"]);
      step("the removed device started again: refused and audited");
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await server.close();
      await t.close();
      await xvfb.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
