// Service mode (SPEC R9): the server side against a raw agent socket — the agent's
// `restarting` makes the same session Rebooting, the same device's hello brings it back to
// Active (no new session); a decline is logged and changes nothing — and the agent side with a
// temporary root: the unit runs this agent on the same link and data folder.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, nextOp, withServer } from "../../tests/support/sockets.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { readLog } from "../support/mod.ts";
import { queueEntries, supportSessions } from "../support/test_support.ts";
import { serviceModeHandlers } from "../../agent/unattended/service_mode.ts";
import { OpFailure } from "../../agent/ops/mod.ts";

type Agent = Awaited<ReturnType<typeof agentSocket>>;

async function until(what: string, check: () => Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name:
    "POST /console/sessions/:id/service-mode: Rebooting on the agent's word, the same session back with the same device",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const ann = await technician(t, {
          permissions: [...defaultPermissions(), "unattendedAccess"],
        });
        const browser = t.client();
        await browser.signIn(ann.email, TECH_PASSWORD);
        const session = await workingSession(t, ann);
        const status = async () =>
          (await t.deps.db.select().from(queueEntries)
            .where(eq(queueEntries.sessionId, session.id)))[0].status;
        const agent = await agentSocket(port);
        agent.send(agentHello(session.token));
        await agent.next((m) => m.type === "welcome");
        const path = `/console/sessions/${session.id}/service-mode`;

        // Declined at the agent: logged, still Active.
        assert.equal((await browser.post(path)).status, 202);
        const first = await nextOp(agent, "service.restart");
        agent.send({ type: "opFailed", id: first.id, code: "declined", reason: "no" });
        await until(
          "the decline",
          async () =>
            (await readLog(t.deps.db, session.id)).some((l) => l.body === "log.rebootDeclined"),
        );
        assert.equal(await status(), "active");

        assert.equal((await browser.post(path)).status, 202);
        const op = await nextOp(agent, "service.restart");
        agent.send({
          type: "opEvent",
          id: op.id,
          json: JSON.stringify({ stage: "restarting", deviceId: "device-0001-abcdef" }),
        });
        await until("Rebooting", async () => (await status()) === "rebooting");
        agent.ws.close();
        await agent.closed;
        const back = await agentSocket(port);
        back.send(agentHello(session.token));
        await back.next((m) => m.type === "welcome");
        await until("Active again", async () => (await status()) === "active");
        const lines = (await readLog(t.deps.db, session.id)).map((l) => l.body)
          .filter((b) => /^log\.(serviceMode|serviceRestarting|reboot)/.test(b));
        assert.deepEqual(lines, [
          "log.serviceModeRequested",
          "log.rebootDeclined",
          "log.serviceModeRequested",
          "log.serviceRestarting",
          "log.rebootBack",
        ]);
        assert.equal((await t.deps.db.select().from(supportSessions)).length, 1, "no new session");
        back.ws.close();
        await back.closed;
      });
    } finally {
      await t.close();
    }
  },
});

Deno.test("serviceModeHandlers(): writes the unit under the root, starts it, leaves; a decline writes nothing", async () => {
  const root = await Deno.makeTempDir();
  const dataDir = await Deno.makeTempDir();
  try {
    const started: string[][] = [];
    let left = false;
    const events: unknown[] = [];
    const env = {
      os: "linux" as const,
      serverUrl: "http://127.0.0.1:8080",
      token: "tok_abcdefghijklmnop",
      dataDir,
      log: () => {},
    };
    const handlers = serviceModeHandlers(env, {
      root,
      launched: { execPath: "/opt/rescue/agent", mainModule: "", args: ["--no-open"], cwd: "/" },
      start: (_unit, command) => Promise.resolve(void started.push(command)),
      leave: () => left = true,
      settleMs: 0,
    });
    const context = (answer: boolean) => ({
      signal: new AbortController().signal,
      emit: (e: unknown) => events.push(e),
      confirm: () => Promise.resolve(answer),
      log: () => {},
    });
    const run = handlers["service.restart"]!;
    await assert.rejects(
      run({ kind: "service.restart" }, context(false)),
      (e) => e instanceof OpFailure && e.code === "declined",
    );
    assert.equal(started.length, 0);
    const result = await run({ kind: "service.restart" }, context(true));
    const unit = await Deno.readTextFile(result.unit);
    assert.ok(result.unit.startsWith(`${root}/etc/systemd/system/`));
    assert.match(unit, /^Environment=RESCUE_SERVICE_MODE=1$/m, "the window's banner says so");
    assert.match(
      unit,
      /ExecStart=\/opt\/rescue\/agent --link http:\/\/127\.0\.0\.1:8080\/s\/tok_abcdefghijklmnop --state-dir \S+ --no-open/,
    );
    assert.deepEqual(started[0].slice(0, 3), [
      "/opt/rescue/agent",
      "--link",
      "http://127.0.0.1:8080/s/tok_abcdefghijklmnop",
    ]);
    assert.equal((events[0] as { stage: string }).stage, "restarting");
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(left, "the old process leaves");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
});
