import assert from "node:assert/strict";
import {
  AgentMessageSchema,
  decodableCodecs,
  KEY_CODES,
  mountAttributes,
  QUALITY_PRESETS,
  readMount,
  type RemoteViewMount,
  type ViewerInput,
  ViewerInputSchema,
} from "./mod.ts";

/** What `element.dataset` makes of `data-*` attributes: `data-can-view` → `canView`. */
function dataset(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name.slice(5).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  );
}

const MOUNT: RemoteViewMount = {
  session: "6f1c1d52-0b44-4f6e-9d7e-2f3a4b5c6d7e",
  ws: "/console/sessions/6f1c1d52-0b44-4f6e-9d7e-2f3a4b5c6d7e/remote/ws",
  screenshot: "/console/sessions/6f1c1d52-0b44-4f6e-9d7e-2f3a4b5c6d7e/remote/screenshot",
  csrf: "token",
  labels: { viewStart: "Bekijken", layoutRemoteNamed: "Indeling klant ({{layout}})" },
  canView: true,
  canControl: false,
  canClipboard: false,
  clipboardSync: true,
  canScreenshot: true,
  detached: true,
  lead: true,
  monitor: false,
  record: "/console/sessions/s/recording",
};

Deno.test("readMount() reads back every prop mountAttributes() wrote", () => {
  assert.deepEqual(readMount(dataset(mountAttributes(MOUNT))), MOUNT);
  const flipped = {
    ...MOUNT,
    canView: false,
    canControl: true,
    canScreenshot: false,
    clipboardSync: false,
  };
  assert.deepEqual(readMount(dataset(mountAttributes(flipped))), flipped);
});

Deno.test("readMount() without permission attributes allows view and screenshots, not control", () => {
  const read = readMount({ session: "s", ws: "/ws" });
  assert.equal(read.canView, true);
  assert.equal(read.canScreenshot, true);
  assert.equal(read.canControl, false);
  assert.equal(read.canClipboard, false);
  assert.equal(readMount({ canControl: "1" }).canClipboard, true, "clipboard follows control");
  assert.equal(readMount({ canControl: "1", canClipboard: "0" }).canClipboard, false);
  assert.equal(read.clipboardSync, true, "the console option's default");
});

Deno.test("readMount() keeps only string labels and survives malformed JSON", () => {
  assert.deepEqual(readMount({ labels: "{not json" }).labels, {});
  assert.deepEqual(readMount({ labels: "[1,2]" }).labels, {});
  assert.deepEqual(readMount({ labels: '{"copy":"Kopiëren","screen":3}' }).labels, {
    copy: "Kopiëren",
  });
});

Deno.test("ViewerInputSchema accepts what the island sends and refuses the rest", () => {
  const sent: ViewerInput[] = [
    { type: "view", on: true },
    { type: "control", on: false },
    { type: "answer", sdp: "v=0", id: 1 },
    { type: "reoffer" },
    { type: "keyframe" },
    { type: "ping", at: 12.5 },
    { type: "request_control" },
    { type: "give_control", userId: "6f1c1d52-0b44-4f6e-9d7e-2f3a4b5c6d7e" },
    { type: "decline_control" },
    ...QUALITY_PRESETS.map((preset) => ({ type: "quality" as const, preset })),
    { type: "pointer", x: 0, y: 32_767 },
    { type: "button", button: "middle", down: true, x: 1, y: 2 },
    { type: "wheel", dx: -100, dy: 100 },
    { type: "key", keysym: 0x10020ac, down: false },
    { type: "key", keysym: 0x31, down: true, code: "Digit1" },
    { type: "clipboard", text: "€".repeat(60_000) },
    { type: "ctrlAltDel" },
  ];
  for (const message of sent) assert.ok(ViewerInputSchema.safeParse(message).success, message.type);
  const refused = [
    { type: "quality", preset: "ultra" },
    { type: "wheel", dx: 101, dy: 0 },
    { type: "pointer", x: -1, y: 0 },
    { type: "clipboard", text: "x".repeat(60_001) },
    { type: "view", on: true, extra: 1 },
    { type: "pong", at: 1 },
    { type: "give_control", userId: "not-a-uuid" },
    { type: "give_control" },
    { type: "answer", sdp: "v=0" }, // an answer names its offer
    { type: "answer", sdp: "v=0", id: -1 },
    { type: "key", keysym: 0x61, down: true, code: "keya" }, // codes are case-sensitive
    { type: "key", keysym: 0x61, down: true, code: "Enter" }, // not a position a layout decides
    { type: "key", keysym: 0x61, down: true, code: "K".repeat(5000) },
    { type: "key", keysym: 0x61, down: true, code: 65 },
  ];
  for (const message of refused) {
    assert.equal(
      ViewerInputSchema.safeParse(message).success,
      false,
      JSON.stringify(message).slice(0, 60),
    );
  }
});

