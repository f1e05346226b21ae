import assert from "node:assert/strict";
import type { CursorShape, CursorState } from "../../protocol/cursor.ts";
import { CursorOverlay } from "./cursor_overlay.ts";
import type { DecodedShape } from "./cursor.ts";
import { contentRect, type Rect, type ScaleMode } from "./geometry.ts";

const SHAPE: CursorShape = { width: 16, height: 24, hotX: 2, hotY: 4, rgba: "…" };

/** A fake canvas recording what is drawn on it. */
function fakeCanvas(name: string) {
  const draws: string[] = [];
  const el = {
    name,
    width: 300,
    height: 150,
    style: {} as Record<string, string>,
    getContext: () => ({
      clearRect: () => {},
      drawImage: (image: { name: string }) => draws.push(image.name),
    }),
  };
  return { el, draws };
}

/**
 * A 1920 × 1080 screen in a stage at (100, 50) with a 1 px border: the video fills the stage,
 * 960 × 600, so "fit" letterboxes it to 960 × 540 at (101, 81).
 */
function scene() {
  const world = {
    mode: "fit" as ScaleMode,
    picture: true,
    controlling: false,
    box: { left: 101, top: 51, width: 960, height: 600 } as Rect,
    screen: { width: 1920, height: 1080 },
    scroll: { left: 0, top: 0 },
  };
  const overlay = fakeCanvas("overlay");
  const frame = {
    hidden: true,
    style: {} as Record<string, string>,
    dataset: {} as Record<string, string>,
  };
  const video = { style: {} as Record<string, string> };
  const stage = {
    clientLeft: 1,
    clientTop: 1,
    get scrollLeft() {
      return world.scroll.left;
    },
    get scrollTop() {
      return world.scroll.top;
    },
    getBoundingClientRect: () => ({ left: 100, top: 50 }),
  };
  const decoded: string[] = [];
  const cursor = new CursorOverlay({
    frame: () => frame as unknown as HTMLElement,
    element: () => overlay.el as unknown as HTMLCanvasElement,
    video: () => video as unknown as HTMLVideoElement,
    stage: () => stage as unknown as HTMLElement,
    contentRect: () => contentRect(world.box, world.screen, world.mode),
    screenSize: () => world.screen,
    picture: () => world.picture,
    controlling: () => world.controlling,
    decode: (shape) => {
      const name = `shape ${shape.width}x${shape.height}`;
      decoded.push(name);
      const canvas = { name, width: shape.width, height: shape.height };
      return {
        shape,
        canvas: canvas as unknown as HTMLCanvasElement,
        png: `data:image/png;base64,${shape.width}`,
      } satisfies DecodedShape<HTMLCanvasElement>;
    },
  });
  const offset = (style: Record<string, string>) =>
    /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(style.transform)!.slice(1).map(Number);
  /** Where the overlay's image is in the stage (its frame's place plus its own), or "hidden". */
  const placed = () => {
    if (frame.hidden) return "hidden";
    const [fx, fy] = offset(frame.style);
    const [x, y] = offset(overlay.el.style);
    return `translate(${fx + x}px, ${
      fy + y
    }px) ${overlay.el.style.width} × ${overlay.el.style.height}`;
  };
  /** The frame that clips the image: over the picture. */
  const framed = () => `${frame.style.transform} ${frame.style.width} × ${frame.style.height}`;
  return { world, overlay, frame, video, cursor, decoded, placed, framed };
}

const at = (x: number, y: number, shape?: CursorShape): CursorState => ({
  x,
  y,
  visible: true,
  ...(shape ? { shape } : {}),
});

Deno.test("CursorOverlay puts the pointer at the hot spot's place over the picture, scaled", () => {
  const { cursor, overlay, frame, placed, framed, decoded } = scene();
  assert.equal(placed(), "hidden", "nothing before the first state");
  cursor.receive(at(960, 540, SHAPE));
  // Half size: the hot spot (2, 4) of a 16 × 24 image at the picture's centre (581, 351) page
  // pixels, i.e. (480, 300) in the stage's content box.
  assert.equal(placed(), "translate(479px, 298px) 8px × 12px");
  assert.deepEqual({ ...frame.dataset }, { x: "960", y: "540" }, "the hot spot, for tests");
  assert.equal(framed(), "translate(0px, 30px) 960px × 540px", "clipped to the picture");
  assert.deepEqual(overlay.draws, ["shape 16x24"]);
  assert.deepEqual([overlay.el.width, overlay.el.height], [16, 24]);
  assert.equal(overlay.el.style.imageRendering, "auto", "shrunk: smoothed as the picture is");
  cursor.receive(at(0, 0));
  assert.equal(placed(), "translate(-1px, 28px) 8px × 12px", "moves; the shape stays");
  assert.deepEqual(decoded, ["shape 16x24"], "decoded once");
  assert.deepEqual(overlay.draws, ["shape 16x24"], "drawn once");
});

