import assert from "node:assert/strict";
import type { ViewerInput } from "../../protocol/viewer.ts";
import { ControlPanel } from "./control_owner.tsx";
import { parseViewerMessage } from "./socket.ts";
import { byClass, elements, one, text } from "./test_support.ts";
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
  // Allowed, held by nobody (its asker left): not "You are controlling" either.
  assert.equal(consentLine(state({ view: "granted", controlOwner: "none" })).key, "controlFree");

  const sent: ViewerInput[] = [];
  const panel = (change: Partial<ViewState>, opts: { lead?: boolean; monitor?: boolean } = {}) =>
    ControlPanel({
      t,
      state: state(change),
      send: (m) => void sent.push(m),
      lead: opts.lead ?? false,
      monitor: opts.monitor ?? false,
      canControl: true,
    });
  const click = (node: unknown, cls: string) => (one(node, cls).props.onClick as () => void)();
  const shown = panel({ controlOwner: "elsewhere" });
  assert.equal(text(one(shown, "rv-control-elsewhere")), "controlElsewhere takeControl");
  click(shown, "rv-take-control");
  assert.deepEqual(sent.pop(), { type: "take_control" });
  assert.equal(panel({ controlOwner: "here" }), null);
  assert.equal(panel({ control: "revoked", controlOwner: "elsewhere" }), null);
});

Deno.test("ControlPanel: ask the holder, give or keep, the lead takes back, a monitor only watches", () => {
  const sent: ViewerInput[] = [];
  const panel = (change: Partial<ViewState>, opts: { lead?: boolean; monitor?: boolean } = {}) =>
    ControlPanel({
      t,
      state: state(change),
      send: (m) => void sent.push(m),
      lead: opts.lead ?? false,
      monitor: opts.monitor ?? false,
      canControl: true,
    });
  const click = (node: unknown, cls: string) => (one(node, cls).props.onClick as () => void)();
  assert.equal(controlling(state({ controlOwner: "other" })), false);

  const other = panel({ controlOwner: "other", controlHolder: "Bob" });
  assert.match(text(other), /controlOther/);
  assert.equal(byClass(other, "rv-take-back").length, 0, "only the lead takes back");
  click(other, "rv-request-control");
  assert.deepEqual(sent.pop(), { type: "request_control" });
  const asked = panel({
    controlOwner: "other",
    controlHolder: "Bob",
    controlAsking: { userId: "u1", name: "Ann" },
  });
  assert.equal(byClass(asked, "rv-request-control").length, 0, "asked once");
  click(panel({ controlOwner: "other", controlHolder: "Bob" }, { lead: true }), "rv-take-back");
  assert.deepEqual(sent.pop(), { type: "take_control" });

  const holder = panel({ controlOwner: "here", controlAsking: { userId: "u2", name: "Bob" } });
  click(holder, "rv-give-control");
  assert.deepEqual(sent.pop(), { type: "give_control", userId: "u2" });
  click(holder, "rv-decline-control");
  assert.deepEqual(sent.pop(), { type: "decline_control" });
  const unasked = panel({ controlOwner: "here", controlOthers: [{ userId: "u3", name: "Cy" }] });
  click(unasked, "rv-give-control");
  assert.deepEqual(sent.pop(), { type: "give_control", userId: "u3" });

  const monitor = panel({ controlOwner: "other", controlHolder: "Bob" }, { monitor: true });
  assert.equal(one(monitor, "rv-control-holder").props["data-owner"], "monitor");
  assert.equal(elements(monitor).filter((e) => e.type === "button").length, 0);
});

Deno.test("control_owner frames are read from the socket; an unknown owner is none", () => {
  const frame = '{"type":"control_owner","owner":"other","holder":"Bob",' +
    '"asking":{"userId":"u1","name":"Ann"},"others":[{"userId":"u2","name":"Bob"},{"x":1}]}';
  assert.deepEqual(parseViewerMessage(frame), {
    type: "control_owner",
    owner: "other",
    holder: "Bob",
    asking: { userId: "u1", name: "Ann" },
    others: [{ userId: "u2", name: "Bob" }],
  });
  assert.deepEqual(parseViewerMessage('{"type":"control_owner","owner":"x"}'), {
    type: "control_owner",
    owner: "none",
    holder: null,
    asking: null,
    others: [],
  });
});
