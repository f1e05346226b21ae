import assert from "node:assert/strict";
import {
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
  canScreenshot: true,
  detached: true,
  lead: true,
  monitor: false,
};

Deno.test("readMount() reads back every prop mountAttributes() wrote", () => {
  assert.deepEqual(readMount(dataset(mountAttributes(MOUNT))), MOUNT);
  const flipped = { ...MOUNT, canView: false, canControl: true, canScreenshot: false };
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
  ];
  for (const message of refused) {
    assert.equal(
      ViewerInputSchema.safeParse(message).success,
      false,
      JSON.stringify(message).slice(0, 60),
    );
  }
});