Deno.test("ViewerInputSchema refuses a key's unknown code and says what a code must be", () => {
  for (const code of ["Keya", "Enter", "ShiftLeft", "KeyA ", "x".repeat(300), 1]) {
    const parsed = ViewerInputSchema.safeParse({ type: "key", keysym: 0x61, down: true, code });
    assert.equal(parsed.success, false, String(code).slice(0, 20));
    const issue = parsed.error!.issues[0];
    assert.deepEqual(issue.path, ["code"]);
    assert.match(issue.message, /^code must be a physical key's KeyboardEvent\.code such as KeyA/);
    assert.ok(issue.message.length < 160, "the refused value is cut short");
  }
  for (const code of KEY_CODES) {
    assert.ok(ViewerInputSchema.safeParse({ type: "key", keysym: 0x61, down: true, code }).success);
  }
});

Deno.test("decodableCodecs: H.264 only with packetization-mode 1 and a baseline profile", () => {
  const vp8 = { mimeType: "video/VP8" };
  const h264 = (fmtp: string) => ({ mimeType: "video/H264", sdpFmtpLine: fmtp });
  // Chromium's list (abridged): baseline and constrained baseline in mode 1 among others.
  assert.deepEqual(
    decodableCodecs([
      vp8,
      h264("level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"),
      h264("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
      h264("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640034"),
    ]),
    ["vp8", "h264"],
  );
  // Firefox ESR without Cisco's plugin: no H.264 at all.
  assert.deepEqual(decodableCodecs([vp8, { mimeType: "video/VP9" }]), ["vp8"]);
  // Only mode 0 (single NAL units: the relay sends FU-A), or only High profile: not what is sent.
  assert.deepEqual(decodableCodecs([vp8, h264("packetization-mode=0;profile-level-id=42e01f")]), [
    "vp8",
  ]);
  assert.deepEqual(decodableCodecs([vp8, h264("packetization-mode=1;profile-level-id=640c1f")]), [
    "vp8",
  ]);
  assert.deepEqual(decodableCodecs([h264("profile-level-id=42001f; packetization-mode=1")]), [
    "vp8",
    "h264",
  ]);
});

Deno.test("codecs: the island's report and the agent's hello are checked; old ones without parse", () => {
  assert.ok(ViewerInputSchema.safeParse({ type: "codecs", codecs: ["vp8", "h264"] }).success);
  assert.ok(!ViewerInputSchema.safeParse({ type: "codecs", codecs: ["av1"] }).success);
  assert.ok(!ViewerInputSchema.safeParse({ type: "codecs", codecs: Array(3).fill("vp8") }).success);
  const hello = {
    type: "hello",
    token: "tok_12345678",
    deviceId: "dev_12345678",
    os: "linux",
    language: "en",
    agentVersion: "1",
    screen: { width: 640, height: 480 },
  };
  assert.ok(AgentMessageSchema.safeParse(hello).success, "an older agent names no codecs");
  assert.ok(AgentMessageSchema.safeParse({ ...hello, codecs: ["vp8", "h264"] }).success);
  assert.ok(!AgentMessageSchema.safeParse({ ...hello, codecs: ["theora"] }).success);
});
