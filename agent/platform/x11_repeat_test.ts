// The X server's auto-repeat while a technician types (x11_keyboard.ts): off from the first
// key the technician presses (the browser sends its own repeats; a late release must not make
// the X server repeat the key too), back as it was once the technician's input is released —
// and left off when the customer had it off. Read back with `xset q`, not with our own code.
import assert from "node:assert/strict";
import { openDesktop } from "./mod.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";

const A = 0x61;

async function repeat(display: string): Promise<string> {
  const q = await runX(display, "xset", ["q"]);
  return /auto repeat:\s+(on|off)/.exec(q)?.[1] ?? `unreadable: ${q.slice(0, 200)}`;
}

Deno.test({
  name: "the X server's auto-repeat is off while the technician types, then as it was",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const xvfb = await startXvfb({ width: 640, height: 480 });
    const desktop = openDesktop({ display: xvfb.display });
    try {
      assert.equal(await repeat(xvfb.display), "on", "Xvfb starts with auto-repeat on");
      desktop.key(A, true);
      assert.equal(await repeat(xvfb.display), "off", "off while a technician's key is down");
      desktop.key(A, false);
      desktop.key(A, true);
      desktop.key(A, false);
      assert.equal(await repeat(xvfb.display), "off", "and while the technician is in control");
      desktop.releaseInput?.();
      assert.equal(await repeat(xvfb.display), "on", "back when the input is released");

      // Held when control is taken back: released, and the repeat is back.
      desktop.key(A, true);
      desktop.releaseInput?.();
      assert.equal(await repeat(xvfb.display), "on");

      // A customer who turned auto-repeat off keeps it off.
      await runX(xvfb.display, "xset", ["r", "off"]);
      desktop.key(A, true);
      desktop.key(A, false);
      desktop.releaseInput?.();
      assert.equal(await repeat(xvfb.display), "off");
      await runX(xvfb.display, "xset", ["r", "on"]);

      // Closing the desktop with a key held gives the repeat back too.
      desktop.key(A, true);
      assert.equal(await repeat(xvfb.display), "off");
    } finally {
      desktop.close();
    }
    try {
      assert.equal(await repeat(xvfb.display), "on", "back after close()");
    } finally {
      await xvfb.stop();
    }
  },
});
