// The support app cannot capture the customer's screen (Windows' secure desktop, a refused grab):
// the island must not show the last frame as a live picture, nor say "Viewing" or "You are
// controlling" over it, nor send clicks and keys into a screen nobody sees.
import assert from "node:assert/strict";
import type { ViewerMessage } from "../../protocol/viewer.ts";
import {
  applyServerState,
  capturePaused,
  consentLine,
  controlling,
  INITIAL_STATE,
  placeholderKey,
  stalePicture,
  type ViewState,
} from "./view_state.ts";

const live = (fields: Partial<ViewState> = {}): ViewState => ({
  ...INITIAL_STATE,
  connected: true,
  agent: "connected",
  watching: true,
  view: "granted",
  control: "granted",
  controlOwner: "here",
  hasVideo: true,
  ...fields,
});

Deno.test("applyServerState() takes the pause, and an older server's state (no field) is never paused", () => {
  const state = {
    type: "state",
    agent: "connected",
    view: "granted",
    control: "off",
    clipboard: "off",
    screen: { width: 1920, height: 1080 },
    keyboard: "us",
    quality: "auto",
    auto: null,
  } satisfies Extract<ViewerMessage, { type: "state" }>;
  const opts = { stopped: false, canView: true };
  const paused = applyServerState(live(), { ...state, capturePaused: "secure_desktop" }, opts);
  assert.equal(paused.next.capturePaused, "secure_desktop");
  const older = applyServerState(live({ capturePaused: "failed" }), state, opts);
  assert.equal(older.next.capturePaused, null);
});

Deno.test("placeholderKey() covers a paused picture with why, and the frame is shown as stale", () => {
  assert.equal(placeholderKey(live()), null);
  assert.equal(stalePicture(live()), false);
  const secure = live({ capturePaused: "secure_desktop" });
  assert.equal(placeholderKey(secure), "captureSecureDesktop");
  assert.equal(stalePicture(secure), true);
  assert.equal(placeholderKey(live({ capturePaused: "failed" })), "captureFailed");
  // No frame yet (a window opened during the pause): the pause, not "Waiting for the picture".
  assert.equal(placeholderKey(live({ capturePaused: "failed", hasVideo: false })), "captureFailed");
  // The pause says nothing where the screen is not shared or the app is gone: those say their own.
  assert.equal(placeholderKey(live({ capturePaused: "failed", view: "revoked" })), "viewOffHint");
  assert.equal(
    placeholderKey(live({ capturePaused: "failed", agent: "reconnecting" })),
    "agentReconnecting",
  );
});

Deno.test("consentLine() does not claim a live view or control while paused", () => {
  assert.equal(consentLine(live()).key, "controlGranted");
  assert.deepEqual(consentLine(live({ capturePaused: "secure_desktop" })), {
    key: "captureControlPaused",
    state: "capture-paused",
  });
  assert.equal(
    consentLine(live({ capturePaused: "failed", control: "off" })).key,
    "captureViewPaused",
  );
});

Deno.test("controlling() is off while paused, and back with the picture", () => {
  assert.equal(controlling(live()), true);
  assert.equal(capturePaused(live({ capturePaused: "secure_desktop" })), true);
  assert.equal(controlling(live({ capturePaused: "secure_desktop" })), false);
  assert.equal(controlling(live({ capturePaused: null })), true);
});
