// WindowsInput over a fake user32 that records what SendInput gets: the INPUT structs' bytes,
// the normalised coordinates, the key sequences around Shift and AltGr.
import assert from "node:assert/strict";
import { INPUT_SIZE, type Win32 } from "./windows_ffi.ts";
import { normalise, WindowsInput } from "./windows_input.ts";

interface Sent {
  type: "mouse" | "key";
  dx?: number;
  dy?: number;
  data?: number;
  vk?: number;
  scan?: number;
  flags: number;
}

/** A fake Win32 on a US layout (VkKeyScan) plus AltGr's "@" of a German one. */
function fakeWin(options: { swapped?: boolean; down?: number[]; capsLock?: boolean } = {}) {
  const sent: Sent[][] = [];
  const down = new Set(options.down ?? []);
  const vkScan = (unit: number): number => {
    const c = String.fromCharCode(unit);
    if (/[a-z]/.test(c)) return c.toUpperCase().charCodeAt(0);
    if (/[A-Z]/.test(c)) return 0x100 | unit;
    if (/[0-9 ]/.test(c)) return unit;
    const shifted: Record<string, number> = { "!": 0x31, "+": 0xbb };
    if (c in shifted) return 0x100 | shifted[c];
    if (c === "=") return 0xbb;
    if (c === "@") return 0x600 | 0x51; // AltGr+Q
    return -1;
  };
  const user = {
    GetSystemMetrics: (i: number) => (i === 23 && options.swapped ? 1 : 0),
    SendInput(count: number, buf: Uint8Array, size: number) {
      assert.equal(size, INPUT_SIZE);
      assert.equal(buf.length, count * INPUT_SIZE);
      const events: Sent[] = [];
      for (let i = 0; i < count; i++) {
        const v = new DataView(buf.buffer, buf.byteOffset + i * INPUT_SIZE, INPUT_SIZE);
        events.push(
          v.getUint32(0, true) === 0
            ? {
              type: "mouse",
              dx: v.getInt32(8, true),
              dy: v.getInt32(12, true),
              data: v.getInt32(16, true),
              flags: v.getUint32(20, true),
            }
            : {
              type: "key",
              vk: v.getUint16(8, true),
              scan: v.getUint16(10, true),
              flags: v.getUint32(12, true),
            },
        );
      }
      sent.push(events);
      return count;
    },
    MapVirtualKeyW: (vk: number) => vk === 0xa0 ? 0x2a : vk === 0x41 ? 0x1e : 0x99,
    VkKeyScanExW: vkScan,
    /** Scan code → virtual key (MAPVK_VSC_TO_VK_EX) on a US layout: A, Z, the ISO key. */
    MapVirtualKeyExW: (scan: number, type: number) =>
      type === 3
        ? ({ 0x1e: 0x41, 0x2c: 0x5a, 0x56: 0xe2 } as Record<number, number>)[scan] ?? 0
        : 0,
    GetForegroundWindow: () => null,
    GetWindowThreadProcessId: () => 1,
    GetKeyboardLayout: () => null,
    GetAsyncKeyState: (vk: number) => (down.has(vk) ? -0x8000 : 0),
    GetKeyState: (vk: number) => (vk === 0x14 && options.capsLock ? 1 : 0),
    GetCursorInfo: (buf: Uint8Array) => {
      new DataView(buf.buffer).setInt32(16, 5, true);
      return 1;
    },
  };
  const win = { user } as unknown as Win32;
  const input = new WindowsInput(win, () => ({ x: -1920, y: 0, width: 3840, height: 1080 }));
  /** Key events as "+vk" / "-vk" (hex), "u+code" for Unicode ones. */
  const keys = () =>
    sent.flat().filter((e) => e.type === "key").map((e) =>
      (e.flags & 2 ? "-" : "+") + (e.flags & 4 ? `u${e.scan!.toString(16)}` : e.vk!.toString(16))
    );
  return { input, sent, keys, down };
}

Deno.test("normalise() aims at every pixel's middle, so Windows' floor(n * size / 65536) lands on it", () => {
  for (const size of [640, 1024, 1366, 1920, 3840, 5760, 7680]) {
    for (let pixel = 0; pixel < size; pixel++) {
      const n = normalise(pixel, size);
      assert.ok(n >= 0 && n <= 65535);
      assert.equal(Math.floor(n * size / 65536), pixel, `pixel ${pixel} of ${size}`);
    }
  }
  assert.equal(normalise(-50, 1024), normalise(0, 1024)); // clamped onto the desktop
  assert.equal(normalise(5000, 1024), normalise(1023, 1024));
});

Deno.test("WindowsInput moves and clicks in absolute virtual-desktop coordinates", () => {
  const { input, sent } = fakeWin();
  input.pointer(1920, 540);
  input.button("left", true, 10, 20);
  input.button("left", false, 10, 20);
  const ABS_MOVE = 0x8000 | 0x4000 | 0x0001;
  assert.deepEqual(sent.flat().map((e) => [e.dx, e.dy, e.flags]), [
    [normalise(1920, 3840), normalise(540, 1080), ABS_MOVE],
    [normalise(10, 3840), normalise(20, 1080), ABS_MOVE | 0x0002],
    [normalise(10, 3840), normalise(20, 1080), ABS_MOVE | 0x0004],
  ]);
});

Deno.test("WindowsInput gives the technician's left button the customer's primary one", () => {
  const { input, sent } = fakeWin({ swapped: true });
  input.button("left", true, 0, 0);
  input.button("right", true, 0, 0);
  input.button("middle", true, 0, 0);
  assert.deepEqual(sent.flat().map((e) => e.flags & 0x7e), [0x08, 0x02, 0x20]);
});

