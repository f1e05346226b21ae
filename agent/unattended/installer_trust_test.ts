// The unattended service trusts what the app that installed it trusted: a private CA's
// ca.pem (DENO_CERT, set by the package's launcher) and the system store choice go into the
// systemd unit, and are there when systemd starts the agent (unitCommand reads them back).
import assert from "node:assert/strict";
import { systemdUnit, trustEnvironment, unitCommand } from "./installer.ts";

Deno.test("systemdUnit() carries DENO_CERT and DENO_TLS_CA_STORE of the installing app", () => {
  const env: Record<string, string> = {
    DENO_CERT: "/home/carol/Downloads/rescue-agent/ca.pem",
    DENO_TLS_CA_STORE: "mozilla,system",
    HOME: "/home/carol",
  };
  const trust = trustEnvironment((name) => env[name]);
  assert.deepEqual(Object.keys(trust).sort(), ["DENO_CERT", "DENO_TLS_CA_STORE"], "HOME not");
  const unit = systemdUnit({
    server: "https://help.example",
    stateDir: "/var/lib/rescue",
    command: ["/opt/rescue/deno", "run", "/opt/rescue/agent.js"],
    display: ":0",
    trust,
  }, "/etc/rescue-agent/service.json");
  const { env: unitEnv } = unitCommand(unit);
  assert.equal(unitEnv.DENO_CERT, "/home/carol/Downloads/rescue-agent/ca.pem");
  assert.equal(unitEnv.DENO_TLS_CA_STORE, "mozilla,system");
  assert.equal(unitEnv.DISPLAY, ":0");
  // Nothing set: nothing written.
  const plain = systemdUnit({
    server: "https://help.example",
    stateDir: "/var/lib/rescue",
    command: ["/opt/rescue/agent"],
    trust: trustEnvironment(() => undefined),
  }, "/etc/rescue-agent/service.json");
  assert.doesNotMatch(plain, /DENO_CERT|DENO_TLS_CA_STORE/);
});
