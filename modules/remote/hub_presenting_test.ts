// RemoteSession tells the agent's window when a technician shows their own screen (present
// routes): who, and when it stops — only to an agent whose hello offered `presentingNotice`
// (an older agent would refuse the message), once per change, and again to a new agent link.
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { RemoteSession } from "./hub.ts";

function _agent(presentingNotice: boolean) {
  const sent: ServerMessage[] = [];
  return {
    sent,
    link: { presentingNotice, send: (m: ServerMessage) => void sent.push(m), close: () => {} },
  };
}

const presented = (sent: ServerMessage[]) => sent.filter((m) => m.type === "presenting");

Deno.test("RemoteSession.presentingChanged() tells an agent that can say it, once per change", () => {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const agent = _agent(true);
  remote.agentAttached(agent.link, { width: 800, height: 600 });
  assert.deepEqual(presented(agent.sent), [], "nothing shown: nothing said");
  const view = { id: 1, technician: "Ann", phase: "offered" as const };
  remote.presentingChanged(view);
  remote.presentingChanged({ ...view, phase: "watching" });
  assert.deepEqual(presented(agent.sent), [{ type: "presenting", technician: "Ann" }]);
  assert.deepEqual(remote.customerView().presenting, { ...view, phase: "watching" });

  // A new link (the app reconnected) hears what is shown now.
  const again = _agent(true);
  remote.agentAttached(again.link, { width: 800, height: 600 });
  assert.deepEqual(presented(again.sent), [{ type: "presenting", technician: "Ann" }]);
  remote.presentingChanged(null);
  assert.deepEqual(presented(again.sent), [
    { type: "presenting", technician: "Ann" },
    { type: "presenting", technician: null },
  ]);
  assert.equal(remote.customerView().presenting, null);
  remote.close();
});

Deno.test("RemoteSession.presentingChanged() sends an older agent nothing it would refuse", () => {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const older = _agent(false);
  remote.agentAttached(older.link, { width: 800, height: 600 });
  remote.presentingChanged({ id: 2, technician: "Ann", phase: "offered" });
  remote.presentingChanged(null);
  assert.deepEqual(presented(older.sent), []);
  remote.close();
});
