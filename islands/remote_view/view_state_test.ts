import assert from "node:assert/strict";
import type { ViewerMessage } from "../../protocol/viewer.ts";
import {
  agentMissing,
  applyServerState,
  automaticNoticeMayReplace,
  closedState,
  consentLine,
  controlling,
  ERROR_HOLDS_MS,
  INITIAL_STATE,
  placeholderKey,
  screenUnavailable,
  stalePicture,
  SUCCESS_HOLDS_MS,
  translator,
  viewActive,
  type ViewState,
} from "./view_state.ts";

type StateMessage = Extract<ViewerMessage, { type: "state" }>;
const message = (fields: Partial<StateMessage> = {}): StateMessage => ({
  type: "state",
  agent: "connected",
  view: "off",
  control: "off",
  clipboard: "off",
  screen: { width: 1920, height: 1080 },
  keyboard: "us",
  quality: "auto",
  auto: null,
  ...fields,
});
const state = (fields: Partial<ViewState> = {}): ViewState => ({
  ...INITIAL_STATE,
  connected: true,
  ...fields,
});
const opts = { stopped: false, canView: true };

Deno.test("applyServerState() takes the session's consent, screen, layout and quality", () => {
  const auto = { preset: "normal", reason: "clear" } as const;
  const { next, closePeer, watch } = applyServerState(
    state(),
    message({ quality: "low", auto }),
    opts,
  );
  assert.deepEqual(next, {
    agent: "connected",
    view: "off",
    control: "off",
    clipboard: "off",
    quality: "low",
    auto,
    keyboard: "us",
    screen: { width: 1920, height: 1080 },
    viewOnly: false,
    noDesktop: false,
    recording: false,
    whiteboard: false,
    canDraw: false,
    canUndo: false,
    laserInPicture: false,
    capturePaused: null,
    screens: [],
    watching: false,
  });
  assert.equal(closePeer, true, "no picture without view");
  const recorded = applyServerState(state(), message({ recording: true }), opts).next;
  assert.equal(recorded.recording, true, "the server records: the toolbar says so");
  const ringed = applyServerState(state(), message({ recording: true, laserInPicture: true }), opts)
    .next;
  assert.equal(ringed.laserInPicture, true, "the picture carries the dot: the window rings it");
  const share = applyServerState(state(), message({ viewOnly: true }), opts).next;
  assert.equal(share.viewOnly, true, "a browser share is view only");
  const blind = applyServerState(state(), message({ noDesktop: true }), opts).next;
  assert.equal(blind.noDesktop, true, "the support app shares no screen");
  const board = applyServerState(
    state(),
    message({ whiteboard: true, canDraw: true, canUndo: true }),
    opts,
  ).next;
  assert.deepEqual(
    [board.whiteboard, board.canDraw, board.canUndo],
    [true, true, true],
    "the whiteboard is on, Undo offered",
  );
  assert.equal(watch, false);
  assert.equal(
    applyServerState(state(), message({ keyboard: "unknown" }), opts).next.keyboard,
    null,
  );
});

Deno.test("applyServerState() restores each customer screen's own scale when the screen changes", () => {
  const screens = [
    { id: "DP-1", x: 0, y: 0, width: 1920, height: 1080, primary: true },
    { id: "DP-2", x: 1920, y: 0, width: 1280, height: 1024, primary: false },
  ];
  const before = state({ mode: "actual", screenModes: { "*": "actual", "DP-2": "stretch" } });
  const on2 = applyServerState(before, message({ screens, currentScreen: "DP-2" }), opts).next;
  assert.deepEqual([on2.screens, on2.currentScreen, on2.mode], [screens, "DP-2", "stretch"]);
  const back = applyServerState(
    state({ mode: "stretch", currentScreen: "DP-2", screenModes: { "*": "fit" } }),
    message({ screens, currentScreen: null }),
    opts,
  ).next;
  assert.deepEqual([back.currentScreen, back.mode], [null, "fit"]);
  const firstVisit = applyServerState(before, message({ screens, currentScreen: "DP-1" }), opts);
  assert.equal(firstVisit.next.mode, "actual", "a screen never chosen keeps the current scale");
  const same = applyServerState(before, message({ screens }), opts).next;
  assert.equal("currentScreen" in same || "mode" in same, false, "no change, no new scale");
});

