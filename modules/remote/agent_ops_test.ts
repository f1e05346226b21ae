// Agent operations on the server (docs/agent_ops.md), against a raw agent socket speaking the
// protocol: a request goes out (in pieces when large), events and a result in pieces come
// back checked against the spec; failures keep the agent's code; an agent that leaves, a
// timeout or a cancel ends the call; an agent cannot answer another session's operation. Tool
// consent follows the agent's word only, and every answer is a log line.
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, withServer } from "../../tests/support/sockets.ts";
import type { CurrentUser } from "../http/mod.ts";
import { readLog, type SupportSession } from "../support/mod.ts";
import { splitOpBody } from "../../protocol/mod.ts";
import { agentOps, callAgent } from "./agent_ops.ts";
import { toolConsent } from "./tool_consent.ts";

type Agent = Awaited<ReturnType<typeof agentSocket>>;

async function attached(port: number, token: string): Promise<Agent> {
  const agent = await agentSocket(port);
  agent.send(agentHello(token));
  await agent.next((m) => m.type === "welcome");
  // Right after attach the server asks what this agent can do: an old agent's answer.
  const about = await nextOp(agent, "agent.about");
  agent.send({ type: "opFailed", id: about.id, code: "unknown_op", reason: "old agent" });
  return agent;
}

/** Takes the next operation the server sent: its id and its request, pieces joined. */
async function nextOp(agent: Agent, kind?: string) {
  let json = "";
  for (;;) {
    const frame = await agent.next((m) => m.type === "op" || m.type === "opPart");
    if (frame.type !== "op" && frame.type !== "opPart") continue;
    json += frame.json;
    if (frame.type === "op") {
      const request = JSON.parse(json);
      if (kind && request.kind !== kind) {
        json = "";
        continue;
      }
      return { id: frame.id, request };
    }
  }
}

function withAgent(
  fn: (t: TestApp, session: SupportSession, agent: Agent, tech: CurrentUser) => Promise<void>,
) {
  return async () => {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const tech = await technician(t);
        const session = await carolSession(t, tech);
        const agent = await attached(port, session.token);
        await fn(t, session, agent, tech);
      });
    } finally {
      await t.close();
    }
  };
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

test(
  "callAgent: the request reaches the agent; events and a large result in pieces come back checked",
  withAgent(async (t, session, agent) => {
    const events: unknown[] = [];
    const call = callAgent(t.deps, session.id, { kind: "agent.about" }, {
      onEvent: (event) => void events.push(event),
    });
    const op = await nextOp(agent, "agent.about");
    assert.deepEqual(op.request, { kind: "agent.about" });
    const ops = Array.from({ length: 200 }, (_, i) => `kind.number${i}`);
    const pieces = splitOpBody(JSON.stringify({ os: "linux", ops }));
    const last = pieces.pop()!;
    for (const piece of pieces) agent.send({ type: "opPart", id: op.id, json: piece });
    agent.send({ type: "opDone", id: op.id, json: last });
    assert.deepEqual(await call, { ok: true, result: { os: "linux", ops } });
    assert.deepEqual(events, [], "agent.about has no events; none were sent");
    assert.equal(agentOps(t.deps).pending, 0);
  }),
);

test(
  "callAgent: an invalid result, the agent's own failure, a timeout and a cancel each end the call",
  withAgent(async (t, session, agent) => {
    const bad = callAgent(t.deps, session.id, { kind: "agent.about" });
    let op = await nextOp(agent);
    agent.send({ type: "opDone", id: op.id, json: '{"os":"beos","ops":[]}' });
    const outcome = await bad;
    assert.equal(!outcome.ok && outcome.code, "invalid_result");

    const refused = callAgent(t.deps, session.id, { kind: "agent.about" });
    op = await nextOp(agent);
    agent.send({
      type: "opFailed",
      id: op.id,
      code: "not_granted",
      reason: "files is not granted",
    });
    assert.deepEqual(await refused, {
      ok: false,
      code: "not_granted",
      reason: "files is not granted",
    });

    const slow = await callAgent(t.deps, session.id, { kind: "agent.about" }, { timeoutMs: 50 });
    assert.equal(!slow.ok && slow.code, "timeout");
    op = await nextOp(agent);
    assert.equal((await agent.next((m) => m.type === "opCancel")).type, "opCancel");

    const abort = new AbortController();
    const cancelled = callAgent(t.deps, session.id, { kind: "agent.about" }, {
      signal: abort.signal,
    });
    op = await nextOp(agent);
    abort.abort();
    assert.equal((await cancelled).ok, false);
    const cancel = await agent.next((m) => m.type === "opCancel");
    assert.equal(cancel.type === "opCancel" && cancel.id, op.id);
    // A late answer to a finished operation changes nothing and breaks nothing.
    agent.send({ type: "opDone", id: op.id, json: '{"os":"linux","ops":[]}' });
    assert.equal(agentOps(t.deps).pending, 0);
  }),
);

