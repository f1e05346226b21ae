import assert from "node:assert/strict";
import { platformOf } from "./lan_push_ssh.ts";

Deno.test("platformOf() names the portable package for the host's `uname -sm`, or none", () => {
  assert.equal(platformOf("Linux x86_64\n"), "linux-x64");
  assert.equal(platformOf("Linux aarch64"), "linux-arm64");
  assert.equal(platformOf("Darwin arm64"), "darwin-arm64");
  assert.equal(platformOf("Linux armv7l"), null);
  assert.equal(platformOf("FreeBSD amd64"), null);
  assert.equal(platformOf(""), null);
});
