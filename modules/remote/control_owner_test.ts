// Issue 13: two windows of one technician both drove the keyboard at once. One holds control;
// the other's input is refused with a reason until it takes control, which tells both.
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

function viewer(userId: string, name: string) {
  const seen: ViewerMessage[] = [];
  const link: ViewerLink = {
    userId,
    name,
    watching: false,
    peer: null,
    send: (m) => void seen.push(m),
  };
  const owners = () => seen.flatMap((m) => m.type === "control_owner" ? [m.owner] : []);
  return { link, seen, owners };
}

function granted() {
  const toAgent: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {} }, {
    width: 640,
    height: 480,
  });
  const tab1 = viewer("u1", "Ann");
  const tab2 = viewer("u1", "Ann");
  const bob = viewer("u2", "Bob");
  for (const v of [tab1, tab2, bob]) remote.join(v.link);
  remote.setControl(tab1.link, true);
  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  return { remote, toAgent, tab1, tab2, bob };
}

const key: ServerMessage = { type: "key", keysym: 0x61, down: true };

Deno.test("one window of a technician drives; the other is refused and can take control", () => {
  const { remote, toAgent, tab1, tab2, bob } = granted();
  toAgent.length = 0;
  assert.equal(remote.input(key, tab1.link), null, "the first to type takes control");
  assert.deepEqual(tab1.owners(), ["here"]);
  assert.deepEqual(tab2.owners(), ["elsewhere"]);
  assert.deepEqual(bob.owners(), [], "another technician is not concerned");

  assert.equal(remote.input(key, tab2.link), "control_elsewhere");
  assert.equal(remote.setControl(tab2.link, true), "control_elsewhere");
  assert.equal(toAgent.length, 1, "the other window's key never reached the agent");
  // The other window's "end control" does not end the holder's control.
  assert.equal(remote.setControl(tab2.link, false), null);
  assert.equal(remote.consent.control, "granted");

  assert.equal(remote.takeControl(tab2.link), null);
  assert.deepEqual(tab1.owners(), ["here", "elsewhere"]);
  assert.deepEqual(tab2.owners(), ["elsewhere", "here"]);
  assert.equal(remote.input(key, tab1.link), "control_elsewhere");
  assert.equal(remote.input(key, tab2.link), null);
  assert.equal(toAgent.length, 2);
  remote.close();
});

Deno.test("the holder's window closing or control ending frees control", () => {
  const { remote, tab1, tab2 } = granted();
  remote.input(key, tab1.link);
  remote.leave(tab1.link);
  assert.deepEqual(tab2.owners(), ["elsewhere", "none"]);
  assert.equal(remote.input(key, tab2.link), null, "free: the remaining window takes it");
  assert.deepEqual(tab2.owners(), ["elsewhere", "none", "here"]);

  remote.customerRevoke("control");
  assert.deepEqual(tab2.owners().at(-1), "none");
  assert.equal(remote.takeControl(tab2.link), "control_not_granted");
  remote.close();
});
