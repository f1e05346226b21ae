// Keys by physical position on a real Xvfb (x11_keyboard.ts, x11_key_names.ts): with the
// German layout (`setxkbmap de`) the technician's "remote layout" keys type what the customer's
// keyboard types there — Shift + the A key "A" (the keysym path lifted Shift for XK_a and typed
// "a"), the Z key "y" and the Y key "z" (the keysym path pressed the key where German has XK_z
// and XK_y) — while the local layout's "z" stays "z". Read back from an xterm's shell.
// Needs xvfb, xterm, xdotool and x11-xkb-utils (setxkbmap).
import assert from "node:assert/strict";
import { openDesktop } from "./mod.ts";
import { acquireX11, cString, releaseX11 } from "./x11_ffi.ts";
import { XKB_KEY_NAMES, XkbKeyNames } from "./x11_key_names.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";
import { KEY_CODES } from "../../protocol/key_codes.ts";

const SHIFT_L = 0xffe1;
const RETURN = 0xff0d;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

Deno.test("XKB_KEY_NAMES: every physical key has its XKB name, none twice", () => {
  assert.deepEqual(Object.keys(XKB_KEY_NAMES).sort(), [...KEY_CODES].sort());
  assert.equal(new Set(Object.values(XKB_KEY_NAMES)).size, KEY_CODES.length);
  const rows: [string, string][] = [["1234567890", "AE"], ["QWERTYUIOP", "AD"]];
  rows.push(["ASDFGHJKL", "AC"], ["ZXCVBNM", "AB"]);
  for (const [keys, row] of rows) {
    [...keys].forEach((k, i) => {
      const code = /\d/.test(k) ? `Digit${k}` : `Key${k}`;
      assert.equal(XKB_KEY_NAMES[code as "KeyA"], `${row}${String(i + 1).padStart(2, "0")}`);
    });
  }
  assert.deepEqual(
    [XKB_KEY_NAMES.Backquote, XKB_KEY_NAMES.IntlBackslash, XKB_KEY_NAMES.Backslash],
    ["TLDE", "LSGT", "BKSL"],
  );
});

Deno.test({
  name: "XkbKeyNames finds each position's keycode, reads the table once, again after a change",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const xvfb = await startXvfb({ width: 320, height: 240 });
    const x = acquireX11();
    const dpy = x.x.XOpenDisplay(cString(xvfb.display));
    assert.ok(dpy, "the display opens");
    const names = new XkbKeyNames(dpy);
    try {
      // xkeyboard-config's evdev keycodes (what Xvfb loads): A 38, Z 52, Y 29, the ISO key 94.
      assert.deepEqual(
        ["KeyA", "KeyZ", "KeyY", "IntlBackslash", "Digit1"].map((c) =>
          names.keycodeOf(c as "KeyA")
        ),
        [38, 52, 29, 94, 10],
      );
      for (const code of KEY_CODES) names.keycodeOf(code);
      assert.equal(names.loads, 1, "one read for every look-up");
      await runX(xvfb.display, "setxkbmap", ["de"]);
      await sleep(100); // the X server's event reaches this connection
      assert.equal(names.keycodeOf("KeyZ"), 52);
      assert.equal(names.loads, 2, "read again after the keyboard changed");
      names.keycodeOf("KeyY");
      assert.equal(names.loads, 2);
    } finally {
      names.close();
      x.x.XCloseDisplay(dpy);
      releaseX11();
      await xvfb.stop();
    }
  },
});

Deno.test({
  name: "key() with a code types what the customer's German keyboard types at that position",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const desktop = openDesktop({ display: xvfb.display });
    const file = await Deno.makeTempFile({ prefix: "x11_key_codes_test_" });
    const xterm = new Deno.Command("xterm", {
      args: ["-u8", "-name", "codetest", "-geometry", "60x4+50+50", "-e", "sh", "-c"].concat(
        `read line; printf %s "$line" > ${file}`,
      ),
      env: { DISPLAY: xvfb.display, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = xterm.status.finally(() => (exited = true));
    try {
      await runX(xvfb.display, "setxkbmap", ["de"]);
      assert.equal(desktop.keyboardLayout(), "de");
      const id = await waitFor("the xterm", async () => {
        const out = await runX(xvfb.display, "xdotool", [
          "search",
          "--onlyvisible",
          "--classname",
          "codetest",
        ]);
        return out.trim().split("\n")[0] || undefined;
      });
      await runX(xvfb.display, "xdotool", ["windowfocus", "--sync", id]);
      desktop.button("left", true, 200, 70);
      desktop.button("left", false, 200, 70);
      const tap = (keysym: number, code?: "KeyA" | "KeyZ" | "KeyY") => {
        desktop.key(keysym, true, code);
        desktop.key(keysym, false, code);
      };
      // The remote layout: Shift goes as a key, then the A key's position with its US keysym.
      desktop.key(SHIFT_L, true);
      tap(0x61, "KeyA");
      desktop.key(SHIFT_L, false);
      tap(0x7a, "KeyZ"); // the Z key: German prints "y" there
      tap(0x79, "KeyY"); // the Y key: German prints "z" there
      tap(0x7a); // the local layout: the character "z", wherever German has it
      tap(RETURN);
      await waitFor("the xterm's shell to exit", () => Promise.resolve(exited || undefined));
      assert.equal(await Deno.readTextFile(file), "Ayzz");
    } finally {
      if (!exited) xterm.kill("SIGKILL");
      await status;
      desktop.close();
      await Deno.remove(file);
      await xvfb.stop();
    }
  },
});
