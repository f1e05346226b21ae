import assert from "node:assert/strict";
import {
  Channel,
  type DeviceAgentMessage,
  DeviceAgentMessageSchema,
  type DeviceServerMessage,
  DeviceServerMessageSchema,
} from "./mod.ts";

/**
 * Each side's message through the codec the other side decodes it with (fresh channels: a
 * refused frame does not move the sequence on).
 */
const agentSide = {
  decode: (frame: string) =>
    new Channel<DeviceAgentMessage, DeviceAgentMessage>(DeviceAgentMessageSchema).decode(frame),
  encode: (message: DeviceAgentMessage) =>
    new Channel<DeviceAgentMessage, DeviceAgentMessage>(DeviceAgentMessageSchema).encode(message),
};
const serverSide = {
  decode: (frame: string) =>
    new Channel<DeviceServerMessage, DeviceServerMessage>(DeviceServerMessageSchema).decode(frame),
  encode: (message: DeviceServerMessage) =>
    new Channel<DeviceServerMessage, DeviceServerMessage>(DeviceServerMessageSchema).encode(
      message,
    ),
};
const scanId = crypto.randomUUID();
const host = { address: "192.168.1.20", name: "nas.lan", ports: [22, 445], neighbour: true };

Deno.test("the device socket carries LAN connect's messages, checked field by field", () => {
  const ok = agentSide.encode({ type: "lanHost", scanId, host: { ...host, ports: [22, 445] } });
  const decoded = agentSide.decode(ok);
  assert.ok(decoded.ok, JSON.stringify(decoded));
  assert.deepEqual(decoded.message, { type: "lanHost", scanId, host });
  const refused = [
    { ...host, address: "192.168.1.256" },
    { ...host, address: "010.1.1.1" },
    { ...host, address: "fe80::1" },
    { ...host, ports: [8080] },
    { ...host, ports: [22, 22, 445, 3389, 5985] },
    { ...host, name: "a".repeat(254) },
    { ...host, name: "<script>" },
    { ...host, extra: 1 },
  ];
  for (const bad of refused) {
    const result = agentSide.decode(
      agentSide.encode({ type: "lanHost", scanId, host: bad } as never),
    );
    assert.equal(result.ok, false, JSON.stringify(bad));
  }
  const done = agentSide.decode(
    agentSide.encode({ type: "lanScanDone", scanId, scanned: 254, stopped: false, error: "busy" }),
  );
  assert.ok(done.ok);
  assert.equal(
    agentSide.decode(
      agentSide.encode({ type: "lanScanDone", scanId: "x", scanned: 1, stopped: false } as never),
    ).ok,
    false,
  );
  const detail = { type: "lanPushResult", pushId: scanId, ok: false, error: "auth_failed" };
  assert.ok(
    agentSide.decode(agentSide.encode({ ...detail, detail: "Permission denied" } as never)).ok,
  );
  assert.equal(
    agentSide.decode(agentSide.encode({ ...detail, detail: "x".repeat(301) } as never)).ok,
    false,
  );
  assert.equal(
    agentSide.decode(agentSide.encode({ ...detail, error: "something" } as never)).ok,
    false,
  );
});

Deno.test("lanPush needs the accepted fingerprint, a PIN and sealed credentials", () => {
  const push = {
    type: "lanPush",
    pushId: crypto.randomUUID(),
    address: "10.0.0.7",
    method: "ssh",
    fingerprint: "SHA256:" + "A".repeat(43),
    pin: "123456",
    packagePath: "/s/abcdefgh1234/agent",
    sealedCredentials: "A".repeat(100),
  };
  assert.ok(serverSide.decode(serverSide.encode(push as never)).ok);
  for (
    const bad of [
      { ...push, sealedCredentials: undefined },
      { ...push, credentials: { user: "root", password: "x" } },
      { ...push, fingerprint: "MD5:aa:bb" },
      { ...push, pin: "12ab" },
      { ...push, method: "telnet" },
      { ...push, address: "example.com" },
      { ...push, packagePath: "https://elsewhere.example/x" },
    ]
  ) {
    assert.equal(serverSide.decode(serverSide.encode(bad as never)).ok, false, JSON.stringify(bad));
  }
  assert.ok(serverSide.decode(serverSide.encode({ type: "lanScan", scanId })).ok);
  assert.ok(serverSide.decode(serverSide.encode({ type: "lanStop", scanId })).ok);
});
