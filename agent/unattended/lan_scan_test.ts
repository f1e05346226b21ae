import assert from "node:assert/strict";
import {
  networkOf,
  parseArpTable,
  parseCidr,
  probePort,
  scanLan,
  type ScannedHost,
  scanNetworks,
} from "./lan_scan.ts";

Deno.test("networkOf() never covers more than a /24: a /16 is narrowed to the /24 around the address", () => {
  const wide = networkOf("10.20.30.40", 16)!;
  assert.equal(wide.cidr, "10.20.30.0/24");
  assert.equal(wide.addresses.length, 254);
  assert.equal(wide.addresses[0], "10.20.30.1");
  assert.equal(wide.addresses.at(-1), "10.20.30.254");
  const all = networkOf("10.20.30.40", 0)!;
  assert.equal(all.addresses.length, 254, "even 0.0.0.0/0 is one /24");
  const small = networkOf("192.168.1.77", 28)!;
  assert.equal(small.cidr, "192.168.1.64/28");
  assert.deepEqual([small.addresses[0], small.addresses.at(-1), small.addresses.length], [
    "192.168.1.65",
    "192.168.1.78",
    14,
  ]);
  assert.deepEqual(networkOf("127.0.0.1", 32)!.addresses, ["127.0.0.1"]);
  assert.equal(networkOf("300.1.1.1", 24), null);
  assert.equal(networkOf("1.2.3.4", 33), null);
  assert.deepEqual(parseCidr("127.0.0.1/32"), { cidr: "127.0.0.1/32", addresses: ["127.0.0.1"] });
  assert.equal(parseCidr("127.0.0.1"), null);
});

Deno.test("scanNetworks() takes each IPv4 interface's network, skips loopback, link-local and IPv6", () => {
  const networks = scanNetworks([
    { name: "lo", family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0" },
    { name: "eth0", family: "IPv4", address: "192.168.10.23", netmask: "255.255.0.0" },
    { name: "eth0", family: "IPv6", address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::" },
    { name: "eth1", family: "IPv4", address: "169.254.3.4", netmask: "255.255.0.0" },
    { name: "wlan0", family: "IPv4", address: "10.0.0.9", netmask: "255.255.255.0" },
    { name: "br0", family: "IPv4", address: "192.168.10.99", netmask: "255.255.255.0" },
    { name: "odd", family: "IPv4", address: "10.9.9.9", netmask: "255.0.255.0" },
  ]);
  assert.deepEqual(networks.map((n) => n.cidr), ["192.168.10.0/24", "10.0.0.0/24"]);
  assert.ok(networks.every((n) => n.addresses.length <= 254));
});

Deno.test("parseArpTable() keeps complete entries only", () => {
  const table = [
    "IP address       HW type     Flags       HW address            Mask     Device",
    "192.168.1.1      0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth0",
    "192.168.1.7      0x1         0x0         00:00:00:00:00:00     *        eth0",
    "192.168.1.9      0x1         0x6         11:22:33:44:55:66     *        eth0",
  ].join("\n");
  assert.deepEqual([...parseArpTable(table)], ["192.168.1.1", "192.168.1.9"]);
});

Deno.test("scanLan() finds 127.0.0.1 with its open port (test-only network), reports nothing closed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = (listener.addr as Deno.NetAddr).port;
  const closedListener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = (closedListener.addr as Deno.NetAddr).port;
  closedListener.close();
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    assert.equal(await probePort("127.0.0.1", open, 500), true);
    assert.equal(await probePort("127.0.0.1", closed, 500), false);
    const found: ScannedHost[] = [];
    const scanned = await scanLan({
      networks: [parseCidr("127.0.0.1/32")!, parseCidr("127.0.0.2/32")!],
      ports: [closed, open],
      onHost: (host) => found.push(host),
      signal: new AbortController().signal,
      neighbours: () => Promise.resolve(new Set()),
      resolve: (address) => Promise.resolve(address === "127.0.0.1" ? "localhost" : undefined),
    });
    assert.equal(scanned, 2);
    // 127.0.0.2 is loopback too and answers on the port bound to 127.0.0.1 only: not at all.
    assert.deepEqual(found, [
      { address: "127.0.0.1", name: "localhost", ports: [open], neighbour: false },
    ]);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("scanLan() stops when aborted", async () => {
  const stop = new AbortController();
  stop.abort();
  const found: ScannedHost[] = [];
  const scanned = await scanLan({
    networks: [networkOf("10.255.255.1", 24)!],
    onHost: (host) => found.push(host),
    signal: stop.signal,
    neighbours: () => Promise.resolve(new Set(["10.255.255.5"])),
  });
  assert.equal(scanned, 0);
  assert.deepEqual(found, []);
});
