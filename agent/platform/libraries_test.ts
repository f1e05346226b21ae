import assert from "node:assert/strict";
import {
  describeDesktopProblem,
  desktopProblem,
  explainDesktopError,
  problemSaid,
} from "./libraries.ts";
import { agentStrings, fill } from "../strings.ts";
import { CodecsMissingError } from "../media/codecs_missing.ts";

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

Deno.test("the Windows codecs missing (vpx_ffi's CodecsMissingError) are a kind of their own", async (t) => {
  const english = "VP8 encoding is off: vpx.dll (libvpx) and yuv.dll (libyuv) belong beside " +
    "deno.exe in the support app's folder (built by `deno task build:windows-codecs`)\n" +
    "could not load vpx.dll:\n  C:\\app\\vpx.dll: The specified module could not be found.";
  const both = new CodecsMissingError(["vpx.dll", "yuv.dll"], english);
  const yuv = new CodecsMissingError(["yuv.dll"], english);
  await t.step("desktopProblem: the files, on Windows and wherever it is thrown", () => {
    assert.deepEqual(desktopProblem(both, undefined, "windows"), {
      kind: "codecs",
      files: ["vpx.dll", "yuv.dll"],
    });
    assert.deepEqual(desktopProblem(yuv, ":0", "linux"), { kind: "codecs", files: ["yuv.dll"] });
    // Known by its class, not its prose: the same words in a plain Error stay the system's own.
    assert.deepEqual(desktopProblem(new Error(english), undefined, "windows"), {
      kind: "other",
      text: english.split("\n")[0],
    });
  });
  await t.step("explainDesktopError: the technician's English names the files and the task", () => {
    assert.equal(
      explainDesktopError(both, undefined),
      "the video codecs are missing (vpx.dll, yuv.dll): this server's Windows package was " +
        "built without them; an admin adds them with deno task build:windows-codecs " +
        "(Admin → Support app, Screen sharing)",
    );
  });
  await t.step("describeDesktopProblem: the customer's words in German, Arabic, English", () => {
    const problem = desktopProblem(both, undefined, "windows");
    assert.equal(
      describeDesktopProblem(problem, agentStrings("de").desktop),
      "dieser Kopie der Support-App fehlen Dateien, die sie zum Anzeigen des Bildschirms " +
        "braucht (vpx.dll, yuv.dll)",
    );
    assert.equal(
      describeDesktopProblem(problem, agentStrings("ar").desktop),
      "تفتقد هذه النسخة من تطبيق الدعم ملفات يحتاجها لعرض الشاشة (vpx.dll, yuv.dll)",
    );
    const en = describeDesktopProblem(problem, agentStrings("en").desktop);
    assert.equal(
      en,
      "this copy of the support app is missing files it needs to show the screen " +
        "(vpx.dll, yuv.dll)",
    );
    // Inside the terminal's and the window's sentence.
    assert.equal(
      fill(agentStrings("en").terminal.noDesktop, { why: en }).startsWith(
        "Remote view and control are not available on this computer: this copy of the support",
      ),
      true,
    );
  });
  await t.step("problemSaid: the hello's reason is codecs, the files its detail", () => {
    assert.deepEqual(problemSaid(desktopProblem(both, undefined, "windows")), {
      reason: "codecs",
      detail: "vpx.dll, yuv.dll",
    });
  });
});

Deno.test("problemSaid() for the other kinds is unchanged", () => {
  const lib = new Error("Could not open library: libXtst.so.6: cannot open shared object file");
  assert.deepEqual(problemSaid(desktopProblem(lib, ":0", "linux")), {
    reason: "library",
    detail: "libXtst.so",
  });
  assert.deepEqual(problemSaid(desktopProblem(new Error("x"), undefined, "linux")), {
    reason: "noDisplay",
  });
  assert.deepEqual(problemSaid(desktopProblem(new Error("XOpenDisplay(:9) failed"), ":9")), {
    reason: "displayFailed",
    detail: ":9",
  });
  assert.deepEqual(
    problemSaid(desktopProblem(new Error("BadAccess\nmore"), undefined, "windows")),
    { reason: "other", detail: "BadAccess" },
  );
});
