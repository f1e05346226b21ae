/**
 * "The customer's credentials", end to end with the real agent (no browser: the agent's window
 * is driven through its own HTTP endpoints, as its page script does). The technician asks for
 * 20 days — refused by the server (two weeks at most) — then 7; the customer approves on the
 * customer page; the agent's window shows the terms with the credentials form; an unknown
 * account and a wrong password are refused there, the right ones (a throwaway account made
 * for the test) pass the OS check, are stored encrypted on the device (the file does not hold
 * the password) and never reach the server; the grant is stored. The service the agent
 * installed (its unit's command, under a temporary root) then gets a connection from
 * Computers: it decrypts the credentials for the login step and says there is no login screen
 * to type them into (in its log and the session's); its window shows "Ann is connected to this computer (unattended)" and the
 * customer's Disconnect ends the session; Revoke from the window removes the device and
 * wipes the credentials, and the service stops.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp } from "./support/app.ts";
import { serveLoopback } from "./support/browser.ts";
import { runAgent } from "./support/agent_e2e.ts";
import { carolSession, technician } from "./support/sessions.ts";
import { EXIT_NOT_SET_UP, unitCommand } from "../agent/unattended/installer.ts";
import { CREDENTIALS_FILE } from "../agent/unattended/credentials.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { remoteHub } from "../modules/remote/mod.ts";
import { loadSession, readLog, startSession } from "../modules/support/mod.ts";
import {
  connectUnattended,
  customerDecision,
  devices,
  requestUnattended,
  unattendedGrants,
} from "../modules/unattended/mod.ts";
import { Refusal } from "../modules/refusal/mod.ts";
import { greeterLock } from "../agent/unattended/greeter_test_support.ts";
import { eventually } from "./support/eventually.ts";

const step = (what: string) => console.log(`  · ${what}`);
const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;

/** The agent's window as its page script uses it: the state, and JSON posts from its origin. */
function agentWindow(url: string) {
  const origin = new URL(url).origin;
  return {
    state: async () => await (await fetch(`${url}state?after=-1`)).json(),
    post: async (path: string, body: unknown) => {
      const response = await fetch(url + path, {
        method: "POST",
        headers: { origin, "content-type": "application/json", "sec-fetch-site": "same-origin" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
  };
}

async function sh(cmd: string, args: string[], input?: string) {
  const child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "null", stderr: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  if (input) await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, `${cmd}: ${new TextDecoder().decode(out.stderr)}`);
}

/** A process whose output lines are kept; `waitFor` resolves once a line matches. */
function spawnLines(argv: string[], env: Record<string, string>) {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const text = stream.pipeThrough(
      new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
    );
    for await (const chunk of text) lines.push(...chunk.split("\n"));
  };
  collect(child.stdout);
  collect(child.stderr);
  const waitFor = (pattern: RegExp) =>
    eventually(`${pattern}:\n${lines.join("\n")}`, () => lines.find((l) => pattern.test(l)));
  return { child, lines, waitFor };
}

Deno.test({
  name:
    "unattended with the customer's credentials: typed into the agent's window, checked, kept encrypted on the device; the service's banner, Disconnect and Revoke",
  ignore: Deno.build.os !== "linux" || Deno.uid() !== 0, // the throwaway account needs root
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    const t = await startTestApp();
    t.clock.set(new Date()); // the agent and the service judge the window on the real clock
    const server = serveLoopback(t.app.fetch);
    const root = await Deno.makeTempDir({ prefix: "rescue-credentials-" });
    const user = `rsqa${crypto.randomUUID().slice(0, 8)}`;
    const password = `Pw-${crypto.randomUUID()}`;
    const children: Deno.ChildProcess[] = [];
    let account = false;
    try {
      await sh("useradd", ["-M", "-s", "/usr/sbin/nologin", user]);
      account = true;
      await sh("chpasswd", [], `${user}:${password}\n`);
      (t.deps.config as { publicUrl: string }).publicUrl = server.base;
      const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
      const created = await carolSession(t, ann, "pin");
      const stateDir = `${root}/agent`;
      // No X display here: the agent joins without a desktop (chat and operations work).
      const app = runAgent({
        pin: created.pin!,
        server: server.base,
        display: ":0.987",
        stateDir,
        home: root,
        env: { RESCUE_SERVICE_ROOT: root },
      });
      children.push(app.agent);
      const window = agentWindow(await app.page);
      await eventually("the agent joined", () => remoteHub(t.deps).find(created.id)?.agent);
      await startSession(t.deps, ann, created.id);
      const session = await loadSession(t.deps.db, created.id);

      // --- the server keeps the two weeks; 7 days is asked ---
      const tooLong = await requestUnattended(t.deps, ann, session.id, {
        authMode: "customer_credentials",
        kind: "days",
        days: "20",
        zoneOf: "customer",
      }).catch((error) => error);
      assert.ok(tooLong instanceof Refusal && tooLong.key === "unattendedRequest.bad.tooLong");
      const request = await requestUnattended(t.deps, ann, session.id, {
        authMode: "customer_credentials",
        kind: "days",
        days: "7",
        zoneOf: "customer",
      });
      const { installing } = await customerDecision(t.deps, session, request.id, {
        decision: "approve",
        nonce: request.nonce,
        digest: request.digest,
      });
      step("20 days refused by the server; 7 days approved on the customer page");

      // --- the agent's window: the terms and the form; the OS check ---
      const form = await eventually(
        "the credentials form",
        async () => (await window.state()).credentials,
      );
      assert.match(form.detail, /Ann asks to reach this computer/);
      assert.match(form.detail, /You give your sign-in credentials now/);
      const answer = (u: string, p: string) =>
        window.post("credentials", { id: form.id, user: u, password: p });
      assert.deepEqual(await answer("no-such-user-xq", "x"), {
        status: 422,
        body: { error: "no_such_user" },
      });
      assert.deepEqual(await answer(user, "not-it"), {
        status: 422,
        body: { error: "wrong_password" },
      });
      assert.equal((await window.state()).credentials.error, "wrong_password");
      assert.deepEqual(await answer(user, password), {
        status: 200,
        body: { verified: true, note: null },
      });
      await installing;
      const [grant] = await t.deps.db.select().from(unattendedGrants);
      assert.equal(grant.authMode, "customer_credentials");
      const sealed = new TextDecoder("latin1").decode(
        await Deno.readFile(`${stateDir}/${CREDENTIALS_FILE}`),
      );
      assert.ok(!sealed.includes(password) && !sealed.includes(user), "encrypted at rest");
      const serverSaw = JSON.stringify([
        await t.deps.db.select().from(auditLog),
        await readLog(t.deps.db, session.id),
        await t.deps.db.select().from(unattendedGrants),
      ]);
      assert.ok(!serverSaw.includes(password), "the password never reached the server");
      assert.match(serverSaw, /"credentialsKept":true/);
      step("typed into the agent's window, checked by the OS, kept encrypted; granted");

      // --- the installed service: a connection, the login step, the banner ---
      app.agent.kill("SIGTERM");
      const unit = await Deno.readTextFile(`${root}/etc/systemd/system/rescue-agent.service`);
      const { argv, env } = unitCommand(unit);
      const service = spawnLines(argv, { ...env, LANG: "en_US.UTF-8", HOME: root });
      children.push(service.child);
      await service.waitFor(/^SERVICE online/);
      const serviceWindow = agentWindow(/WINDOW (\S+)/.exec(await service.waitFor(/^WINDOW /))![1]);
      assert.equal((await serviceWindow.state()).connected, null);
      const [device] = await t.deps.db.select().from(devices);
      const { session: unattended } = await connectUnattended(
        t.deps,
        ann,
        device.id,
        t.clock.now(),
      );
      // No login screen here (no X display, or another test's bare Xvfb): nothing is typed,
      // the service says why, and so does the session's log.
      await service.waitFor(
        /login screen: nothing typed — (there is no X display|no login screen this service knows)/,
      );
      const signIn = await eventually(
        "the sign-in line in the session's log",
        async () =>
          (await readLog(t.deps.db, unattended.id)).find((line) =>
            line.body.startsWith("log.unattendedSignIn.")
          ),
      );
      assert.match(signIn.body, /^log\.unattendedSignIn\.(no_display|no_greeter)$/);
      const shown = await eventually(
        "the banner",
        async () => (await serviceWindow.state()).connected,
      );
      assert.deepEqual(shown, { technician: "Ann", mode: "unattended" });
      assert.equal((await serviceWindow.state()).canDisconnect, true);
      step("connected: credentials decrypted, no login screen said plainly; the banner is up");

      assert.equal((await serviceWindow.post("disconnect", {})).status, 200);
      await eventually(
        "the banner gone",
        async () => (await serviceWindow.state()).connected === null,
      );
      await eventually(
        "the session ended",
        async () => (await loadSession(t.deps.db, unattended.id)).endedAt,
      );
      step("Disconnect in the window: the session ended, the banner gone");

      assert.equal((await serviceWindow.post("revoke-access", {})).status, 200);
      // For good: the code its unit neither restarts nor calls failed.
      assert.equal((await service.child.status).code, EXIT_NOT_SET_UP, "the service stops");
      await assert.rejects(Deno.stat(`${stateDir}/${CREDENTIALS_FILE}`), "the vault is wiped");
      const [removed] = await t.deps.db.select().from(devices).where(eq(devices.id, device.id));
      assert.ok(removed.removedAt, "the device is removed on the server");
      step("Revoke in the window: device removed, credentials wiped, the service stopped");
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status.catch(() => {});
      }
      if (account) await sh("userdel", [user]).catch(() => {});
      await server.close();
      await t.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
