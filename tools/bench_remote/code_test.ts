// Round trip of the frame stamp (code.js) without a browser: paint into an RGBA buffer
// through a minimal 2D-context stand-in, add noise as lossy compression would, read back.
import "./code.js";

interface Stamp {
  WIDTH: number;
  HEIGHT: number;
  COUNTER_MOD: number;
  paint(ctx: unknown, x: number, y: number, ms: number, counter: number): void;
  readBytes(data: Uint8ClampedArray, stride: number, x: number, y: number): Uint8Array;
  readLumaBytes(data: Uint8Array, stride: number, offset: number, x: number, y: number): Uint8Array;
  parse(bytes: Uint8Array): { ts32: number; counter: number } | null;
  unwrapTs(ts32: number, nowMs: number): number;
}
const C = (globalThis as unknown as { BenchCode: Stamp }).BenchCode;

function surface(w: number, h: number) {
  const data = new Uint8ClampedArray(w * h * 4);
  const ctx = {
    fillStyle: "#000",
    fillRect(x: number, y: number, rw: number, rh: number) {
      const v = this.fillStyle === "#fff" ? 255 : 0;
      for (let j = y; j < y + rh; j++) {
        for (let i = x; i < x + rw; i++) data.fill(v, (j * w + i) * 4, (j * w + i) * 4 + 3);
      }
    },
  };
  return { data, ctx };
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

Deno.test("stamp survives a round trip with noise, at an offset", () => {
  const { data, ctx } = surface(300, 200);
  const now = Date.now();
  C.paint(ctx, 64, 32, now, 65_537);
  for (let i = 0; i < data.length; i++) data[i] += ((i * 7919) % 97) - 48; // ±48 noise
  const got = C.parse(C.readBytes(data, 300, 64, 32));
  assert(got, "decodes");
  assert(got.counter === 65_537 % C.COUNTER_MOD, `counter ${got.counter}`);
  assert(C.unwrapTs(got.ts32, now + 250) === now, "timestamp unwraps to the painted one");
});

Deno.test("a stamp reads from a luma plane (a YUV frame's Y) with a stride and an offset", () => {
  const { data, ctx } = surface(200, 160);
  const now = Date.now();
  C.paint(ctx, 32, 16, now, 4_242);
  // Y of a limited-range YUV frame: black 16, white 235, ±40 noise; a 256-byte stride after
  // 100 bytes of something else.
  const stride = 256, offset = 100;
  const y = new Uint8Array(offset + stride * 160);
  for (let j = 0; j < 160; j++) {
    for (let i = 0; i < 200; i++) {
      const noise = ((j * 200 + i) * 7919 % 81) - 40;
      y[offset + j * stride + i] = Math.max(
        0,
        Math.min(255, (data[(j * 200 + i) * 4] ? 235 : 16) + noise),
      );
    }
  }
  const got = C.parse(C.readLumaBytes(y, stride, offset, 32, 16));
  assert(got?.counter === 4_242, `counter ${got?.counter}`);
  assert(C.unwrapTs(got.ts32, now) === now, "timestamp");
  assert(C.parse(C.readLumaBytes(y, stride, offset, 48, 16)) === null, "off by a block: no stamp");
});

Deno.test("a half-updated stamp fails its CRC", () => {
  const a = surface(128, 128);
  const b = surface(128, 128);
  C.paint(a.ctx, 0, 0, 1_700_000_000_123, 41);
  C.paint(b.ctx, 0, 0, 1_700_000_000_156, 42);
  // top half from frame 42, bottom half from frame 41
  const mixed = new Uint8ClampedArray(a.data);
  mixed.set(b.data.subarray(0, 128 * 64 * 4));
  assert(C.parse(C.readBytes(mixed, 128, 0, 0)) === null, "torn stamp rejected");
  assert(C.parse(C.readBytes(b.data, 128, 0, 0))?.counter === 42, "intact stamp reads");
});

Deno.test("timestamps unwrap across the 2^32 ms boundary", () => {
  const painted = 2 ** 33 - 5; // just before a wrap of the low 32 bits
  assert(C.unwrapTs(painted % 2 ** 32, painted + 40) === painted, "before");
  assert(C.unwrapTs((painted + 10) % 2 ** 32, painted + 40) === painted + 10, "after");
});
