// Restarting the customer's computer through the routes, against a raw agent socket speaking
// the protocol: the dialog shows the ways the agent offers (and why safe mode is not there),
// consent is asked and only the agent's word grants it, the restart's `restarting` event makes
// the session Rebooting, the agent leaving keeps it Rebooting, and the same device saying
// hello again takes it back to Active; a declined or failed restart is logged and leaves (or
// puts back) the session as it was.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import {
  agentHello,
  agentSocket,
  agentWithOps,
  nextOp,
  withServer,
} from "../../tests/support/sockets.ts";
import { readLog, type SupportSession } from "../support/mod.ts";
import { customerLost, queueEntries } from "../support/test_support.ts";

type Agent = Awaited<ReturnType<typeof agentSocket>>;

const MODES = {
  modes: [
    { mode: "normal", available: true, unavailable: null },
    { mode: "safe", available: false, unavailable: "no_safe_mode" },
    { mode: "forced", available: true, unavailable: null },
  ],
  resumes: "sign_in",
};

const attached = (port: number, token: string) =>
  agentWithOps(port, token, ["reboot.modes", "reboot.start"]);

/** Answers the next `reboot.modes` while `request` waits for it. */
async function withModes(agent: Agent, request: Promise<Response>): Promise<Response> {
  const op = await nextOp(agent, "reboot.modes");
  agent.send({ type: "opDone", id: op.id, json: JSON.stringify(MODES) });
  return await request;
}

async function status(t: TestApp, sessionId: string): Promise<string> {
  const [row] = await t.deps.db.select().from(queueEntries)
    .where(eq(queueEntries.sessionId, sessionId));
  return row.status;
}

async function until(what: string, check: () => Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function rebootLines(t: TestApp, sessionId: string): Promise<string[]> {
  return (await readLog(t.deps.db, sessionId)).map((l) => l.body)
    .filter((b) => b.startsWith("log.reboot"));
}

function rebootTest(
  name: string,
  fn: (t: TestApp, port: number, browser: TestClient, session: SupportSession) => Promise<void>,
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        await withServer(t, async (port) => {
          const ann = await technician(t, { name: "Ann" });
          const browser = t.client();
          assert.equal((await browser.signIn(ann.email, TECH_PASSWORD)).status, 303);
          const session = await workingSession(t, ann);
          await fn(t, port, browser, session);
        });
      } finally {
        await t.close();
      }
    },
  });
}

rebootTest(
  "POST /console/sessions/:id/reboot: Rebooting on the agent's word, back when the same device returns",
  async (t, port, browser, session) => {
    const path = `/console/sessions/${session.id}/reboot`;
    const agent = await attached(port, session.token);

    // The dialog: the agent's ways, safe mode refused with why, the sign-in after it.
    const dialog = await withModes(agent, browser.get(path, { "hx-request": "true" }));
    assert.equal(dialog.status, 200);
    const html = await dialog.text();
    assert.match(html, /value="normal"[^>]*checked/);
    assert.match(html, /value="safe"[^>]*disabled/);
    assert.match(html, /Linux has no safe mode with networking/);
    assert.match(html, /has to sign in to their computer/);
    assert.match(html, /Ask the customer/);

    // Without the customer's consent nothing is sent to the agent.
    assert.equal((await browser.post(path, { mode: "normal" })).status, 409);
    assert.equal((await browser.post(path, { mode: "reboot; rm -rf /" })).status, 422);
    assert.equal((await browser.post(`${path}/ask`)).status, 200);
    const asked = await agent.next((m) => m.type === "request");
    assert.deepEqual(asked, { type: "request", capability: "reboot" });
    agent.send({ type: "ask", capability: "reboot" });
    agent.send({ type: "consent", capability: "reboot", granted: true });
    await until(
      "the consent",
      async () =>
        (await (await browser.get(`${path}/consent`)).text()).includes('data-consent="granted"'),
    );

    // A way this computer does not have is refused before anything runs.
    assert.equal((await withModes(agent, browser.post(path, { mode: "safe" }))).status, 409);
    const sent = await withModes(
      agent,
      browser.post(path, { mode: "normal" }, { "hx-request": "true" }),
    );
    assert.equal(sent.status, 200);
    assert.match(await sent.text(), /confirm the restart in the support app/);
    const start = await nextOp(agent, "reboot.start");
    assert.deepEqual(start.request, { kind: "reboot.start", mode: "normal" });
    assert.equal(await status(t, session.id), "active", "asking is not restarting");

    agent.send({
      type: "opEvent",
      id: start.id,
      json: JSON.stringify({ stage: "restarting", mode: "normal", deviceId: "device-0001-abcdef" }),
    });
    await until("Rebooting", async () => (await status(t, session.id)) === "rebooting");
    agent.ws.close();
    await agent.closed;
    assert.equal(await customerLost(t.deps, session.id), false, "not lost while rebooting");
    assert.equal(await status(t, session.id), "rebooting");

    const back = await agentSocket(port);
    back.send(agentHello(session.token));
    await back.next((m) => m.type === "welcome");
    await until("Active again", async () => (await status(t, session.id)) === "active");
    assert.deepEqual(await rebootLines(t, session.id), [
      "log.rebootRequested.normal",
      "log.rebootStarted",
      "log.rebootBack",
    ]);
    back.ws.close();
    await back.closed;
  },
);

rebootTest(
  "POST /console/sessions/:id/reboot: declined at the agent, or refused by its OS after the announcement",
  async (t, port, browser, session) => {
    const path = `/console/sessions/${session.id}/reboot`;
    const agent = await attached(port, session.token);
    await browser.post(`${path}/ask`);
    await agent.next((m) => m.type === "request");
    agent.send({ type: "consent", capability: "reboot", granted: true });
    await until(
      "the consent",
      async () =>
        (await (await browser.get(`${path}/consent`)).text()).includes('data-consent="granted"'),
    );

    await withModes(agent, browser.post(path, { mode: "forced" }));
    const declined = await nextOp(agent, "reboot.start");
    agent.send({ type: "opFailed", id: declined.id, code: "declined", reason: "not confirmed" });
    await until(
      "the declined line",
      async () => (await rebootLines(t, session.id)).includes("log.rebootDeclined"),
    );
    assert.equal(await status(t, session.id), "active");

    await withModes(agent, browser.post(path, { mode: "normal" }));
    const failed = await nextOp(agent, "reboot.start");
    agent.send({
      type: "opEvent",
      id: failed.id,
      json: JSON.stringify({ stage: "restarting", mode: "normal", deviceId: "device-0001-abcdef" }),
    });
    await until("Rebooting", async () => (await status(t, session.id)) === "rebooting");
    agent.send({ type: "opFailed", id: failed.id, code: "reboot_failed", reason: "Access denied" });
    await until("Active again", async () => (await status(t, session.id)) === "active");
    assert.deepEqual(await rebootLines(t, session.id), [
      "log.rebootRequested.forced",
      "log.rebootDeclined",
      "log.rebootRequested.normal",
      "log.rebootStarted",
      "log.rebootFailed",
    ]);
    agent.ws.close();
    await agent.closed;
  },
);
