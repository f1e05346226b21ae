import assert from "node:assert/strict";
import { InvitePanel, StatsLine, StatusLine } from "./panels.tsx";
import { one, text } from "./test_support.ts";
import { INITIAL_STATE, translator, type ViewState } from "./view_state.ts";

const t = translator({
  controlGranted: "Control granted",
  statsFps: "Frames",
  statsCodec: "Codec",
  unitFps: "fps",
  agentAbsent: "No app",
  inviteButton: "Invite",
});
const state = (fields: Partial<ViewState>): ViewState => ({ ...INITIAL_STATE, ...fields });

Deno.test("StatusLine shows the consent with its state and marks a refusal as an error", () => {
  const line = StatusLine({
    t,
    state: state({
      connected: true,
      agent: "connected",
      control: "granted",
      controlOwner: "here",
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
  assert.equal(text(one(line, "rv-stat-codec")), "Codec: –", "no picture received yet");
  const h264 = { ...stats, codec: "video/H264" } as ViewState["stats"];
  const received = StatsLine({ t, state: state({ stats: h264 }), format: String });
  assert.equal(text(one(received, "rv-stat-codec")), "Codec: H.264");
});

Deno.test("InvitePanel says why there is no screen, shows only without the app, invites once", () => {
  let invited = 0;
  const onInvite = () => invited++;
  const absent = InvitePanel({ t, state: state({ connected: true, agent: "absent" }), onInvite });
  assert.equal(one(absent, "rv-invite").props.hidden, false);
  assert.equal(text(one(absent, "rv-invite-title")), "No app");
  assert.equal(text(one(absent, "rv-invite-button")), "Invite");
  (one(absent, "rv-invite-button").props.onClick as () => void)();
  assert.equal(invited, 1);
  const connecting = InvitePanel({ t, state: state({}), onInvite });
  assert.equal(text(one(connecting, "rv-invite-title")), "connecting");
  const there = InvitePanel({ t, state: state({ connected: true, agent: "connected" }), onInvite });
  assert.equal(one(there, "rv-invite").props.hidden, true);
  const back = InvitePanel({
    t,
    state: state({ connected: true, agent: "reconnecting" }),
    onInvite,
  });
  assert.equal(one(back, "rv-invite").props.hidden, false);
  assert.throws(() => one(back, "rv-invite-button"), "the customer has the app already");
  // The server closed this view (the session ended, went on hold or elsewhere): it says so, and
  // asks nobody to start the support app.
  const closed = InvitePanel({ t, state: state({ refused: true }), onInvite });
  assert.equal(text(one(closed, "rv-invite-title")), "viewClosed");
  assert.throws(() => one(closed, "rv-invite-hint"));
  assert.throws(() => one(closed, "rv-invite-button"));
  // The detached window has no chat to invite in: no button.
  const detached = InvitePanel({ t, state: state({ connected: true, agent: "absent" }) });
  assert.throws(() => one(detached, "rv-invite-button"));
});
