import assert from "node:assert/strict";
import { describeDesktopProblem, desktopProblem, explainDesktopError } from "./libraries.ts";
import { agentStrings } from "../strings.ts";

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

Deno.test("describeDesktopProblem() says each reason in the customer's language (Russian)", () => {
  const words = agentStrings("ru").desktop;
  const missing = new Error("Could not open library: libXtst.so.6: cannot open shared object file");
  assert.equal(
    describeDesktopProblem(desktopProblem(missing, ":0"), words),
    "не хватает библиотеки (libXtst.so*): установите пакет libxtst6 (Debian, Ubuntu) " +
      "или libXtst (Fedora)",
  );
  assert.equal(
    describeDesktopProblem(desktopProblem(new Error("x"), undefined), words),
    "дисплей X11 не найден (сеанс Wayland без X11 или нет сеанса рабочего стола)",
  );
  assert.equal(
    describeDesktopProblem(desktopProblem(new Error("XOpenDisplay(:9) failed"), ":9"), words),
    "не удалось открыть дисплей X11 :9",
  );
  // A system's own error has no translation: passed on as it is, first line only.
  assert.equal(
    describeDesktopProblem(desktopProblem(new Error("BadAccess\nmore"), ":0"), words),
    "BadAccess",
  );
});

Deno.test("desktopProblem() on Windows passes the backend's words on, never an X display", () => {
  const error = new Error(
    "The support app was started without --allow-ffi: it cannot see the screen",
  );
  assert.deepEqual(desktopProblem(error, undefined, "windows"), {
    kind: "other",
    text: "The support app was started without --allow-ffi: it cannot see the screen",
  });
  assert.deepEqual(desktopProblem(error, undefined, "linux"), { kind: "noDisplay" });
});
