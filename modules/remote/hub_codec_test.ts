// RemoteSession tells the agent which codec to encode in (codec_choice.ts) as viewers come, say
// what their browsers decode and go — and an agent that cannot encode H.264 is never told.
import assert from "node:assert/strict";
import type { ServerMessage, VideoCodec } from "../../protocol/mod.ts";
import { type AgentLink, RemoteSession, type ViewerLink } from "./hub.ts";

function viewer(userId: string, extra: Partial<ViewerLink> = {}): ViewerLink {
  return { userId, name: userId, watching: false, peer: null, send: () => {}, ...extra };
}

function session(codecs?: readonly VideoCodec[]) {
  const toAgent: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  const link: AgentLink = { send: (m) => void toAgent.push(m), close: () => {}, codecs };
  remote.agentAttached(link, { width: 640, height: 480 });
  const told = () => toAgent.flatMap((m) => m.type === "codec" ? [m.codec] : []);
  return { remote, told, link };
}

Deno.test("codec: H.264 once every viewer decodes it; a VP8-only viewer joining and leaving switches back and forth", () => {
  const { remote, told } = session(["vp8", "h264"]);
  const lead = viewer("lead");
  remote.join(lead);
  assert.deepEqual(told(), [], "an island that has not said what it decodes counts as VP8");
  remote.viewerCodecs(lead, ["vp8", "h264"]);
  assert.deepEqual(told(), ["h264"]);
  const monitor = viewer("monitor", { monitor: true, codecs: ["vp8", "h264"] });
  remote.join(monitor);
  assert.deepEqual(told(), ["h264"], "no message while the choice stays");
  const firefox = viewer("firefox");
  remote.join(firefox);
  remote.viewerCodecs(firefox, ["vp8"]);
  assert.deepEqual(told(), ["h264", "vp8"]);
  remote.leave(firefox);
  assert.deepEqual(told(), ["h264", "vp8", "h264"]);
  remote.leave(monitor);
  remote.leave(lead);
  assert.deepEqual(told(), ["h264", "vp8", "h264", "vp8"], "nobody left: VP8, the agent's start");
  remote.close();
});

Deno.test("codec: an agent without H.264 (or an older one) is never sent a codec", () => {
  for (const codecs of [["vp8"] as const, undefined]) {
    const { remote, told } = session(codecs);
    const lead = viewer("lead");
    remote.join(lead);
    remote.viewerCodecs(lead, ["vp8", "h264"]);
    assert.deepEqual(told(), []);
    remote.close();
  }
});

Deno.test("codec: a reconnected agent starts in VP8 again and is told H.264 at once", () => {
  const { remote, told } = session(["vp8", "h264"]);
  remote.join(viewer("lead", { codecs: ["vp8", "h264"] }));
  assert.deepEqual(told(), ["h264"]);
  const again: ServerMessage[] = [];
  remote.agentAttached(
    { send: (m) => void again.push(m), close: () => {}, codecs: ["vp8", "h264"] },
    { width: 640, height: 480 },
  );
  assert.deepEqual(again.filter((m) => m.type === "codec"), [{ type: "codec", codec: "h264" }]);
  remote.close();
});

Deno.test("codec: a window opening on an H.264 session counts once its island says, not before", () => {
  const { remote, told } = session(["vp8", "h264"]);
  remote.join(viewer("lead", { codecs: ["vp8", "h264"] }));
  assert.deepEqual(told(), ["h264"]);
  // The socket opens (the server counts the viewer in) a moment before its island's `codecs`.
  const detached = viewer("lead");
  remote.join(detached);
  assert.deepEqual(told(), ["h264"], "no VP8 and back while it has not said");
  remote.viewerCodecs(detached, ["vp8", "h264"]);
  assert.deepEqual(told(), ["h264"]);
  remote.close();
});

Deno.test("codec: an older island asking for the picture without saying counts as VP8 before its offer", () => {
  const { remote, told } = session(["vp8", "h264"]);
  remote.agentAsks("view");
  remote.agentConsent("view", true);
  remote.join(viewer("lead", { codecs: ["vp8", "h264"] }));
  const older = viewer("older");
  remote.join(older);
  assert.deepEqual(told(), ["h264"]);
  remote.setWatching(older, true);
  assert.deepEqual(told(), ["h264", "vp8"]);
  assert.equal(older.peer?.codec.name, "vp8", "offered the codec it is sure to decode");
  remote.close();
});
