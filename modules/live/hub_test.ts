import assert from "node:assert/strict";
import { LiveHub } from "./hub.ts";

Deno.test("LiveHub.listeners() counts open listeners by kind; unsubscribing twice counts once", () => {
  const hub = new LiveHub();
  const heard: string[] = [];
  const a = hub.subscribe("org", (e) => void heard.push(`a:${e.kind}`), { kind: "console" });
  const b = hub.subscribe("org", (e) => void heard.push(`b:${e.kind}`), { kind: "customer" });
  const c = hub.subscribe("other", () => {});
  assert.deepEqual(hub.listeners(), { console: 1, customer: 1, other: 1 });
  hub.publish({ kind: "session", orgId: "org", sessionId: "s" });
  assert.deepEqual(heard, ["a:session", "b:session"]);
  a();
  a();
  assert.deepEqual(hub.listeners(), { console: 0, customer: 1, other: 1 });
  assert.equal(hub.listenerCount("org"), 1);
  b();
  c();
  assert.deepEqual(hub.listeners(), { console: 0, customer: 0, other: 0 });
});
