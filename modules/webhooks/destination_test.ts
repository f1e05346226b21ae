import assert from "node:assert/strict";
import { addressKind, kindAllowed, refusedDestination, type Resolver } from "./destination.ts";

Deno.test("addressKind() tells public from loopback and private, IPv4 and IPv6 alike", () => {
  const cases: [string, string][] = [
    ["93.184.216.34", "public"],
    ["8.8.8.8", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "private"],
    ["100.64.0.1", "private"],
    ["0.0.0.0", "private"],
    ["224.0.0.1", "private"],
    ["255.255.255.255", "private"],
    ["::1", "loopback"],
    ["::", "private"],
    ["fe80::1", "private"],
    ["fd00::1", "private"],
    ["ff02::1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::a00:1", "private"],
    ["2606:4700::1111", "public"],
    ["not an address", "private"],
  ];
  for (const [ip, kind] of cases) assert.equal(addressKind(ip), kind, ip);
  assert.equal(kindAllowed("loopback", "none"), false);
  assert.equal(kindAllowed("loopback", "loopback"), true);
  assert.equal(kindAllowed("private", "loopback"), false);
  assert.equal(kindAllowed("private", "private"), true);
});

Deno.test("refusedDestination() resolves a name at delivery and refuses a private answer", async () => {
  const dns: Record<string, string[]> = {
    "A hooks.example.com": ["93.184.216.34"],
    "A rebind.example.com": ["93.184.216.34"],
    "AAAA rebind.example.com": ["fd00::5"],
    "A intranet.example.com": ["10.0.0.7"],
  };
  const resolve: Resolver = (name, type) => Promise.resolve(dns[`${type} ${name}`] ?? []);
  const check = (url: string, allow: "none" | "loopback" | "private" = "none") =>
    refusedDestination(new URL(url), allow, resolve);
  assert.equal(await check("https://hooks.example.com/in"), null);
  assert.match(await check("https://intranet.example.com/in") ?? "", /resolves to 10\.0\.0\.7/);
  assert.match(await check("https://rebind.example.com/in") ?? "", /fd00::5, a private/);
  assert.equal(await check("https://intranet.example.com/in", "private"), null);
  assert.match(await check("https://gone.example.com/in") ?? "", /does not resolve/);
  assert.match(await check("http://localhost:9/in") ?? "", /loopback/);
  assert.equal(await check("http://127.0.0.1:9/in", "loopback"), null);
  assert.match(await check("http://[::ffff:a9fe:a9fe]/") ?? "", /private/);
});