Deno.test("WindowsInput wheel(): 120 per click, down is negative, right is positive", () => {
  const { input, sent } = fakeWin();
  input.wheel(1, -2);
  input.wheel(0, 3);
  assert.deepEqual(sent.map((batch) => batch.map((e) => [e.flags, e.data])), [
    [[0x0800, 120], [0x0800, 120], [0x1000, 120]],
    [[0x0800, -120], [0x0800, -120], [0x0800, -120]],
  ]);
  input.wheel(0, 1e9);
  assert.equal(sent.at(-1)!.length, 100); // capped
});

Deno.test("WindowsInput key(): special keys with scan codes and the extended flag", () => {
  const { input, sent } = fakeWin();
  input.key(0xff51, true); // Left
  input.key(0xff51, false);
  input.key(0xffe1, true); // Shift_L
  assert.deepEqual(sent.flat(), [
    { type: "key", vk: 0x25, scan: 0x99, flags: 1 },
    { type: "key", vk: 0x25, scan: 0x99, flags: 3 },
    { type: "key", vk: 0xa0, scan: 0x2a, flags: 0 },
  ]);
  assert.throws(() => input.key(0, true), /Bad keysym/);
});

Deno.test("WindowsInput key(): Shift is pressed or lifted around a character as its level needs", () => {
  const plain = fakeWin();
  plain.input.key(0x41, true); // "A": Shift pressed around the A key's press
  plain.input.key(0x41, false);
  plain.input.key(0x21, true); // "!": Shift+1
  plain.input.key(0x21, false);
  plain.input.key(0x61, true); // "a"
  plain.input.key(0x61, false);
  assert.deepEqual(plain.keys(), [
    "+a0",
    "+41",
    "-a0",
    "-41",
    "+a0",
    "+31",
    "-a0",
    "-31",
    "+41",
    "-41",
  ]);

  const shifted = fakeWin({ down: [0x10, 0xa1] }); // the right Shift held
  shifted.input.key(0x61, true); // "a" with Shift held: lifted for the press, put back
  assert.deepEqual(shifted.keys(), ["-a1", "+41", "+a1"]);
  shifted.input.key(0x41, true); // "A" with Shift held: as it is
  assert.deepEqual(shifted.keys().slice(3), ["+41"]);

  const caps = fakeWin({ capsLock: true });
  caps.input.key(0x61, true); // "a" with Caps Lock on: Shift makes it small
  caps.input.key(0x31, true); // "1": Caps Lock does not touch digits
  assert.deepEqual(caps.keys(), ["+a0", "+41", "-a0", "+31"]);
});

Deno.test("WindowsInput key(): AltGr as Ctrl+Alt; a character the layout lacks as Unicode", () => {
  const { input, keys } = fakeWin();
  input.key(0x40, true); // "@" on AltGr+Q
  input.key(0x40, false);
  input.key(0x10020ac, true); // "€": not on the layout
  input.key(0x10020ac, false);
  input.key(0x101f600, true); // "😀": two UTF-16 units
  input.key(0x101f600, false);
  assert.deepEqual(keys(), [
    ...["+a2", "+a4", "+51", "-a4", "-a2", "-51"],
    ...["+u20ac", "-u20ac"],
    ...["+ud83d", "+ude00", "-ude00", "-ud83d"],
  ]);
});

Deno.test("WindowsInput key(): AltGr held by the technician is used as it is", () => {
  const { input, keys } = fakeWin({ down: [0xa5] }); // right Alt (AltGr) down
  input.key(0x40, true);
  assert.deepEqual(keys(), ["+51"]);
});

Deno.test("WindowsInput releaseAll() lets go of every held key and button", () => {
  const { input, sent, keys } = fakeWin();
  input.key(0xffe3, true); // Control_L
  input.key(0x63, true); // c
  input.button("right", true, 1, 1);
  const before = sent.length;
  input.releaseAll();
  assert.deepEqual(keys().slice(2), ["-43", "-a2"]);
  assert.equal(sent.slice(before).flat().filter((e) => e.type === "mouse")[0].flags & 0x7e, 0x10);
  const after = sent.length;
  input.releaseAll(); // nothing held any more
  assert.equal(sent.length, after);
});

Deno.test("WindowsInput key() with a code: the scan code as it is, Shift held and not lifted", () => {
  const { input, sent } = fakeWin({ down: [0x10, 0xa0] }); // the technician's Shift held
  input.key(0x61, true, "KeyA"); // "a" by keysym would lift Shift; by position it does not
  input.key(0x61, false, "KeyA");
  input.key(0x7a, true, "KeyZ");
  input.key(0x3c, true, "IntlBackslash");
  const SCANCODE = 0x8, KEYUP = 0x2;
  assert.deepEqual(sent.flat(), [
    // Windows reads the scan code; Wine reads the virtual key, the layout's for that scan code.
    { type: "key", vk: 0x41, scan: 0x1e, flags: SCANCODE },
    { type: "key", vk: 0x41, scan: 0x1e, flags: SCANCODE | KEYUP },
    { type: "key", vk: 0x5a, scan: 0x2c, flags: SCANCODE },
    { type: "key", vk: 0xe2, scan: 0x56, flags: SCANCODE },
  ]);
  const before = sent.flat().length;
  input.releaseAll(); // held keys by position are let go too, last pressed first
  assert.deepEqual(sent.flat().slice(before).map((e) => [e.scan, e.flags]), [
    [0x56, SCANCODE | KEYUP],
    [0x2c, SCANCODE | KEYUP],
  ]);
});
