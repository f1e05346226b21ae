// Which desktop Windows shows decides whether a failing grab is the secure desktop (a UAC prompt,
// the lock or sign-in screen: the technician is told to wait for the customer) or a failure.
import assert from "node:assert/strict";
import { isSecureDesktop } from "./windows_input_desktop.ts";

Deno.test("isSecureDesktop() row by row", () => {
  const rows: [string | null, string, boolean][] = [
    // shown, own → secure
    ["Default", "Default", false],
    // Denied: a program of the customer's own may not open Winlogon's desktop.
    [null, "Default", true],
    ["Winlogon", "Default", true],
    ["WINLOGON", "Default", true],
    ["Screen-saver", "Default", true],
    // A service that followed the input desktop there captures it.
    ["Winlogon", "Winlogon", false],
    // Another desktop of the user's (Sysinternals Desktops): not secure; the grab decides.
    ["Sysinternals Desktop 1", "Default", false],
    // A name Windows would not give is no reason to stop the picture.
    ["", "Default", false],
  ];
  for (const [shown, own, secure] of rows) {
    assert.equal(isSecureDesktop(shown, own), secure, `${shown} seen from ${own}`);
  }
});
