import assert from "node:assert/strict";
import { keysymChar, klidOfHkl, layoutName, SCAN_CODES, specialKey } from "./windows_keys.ts";
import { KEY_CODES, type KeyCode } from "../../protocol/key_codes.ts";

Deno.test("specialKey() maps keysyms to virtual keys with the extended flag where Windows has E0", () => {
  const cases: [number, number, boolean][] = [
    [0xff08, 0x08, false], // BackSpace
    [0xff09, 0x09, false], // Tab
    [0xff0d, 0x0d, false], // Return
    [0xff8d, 0x0d, true], // KP_Enter
    [0xff1b, 0x1b, false], // Escape
    [0xff51, 0x25, true], // Left
    [0xff96, 0x25, false], // KP_Left (Num Lock off)
    [0xff50, 0x24, true], // Home
    [0xff57, 0x23, true], // End
    [0xff55, 0x21, true], // Prior
    [0xff56, 0x22, true], // Next
    [0xff63, 0x2d, true], // Insert
    [0xffff, 0x2e, true], // Delete
    [0xff9f, 0x2e, false], // KP_Delete
    [0xffbe, 0x70, false], // F1
    [0xffc9, 0x7b, false], // F12
    [0xffd5, 0x87, false], // F24
    [0xffe1, 0xa0, false], // Shift_L
    [0xffe2, 0xa1, false], // Shift_R
    [0xffe3, 0xa2, false], // Control_L
    [0xffe4, 0xa3, true], // Control_R
    [0xffe9, 0xa4, false], // Alt_L
    [0xffea, 0xa5, true], // Alt_R
    [0xfe03, 0xa5, true], // ISO_Level3_Shift (AltGr)
    [0xffeb, 0x5b, true], // Super_L
    [0xffec, 0x5c, true], // Super_R
    [0xff67, 0x5d, true], // Menu
    [0xffb0, 0x60, false], // KP_0
    [0xffb9, 0x69, false], // KP_9
    [0xffaf, 0x6f, true], // KP_Divide
    [0xffaa, 0x6a, false], // KP_Multiply
    [0xff61, 0x2c, true], // Print
    [0xff13, 0x13, false], // Pause
    [0xffe5, 0x14, false], // Caps_Lock
    [0xff7f, 0x90, true], // Num_Lock
    [0xff14, 0x91, false], // Scroll_Lock
    [0x1008ff13, 0xaf, true], // XF86AudioRaiseVolume
    [0x1008ff12, 0xad, true], // XF86AudioMute
    [0x1008ff14, 0xb3, true], // XF86AudioPlay
  ];
  for (const [keysym, vk, extended] of cases) {
    assert.deepEqual(specialKey(keysym), { vk, extended }, `keysym 0x${keysym.toString(16)}`);
  }
  assert.equal(specialKey(0x61), undefined); // a character: typed by the layout
});

Deno.test("keysymChar() gives Latin-1 and Unicode keysyms' characters, nothing for other keys", () => {
  assert.equal(keysymChar(0x41), "A");
  assert.equal(keysymChar(0x20), " ");
  assert.equal(keysymChar(0xe9), "é");
  assert.equal(keysymChar(0x10020ac), "€");
  assert.equal(keysymChar(0x20ac), "€"); // legacy EuroSign
  assert.equal(keysymChar(0x101f600), "😀");
  assert.equal(keysymChar(0x100d800), undefined); // a lone surrogate
  assert.equal(keysymChar(0xfe51), undefined); // dead_acute
  assert.equal(keysymChar(0x7f), undefined);
});

Deno.test("layoutName() names common KLIDs and shows others as they are", () => {
  assert.equal(layoutName("00000409"), "us");
  assert.equal(layoutName("00000407"), "de");
  assert.equal(layoutName("0000040C"), "fr");
  assert.equal(layoutName("00000807"), "ch");
  assert.equal(layoutName("00010409"), "us(dvorak)");
  assert.equal(layoutName("00000419"), "ru");
  assert.equal(layoutName("0001041f"), "0001041F");
  assert.equal(layoutName("garbage"), "unknown");
});

Deno.test("klidOfHkl() reads the layout from a keyboard layout handle's high word", () => {
  assert.equal(klidOfHkl(0x04090409n), "00000409");
  assert.equal(klidOfHkl(0x04070407n), "00000407");
  assert.equal(klidOfHkl(0x08070409n), "00000807"); // Swiss German keys, English language
  assert.equal(klidOfHkl(0xf0020409n), null); // a device handle (US Dvorak): the registry's
  assert.equal(klidOfHkl(0n), null);
});

Deno.test("SCAN_CODES: every physical key has its set-1 scan code, none twice", () => {
  assert.deepEqual(Object.keys(SCAN_CODES).sort(), [...KEY_CODES].sort());
  assert.equal(new Set(Object.values(SCAN_CODES)).size, KEY_CODES.length);
  // The rows of a PC keyboard: the number row from 0x02, QWERTY from 0x10, ASDF from 0x1E,
  // ZXCV from 0x2C; the ISO key 0x56; the Japanese/Brazilian keys 0x73 and 0x7D.
  const rows: [string, number][] = [["1234567890", 0x02], ["QWERTYUIOP", 0x10]];
  rows.push(["ASDFGHJKL", 0x1e], ["ZXCVBNM", 0x2c]);
  for (const [keys, first] of rows) {
    [...keys].forEach((k, i) => {
      const code = (/\d/.test(k) ? `Digit${k}` : `Key${k}`) as KeyCode;
      assert.equal(SCAN_CODES[code], first + i, code);
    });
  }
  assert.deepEqual(
    [SCAN_CODES.Backquote, SCAN_CODES.Minus, SCAN_CODES.Semicolon, SCAN_CODES.Slash],
    [0x29, 0x0c, 0x27, 0x35],
  );
  assert.deepEqual([SCAN_CODES.IntlBackslash, SCAN_CODES.IntlRo, SCAN_CODES.IntlYen], [
    0x56,
    0x73,
    0x7d,
  ]);
});
