import assert from "node:assert/strict";
import { StatsLine, StatusLine } from "./panels.tsx";
import { one, text } from "./test_support.ts";
import { INITIAL_STATE, translator, type ViewState } from "./view_state.ts";

const t = translator({ controlGranted: "Control granted", statsFps: "Frames", unitFps: "fps" });
const state = (fields: Partial<ViewState>): ViewState => ({ ...INITIAL_STATE, ...fields });

Deno.test("StatusLine shows the consent with its state and marks a refusal as an error", () => {
  const line = StatusLine({
    t,
    state: state({
      connected: true,
      agent: "connected",
      control: "granted",
      status: { text: "No", error: true },
    }),
  });
  assert.equal(text(one(line, "rv-consent")), "Control granted");
  assert.equal(one(line, "rv-consent").props["data-state"], "granted");
  assert.equal(one(line, "rv-status").props.class, "rv-status is-error");
  assert.equal(text(one(line, "rv-status")), "No");
  const quiet = StatusLine({ t, state: state({}) });
  assert.equal(text(one(quiet, "rv-consent")), "");
  assert.equal(one(quiet, "rv-status").props.class, "rv-status");
});

Deno.test("StatsLine shows the figures with the page's number format", () => {
  const stats = {
    fps: 24.4,
    kbps: null,
    latencyMs: null,
    width: null,
    height: null,
  } as ViewState["stats"];
  const line = StatsLine({ t, state: state({ stats }), format: (n) => `<${n}>` });
  assert.equal(text(one(line, "rv-stat-fps")), "Frames: <24> fps");
  assert.equal(text(one(line, "rv-stat-bitrate")), "statsBitrate: –");
});