test("callAgent: no agent → agent_absent; the agent leaving mid-operation → agent_gone", async () => {
  const t = await startTestApp();
  try {
    await withServer(t, async (port) => {
      const tech = await technician(t);
      const session = await carolSession(t, tech);
      const absent = await callAgent(t.deps, session.id, { kind: "agent.about" });
      assert.equal(!absent.ok && absent.code, "agent_absent");
      const agent = await attached(port, session.token);
      const call = callAgent(t.deps, session.id, { kind: "agent.about" });
      await nextOp(agent);
      agent.ws.close();
      const outcome = await call;
      assert.equal(!outcome.ok && outcome.code, "agent_gone");
    });
  } finally {
    await t.close();
  }
});

test("callAgent: an agent cannot answer another session's operation", async () => {
  const t = await startTestApp();
  try {
    await withServer(t, async (port) => {
      const tech = await technician(t);
      const mine = await carolSession(t, tech);
      const other = await carolSession(t, tech);
      const agent = await attached(port, mine.token);
      const intruder = await attached(port, other.token);
      const call = callAgent(t.deps, mine.id, { kind: "agent.about" }, { timeoutMs: 400 });
      const op = await nextOp(agent);
      intruder.send({ type: "opDone", id: op.id, json: '{"os":"linux","ops":["forged"]}' });
      await new Promise((r) => setTimeout(r, 50));
      agent.send({ type: "opDone", id: op.id, json: '{"os":"linux","ops":["real"]}' });
      const outcome = await call;
      assert.deepEqual(outcome, { ok: true, result: { os: "linux", ops: ["real"] } });
    });
  } finally {
    await t.close();
  }
});

test(
  "tool consent: only the agent's word grants; answers, revokes and stops are logged",
  withAgent(async (t, session, agent, tech) => {
    const consent = toolConsent(t.deps, session);
    const states: string[] = [];
    consent.listeners.add((state) => states.push(state.consent.files));
    assert.equal(consent.state.present, true);
    const by = { userId: tech.id, name: tech.name };
    assert.equal(consent.request("files", by), true);
    assert.deepEqual(await agent.next((m) => m.type === "request"), {
      type: "request",
      capability: "files",
    });
    assert.equal(consent.allows("files"), false, "asking grants nothing");
    agent.send({ type: "ask", capability: "files" });
    agent.send({ type: "consent", capability: "files", granted: true });
    await waitFor(() => consent.allows("files"));
    agent.send({ type: "consent", capability: "files", granted: false });
    await waitFor(() => consent.state.consent.files === "revoked");
    consent.request("files", by);
    agent.send({ type: "consent", capability: "files", granted: false });
    await waitFor(() => consent.state.consent.files === "denied");
    consent.request("files", by);
    agent.send({ type: "consent", capability: "files", granted: true });
    await waitFor(() => consent.allows("files"));
    consent.end("files", by);
    assert.deepEqual(await agent.next((m) => m.type === "revoke"), {
      type: "revoke",
      capability: "files",
    });
    assert.deepEqual(states, [
      "asked",
      "granted",
      "revoked",
      "asked",
      "denied",
      "asked",
      "granted",
      "off",
    ]);
    agent.ws.close();
    await waitFor(() => !consent.state.present);
    assert.equal(consent.allows("files"), false, "nothing is allowed without the agent");
    await waitFor(async () =>
      (await readLog(t.deps.db, session.id)).filter((l) => l.body.startsWith("log.tool."))
        .length ===
        8
    );
    const keys = (await readLog(t.deps.db, session.id)).map((l) => l.body)
      .filter((k) => k.startsWith("log.tool."));
    assert.deepEqual(keys, [
      "log.tool.filesRequested",
      "log.tool.filesGranted",
      "log.tool.filesRevoked",
      "log.tool.filesRequested",
      "log.tool.filesDenied",
      "log.tool.filesRequested",
      "log.tool.filesGranted",
      "log.tool.filesEnded",
    ]);
  }),
);

async function waitFor(check: () => boolean | Promise<boolean>, ms = 2_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
