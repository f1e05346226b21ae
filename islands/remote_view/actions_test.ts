import assert from "node:assert/strict";
import { readMount, type ViewerInput } from "../../protocol/viewer.ts";
import { type ActionsHost, toolbarActions } from "./actions.ts";
import type { Stage } from "./stage.ts";
import { StatsTracker } from "./stats.ts";
import { INITIAL_STATE, translator, type ViewState } from "./view_state.ts";

function host(fields: Partial<ViewState> = {}, open = true) {
  const sent: ViewerInput[] = [];
  const log: string[] = [];
  let state: ViewState = { ...INITIAL_STATE, connected: true, agent: "connected", ...fields };
  const h: ActionsHost = {
    state: () => state,
    setState: (
      change,
    ) => (state = { ...state, ...(typeof change === "function" ? change(state) : change) }),
    send: (message) => open && sent.push(message) > 0,
    t: translator({
      ctrlAltDelSent: "Ctrl+Alt+Del sent",
      qualitySet: "Quality: {{name}}",
      qualityLow: "Low",
    }),
    setStatus: (text, error) => log.push(`status ${text}${error ? " (error)" : ""}`),
    el: {} as HTMLElement,
    mount: readMount({ session: "s1", canControl: "1" }),
    stage: {
      releaseAll: (send: boolean) => log.push(`releaseAll ${send}`),
      focus: () => log.push("focus"),
      clearLens: () => log.push("clearLens"),
      screenSize: () => null,
    } as unknown as Stage,
    stats: new StatsTracker(),
    video: () => null,
    closePeer: () => log.push("closePeer"),
    setStopped: (stopped) => log.push(`stopped ${stopped}`),
    mounted: () => true,
  };
  return { actions: toolbarActions(h), sent, log, state: () => state, host: h };
}

Deno.test("toggleView asks for the picture, and stopping it closes the peer and stays stopped", () => {
  const on = host();
  on.actions.toggleView();
  assert.deepEqual(on.sent, [{ type: "view", on: true }]);
  assert.equal(on.state().watching, true);
  const off = host({ watching: true, view: "granted" });
  off.actions.toggleView();
  assert.deepEqual(off.sent, [{ type: "view", on: false }]);
  assert.deepEqual(off.log, ["stopped true", "closePeer"]);
  assert.equal(off.state().watching, false);
});

Deno.test("toggleView with the socket down changes nothing but remembers the choice", () => {
  const { actions, log, state } = host({}, false);
  actions.toggleView();
  assert.deepEqual(log, ["stopped false"]);
  assert.equal(state().watching, false);
});

Deno.test("toggleControl asks for control (and the picture); stopping lets go of keys first", () => {
  const on = host();
  on.actions.toggleControl();
  assert.deepEqual(on.sent, [{ type: "control", on: true }]);
  assert.deepEqual(on.log, ["stopped false"]);
  assert.equal(on.state().watching, true);
  const off = host({ control: "granted" });
  off.actions.toggleControl();
  assert.deepEqual(off.log, ["releaseAll true"]);
  assert.deepEqual(off.sent, [{ type: "control", on: false }]);
});

Deno.test("ctrlAltDel goes out only while controlling, says so; the stage keeps the focus", () => {
  const viewing = host({ control: "asked" });
  viewing.actions.ctrlAltDel();
  assert.deepEqual(viewing.sent, []);
  assert.deepEqual(viewing.log, ["focus"]);
  const controlling = host({ control: "granted" });
  controlling.actions.ctrlAltDel();
  assert.deepEqual(controlling.sent, [{ type: "ctrlAltDel" }]);
  assert.deepEqual(controlling.log, ["status Ctrl+Alt+Del sent", "focus"]);
  // Another window of this technician drives: nothing goes out from here.
  const elsewhere = host({ control: "granted", controlOwner: "elsewhere" });
  elsewhere.actions.ctrlAltDel();
  assert.deepEqual(elsewhere.sent, []);
});

Deno.test("a quality change says which quality is now asked for", () => {
  const { actions, log } = host();
  actions.setQuality("low");
  assert.deepEqual(log, ["status Quality: Low"]);
  const down = host({}, false);
  down.actions.setQuality("low");
  assert.deepEqual(down.log, [], "nothing said when it could not be sent");
});

Deno.test("the local toolbar actions change only this view", () => {
  const { actions, sent, state, host: h } = host();
  actions.toggleLayout();
  assert.equal(state().layout, "remote");
  actions.setMode("stretch");
  assert.equal(state().mode, "stretch");
  actions.toggleMagnifier();
  assert.equal(state().magnifier, true);
  assert.deepEqual(sent, []);
  actions.setQuality("low");
  actions.requestKeyframe();
  assert.equal(state().quality, "low");
  assert.deepEqual(sent, [{ type: "quality", preset: "low" }, { type: "keyframe" }]);
  assert.ok(h.stats.lastKeyframeAt > 0, "a manual keyframe holds off the automatic one");
});
