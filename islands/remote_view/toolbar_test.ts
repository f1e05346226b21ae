import assert from "node:assert/strict";
import type { QualityPreset } from "../../protocol/limits.ts";
import { readMount, type RemoteViewMount } from "../../protocol/viewer.ts";
import { byClass, elements, one, text } from "./test_support.ts";
import { Toolbar, type ToolbarActions, type ToolbarProps } from "./toolbar.tsx";
import { INITIAL_STATE, translator, type ViewState } from "./view_state.ts";

const calls: string[] = [];
const actions = new Proxy({} as ToolbarActions, {
  get: (_, name: string) => (arg?: unknown) =>
    calls.push(arg === undefined ? name : `${name} ${arg}`),
});
const mount = (fields: Partial<RemoteViewMount> = {}) => ({
  ...readMount({ session: "s1", ws: "/ws", canControl: "1" }),
  ...fields,
});

function toolbar(s: Partial<ViewState> = {}, fields: Partial<ToolbarProps> = {}) {
  return Toolbar({
    t: translator({ layoutRemoteNamed: "Remote ({{layout}})" }),
    uid: "rv1",
    state: { ...INITIAL_STATE, connected: true, agent: "connected", ...s },
    mount: mount(),
    lensAvailable: true,
    fullscreenEnabled: true,
    actions,
    ...fields,
  });
}

Deno.test("Toolbar offers view and control to a connected agent, and stops what runs", () => {
  const idle = toolbar();
  assert.equal(one(idle, "rv-view").props.disabled, false);
  assert.equal(text(one(idle, "rv-view")), "viewStart");
  assert.equal(text(one(idle, "rv-control")), "controlStart");
  const watching = toolbar({ watching: true, view: "granted", control: "asked" });
  assert.equal(text(one(watching, "rv-view")), "viewStop");
  assert.equal(one(watching, "rv-view").props.class, "rv-view is-on");
  assert.equal(text(one(watching, "rv-control")), "controlStop");
  assert.equal(one(watching, "rv-control").props["data-state"], "asked");
});

Deno.test("Toolbar offers End remote control only to the window holding it, or while nobody does", () => {
  const granted = { watching: true, view: "granted", control: "granted" } as const;
  const ends = (s: Partial<ViewState>) => byClass(toolbar({ ...granted, ...s }), "rv-control");
  assert.equal(text(ends({ controlOwner: "here" })), "controlStop", "the holder ends its own");
  assert.equal(text(ends({ controlOwner: "none" })), "controlStop", "nobody holds it");
  // A colleague watching the lead's control (and the lead watching a colleague's) asks for it
  // or takes it back (control_owner.tsx); ending it is not theirs.
  assert.deepEqual(ends({ controlOwner: "other", controlHolder: "Ann" }), []);
  assert.deepEqual(ends({ controlOwner: "elsewhere" }), [], "its own other window drives");
  assert.equal(text(ends({ control: "off", controlOwner: "other" })), "controlStart");
});

Deno.test("Toolbar greys out what the technician may not do or cannot do now", () => {
  const noRights = toolbar({}, {
    mount: mount({ canView: false, canControl: false, canScreenshot: false }),
  });
  for (const name of ["rv-view", "rv-control", "rv-cad", "rv-screenshot"]) {
    assert.equal(one(noRights, name).props.disabled, true, name);
  }
  const agentGone = toolbar({ agent: "absent" });
  assert.equal(one(agentGone, "rv-view").props.disabled, true, "nobody to ask");
  const stillOn = toolbar({ agent: "reconnecting", watching: true, view: "granted" });
  assert.equal(one(stillOn, "rv-view").props.disabled, false, "a running view can be stopped");
  const controlling = toolbar({ control: "granted", view: "granted", hasVideo: true });
  assert.equal(one(controlling, "rv-cad").props.disabled, false);
  assert.equal(one(controlling, "rv-screenshot").props.disabled, false);
  assert.equal(one(controlling, "rv-keyframe").props.disabled, false);
  assert.equal(
    one(toolbar({ hasVideo: true, busyShot: true }), "rv-screenshot").props.disabled,
    true,
  );
  const offline = toolbar({ connected: false });
  assert.equal(one(offline, "rv-quality").props.disabled, true);
  assert.equal(one(toolbar({}, { lensAvailable: false }), "rv-magnifier").props.disabled, true);
  assert.equal(
    one(toolbar({}, { fullscreenEnabled: false }), "rv-fullscreen").props.disabled,
    true,
  );
});

Deno.test("Toolbar names the customer's layout and marks the scale mode pressed", () => {
  assert.equal(
    text(one(toolbar({ layout: "remote", keyboard: "de" }), "rv-layout")),
    "Remote (de)",
  );
  assert.equal(text(one(toolbar({ layout: "remote" }), "rv-layout")), "layoutRemote");
  const modes = toolbar({ mode: "actual" });
  assert.deepEqual(
    ["rv-fit", "rv-actual", "rv-stretch"].map((c) => one(modes, c).props["aria-pressed"]),
    ["false", "true", "false"],
  );
});

Deno.test("Toolbar hides Detach on the detached page and lists every quality preset", () => {
  assert.equal(byClass(toolbar({}, { mount: mount({ detached: true }) }), "rv-detach").length, 0);
  assert.equal(byClass(toolbar(), "rv-detach").length, 1);
  const options = elements(one(toolbar(), "rv-quality")).filter((e) => e.type === "option");
  assert.deepEqual(options.map((o) => o.props.value), [
    "auto",
    "high",
    "normal",
    "low",
    "greyscale",
  ]);
  assert.equal(one(toolbar({ quality: "low" }), "rv-quality").props.value, "low");
});

Deno.test("Toolbar's buttons and select call their actions; an unknown preset is ignored", () => {
  calls.length = 0;
  const bar = toolbar();
  for (
    const name of ["rv-view", "rv-control", "rv-cad", "rv-layout", "rv-actual", "rv-screenshot"]
  ) {
    (one(bar, name).props.onClick as () => void)();
  }
  const change = one(bar, "rv-quality").props.onChange as (e: unknown) => void;
  for (const value of ["greyscale", "ultra"] as (QualityPreset | "ultra")[]) {
    change({ currentTarget: { value } });
  }
  assert.deepEqual(calls, [
    "toggleView",
    "toggleControl",
    "ctrlAltDel",
    "toggleLayout",
    "setMode actual",
    "screenshot",
    "setQuality greyscale",
  ]);
});

Deno.test("Toolbar says which preset Automatic uses and why, only under Automatic", () => {
  const t = translator({
    qualityAutoUsing: "Using {{preset}}: {{reason}}",
    qualityLow: "Low",
    qualityReasonLoss: "packets were lost",
  });
  const auto = toolbar({ auto: { preset: "low", reason: "loss" } }, { t });
  assert.equal(text(one(auto, "rv-quality-auto")), "Using Low: packets were lost");
  const fixed = toolbar({ quality: "high", auto: null }, { t });
  assert.equal(byClass(fixed, "rv-quality-auto").length, 0);
});