Deno.test("applyServerState() keeps the same screen object, so nothing re-measures", () => {
  const screen = { width: 1920, height: 1080 };
  const { next } = applyServerState(state({ screen }), message({ screen: { ...screen } }), opts);
  assert.equal("screen" in next, false);
});

Deno.test("applyServerState() joins a view granted elsewhere unless stopped here or not allowed", () => {
  const granted = message({ view: "granted" });
  assert.equal(applyServerState(state(), granted, opts).watch, true);
  assert.equal(applyServerState(state(), granted, opts).closePeer, false);
  assert.equal(applyServerState(state({ watching: true }), granted, opts).watch, false, "already");
  assert.equal(applyServerState(state(), granted, { ...opts, stopped: true }).watch, false);
  assert.equal(applyServerState(state(), granted, { ...opts, canView: false }).watch, false);
  const asked = applyServerState(state({ watching: true }), message({ view: "asked" }), opts);
  assert.equal("watching" in asked.next, false, "a pending request keeps watching");
  const denied = applyServerState(state({ watching: true }), message({ view: "denied" }), opts);
  assert.equal(denied.next.watching, false);
});

Deno.test("consentLine() says who is there, then control's state over view's — unless the picture was taken back", () => {
  const rows: [Partial<ViewState>, string | null, string][] = [
    [{ connected: false }, null, ""],
    [{ agent: "absent" }, "agentAbsent", "absent"],
    [{ agent: "reconnecting", control: "granted" }, "agentReconnecting", "reconnecting"],
    [{ agent: "connected", view: "granted", control: "asked" }, "controlAsked", "asked"],
    [{ agent: "connected", view: "granted", control: "revoked" }, "controlRevoked", "revoked"],
    [{ agent: "connected", view: "denied" }, "viewDenied", "denied"],
    [{ agent: "connected" }, "viewOff", "off"],
    [{ agent: "connected", control: "denied" }, "controlDenied", "denied"],
    // The customer stopped sharing (which takes control back too), or declined a later request
    // to view: the picture is gone, and the line says so rather than the older news on control.
    [{ agent: "connected", view: "revoked", control: "revoked" }, "viewRevoked", "revoked"],
    [{ agent: "connected", view: "denied", control: "revoked" }, "viewDenied", "denied"],
    [{ agent: "connected", view: "revoked", control: "denied" }, "viewRevoked", "revoked"],
    [{ agent: "connected", view: "denied", control: "asked" }, "controlAsked", "asked"],
  ];
  for (const [fields, key, s] of rows) {
    assert.deepEqual(consentLine(state(fields)), { key, state: s });
  }
});

Deno.test("placeholderKey() explains a missing picture, and hides once it shows", () => {
  const rows: [Partial<ViewState>, string | null][] = [
    [{ connected: false }, "connecting"],
    [{ agent: null }, "agentAbsent"],
    [{ agent: "reconnecting" }, "agentReconnecting"],
    [{ agent: "connected", view: "granted" }, "waitingForPicture"],
    [{ agent: "connected", view: "asked" }, "viewAsked"],
    [{ agent: "connected", view: "revoked" }, "viewOffHint"],
    [{ agent: "connected", view: "granted", hasVideo: true }, null],
    [{ agent: "connected", view: "off", hasVideo: true }, "viewOffHint"],
    // The last frame of an app that dropped, or of a socket that did, is not shown as live.
    [{ agent: "reconnecting", view: "granted", hasVideo: true }, "agentReconnecting"],
    [{ agent: "absent", view: "granted", hasVideo: true }, "agentAbsent"],
    [{ connected: false, view: "granted", hasVideo: true }, "connecting"],
  ];
  for (const [fields, key] of rows) {
    assert.equal(placeholderKey(state(fields)), key, JSON.stringify(fields));
  }
  assert.equal(
    stalePicture(state({ agent: "reconnecting", view: "granted", hasVideo: true })),
    true,
  );
  assert.equal(stalePicture(state({ agent: "connected", view: "granted", hasVideo: true })), false);
  assert.equal(stalePicture(state({ agent: "reconnecting", view: "granted" })), false, "no frame");
});

