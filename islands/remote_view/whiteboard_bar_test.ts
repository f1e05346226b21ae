import assert from "node:assert/strict";
import { byClass, one, text } from "./test_support.ts";
import {
  drawBlocked,
  DrawToggles,
  type WhiteboardActions,
  WhiteboardBar,
} from "./whiteboard_bar.tsx";
import { INITIAL_STATE, translator, type ViewState } from "./view_state.ts";

const calls: string[] = [];
const actions = new Proxy({} as WhiteboardActions, {
  get: (_, name: string) => (arg?: unknown) =>
    calls.push(arg === undefined ? name : `${name} ${JSON.stringify(arg)}`),
});
const t = translator({});
const shared: Partial<ViewState> = {
  connected: true,
  agent: "connected",
  view: "granted",
  canDraw: true,
  canUndo: true,
};
const toggles = (s: Partial<ViewState>) =>
  DrawToggles({ t, state: { ...INITIAL_STATE, ...s }, actions, place: "row" });

Deno.test("DrawToggles: a browser share cannot draw, and the button says why", () => {
  const share = toggles({ ...shared, viewOnly: true, canDraw: false });
  assert.equal(one(share, "rv-whiteboard").props.disabled, true);
  assert.equal(one(share, "rv-whiteboard").props.title, "whiteboardNeedsApp");
  assert.equal(one(share, "rv-laser").props.disabled, true);
  assert.equal(one(share, "rv-laser").props.title, "whiteboardNeedsApp");
});

Deno.test("DrawToggles: enabled while the screen is shared by an app that can draw; else why not", () => {
  const ready = toggles(shared);
  assert.equal(one(ready, "rv-whiteboard").props.disabled, false);
  assert.equal(one(ready, "rv-whiteboard").props.title, "whiteboardStart");
  assert.equal(drawBlocked({ ...INITIAL_STATE, ...shared, view: "asked" }), "whiteboardNeedsView");
  assert.equal(
    drawBlocked({ ...INITIAL_STATE, ...shared, canDraw: false }),
    "whiteboardUnavailable",
  );
  // Turning it off always works, even once the screen is no longer shared.
  const on = toggles({ ...shared, view: "revoked", whiteboard: true });
  assert.equal(one(on, "rv-whiteboard").props.disabled, false);
  assert.equal(one(on, "rv-whiteboard").props["aria-pressed"], "true");
  assert.equal(one(on, "rv-whiteboard").props.title, "whiteboardStop");
});

Deno.test("WhiteboardBar: only while on; a label, not the status line's words; picks the pen; undoes, clears", () => {
  assert.equal(WhiteboardBar({ t, state: { ...INITIAL_STATE, ...shared }, actions }), null);
  const bar = WhiteboardBar({
    t,
    state: { ...INITIAL_STATE, ...shared, whiteboard: true },
    actions,
  });
  assert.equal(text(one(bar, "rv-whiteboard-label")), "whiteboardBarLabel");
  // "No control while on" is the status line's alone (consentLine: controlPaused), not twice.
  assert.equal(byClass(bar, "rv-whiteboard-hint").length, 0);
  assert.doesNotMatch(JSON.stringify(bar), /"role":"status"/);
  const pens = byClass(bar, "rv-pen");
  assert.deepEqual(pens.map((p) => p.props["data-color"]), [
    "red",
    "yellow",
    "green",
    "blue",
    "black",
    "white",
  ]);
  assert.equal(pens[0].props["aria-pressed"], "true");
  calls.length = 0;
  (pens[3].props.onClick as () => void)();
  (byClass(bar, "rv-width")[2].props.onClick as () => void)();
  (one(bar, "rv-undo").props.onClick as () => void)();
  (one(bar, "rv-clear").props.onClick as () => void)();
  assert.deepEqual(calls, [
    'setPen {"color":"blue"}',
    'setPen {"width":12}',
    "undoDrawing",
    "clearDrawings",
  ]);
  assert.equal(one(bar, "rv-undo").props.title, "undoDrawingHint");
  assert.equal(one(bar, "rv-undo").props.disabled, false);
});

Deno.test("WhiteboardBar: an older support app cannot undo: Undo disabled, its title says why", () => {
  const old = WhiteboardBar({
    t,
    state: { ...INITIAL_STATE, ...shared, canUndo: false, whiteboard: true },
    actions,
  });
  assert.equal(one(old, "rv-undo").props.disabled, true);
  assert.equal(one(old, "rv-undo").props.title, "undoUnavailable");
  assert.equal(one(old, "rv-clear").props.disabled, false, "Clear still works");
});
