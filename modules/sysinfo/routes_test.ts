// The System tab's routes against a raw agent socket speaking the protocol: the frame shows
// the consent the agent reports; a view is what the agent answered (or why not); ending a
// process sends exactly that request, then logs and audits the outcome; a refusal by the
// customer is logged; bad input (a service name with shell metacharacters, a PID that is not
// one, an unknown action or priority) is refused with nothing sent to the agent.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentSocket, agentWithOps, nextOp, withServer } from "../../tests/support/sockets.ts";
import { readLog, type SupportSession } from "../support/mod.ts";
import { auditLog } from "../audit/mod.ts";

type Agent = Awaited<ReturnType<typeof agentSocket>>;

/** No operation reaches the agent within a moment. */
async function nothingSent(agent: Agent) {
  await assert.rejects(agent.next((m) => m.type === "op", 300), /no matching frame/);
}

const attached = (port: number, token: string) =>
  agentWithOps(port, token, ["system.snapshot", "system.processes"]);

const SLEEP = {
  pid: 4242,
  ppid: 1,
  user: "carol",
  name: "sleep",
  command: "sleep 600",
  state: "S",
  cpuPercent: 0,
  cpuSeconds: 0,
  memoryBytes: 1_048_576,
  threads: 1,
  startedAt: null,
};

/** Answers the next `kind` with `result` while `request` waits for it. */
async function answered(
  agent: Agent,
  kind: string,
  result: unknown,
  request: Promise<Response>,
): Promise<Response> {
  const op = await nextOp(agent, kind);
  agent.send({ type: "opDone", id: op.id, json: JSON.stringify(result) });
  return await request;
}

function systemTest(
  name: string,
  fn: (t: TestApp, agent: Agent, browser: TestClient, session: SupportSession) => Promise<void>,
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
          const agent = await attached(port, session.token);
          await fn(t, agent, browser, session);
        });
      } finally {
        await t.close();
      }
    },
  });
}

systemTest(
  "GET /console/sessions/:id/system…: the consent the agent reports, views as the agent answered",
  async (_t, agent, browser, session) => {
    const base = `/console/sessions/${session.id}/system`;
    const frame = await (await browser.get(base, { "hx-request": "true" })).text();
    assert.match(frame, /data-consent="off"/);
    assert.match(frame, /The customer has not been asked yet\./);
    agent.send({ type: "ask", capability: "systemInfo" });
    agent.send({ type: "consent", capability: "systemInfo", granted: true });
    await new Promise((r) => setTimeout(r, 200));
    assert.match(await (await browser.get(base)).text(), /data-consent="granted"/);

    // What the agent refused is said in the view's place.
    const refused = browser.get(`${base}/view/dashboard`);
    const op = await nextOp(agent, "system.snapshot");
    agent.send({ type: "opFailed", id: op.id, code: "not_granted", reason: "not granted" });
    assert.match(
      await (await refused).text(),
      /data-failure="not_granted"[^>]*>The customer has not allowed system information\./,
    );

    // A section without a source: "Not available", the reason and where the agent looked.
    const services = await answered(
      agent,
      "system.services",
      { available: false, why: "no_systemd", about: "missing", detail: "/run/systemd/system" },
      browser.get(`${base}/view/services`),
    );
    assert.match(
      await services.text(),
      /Not available: systemd is not running on this computer\..*\/run\/systemd\/system does not exist\./s,
    );

    // The event viewer passes the filter on, bounded.
    const events = browser.get(`${base}/view/events?priority=3&q=%20usb%20`);
    const asked = await nextOp(agent, "system.events");
    assert.deepEqual(asked.request, {
      kind: "system.events",
      maxPriority: 3,
      text: "usb",
      limit: 1000,
    });
    agent.send({
      type: "opDone",
      id: asked.id,
      json: JSON.stringify({
        sources: [{
          name: "kernel",
          status: { available: true, value: { where: "dmesg", entries: 1 } },
        }],
        entries: [{
          time: null,
          priority: 3,
          source: "kernel",
          message: "usb 1-1: device not accepting address",
        }],
        truncated: false,
      }),
    });
    const shown = await (await events).text();
    assert.match(shown, /usb 1-1: device not accepting address/);
    assert.match(shown, /<option value="3" selected="">Error and more urgent<\/option>/);
    assert.equal((await browser.get(`${base}/view/events?priority=9`)).status, 422);
    assert.equal((await browser.get(`${base}/view/nonsense`)).status, 404);
    await nothingSent(agent);
  },
);

