import assert from "node:assert/strict";
import { LENS_PX } from "./geometry.ts";
import { clearLens, drawLens } from "./magnifier.ts";

/** A canvas whose 2D context records the calls that matter. */
function canvas() {
  const calls: string[] = [];
  const ctx = new Proxy({}, {
    get: (_, name: string) => (...args: unknown[]) =>
      calls.push(`${name}(${args.map((a) => typeof a === "object" ? "video" : a).join(",")})`),
    set: () => true,
  });
  const el = { width: 0, height: 0, getContext: () => ctx } as unknown as HTMLCanvasElement;
  return { el, calls };
}

const video = { videoWidth: 1920, videoHeight: 1080 } as HTMLVideoElement;
const stage = {
  clientWidth: 1000,
  clientHeight: 600,
  clientLeft: 0,
  clientTop: 0,
  getBoundingClientRect: () => ({ left: 0, top: 0 }),
} as HTMLElement;

Deno.test("drawLens() sizes the overlay to the stage and draws the zoomed square at the pointer", () => {
  const { el, calls } = canvas();
  const rect = { left: 0, top: 0, width: 960, height: 540 };
  drawLens({ canvas: el, video, stage, rect }, { x: 480, y: 270 });
  assert.deepEqual([el.width, el.height], [1000, 600]);
  const side = (LENS_PX / 3) * 2; // 200 / 3 page pixels, at 2 video pixels each
  const draw = calls.find((c) => c.startsWith("drawImage"));
  assert.equal(
    draw,
    `drawImage(video,${960 - side / 2},${540 - side / 2},${side},${side},380,170,200,200)`,
  );
});

Deno.test("drawLens() only clears while there is no picture; clearLens() wipes the overlay", () => {
  const { el, calls } = canvas();
  drawLens({ canvas: el, video, stage, rect: null }, { x: 1, y: 1 });
  assert.deepEqual(calls, ["setTransform(1,0,0,1,0,0)", "clearRect(0,0,1000,600)"]);
  calls.length = 0;
  clearLens(el);
  clearLens(null);
  assert.deepEqual(calls, ["clearRect(0,0,1000,600)"]);
});

Deno.test("drawLens() draws the customer's pointer into the lens, enlarged as the picture is", () => {
  const { el, calls } = canvas();
  const rect = { left: 0, top: 0, width: 960, height: 540 };
  // An 8 × 12 pointer image shown with its top-left corner 10 px right of and 5 px above the
  // lens's centre: in the lens 3 times as far and as big.
  const cursor = {
    image: {} as CanvasImageSource,
    rect: { left: 490, top: 265, width: 8, height: 12 },
  };
  drawLens({ canvas: el, video, stage, rect, cursor }, { x: 480, y: 270 });
  const draws = calls.filter((c) => c.startsWith("drawImage"));
  assert.equal(draws.length, 2, "the picture, then the pointer over it");
  assert.equal(draws[1], "drawImage(video,510,255,24,36)");
  assert.ok(calls.indexOf(draws[1]) < calls.indexOf("restore()"), "inside the lens's clip");
});

Deno.test("drawLens() draws the technician's fresh strokes (the preview) into the lens, under the pointer", () => {
  const { el, calls } = canvas();
  const rect = { left: 0, top: 0, width: 960, height: 540 };
  // The preview's canvas covers the whole picture: in the lens, 3 times as big, centred so the
  // point under the pointer stays under it.
  const preview = { image: {} as CanvasImageSource, rect };
  const cursor = {
    image: {} as CanvasImageSource,
    rect: { left: 490, top: 265, width: 8, height: 12 },
  };
  drawLens({ canvas: el, video, stage, rect, preview, cursor }, { x: 480, y: 270 });
  const draws = calls.filter((c) => c.startsWith("drawImage"));
  assert.equal(draws.length, 3, "the picture, the strokes, then the customer's pointer on top");
  assert.equal(draws[1], "drawImage(video,-960,-540,2880,1620)");
  assert.equal(draws[2], "drawImage(video,510,255,24,36)");
  assert.ok(calls.indexOf(draws[2]) < calls.indexOf("restore()"), "inside the lens's clip");
});