Deno.test("CursorOverlay follows a scale mode change, a resize, a screen switch and scrolling", () => {
  const { world, cursor, placed, overlay } = scene();
  cursor.receive(at(960, 540, SHAPE));
  world.mode = "stretch"; // 960 × 600 from (101, 51): y is 600/1080 a pixel
  cursor.update();
  assert.equal(placed(), `translate(479px, ${Math.round((536 * 600) / 1080)}px) 8px × 13px`);
  // "actual": the video is the screen's size and scrolled by the stage; one pixel is one pixel.
  world.mode = "actual";
  world.box = { left: 101 - 400, top: 51 - 100, width: 1920, height: 1080 };
  world.scroll = { left: 400, top: 100 };
  cursor.update();
  assert.equal(placed(), "translate(958px, 536px) 16px × 24px");
  assert.equal(overlay.el.style.imageRendering, "pixelated", "1:1 stays sharp");
  // Full screen: a bigger stage; the other monitor (1280 × 1024) is chosen.
  world.mode = "fit";
  world.scroll = { left: 0, top: 0 };
  world.box = { left: 101, top: 51, width: 1280, height: 1024 };
  world.screen = { width: 1280, height: 1024 };
  cursor.receive(at(100, 200));
  assert.equal(placed(), "translate(98px, 196px) 16px × 24px");
});

Deno.test("CursorOverlay hides the pointer off this screen, without a picture and after null", () => {
  const { world, cursor, placed } = scene();
  cursor.receive(at(960, 540, SHAPE));
  cursor.receive({ x: 960, y: 540, visible: false });
  assert.equal(placed(), "hidden", "on another monitor");
  cursor.receive(at(960, 540));
  assert.notEqual(placed(), "hidden");
  world.picture = false;
  cursor.update();
  assert.equal(placed(), "hidden", "view off, or no picture");
  world.picture = true;
  cursor.update();
  assert.notEqual(placed(), "hidden");
  cursor.receive(null);
  assert.equal(placed(), "hidden", "null: drawn into the picture again, or no agent");
  cursor.receive(at(10, 10));
  assert.equal(placed(), "hidden", "after null, nothing until a shape comes again");
  cursor.receive(at(10, 10, SHAPE));
  assert.notEqual(placed(), "hidden");
});

Deno.test("CursorOverlay gives a controlling technician's own pointer the customer's shape", () => {
  const { world, cursor, placed, video } = scene();
  cursor.receive(at(960, 540, SHAPE));
  const own = 'url("data:image/png;base64,16") 2 4, default';
  cursor.hover({ x: 581, y: 351 });
  assert.equal(video.style.cursor, undefined, "only watching: the local pointer as ever");
  assert.notEqual(placed(), "hidden");
  world.controlling = true;
  cursor.update();
  assert.equal(video.style.cursor, own);
  assert.equal(placed(), "hidden", "the technician's pointer is the customer's now");
  cursor.hover({ x: 581, y: 60 }); // the letterbox above the picture
  assert.equal(video.style.cursor, "");
  assert.notEqual(placed(), "hidden", "off the picture: where the customer's pointer is");
  cursor.hover({ x: 581, y: 351 });
  assert.equal(video.style.cursor, own);
  cursor.hover(null);
  assert.equal(video.style.cursor, "");
  cursor.hover({ x: 581, y: 351 });
  world.controlling = false; // control taken back or given to another
  cursor.update();
  assert.equal(video.style.cursor, "");
  assert.notEqual(placed(), "hidden");
  world.controlling = true;
  cursor.update();
  cursor.receive(at(5, 5, { ...SHAPE, width: 32, height: 32, hotX: 0, hotY: 0 }));
  assert.equal(video.style.cursor, 'url("data:image/png;base64,32") 0 0, default', "a new shape");
  cursor.receive(null);
  assert.equal(video.style.cursor, "");
});

Deno.test("CursorOverlay.placed() gives the magnifier the pointer while it shows", () => {
  const { cursor } = scene();
  assert.equal(cursor.placed(), null);
  cursor.receive(at(960, 540, SHAPE));
  const placed = cursor.placed();
  assert.deepEqual(placed?.rect, { left: 580, top: 349, width: 8, height: 12 });
  assert.equal((placed?.image as unknown as { name: string }).name, "shape 16x24");
  cursor.receive({ x: 960, y: 540, visible: false });
  assert.equal(cursor.placed(), null);
});