systemTest(
  "POST …/system/processes/end: exactly that process, confirmed at the agent, logged and audited",
  async (t, agent, browser, session) => {
    const base = `/console/sessions/${session.id}/system`;
    const ending = browser.post(`${base}/processes/end`, { pid: "4242", force: "0" }, {
      "hx-request": "true",
    });
    const op = await nextOp(agent, "system.endProcess");
    assert.deepEqual(op.request, { kind: "system.endProcess", pid: 4242, force: false });
    agent.send({
      type: "opDone",
      id: op.id,
      json: JSON.stringify({ pid: 4242, name: "sleep", ended: true }),
    });
    // The answer is the refreshed list, with what happened on top.
    const list = await answered(agent, "system.processes", {
      available: true,
      value: { rows: [{ ...SLEEP, pid: 5000, name: "bash", command: "bash" }], truncated: false },
    }, ending);
    assert.equal(list.status, 200);
    const html = await list.text();
    assert.match(html, /Process 4242 \(sleep\) has ended\./);
    assert.match(html, /data-row="5000"/);
    const lines = (await readLog(t.deps.db, session.id)).filter((l) =>
      l.body.startsWith("log.system")
    );
    assert.deepEqual(lines.map((l) => l.body), ["log.system.processEnded"]);
    const data = lines[0].data as Record<string, unknown>;
    assert.deepEqual([data.pid, data.process], [4242, "sleep"]);
    assert.equal(data.name, lines[0].authorName, "the technician who did it");
    const audited = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.action, "session.process_ended"),
      eq(auditLog.target, session.id),
    ));
    assert.deepEqual(audited.map((a) => a.details), [
      { pid: 4242, process: "sleep", force: false, ended: true },
    ]);

    // The customer says no: a 409 with why, and the attempt in the log; nothing audited.
    const declined = browser.post(`${base}/processes/end`, { pid: "4243", force: "1" });
    const second = await nextOp(agent, "system.endProcess");
    assert.deepEqual(second.request, { kind: "system.endProcess", pid: 4243, force: true });
    agent.send({ type: "opFailed", id: second.id, code: "declined", reason: "declined" });
    const refusal = await declined;
    assert.equal(refusal.status, 409);
    assert.match(await refusal.text(), /The customer declined it\./);
    const after = (await readLog(t.deps.db, session.id)).filter((l) =>
      l.body.startsWith("log.system")
    );
    assert.equal(after.at(-1)?.body, "log.system.actionRefused");
    assert.equal(
      (await t.deps.db.select().from(auditLog).where(
        eq(auditLog.action, "session.process_ended"),
      )).length,
      1,
    );
  },
);

systemTest(
  "bad input is refused on the server with nothing sent to the agent",
  async (t, agent, browser, session) => {
    const base = `/console/sessions/${session.id}/system`;
    const units = [
      "cron.service; reboot",
      "$(reboot).service",
      "`id`.service",
      "a|b.service",
      "a b.service",
      "../x.service",
      "-H.service",
      "cron",
      "x".repeat(300) + ".service",
    ];
    for (const unit of units) {
      const res = await browser.post(`${base}/services/action`, { unit, action: "stop" });
      assert.equal(res.status, 422, unit);
      assert.match(await res.text(), /not a service name/);
    }
    const action = await browser.post(`${base}/services/action`, {
      unit: "cron.service",
      action: "reload; reboot",
    });
    assert.equal(action.status, 422);
    for (const pid of ["1;ls", "-5", "0", "1", "4194305", "12.5", "", "0x10"]) {
      const res = await browser.post(`${base}/processes/end`, { pid, force: "0" });
      assert.equal(res.status, 422, pid);
    }
    assert.equal(
      (await browser.post(`${base}/processes/end`, { pid: "4242", force: "yes" })).status,
      400,
    );
    assert.equal((await browser.post(`${base}/export`, { format: "xml" })).status, 400);
    await nothingSent(agent);
    const lines = (await readLog(t.deps.db, session.id)).filter((l) =>
      l.body.startsWith("log.system")
    );
    assert.deepEqual(lines, [], "nothing logged: nothing was attempted");
  },
);

systemTest(
  "GET …/system/view/…: what is not available is said in the technician's language, the agent's path and message as they came",
  async (_t, agent, browser, session) => {
    agent.send({ type: "ask", capability: "systemInfo" });
    agent.send({ type: "consent", capability: "systemInfo", granted: true });
    await new Promise((r) => setTimeout(r, 200));
    browser.headers["accept-language"] = "nl";
    const base = `/console/sessions/${session.id}/system`;
    const drivers = await answered(
      agent,
      "system.drivers",
      { available: false, why: "no_source", about: "missing", detail: "/proc/modules" },
      browser.get(`${base}/view/drivers`),
    );
    const text = await drivers.text();
    assert.match(text, /Niet beschikbaar: de bron ontbreekt\..*\/proc\/modules bestaat niet\./s);
    assert.doesNotMatch(text, /does not exist|is missing|Not available/);

    const services = await answered(
      agent,
      "system.services",
      { available: false, why: "no_tool", about: "not_installed", detail: "systemctl" },
      browser.get(`${base}/view/services`),
    );
    assert.match(await services.text(), /systemctl is niet geïnstalleerd\./);

    // An agent from before `about` sent a sentence: shown as it came.
    const user = await answered(
      agent,
      "system.user",
      { available: false, why: "failed", detail: "uid 1000 is not in /etc/passwd" },
      browser.get(`${base}/view/user`),
    );
    assert.match(
      await user.text(),
      /Niet beschikbaar: het lezen is mislukt\..*uid 1000 is not in/s,
    );
  },
);
