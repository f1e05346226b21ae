// RemoteSession and its recorder (recorder_slot.ts): frames reach the recorder only while view
// is granted; the recorder hears every change of view first, so the customer's view, the
// viewers' state and the agent's window (where its hello offered `recordingNotice`) say
// "recording" exactly while it records — and an older agent is sent nothing it would refuse.
import assert from "node:assert/strict";
import type { MediaFrame, ServerMessage } from "../../protocol/mod.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";
import type { FrameRecorder } from "./recorder_slot.ts";

/** A recorder that records while wanted and view is granted, as modules/recording's does. */
class _Recorder implements FrameRecorder {
  wanted = false;
  granted = false;
  frames: MediaFrame[] = [];
  constructor(private remote: RemoteSession) {}
  get recording() {
    return this.wanted && this.granted;
  }
  want(on: boolean) {
    this.wanted = on;
    this.remote.recordingChanged();
  }
  frame(frame: MediaFrame) {
    this.frames.push(frame);
  }
  viewChanged(granted: boolean) {
    const was = this.recording;
    this.granted = granted;
    if (was !== this.recording) this.remote.recordingChanged();
  }
  closed = false;
  close() {
    this.closed = true;
  }
}

function _setup(recordingNotice: boolean, laserRecorded = false) {
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const recorder = new _Recorder(remote);
  remote.recorder = recorder;
  const toAgent: ServerMessage[] = [];
  remote.agentAttached(
    { send: (m) => void toAgent.push(m), close: () => {}, recordingNotice, laserRecorded },
    { width: 64, height: 48 },
  );
  const seen: ViewerMessage[] = [];
  const viewer: ViewerLink = {
    userId: "u1",
    name: "Ann",
    watching: false,
    peer: null,
    send: (m) => void seen.push(m),
  };
  remote.join(viewer);
  const lastState = () =>
    seen.findLast((m) => m.type === "state") as { recording?: boolean; laserInPicture?: boolean };
  const told = () => toAgent.filter((m) => m.type === "recording");
  return { remote, recorder, toAgent, lastState, told };
}

const FRAME: MediaFrame = {
  codec: "vp8",
  keyframe: true,
  width: 64,
  height: 48,
  capturedAt: 1,
  data: Uint8Array.of(1, 2, 3),
};

Deno.test("RemoteSession: the recorder gets frames only while view is granted, and all say when it records", () => {
  const { remote, recorder, lastState, told } = _setup(true);
  recorder.want(true);
  remote.media(FRAME);
  assert.equal(recorder.frames.length, 0, "no frame before the customer allows view");
  assert.equal(remote.customerView().recording, false);
  assert.deepEqual(told(), []);

  remote.agentConsent("view", true);
  remote.media(FRAME);
  assert.equal(recorder.frames.length, 1);
  assert.equal(remote.customerView().recording, true);
  assert.equal(lastState().recording, true);
  assert.deepEqual(told(), [{ type: "recording", on: true }]);

  remote.customerRevoke("view");
  assert.equal(remote.customerView().recording, false, "the revoke stops it at once");
  assert.equal(lastState().recording, false);
  assert.deepEqual(told().at(-1), { type: "recording", on: false });
  remote.media(FRAME);
  assert.equal(recorder.frames.length, 1);
  assert.equal(told().length, 2, "each change once");
  remote.close(); // the session ended: the part file is closed
  assert.equal(recorder.closed, true);
});

Deno.test("RemoteSession: the viewers hear that the picture carries the laser's dot exactly while recorded", () => {
  for (const laserRecorded of [true, false]) {
    const { remote, recorder, lastState } = _setup(true, laserRecorded);
    remote.agentConsent("view", true);
    assert.equal(lastState().laserInPicture, false, "not recorded: the window paints the dot");
    recorder.want(true);
    assert.equal(lastState().recording, true);
    // An agent whose hello did not say it keeps the dot in a recorded picture leaves it out.
    assert.equal(lastState().laserInPicture, laserRecorded);
    recorder.want(false);
    assert.equal(lastState().laserInPicture, false);
    remote.close();
  }
});

Deno.test("RemoteSession: an agent that did not offer recordingNotice is never sent `recording`", () => {
  const { remote, recorder, told } = _setup(false);
  recorder.want(true);
  remote.agentConsent("view", true);
  assert.equal(remote.customerView().recording, true, "the customer's page still says it");
  assert.deepEqual(told(), []);
});

Deno.test("RemoteSession: the question for view says beforehand what the group's policy will record", async () => {
  const ask = async (
    options: { recordingAsked: boolean; policy: "always" | "optional" | null; cancel?: boolean },
  ) => {
    const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
    const recorder = new _Recorder(remote);
    let release = () => {};
    const read = new Promise<void>((ok) => release = ok);
    remote.recorder = Object.assign(recorder, {
      announcement: () => read.then(() => options.policy),
    });
    const toAgent: ServerMessage[] = [];
    remote.agentAttached(
      {
        send: (m) => void toAgent.push(m),
        close: () => {},
        recordingAsked: options.recordingAsked,
      },
      { width: 64, height: 48 },
    );
    const viewer: ViewerLink = {
      userId: "u1",
      name: "Ann",
      watching: false,
      peer: null,
      send() {},
    };
    remote.join(viewer);
    assert.equal(remote.setWatching(viewer, true), null);
    if (options.cancel) remote.setWatching(viewer, false);
    release();
    await new Promise((ok) => setTimeout(ok, 0));
    return toAgent.filter((m) => m.type === "request");
  };
  const view = { type: "request", capability: "view" };
  assert.deepEqual(await ask({ recordingAsked: true, policy: "always" }), [
    { ...view, recording: "always" },
  ]);
  assert.deepEqual(await ask({ recordingAsked: true, policy: "optional" }), [
    { ...view, recording: "optional" },
  ]);
  assert.deepEqual(await ask({ recordingAsked: true, policy: null }), [view]);
  // An older agent's strict decoder would refuse the field: it gets the plain question.
  assert.deepEqual(await ask({ recordingAsked: false, policy: "always" }), [view]);
  // Cancelled while the policy was read: no question reaches the customer after the cancel.
  assert.deepEqual(await ask({ recordingAsked: true, policy: "always", cancel: true }), []);
});
