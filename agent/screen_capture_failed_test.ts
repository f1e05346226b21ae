// A screen that cannot be read for a while — on Windows the secure desktop (a UAC prompt, the
// lock or sign-in screen: platform/windows.ts's grab() throws) — is one line in the agent's log,
// which is the customer's terminal, and one more when the capture works again; it was a line
// at every tick (30 a second, for as long as the lock screen stayed).
import assert from "node:assert/strict";
import type { AgentMessage } from "../protocol/mod.ts";
import { type Desktop, type Frame, SecureDesktopError } from "./platform/types.ts";
import { type Link, ScreenSender } from "./screen.ts";
import { virtualClock } from "./screen_test_clock.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

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

/** A sender over a desktop whose grab() throws `failure()` while it is set, on a virtual clock. */
function failingSender(clock: ReturnType<typeof virtualClock>) {
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const state = {
    failure: null as Error | null,
    grabs: 0,
    links: [[]] as AgentMessage[][],
  };
  const links = new Map<AgentMessage[], Link>();
  const sender = new ScreenSender({
    desktop: {
      width: 64,
      height: 48,
      grab: () => {
        state.grabs++;
        if (state.failure) throw state.failure;
        frame.data[state.grabs % frame.data.length] ^= 1;
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
  }, {
    // The connection of the moment (one object per connection): a new list is a reconnection.
    link: () => {
      const sent = state.links.at(-1)!;
      let link = links.get(sent);
      if (!link) {
        link = { send: (m) => sent.push(m), sendMedia: () => {}, buffered: () => 0 };
        links.set(sent, link);
      }
      return link;
    },
    allowed: () => true,
  });
  const told = (i: number) => state.links[i].filter((m) => m.type === "capture");
  return { sender, state, told };
}

Deno.test("ScreenSender: the technicians are told once when capture pauses and once when it resumes", async () => {
  using clock = virtualClock();
  const { sender, state, told } = failingSender(clock);
  sender.setPreset("normal", true);
  sender.resume();
  await clock.sleep(300);
  assert.deepEqual(told(0), [], "nothing said while capture works");
  state.failure = new SecureDesktopError(SECURE);
  await clock.sleep(2_000);
  // Another text of the same kind is not a new pause.
  state.failure = new SecureDesktopError(`${SECURE}.`);
  await clock.sleep(1_000);
  state.failure = null;
  await clock.sleep(300);
  state.failure = new Error("Screen capture failed on X display :99");
  await clock.sleep(500);
  sender.stop();
  assert.deepEqual(told(0), [
    {
      type: "capture",
      paused: true,
      reason: "secure_desktop",
      detail: `SecureDesktopError: ${SECURE}`,
    },
    { type: "capture", paused: false },
    {
      type: "capture",
      paused: true,
      reason: "failed",
      detail: "Error: Screen capture failed on X display :99",
    },
  ]);
});

Deno.test("ScreenSender: a pause is told again to a new connection, and its end only once", async () => {
  using clock = virtualClock();
  const { sender, state, told } = failingSender(clock);
  sender.setPreset("normal", true);
  sender.resume();
  await clock.sleep(300);
  state.failure = new SecureDesktopError(SECURE);
  await clock.sleep(500);
  state.links.push([]); // the agent reconnected; the server forgot the pause with the old socket
  await clock.sleep(500);
  state.failure = null;
  await clock.sleep(300);
  sender.stop();
  const paused = { type: "capture", paused: true, reason: "secure_desktop" };
  assert.deepEqual(told(0).map(({ detail: _, ...m }) => m), [paused]);
  assert.deepEqual(told(1).map(({ detail: _, ...m }) => m), [paused, {
    type: "capture",
    paused: false,
  }]);
});

Deno.test("ScreenSender: on damage, a failed grab is tried again on a still screen, and the picture comes back whole", async () => {
  using clock = virtualClock();
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const damage = scriptedDamage();
  let failing = false;
  const encoded: { keyframe: boolean }[] = [];
  const sent: AgentMessage[] = [];
  const link = { send: (m: AgentMessage) => sent.push(m), sendMedia: () => {}, buffered: () => 0 };
  const sender = new ScreenSender({
    desktop: {
      width: 64,
      height: 48,
      damage: () => damage.watcher,
      grab: () => {
        if (failing) throw new Error("Screen capture failed on X display :99");
        return frame;
      },
      cursor: () => null,
    } as unknown as Desktop,
    encoder: () => ({
      encode: (_b, _s, o) => {
        encoded.push({ keyframe: Boolean(o?.keyframe) });
        return { data: new Uint8Array(100), keyframe: Boolean(o?.keyframe) };
      },
      empty: () => ({ data: new Uint8Array(1), keyframe: false }),
      setPreset: () => {},
      close: () => {},
    }),
    now: clock.now,
  }, { link: () => link, allowed: () => true });
  sender.setPreset("low", true);
  sender.resume();
  await clock.sleep(300);
  failing = true;
  damage.damage({ x: 0, y: 0, width: 8, height: 8 }); // a change the grab cannot read
  await clock.sleep(300);
  assert.deepEqual(
    sent.filter((m) => m.type === "capture").map((m) => m.type === "capture" && m.paused),
    [true],
  );
  // It works again with nothing changing on the screen (no damage): found by the retries.
  const before = encoded.length;
  failing = false;
  await clock.sleep(300);
  sender.stop();
  assert.deepEqual(
    sent.filter((m) => m.type === "capture").map((m) => m.type === "capture" && m.paused),
    [true, false],
  );
  assert.equal(encoded[before]?.keyframe, true, "the first frame after the pause is whole");
});
