import assert from "node:assert/strict";
import { coversScreen, CoverWatch } from "./overlay_cover.ts";

const screen = { width: 1280, height: 720 };

Deno.test("coversScreen: an override-redirect window over the whole screen, nothing else", () => {
  const whole = { overrideRedirect: true, x: 0, y: 0, width: 1280, height: 720 };
  assert.equal(coversScreen(whole, screen), true);
  assert.equal(coversScreen({ ...whole, x: -10, width: 1300 }, screen), true, "larger");
  assert.equal(coversScreen({ ...whole, overrideRedirect: false }, screen), false, "a managed one");
  assert.equal(coversScreen({ ...whole, width: 1279 }, screen), false, "a menu, a tooltip");
  assert.equal(coversScreen({ ...whole, y: 30, height: 690 }, screen), false);
});

Deno.test("CoverWatch: hides at the first cover, shows when the last goes", () => {
  const w = new CoverWatch();
  assert.equal(w.mapped(1n, false), false, "an ordinary window");
  assert.equal(w.gone(1n), false);
  assert.equal(w.mapped(2n, true), true, "the lock screen: hide");
  assert.equal(w.mapped(2n, true), false, "mapped again: already hidden");
  assert.equal(w.mapped(3n, true), false, "a second cover");
  assert.equal(w.gone(2n), false, "one cover still there");
  assert.equal(w.covered, true);
  assert.equal(w.gone(3n), true, "the last cover gone: show");
  assert.equal(w.covered, false);
});
