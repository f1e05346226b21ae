// Issue 13: two windows of one technician both drove the keyboard at once. One holds control;
// the other's input is refused with a reason until it takes control, which tells both.
// Issue 20: one holder per session across technicians; control passes only explicitly (asked
// and given, given unasked, taken back by the lead); a monitoring admin never controls; only
// the holder ends control (a colleague's "End remote control" ended the lead's).
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { CONTROL_REFUSALS } from "../../protocol/viewer.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

function viewer(userId: string, name: string, monitor = false) {
  const seen: ViewerMessage[] = [];
  const link: ViewerLink = {
    userId,
    name,
    watching: false,
    peer: null,
    monitor,
    send: (m) => void seen.push(m),
  };
  // Each change of holder, as this seat heard it (repeats — someone joined — folded).
  const owners = () =>
    seen.flatMap((m) => m.type === "control_owner" ? [m.owner] : [])
      .filter((o, i, all) => i === 0 || all[i - 1] !== o);
  const last = () => seen.findLast((m) => m.type === "control_owner");
  return { link, seen, owners, last };
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

Deno.test("the customer's grant gives control to the technician who asked, no one else", () => {
  const { remote, tab1, tab2, bob } = granted();
  // Before any input: only the asker's island may say "You are controlling".
  assert.equal(tab1.last()?.owner, "here");
  assert.equal(tab2.last()?.owner, "elsewhere");
  assert.equal(bob.last()?.owner, "other");
  assert.equal(remote.input(key, bob.link), "control_taken");
  remote.close();
});

Deno.test("the asker left before the grant: control is free, the first to use it takes it", () => {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
  const ann = viewer("u1", "Ann"), bob = viewer("u2", "Bob");
  remote.join(ann.link);
  remote.join(bob.link);
  remote.setControl(ann.link, true);
  remote.leave(ann.link);
  remote.agentConsent("view", true);
  remote.agentConsent("control", true);
  assert.equal(bob.last()?.owner, "none");
  assert.equal(remote.input(key, bob.link), null);
  assert.equal(bob.last()?.owner, "here");
  remote.close();
});

Deno.test("one window of a technician drives; the other is refused and can take control", () => {
  const { remote, toAgent, tab1, tab2, bob } = granted();
  toAgent.length = 0;
  assert.equal(remote.input(key, tab1.link), null, "the first to type takes control");
  assert.deepEqual(tab1.owners(), ["none", "here"]);
  assert.deepEqual(tab2.owners(), ["none", "elsewhere"]);
  assert.deepEqual(bob.owners(), ["none", "other"], "another technician hears who controls");
  assert.equal(remote.input(key, bob.link), "control_taken");

  assert.equal(remote.input(key, tab2.link), "control_elsewhere");
  assert.equal(remote.setControl(tab2.link, true), "control_elsewhere");
  assert.equal(toAgent.length, 1, "the other window's key never reached the agent");
  // The other window's "end control" does not end the holder's control: it takes it first.
  assert.equal(remote.setControl(tab2.link, false), "control_elsewhere");
  assert.equal(remote.consent.control, "granted");

  assert.equal(remote.takeControl(tab2.link), null);
  assert.deepEqual(tab1.owners(), ["none", "here", "elsewhere"]);
  assert.deepEqual(tab2.owners(), ["none", "elsewhere", "here"]);
  assert.equal(remote.input(key, tab1.link), "control_elsewhere");
  assert.equal(remote.input(key, tab2.link), null);
  assert.equal(toAgent.length, 2);
  remote.close();
});

Deno.test("the holder's window closing or control ending frees control", () => {
  const { remote, tab1, tab2 } = granted();
  remote.input(key, tab1.link);
  remote.leave(tab1.link);
  assert.deepEqual(tab2.owners(), ["none", "elsewhere", "none"]);
  assert.equal(remote.input(key, tab2.link), null, "free: the remaining window takes it");
  assert.deepEqual(tab2.owners(), ["none", "elsewhere", "none", "here"]);

  remote.customerRevoke("control");
  assert.deepEqual(tab2.owners().at(-1), "none");
  assert.equal(remote.takeControl(tab2.link), "control_not_granted");
  remote.close();
});

Deno.test("control passes between technicians only when asked and given, or given", () => {
  const { remote, toAgent, tab1, bob } = granted();
  assert.equal(remote.input(key, tab1.link), null, "Ann takes control first");
  assert.equal(remote.customerView().technicians.find((p) => p.controls)?.name, "Ann");
  assert.equal(remote.takeControl(bob.link), "control_taken", "Bob may not just take it");
  assert.equal(remote.giveControl(bob.link, "u1"), "control_not_holder");

  assert.equal(remote.requestControl(bob.link), null);
  assert.deepEqual(tab1.last(), {
    type: "control_owner",
    owner: "here",
    holder: "Ann",
    asking: { userId: "u2", name: "Bob" },
    others: [{ userId: "u2", name: "Bob" }],
  });
  assert.deepEqual(bob.last()?.type === "control_owner" && bob.last(), {
    type: "control_owner",
    owner: "other",
    holder: "Ann",
    asking: { userId: "u2", name: "Bob" },
    others: [{ userId: "u1", name: "Ann" }],
  });
  // Ann says no first: the request is gone, control stays.
  assert.equal(remote.declineControl(tab1.link), null);
  assert.equal(bob.last()?.type === "control_owner" && bob.last()?.asking, null);
  assert.equal(remote.input(key, bob.link), "control_taken");

  remote.requestControl(bob.link);
  assert.equal(remote.giveControl(tab1.link, "u2"), null);
  assert.equal(bob.owners().at(-1), "here");
  assert.equal(tab1.owners().at(-1), "other");
  toAgent.length = 0;
  assert.equal(remote.input(key, bob.link), null);
  assert.equal(remote.input(key, tab1.link), "control_taken");
  assert.equal(toAgent.length, 1, "only Bob's key reached the agent");
  assert.equal(remote.customerView().technicians.find((p) => p.controls)?.name, "Bob");

  // Bob gives it back unasked; giving to someone not on the view is refused.
  assert.equal(remote.giveControl(bob.link, "nobody"), "control_no_target");
  assert.equal(remote.giveControl(bob.link, "u1"), null);
  assert.equal(tab1.owners().at(-1), "here");
  remote.close();
});

Deno.test("only the holder ends control; another technician, the lead too, is refused", () => {
  const { remote, toAgent, tab1, bob } = granted();
  assert.equal(remote.input(key, tab1.link), null, "Ann (the lead) drives");
  toAgent.length = 0;
  assert.equal(remote.setControl(bob.link, false), "control_end_not_holder");
  assert.equal(remote.consent.control, "granted", "Bob cannot end Ann's control");
  assert.equal(tab1.last()?.type === "control_owner" && tab1.last()?.owner, "here");
  assert.deepEqual(toAgent, [], "no revoke reached the agent");

  remote.requestControl(bob.link);
  assert.equal(remote.giveControl(tab1.link, "u2"), null);
  assert.equal(remote.setControl(tab1.link, false), "control_end_not_holder", "nor the lead");
  assert.equal(remote.consent.control, "granted");
  assert.equal(remote.takeControl(tab1.link, { lead: true }), null, "the lead takes it back");
  assert.equal(remote.setControl(tab1.link, false), null, "and then ends it");
  assert.equal(remote.consent.control, "off");
  assert.deepEqual(toAgent, [{ type: "revoke", capability: "control" }]);
  remote.close();
});

Deno.test("control nobody holds (its holder left) can be ended by anyone on the view", () => {
  const { remote, tab1, tab2, bob } = granted();
  remote.leave(tab1.link);
  remote.leave(tab2.link);
  assert.equal(bob.last()?.type === "control_owner" && bob.last()?.owner, "none");
  assert.equal(remote.setControl(bob.link, false), null);
  assert.equal(remote.consent.control, "off");
  remote.close();
});

Deno.test("every control refusal has its words in every locale", async () => {
  for (const lang of ["en", "nl"]) {
    const words = JSON.parse(
      await Deno.readTextFile(new URL(`../../locales/${lang}.json`, import.meta.url)),
    );
    for (const code of CONTROL_REFUSALS) {
      assert.equal(typeof words.remote.refused[code], "string", `${lang}: remote.refused.${code}`);
    }
  }
});

Deno.test("the lead takes control back; a monitoring admin never controls", () => {
  const { remote, tab1, bob } = granted();
  const admin = viewer("u9", "Mia", true);
  remote.join(admin.link);
  assert.equal(remote.giveControl(tab1.link, "u2"), null, "Ann (the asker) gives it to Bob");
  assert.equal(remote.takeControl(tab1.link, { lead: false }), "control_taken");
  assert.equal(remote.takeControl(tab1.link, { lead: true }), null);
  assert.equal(tab1.owners().at(-1), "here");
  assert.equal(bob.owners().at(-1), "other");

  assert.equal(remote.input(key, admin.link), "control_monitor");
  assert.equal(remote.setControl(admin.link, true), "control_monitor");
  assert.equal(remote.takeControl(admin.link, { lead: true }), "control_monitor");
  assert.equal(remote.requestControl(admin.link), "control_monitor");
  assert.equal(
    remote.giveControl(tab1.link, "u9"),
    "control_no_target",
    "never given to a monitor",
  );
  const others = tab1.last()?.type === "control_owner" ? tab1.last() : null;
  assert.deepEqual(
    others && "others" in others ? others.others : [],
    [{ userId: "u2", name: "Bob" }],
    "a monitor is not offered as a target",
  );
  assert.deepEqual(remote.customerView().technicians, [
    { name: "Ann", controls: true, monitor: false },
    { name: "Bob", controls: false, monitor: false },
    { name: "Mia", controls: false, monitor: true },
  ]);
  remote.close();
});

Deno.test("a monitoring admin never asks the customer and its leaving ends nothing", () => {
  const toAgent: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached({ send: (m) => void toAgent.push(m), close: () => {} }, {
    width: 640,
    height: 480,
  });
  const admin = viewer("u9", "Mia", true);
  remote.join(admin.link);
  assert.equal(remote.setWatching(admin.link, true), null);
  assert.deepEqual(toAgent.filter((m) => m.type === "request"), [], "no question from a monitor");
  assert.equal(remote.consent.view, "off");
  const ann = viewer("u1", "Ann");
  remote.join(ann.link);
  remote.setWatching(ann.link, true);
  remote.agentConsent("view", true);
  remote.setWatching(admin.link, false);
  assert.equal(remote.consent.view, "granted", "the admin looking away ends nothing");
  remote.close();
});
