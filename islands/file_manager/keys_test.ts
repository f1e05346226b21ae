import assert from "node:assert/strict";
import { keyAction, type KeyLike, SHORTCUTS } from "./keys.ts";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

Deno.test("keyAction() maps the issue's shortcuts and leaves other chords alone", () => {
  assert.equal(keyAction(key("Tab")), "otherPane");
  assert.equal(keyAction(key("1", { altKey: true })), "leftPane");
  assert.equal(keyAction(key("2", { altKey: true })), "rightPane");
  assert.equal(keyAction(key("Enter")), "open");
  assert.equal(keyAction(key("Backspace")), "up");
  assert.equal(keyAction(key("F2")), "rename");
  assert.equal(keyAction(key("Delete")), "delete");
  assert.equal(keyAction(key("a", { ctrlKey: true })), "selectAll");
  assert.equal(keyAction(key("A", { ctrlKey: true, shiftKey: true })), "selectAll");
  assert.equal(keyAction(key("c", { metaKey: true })), "copy");
  assert.equal(keyAction(key("v", { ctrlKey: true })), "paste");
  assert.equal(keyAction(key("?", { shiftKey: true })), "help");
  assert.equal(keyAction(key("r", { ctrlKey: true })), null, "reload stays the browser's");
  assert.equal(keyAction(key("1")), null);
  assert.equal(keyAction(key("Delete", { ctrlKey: true, altKey: true })), null);
});

Deno.test("SHORTCUTS lists only keys that keyAction() gives that action", () => {
  const parse = (shown: string): KeyLike => {
    const named: Record<string, string> = {
      "↑": "ArrowUp",
      "↓": "ArrowDown",
      Space: " ",
      Esc: "Escape",
    };
    const parts = shown.split("+");
    const k = parts.pop()!;
    return key(named[k] ?? (k.length === 1 ? k.toLowerCase() : k), {
      ctrlKey: parts.includes("Ctrl"),
      altKey: parts.includes("Alt"),
      shiftKey: k === "?",
    });
  };
  for (const shortcut of SHORTCUTS) {
    for (const shown of shortcut.keys) {
      const got = keyAction(parse(shown));
      const expected = shortcut.action === "next"
        ? ["next", "previous", "first", "last"]
        : [shortcut.action];
      assert.ok(expected.includes(got!), `${shown} → ${got}, help says ${shortcut.action}`);
    }
  }
});
