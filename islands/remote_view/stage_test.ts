import assert from "node:assert/strict";
import type { ViewerInput } from "../../protocol/viewer.ts";
import { Stage } from "./stage.ts";
import { INITIAL_STATE, type ViewState } from "./view_state.ts";

const frames: (() => void)[] = [];
const g = globalThis as unknown as Record<string, unknown>;
g.requestAnimationFrame ??= (run: () => void) => frames.push(run);
g.cancelAnimationFrame ??= () => {};

/** A stage over a 1920 × 1080 screen shown at half size (960 × 540 at the page's origin). */
function stage(fields: Partial<ViewState> = {}) {
  const sent: ViewerInput[] = [];
  const log: string[] = [];
  let state: ViewState = {
    ...INITIAL_STATE,
    connected: true,
    agent: "connected",
    view: "granted",
    control: "granted",
    screen: { width: 1920, height: 1080 },
    hasVideo: true,
    ...fields,
  };
  const video = {
    videoWidth: 1920,
    videoHeight: 1080,
    getBoundingClientRect: () => ({ left: 0, top: 0, width: 960, height: 540 }),
  } as HTMLVideoElement;
  const element = {
    focus: () => log.push("focus"),
    setPointerCapture: (id: number) => log.push(`capture ${id}`),
  } as unknown as HTMLElement;
  const s = new Stage({
    state: () => state,
    setState: (change) => (state = { ...state, ...change }),
    send: (message) => sent.push(message) > 0,
    video: () => video,
    stage: () => element,
    overlay: () => null,
    cursorFrame: () => null,
    cursor: () => null,
    preview: () => null,
  });
  return { s, sent, log, state: () => state };
}

const pointer = (type: string, x: number, y: number, fields: Record<string, unknown> = {}) => {
  const event = {
    type,
    clientX: x,
    clientY: y,
    button: 0,
    buttons: 1,
    pointerId: 7,
    prevented: false,
    preventDefault: () => (event.prevented = true),
    ...fields,
  };
  return event as unknown as PointerEvent & { prevented: boolean };
};

const key = (k: string, code: string) =>
  ({
    key: k,
    code,
    ctrlKey: false,
    altKey: false,
    repeat: false,
    isComposing: false,
    timeStamp: 0,
    preventDefault() {},
    stopPropagation() {},
  }) as unknown as KeyboardEvent;

Deno.test("Stage clicks at the remote pixel under the pointer and captures it", () => {
  const { s, sent, log } = stage();
  const down = pointer("pointerdown", 480, 270);
  s.handlers.onPointerDown(down);
  s.handlers.onPointerUp(pointer("pointerup", 481, 271, { buttons: 0 }));
  assert.ok(down.prevented);
  assert.deepEqual(log, ["focus", "capture 7"]);
  assert.deepEqual(sent, [
    { type: "button", button: "left", down: true, x: 960, y: 540 },
    { type: "button", button: "left", down: false, x: 962, y: 542 },
  ]);
});

Deno.test("Stage sends nothing without control, but still takes focus", () => {
  const { s, sent, log } = stage({ control: "asked" });
  s.handlers.onPointerDown(pointer("pointerdown", 10, 10));
  s.handlers.onKeyDown(key("a", "KeyA"));
  s.handlers.onWheel({ deltaX: 0, deltaY: 120, deltaMode: 0, preventDefault() {} } as WheelEvent);
  frames.splice(0).forEach((run) => run());
  assert.deepEqual(sent, []);
  assert.deepEqual(log, ["focus"]);
});

Deno.test("Stage ignores a click outside the picture (fit mode's letterbox)", () => {
  const { s, sent } = stage();
  s.handlers.onPointerDown(pointer("pointerdown", 970, 100));
  assert.deepEqual(sent, []);
});

Deno.test("Stage types in the chosen layout and lets go of held keys on blur", () => {
  const { s, sent } = stage({ layout: "remote" });
  s.handlers.onKeyDown(key("Shift", "ShiftLeft"));
  s.handlers.onKeyDown(key("Q", "KeyA"));
  s.handlers.onBlur();
  assert.deepEqual(sent.map((m) => m.type === "key" && [m.keysym, m.down]), [
    [0xffe1, true],
    [0x61, true],
    [0x61, false],
    [0xffe1, false],
  ]);
});

Deno.test("Stage shows the remote screen's size and offers the magnifier only when shrunk", () => {
  const { s, state } = stage({ screen: null });
  assert.deepEqual(s.screenSize(), { width: 1920, height: 1080 }, "from the video");
  s.measure();
  assert.equal(state().displayScale, 0.5);
  assert.equal(s.lensAvailable(), true);
  assert.equal(s.lensAvailable({ ...state(), mode: "actual" }), false);
  assert.equal(s.lensAvailable({ ...state(), displayScale: 1 }), false);
  assert.equal(s.lensAvailable({ ...state(), hasVideo: false }), false);
});
