// The switch from a browser share to the support app, in RemoteSession (hub.ts): a technician
// asks, the customer's page hears it, the app's link takes the share's place in the same
// session — the share sees it is replaced as it closes (so it takes nothing back), what the
// customer allowed in the browser is not carried over, the app is asked for view in its own
// window for the technician still watching, the picture's codec goes back to the app's VP8,
// and the log hears both steps.
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { type RemoteEvent, RemoteSession, type ViewerLink } from "./hub.ts";

Deno.test("RemoteSession: asked to switch, the support app takes a browser share's place", async () => {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const events: RemoteEvent[] = [];
  remote.onEvent = (event) => void events.push(event);
  let agentWhenShareClosed: unknown = "not closed";
  const share = {
    viewOnly: true as const,
    send: () => {},
    close: () => void (agentWhenShareClosed = remote.agent),
  };
  remote.agentAttached(share, { width: 1280, height: 720 }, null, {
    name: "vp9",
    parameters: "profile-id=0",
  });
  remote.agentConsent("view", true); // sharing is the consent to view
  const viewer: ViewerLink = { userId: "u1", name: "Ann", watching: true, peer: null, send() {} };
  remote.join(viewer);
  assert.equal(remote.codec.name, "vp9");
  assert.equal(remote.customerView().browserShare, true);
  assert.equal(remote.customerView().switchAsked, false);

  assert.equal(remote.askSwitchToAgent({ userId: "u1", name: "Ann" }), null);
  assert.equal(remote.customerView().switchAsked, true);
  assert.deepEqual(events.at(-1), { kind: "switchAsked", by: { userId: "u1", name: "Ann" } });

  const toApp: ServerMessage[] = [];
  const app = { send: (m: ServerMessage) => void toApp.push(m), close: () => {} };
  remote.agentAttached(app, { width: 1024, height: 768 }, "us");
  assert.equal(agentWhenShareClosed, app, "the share closes seeing the app in its place");
  assert.equal(remote.agent, app);
  assert.equal(remote.codec.name, "vp8");
  assert.equal(remote.consent.view, "off", "the browser's consent is not the app's");
  assert.equal(remote.customerView().browserShare, false);
  assert.equal(remote.customerView().switchAsked, false);
  assert.ok(events.some((e) => e.kind === "switchedToAgent"));
  await Promise.resolve();
  assert.deepEqual(toApp.filter((m) => m.type === "request"), [
    { type: "request", capability: "view" },
  ], "the app asks the customer for view in its own window");
  remote.close();
});

Deno.test("RemoteSession.askSwitchToAgent() is refused without a browser share", () => {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  assert.equal(remote.askSwitchToAgent({ userId: "u1", name: "Ann" }), "no_browser_share");
  remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
  assert.equal(remote.askSwitchToAgent({ userId: "u1", name: "Ann" }), "no_browser_share");
  assert.equal(remote.customerView().switchAsked, false);
  remote.close();
});
