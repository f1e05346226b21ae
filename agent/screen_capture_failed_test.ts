// A screen that cannot be read for a while — on Windows the secure desktop (a UAC prompt, the
// lock or sign-in screen: platform/windows.ts's grab() throws) — is one line in the agent's log,
// which is the customer's terminal, and one more when the capture works again; it was a line
// at every tick (30 a second, for as long as the lock screen stayed).
import assert from "node:assert/strict";
import type { Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { virtualClock } from "./screen_test_clock.ts";

const SECURE = "Windows refused the screen copy (a UAC prompt, the lock or the sign-in screen " +
  "is shown on the secure desktop, which only a system service can see)";

Deno.test("ScreenSender: a capture failing for 3 s is logged once, and once when it works again", async () => {
  using clock = virtualClock();
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  let refusing = false;
  let grabs = 0;
  const log: string[] = [];
  const sender = new ScreenSender({
    // No damage(): the timer loop, as on Windows.
    desktop: {
      width: 64,
      height: 48,
      grab: () => {
        grabs++;
        if (refusing) throw new Error(SECURE);
        frame.data[grabs % frame.data.length] ^= 1; // a change every time: frames keep coming
        return frame;
      },
      cursor: () => null,
    } as unknown as Desktop,
    encoder: () => ({
      encode: (_b, _s, o) => ({ data: new Uint8Array(100), keyframe: Boolean(o?.keyframe) }),
      empty: () => ({ data: new Uint8Array(1), keyframe: false }),
      setPreset: () => {},
      close: () => {},
    }),
    now: clock.now,
    log: (line) => log.push(line),
  }, {
    link: () => ({ send: () => {}, sendMedia: () => {}, buffered: () => 0 }),
    allowed: () => true,
  });
  sender.setPreset("normal", true);
  sender.resume();
  await clock.sleep(500);
  refusing = true;
  const before = grabs;
  await clock.sleep(3_000);
  assert.ok(grabs - before > 30, `grab() was tried again and again (${grabs - before})`);
  refusing = false;
  await clock.sleep(500);
  // Failing again after it worked is said again.
  refusing = true;
  await clock.sleep(200);
  sender.stop();
  assert.deepEqual(log.filter((l) => l.startsWith("capture")), [
    `capture failed: Error: ${SECURE} (said once until it works again)`,
    "capture works again",
    `capture failed: Error: ${SECURE} (said once until it works again)`,
  ]);
});
