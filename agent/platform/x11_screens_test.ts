import assert from "node:assert/strict";
import { openX11Desktop } from "./x11.ts";
import { startXorgDummy } from "./xorg_dummy_test_support.ts";
import { runX } from "./xvfb_test_support.ts";

Deno.test({
  name: "x11 screens: RandR's monitors of a two-monitor desk, primary first, and a change seen",
  sanitizeResources: false,
  async fn() {
    const xorg = await startXorgDummy([{ width: 1280, height: 720 }, { width: 1024, height: 600 }]);
    const desktop = openX11Desktop(xorg.display);
    try {
      assert.deepEqual([desktop.width, desktop.height], [2304, 720]);
      assert.deepEqual(desktop.screens(), [
        { id: "DUMMY0", x: 0, y: 0, width: 1280, height: 720, primary: true },
        { id: "DUMMY1", x: 1280, y: 0, width: 1024, height: 600, primary: false },
      ]);
      // The second monitor made primary and moved down: listed first, at its new place.
      await runX(xorg.display, "xrandr", [
        "--output",
        "DUMMY1",
        "--primary",
        "--pos",
        "1280x100",
      ]);
      assert.deepEqual(desktop.screens(), [
        { id: "DUMMY1", x: 1280, y: 100, width: 1024, height: 600, primary: true },
        { id: "DUMMY0", x: 0, y: 0, width: 1280, height: 720, primary: false },
      ]);
    } finally {
      desktop.close();
      await xorg.stop();
    }
  },
});
