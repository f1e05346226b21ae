import assert from "node:assert/strict";
import { explainDesktopError } from "./libraries.ts";

Deno.test("a missing library is named with the package that holds it", () => {
  const error = new Error(
    "Could not open library: libXtst.so.6: cannot open shared object file: No such file or directory",
  );
  assert.equal(
    explainDesktopError(error, ":0"),
    "X11 input (XTEST) is missing (libXtst.so*): install the package libxtst6 (Debian, Ubuntu) " +
      "or libXtst (Fedora)",
  );
  const vpx = new Error(
    "could not load libvpx.so.7:\n  /usr/lib/x86_64-linux-gnu/libvpx.so.7: No such file",
  );
  assert.match(
    explainDesktopError(vpx, ":0"),
    /VP8 video encoder is missing .* libvpx9, libvpx8 or libvpx7/,
  );
});

Deno.test("no display, or one that does not open, is said so", () => {
  assert.match(explainDesktopError(new Error("x"), undefined), /no X11 display was found/);
  assert.equal(
    explainDesktopError(new Error("XOpenDisplay(:9) failed"), ":9"),
    "the X11 display :9 could not be opened",
  );
});
