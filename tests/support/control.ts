/**
 * A technician in control of a session's remote view, without a real agent: an in-process
 * fake agent attached to the session's remote hub that the customer let view and control
 * (consent itself is tested with the real agent: tests/security/agent_consent_test.ts).
 */
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import type { TestApp } from "./app.ts";
import { TECH_PASSWORD } from "./org.ts";
import { technician, workingSession } from "./sessions.ts";
import { viewerSocket } from "./sockets.ts";

/** A fake 800×600 agent on session `sessionId` that may be viewed and controlled; what it got. */
export function consentingAgent(t: TestApp, sessionId: string) {
  const remote = remoteHub(t.deps).find(sessionId);
  if (!remote) throw new Error(`no remote session for ${sessionId}`);
  const got: ServerMessage[] = [];
  remote.agentAttached({ send: (m) => got.push(m), close() {} }, { width: 800, height: 600 });
  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  return { remote, got };
}

/**
 * A technician working a session with a connected customer, its viewer socket, and a
 * consenting fake agent that its first pointer move has reached: the viewer holds control.
 */
export async function controllingViewer(t: TestApp, port: number) {
  const tech = await technician(t);
  const session = await workingSession(t, tech);
  const browser = t.client();
  await browser.signIn(tech.email, TECH_PASSWORD);
  const viewer = await viewerSocket(port, browser, session.id);
  await viewer.next((f) => f.type === "state");
  const { remote, got: agentGot } = consentingAgent(t, session.id);
  viewer.send({ type: "pointer", x: 10, y: 10 });
  const start = performance.now();
  while (!agentGot.some((m) => m.type === "pointer") && performance.now() - start < 10_000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(agentGot.some((m) => m.type === "pointer"), "control works");
  return { tech, session, browser, viewer, remote, agentGot };
}
