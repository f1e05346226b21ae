/**
 * What the Linux support app needs from the system, in the words a customer (or the technician
 * on the phone) can act on: which library is missing and which package holds it on the common
 * distributions. The agent opens libraries by their sonames; a failed `Deno.dlopen` names the
 * file, which is looked up here.
 */
import type { AgentMessage } from "../../protocol/mod.ts";
import { type AgentStrings, fill } from "../strings.ts";
import { missingCodecs } from "../media/codecs_missing.ts";

export interface NeededLibrary {
  /** The soname prefix the loader looks for. */
  soname: string;
  what: string;
  debian: string;
  fedora: string;
}

export const NEEDED_LIBRARIES: readonly NeededLibrary[] = [
  { soname: "libX11.so", what: "X11", debian: "libx11-6", fedora: "libX11" },
  { soname: "libXext.so", what: "X11 shared memory", debian: "libxext6", fedora: "libXext" },
  { soname: "libXtst.so", what: "X11 input (XTEST)", debian: "libxtst6", fedora: "libXtst" },
  {
    soname: "libXfixes.so",
    what: "X11 cursor (XFIXES)",
    debian: "libxfixes3",
    fedora: "libXfixes",
  },
  {
    soname: "libvpx.so",
    what: "the VP8 video encoder",
    // 1.12 → libvpx7 (Debian 12, Ubuntu 22.04), 1.13 → libvpx8, 1.14/1.15.0 → libvpx9 (Debian 13,
    // Ubuntu 24.04); 1.15.1+ is libvpx.so.11 (vpx_abi.ts).
    debian: "libvpx9, libvpx8 or libvpx7",
    fedora: "libvpx",
  },
  { soname: "libyuv.so", what: "colour conversion", debian: "libyuv0", fedora: "libyuv" },
];

/**
 * Why the desktop cannot be shared, as data: a missing library (its package named), no display
 * (Wayland without X, or no session), a display that would not open, the Windows package's
 * codecs (vpx.dll, yuv.dll) absent beside deno.exe, or the error itself.
 */
export type DesktopProblem =
  | { kind: "library"; library: NeededLibrary }
  | { kind: "codecs"; files: readonly string[] }
  | { kind: "noDisplay" }
  | { kind: "displayFailed"; display: string }
  | { kind: "other"; text: string };

export function desktopProblem(
  error: unknown,
  display: string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): DesktopProblem {
  const files = missingCodecs(error);
  if (files) return { kind: "codecs", files };
  const text = error instanceof Error ? error.message : String(error);
  const missing = NEEDED_LIBRARIES.find((lib) =>
    text.includes(lib.soname) && /cannot open|No such file|could not load/i.test(text)
  );
  if (missing) return { kind: "library", library: missing };
  // Windows has no X display to miss: its backend's errors (windows_ffi.ts) say what failed.
  if (os !== "linux") return { kind: "other", text: text.split("\n")[0] };
  if (!display) return { kind: "noDisplay" };
  if (/open.*display|XOpenDisplay/i.test(text)) return { kind: "displayFailed", display };
  return { kind: "other", text: text.split("\n")[0] };
}

/** The problem in English, for the technician (the hello's `noDesktop`, refusals, logs). */
export function explainDesktopError(error: unknown, display: string | undefined): string {
  const problem = desktopProblem(error, display);
  switch (problem.kind) {
    case "library": {
      const lib = problem.library;
      return `${lib.what} is missing (${lib.soname}*): install the package ` +
        `${lib.debian} (Debian, Ubuntu) or ${lib.fedora} (Fedora)`;
    }
    case "codecs":
      return `the video codecs are missing (${problem.files.join(", ")}): this server's ` +
        "Windows package was built without them; an admin adds them with " +
        "deno task build:windows-codecs (Admin → Support app, Screen sharing)";
    case "noDisplay":
      return "no X11 display was found (a Wayland session without X11, or no desktop session)";
    case "displayFailed":
      return `the X11 display ${problem.display} could not be opened`;
    case "other":
      return problem.text;
  }
}

/**
 * The problem in the customer's words (agent/locales' `desktop`), for the terminal and the
 * window; a system's own error text, which has no translation, is passed on as it is.
 */
export function describeDesktopProblem(
  problem: DesktopProblem,
  words: AgentStrings["desktop"],
): string {
  switch (problem.kind) {
    case "library": {
      const { soname, debian, fedora } = problem.library;
      return fill(words.missingLibrary, { soname, debian, fedora });
    }
    case "codecs":
      return fill(words.codecsMissing, { files: problem.files.join(", ") });
    case "noDisplay":
      return words.noDisplay;
    case "displayFailed":
      return fill(words.displayFailed, { display: problem.display });
    case "other":
      return problem.text;
  }
}

/**
 * A desktop that would not open, as the hello's `noDesktop` says it (the support app's,
 * desktop_start.ts, and the unattended service's, unattended/service_desktop.ts).
 */
export function problemSaid(
  problem: DesktopProblem,
): NonNullable<Extract<AgentMessage, { type: "hello" }>["noDesktop"]> {
  return problem.kind === "library"
    ? { reason: "library", detail: problem.library.soname }
    : problem.kind === "displayFailed"
    ? { reason: "displayFailed", detail: problem.display.slice(0, 200) }
    : problem.kind === "codecs"
    ? { reason: "codecs", detail: problem.files.join(", ").slice(0, 200) }
    : problem.kind === "noDisplay"
    ? { reason: "noDisplay" }
    : { reason: "other", detail: problem.text.slice(0, 200) };
}