Deno.test("agentMissing() until the support app is there or a picture still shows", () => {
  assert.equal(agentMissing(state({ connected: false })), true);
  assert.equal(agentMissing(state({ agent: null })), true);
  assert.equal(agentMissing(state({ agent: "absent" })), true);
  assert.equal(agentMissing(state({ agent: "reconnecting" })), true);
  assert.equal(agentMissing(state({ agent: "connected" })), false);
  assert.equal(agentMissing(state({ agent: "reconnecting", hasVideo: true })), false);
});

Deno.test("screenUnavailable() while the support app is there and shares no screen", () => {
  assert.equal(screenUnavailable(state({ agent: "connected", noDesktop: true })), true);
  assert.equal(screenUnavailable(state({ agent: "connected" })), false);
  // Gone or reconnecting: the invite panel speaks (agentMissing), not this one.
  assert.equal(screenUnavailable(state({ agent: "absent", noDesktop: true })), false);
  assert.equal(screenUnavailable(state({ agent: "reconnecting", noDesktop: true })), false);
});

Deno.test("viewActive() and controlling() need this island's request and the socket", () => {
  assert.equal(viewActive(state({ watching: true, view: "asked" })), true);
  assert.equal(viewActive(state({ watching: false, view: "granted" })), false);
  assert.equal(controlling(state({ control: "granted" })), true);
  assert.equal(controlling(state({ control: "granted", connected: false })), false);
  assert.equal(controlling(state({ control: "asked" })), false);
});

Deno.test("translator() fills {{placeholders}} and shows a missing string's key", () => {
  const t = translator({
    layoutRemoteNamed: "Customer's layout ({{layout}})",
    screenshotSaved: "Saved {name}",
  });
  assert.equal(t("layoutRemoteNamed", { layout: "de" }), "Customer's layout (de)");
  assert.equal(t("screenshotSaved", { name: "a.png" }), "Saved a.png");
  assert.equal(t("copy"), "copy");
});

Deno.test("closedState(): a refused view says it closed, and keeps saying so while retries fail", () => {
  const t = translator({ connectionLost: "Lost" });
  const open = state({ connected: true, agent: "connected", view: "granted", watching: true });
  const refused = closedState(open, { reason: "no longer allowed", refused: true }, t);
  assert.equal(refused.refused, true);
  assert.equal(refused.connected, false);
  assert.equal(refused.watching, false);
  assert.equal(refused.status, null, "the panel instead of the screen says it");
  assert.ok(agentMissing({ ...open, ...refused }), "…and that panel shows");
  // The retries are refused at the door (no code, no reason): still closed, not "lost".
  const again = closedState({ ...open, ...refused }, { reason: "", refused: false }, t);
  assert.equal(again.refused, true);
  assert.equal(again.status, null);
  // A plain drop is the connection, with the server's reason if any.
  const lost = closedState(open, { reason: "bye", refused: false }, t);
  assert.equal(lost.refused, false);
  assert.equal(lost.status?.text, "Lost (bye)");
});

Deno.test("an automatic notice does not hide a fresh error or success, and replaces an old one", () => {
  const refused = { text: "Ctrl+Alt+Del was not taken", error: true, at: 1_000 };
  assert.equal(automaticNoticeMayReplace(refused, 1_000 + 5_000), false);
  assert.equal(automaticNoticeMayReplace(refused, 1_000 + ERROR_HOLDS_MS - 1), false);
  assert.equal(automaticNoticeMayReplace(refused, 1_000 + ERROR_HOLDS_MS), true);
  const chosen = { text: "Quality: High", error: false, at: 1_000 };
  assert.equal(automaticNoticeMayReplace(chosen, 1_500), false);
  assert.equal(automaticNoticeMayReplace(chosen, 1_000 + SUCCESS_HOLDS_MS - 1), false);
  assert.equal(automaticNoticeMayReplace(chosen, 1_000 + SUCCESS_HOLDS_MS), true);
  assert.equal(automaticNoticeMayReplace(null, 0), true);
});
