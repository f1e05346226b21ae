// The pointer apart from the picture on a private Xvfb (the real XFixes path): drawn in, a
// frame shows it; apart, the frames are the plain screen and `cursor` messages carry XFixes'
// image — valid for the protocol's decoder, straight RGBA — and a new one when another client
// sets another cursor; an XTest move is a message, not a frame.
// Needs xvfb, x11-xserver-utils, libXdamage (libxdamage1) and libXi (libxi6).
import assert from "node:assert/strict";
import { type AgentMessage, AgentMessageSchema, cursorPixels } from "../protocol/mod.ts";
import { type Desktop, openDesktop } from "./platform/mod.ts";
import { runX, startXvfb } from "./platform/xvfb_test_support.ts";
import { ScreenSender } from "./screen.ts";

const W = 640, H = 480;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Cursor = Extract<AgentMessage, { type: "cursor" }>;

/**
 * Another X client that sets the root window's cursor and stays connected, as an application
 * does (a cursor whose client has gone is one XFixes no longer gives an old connection, Xvfb 21).
 */
function cursorSetter(display: string) {
  const lib = Deno.dlopen("libX11.so.6", {
    XOpenDisplay: { parameters: ["buffer"], result: "pointer" },
    XDefaultRootWindow: { parameters: ["pointer"], result: "u64" },
    XCreateFontCursor: { parameters: ["pointer", "u32"], result: "u64" },
    XDefineCursor: { parameters: ["pointer", "u64", "u64"], result: "i32" },
    XSync: { parameters: ["pointer", "i32"], result: "i32" },
    XCloseDisplay: { parameters: ["pointer"], result: "i32" },
  });
  const dpy = lib.symbols.XOpenDisplay(new TextEncoder().encode(`${display}\0`));
  assert.ok(dpy, "a second X connection");
  return {
    /** A cursor of the X cursor font (e.g. 34: crosshair). */
    set(shape: number) {
      const cursor = lib.symbols.XCreateFontCursor(dpy, shape);
      lib.symbols.XDefineCursor(dpy, lib.symbols.XDefaultRootWindow(dpy), cursor);
      lib.symbols.XSync(dpy, 0);
    },
    close() {
      lib.symbols.XCloseDisplay(dpy);
      lib.close();
    },
  };
}

/** Waits until `done()` or 10 s (a loaded machine), then says whether it came. */
async function until(done: () => boolean): Promise<boolean> {
  const t0 = performance.now();
  while (!done() && performance.now() - t0 < 10_000) await sleep(10);
  return done();
}

Deno.test({
  name: "ScreenSender on X11: the pointer apart is XFixes' image in cursor messages, not pixels",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const xvfb = await startXvfb({ width: W, height: H });
    let desktop: Desktop | null = null;
    let sender: ScreenSender | null = null;
    let setter: ReturnType<typeof cursorSetter> | null = null;
    try {
      await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
      const d = desktop = openDesktop({ display: xvfb.display });
      d.pointer(100, 100);
      /** Whether each frame had anything but the background around the pointer. */
      const frames: boolean[] = [];
      const spot = { x: 100, y: 100 };
      const cursors: Cursor[] = [];
      sender = new ScreenSender({
        desktop: d,
        encoder: () => ({
          encode: (bgrx, stride, o) => {
            let other = false;
            for (let y = spot.y - 20; y < spot.y + 20; y++) {
              for (let x = spot.x - 20; x < spot.x + 20; x++) {
                const at = y * stride + x * 4; // B,G,R,X: #336699
                other ||= bgrx[at] !== 0x99 || bgrx[at + 1] !== 0x66 || bgrx[at + 2] !== 0x33;
              }
            }
            frames.push(other);
            return { data: new Uint8Array(3), keyframe: Boolean(o?.keyframe) };
          },
          setPreset: () => {},
          close: () => {},
        }),
      }, {
        link: () => ({
          send: (m: AgentMessage) => void (m.type === "cursor" && cursors.push(m)),
          sendMedia: () => {},
          buffered: () => 0,
        }),
        allowed: () => true,
      });
      const s = sender;
      s.setPreset("low"); // no refinements to wait for
      s.resume();
      assert.ok(await until(() => frames.length >= 1), "the first frame");
      assert.equal(frames[0], true, "drawn in: the pointer is in the frame");

      s.setCursorMode(true);
      assert.ok(await until(() => frames.length >= 2 && cursors.length >= 1));
      assert.equal(frames.at(-1), false, "apart: the pointer's area coded again without it");
      const first = cursors[0];
      assert.ok(AgentMessageSchema.safeParse(first).success, JSON.stringify(first).slice(0, 200));
      assert.deepEqual([first.x, first.y, first.visible], [100, 100, true]);
      assert.ok(first.shape, "its image first");
      const alphas = [...cursorPixels(first.shape)].filter((_, i) => i % 4 === 3);
      assert.ok(alphas.some((a) => a === 255), "an opaque part");
      assert.ok(alphas.some((a) => a === 0), "a transparent part");

      const framesBefore = frames.length;
      for (let i = 1; i <= 5; i++) {
        d.pointer(100 + 10 * i, 100);
        await sleep(40);
      }
      assert.ok(await until(() => cursors.at(-1)?.x === 150), JSON.stringify(cursors.at(-1)));
      await sleep(100);
      assert.equal(frames.length, framesBefore, "an XTest move is a message, not a frame");
      assert.ok(cursors.slice(1).every((c) => !c.shape), "the same shape is not sent again");

      setter = cursorSetter(xvfb.display);
      setter.set(34); // XC_crosshair
      assert.ok(await until(() => !!cursors.at(-1)?.shape), "another client's new cursor");
      const crosshair = cursors.at(-1)!;
      assert.ok(AgentMessageSchema.safeParse(crosshair).success);
      assert.notEqual(crosshair.shape?.rgba, first.shape.rgba);

      spot.x = 150;
      s.setCursorMode(false);
      const n = frames.length;
      assert.ok(await until(() => frames.length > n));
      assert.equal(frames.at(-1), true, "drawn in again");
    } finally {
      sender?.stop();
      setter?.close();
      desktop?.close();
      await xvfb.stop();
    }
  },
});
