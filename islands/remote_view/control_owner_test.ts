import assert from "node:assert/strict";
import { ControlElsewhere } from "./control_owner.tsx";
import { parseViewerMessage } from "./socket.ts";
import { one, text } from "./test_support.ts";
import { consentLine, controlling, INITIAL_STATE, type ViewState } from "./view_state.ts";

const t = (key: string) => key;
const state = (change: Partial<ViewState>): ViewState => ({
  ...INITIAL_STATE,
  connected: true,
  control: "granted",
  ...change,
});

Deno.test("another window holds control: this one neither drives nor hides it", () => {
  assert.equal(controlling(state({ controlOwner: "here" })), true);
  assert.equal(controlling(state({ controlOwner: "none" })), true, "the first input takes it");
  assert.equal(controlling(state({ controlOwner: "elsewhere" })), false);
  // Its consent line does not say "You are controlling" there.
  assert.equal(
    consentLine(state({ view: "granted", controlOwner: "elsewhere" })).key,
    "viewGranted",
  );
  assert.equal(consentLine(state({ view: "granted", controlOwner: "here" })).key, "controlGranted");

  let took = 0;
  const shown = ControlElsewhere({
    t,
    state: state({ controlOwner: "elsewhere" }),
    onTake: () => took++,
  });
  assert.equal(text(one(shown, "rv-control-elsewhere")), "controlElsewhere takeControl");
  (one(shown, "rv-take-control").props.onClick as () => void)();
  assert.equal(took, 1);
  assert.equal(ControlElsewhere({ t, state: state({ controlOwner: "here" }), onTake() {} }), null);
  assert.equal(
    ControlElsewhere({
      t,
      state: state({ control: "revoked", controlOwner: "elsewhere" }),
      onTake() {},
    }),
    null,
  );
});

Deno.test("control_owner frames are read from the socket; an unknown owner is none", () => {
  assert.deepEqual(parseViewerMessage('{"type":"control_owner","owner":"elsewhere"}'), {
    type: "control_owner",
    owner: "elsewhere",
  });
  assert.deepEqual(parseViewerMessage('{"type":"control_owner","owner":"x"}'), {
    type: "control_owner",
    owner: "none",
  });
});
