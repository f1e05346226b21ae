import assert from "node:assert/strict";
import { BUS_CHANNEL, decodeEnvelope, type LiveBusNotifications } from "./bus.ts";
import { type LiveEvent, LiveHub } from "./hub.ts";

/**
 * A PostgreSQL channel in memory: every NOTIFY reaches every listener (its sender too, as
 * in PostgreSQL); `reconnect()` plays a LISTEN connection that died and came back.
 */
class FakeChannel {
  listeners: { onMessage: (p: string) => void; onListen?: () => void; onLost?: () => void }[] = [];
  sent: string[] = [];
  connection(): LiveBusNotifications {
    return {
      listen: (channel, onMessage, onListen, onLost) => {
        assert.equal(channel, BUS_CHANNEL);
        const listener = { onMessage, onListen, onLost };
        this.listeners.push(listener);
        onListen?.();
        return Promise.resolve({
          unlisten: () => {
            this.listeners = this.listeners.filter((l) => l !== listener);
            return Promise.resolve();
          },
        });
      },
      notify: (_channel, payload) => {
        this.sent.push(payload);
        for (const l of [...this.listeners]) l.onMessage(payload);
        return Promise.resolve();
      },
    };
  }
  lose() {
    for (const l of this.listeners) l.onLost?.();
  }
  reconnect() {
    for (const l of this.listeners) l.onListen?.();
  }
}

async function twoHubs() {
  const channel = new FakeChannel();
  const warnings: string[] = [];
  const warn = (message: string) => void warnings.push(message);
  const a = new LiveHub();
  const b = new LiveHub();
  const stopA = await a.connectBus(channel.connection(), { instanceId: "A", warn });
  const stopB = await b.connectBus(channel.connection(), { instanceId: "B", warn });
  return { channel, warnings, a, b, stop: () => Promise.all([stopA(), stopB()]) };
}

Deno.test("LiveHub.connectBus(): an event published on A reaches B's listeners once, and A's own once", async () => {
  const { a, b, stop } = await twoHubs();
  const onA: LiveEvent[] = [];
  const onB: LiveEvent[] = [];
  a.subscribe("org", (e) => void onA.push(e));
  b.subscribe("org", (e) => void onB.push(e));
  b.subscribe("other", () => assert.fail("another organisation's listener heard it"));
  const event = { kind: "log", orgId: "org", sessionId: "s", logId: 7 } as const;
  a.publish(event);
  assert.deepEqual(onA, [event], "delivered here once: the echo from the bus is ignored");
  assert.deepEqual(onB, [event]);
  assert.notEqual(onB[0], event, "B gets its own object (per-event memos load anew)");
  assert.deepEqual(a.bus, { sent: 1, received: 0, refused: 0, resyncs: 0 });
  assert.deepEqual(b.bus, { sent: 0, received: 1, refused: 0, resyncs: 0 });
  await stop();
});

Deno.test("LiveHub.connectBus(): an event too big for NOTIFY stays local, with a warning", async () => {
  const { a, b, channel, warnings, stop } = await twoHubs();
  const onA: LiveEvent[] = [];
  const onB: LiveEvent[] = [];
  a.subscribe("org", (e) => void onA.push(e));
  b.subscribe("org", (e) => void onB.push(e));
  const big = { kind: "session", orgId: "org", sessionId: "é".repeat(4000) } as const;
  a.publish(big);
  assert.deepEqual(onA, [big]);
  assert.deepEqual(onB, []);
  assert.deepEqual(channel.sent, []);
  assert.equal(a.bus?.refused, 1);
  assert.match(warnings.join("\n"), /too big/);
  await stop();
});

Deno.test("LiveHub.connectBus(): after the LISTEN connection comes back, each organisation with listeners hears resync", async () => {
  const { a, b, channel, warnings, stop } = await twoHubs();
  const heard: string[] = [];
  b.subscribe("org1", (e) => void heard.push(`1:${e.kind}`));
  b.subscribe("org1", (e) => void heard.push(`1':${e.kind}`));
  b.subscribe("org2", (e) => void heard.push(`2:${e.kind}`));
  const gone = b.subscribe("org3", (e) => void heard.push(`3:${e.kind}`));
  gone();
  assert.deepEqual(heard, [], "the first LISTEN is no resync");
  channel.lose();
  assert.match(warnings.join("\n"), /lost/);
  assert.deepEqual(heard, []);
  channel.reconnect();
  assert.deepEqual(heard.sort(), ["1':resync", "1:resync", "2:resync"]);
  assert.equal(b.bus?.resyncs, 1);
  assert.match(warnings.join("\n"), /is back/);
  a.publish({ kind: "session", orgId: "org2", sessionId: "s" });
  assert.deepEqual(heard.slice(3), ["2:session"], "later events still arrive");
  await stop();
});

Deno.test("LiveHub.connectBus(): malformed notifications are ignored; after stop nothing crosses", async () => {
  const { a, b, channel, warnings, stop } = await twoHubs();
  const onB: LiveEvent[] = [];
  b.subscribe("org", (e) => void onB.push(e));
  for (const l of channel.listeners) {
    l.onMessage("not json");
    l.onMessage(JSON.stringify({ from: "X", event: { kind: "session", orgId: "org" } }));
    l.onMessage(JSON.stringify({ from: "X", event: { kind: "bogus", orgId: "org" } }));
  }
  assert.deepEqual(onB, []);
  assert.equal(warnings.filter((w) => /malformed/.test(w)).length, 6);
  await stop();
  a.publish({ kind: "session", orgId: "org", sessionId: "s" });
  assert.deepEqual(onB, []);
  assert.deepEqual(channel.sent, []);
});

Deno.test("decodeEnvelope() accepts every kind the hub publishes and refuses wrong fields", () => {
  const events: LiveEvent[] = [
    { kind: "session", orgId: "o", sessionId: "s" },
    { kind: "log", orgId: "o", sessionId: "s", logId: 1 },
    { kind: "presence", orgId: "o", userId: "u" },
    { kind: "access", orgId: "o" },
    { kind: "access", orgId: "o", userId: "u" },
    { kind: "remote", orgId: "o", sessionId: "s" },
    { kind: "deviceJoin", orgId: "o", deviceRef: "d", sessionId: "s" },
    { kind: "deviceJoin", orgId: "o", deviceRef: "d", sessionId: "s", sealedCredentials: "x" },
    { kind: "resync", orgId: "o" },
  ];
  for (const event of events) {
    assert.deepEqual(decodeEnvelope(JSON.stringify({ from: "A", event })), { from: "A", event });
  }
  for (
    const bad of [
      { from: 1, event: events[0] },
      { from: "A", event: { kind: "log", orgId: "o", sessionId: "s", logId: "1" } },
      { from: "A", event: { kind: "presence", orgId: "o" } },
      { from: "A", event: { kind: "session", orgId: 5, sessionId: "s" } },
      { from: "A", event: { kind: "deviceJoin", orgId: "o", sessionId: "s" } },
      {
        from: "A",
        event: {
          kind: "deviceJoin",
          orgId: "o",
          deviceRef: "d",
          sessionId: "s",
          sealedCredentials: 1,
        },
      },
      { from: "A", event: [] },
    ]
  ) {
    assert.equal(decodeEnvelope(JSON.stringify(bad)), undefined, JSON.stringify(bad));
  }
});
