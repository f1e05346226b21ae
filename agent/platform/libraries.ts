/**
 * What the Linux support app needs from the system, in the words a customer (or the technician
 * on the phone) can act on: which library is missing and which package holds it on the common
 * distributions. The agent opens libraries by their sonames; a failed `Deno.dlopen` names the
 * file, which is looked up here.
 */
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
 * Why the desktop cannot be shared, in plain words: a missing library with its package, no
 * display (Wayland without X, or no session), or the error itself.
 */
export function explainDesktopError(error: unknown, display: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  const missing = NEEDED_LIBRARIES.find((lib) =>
    text.includes(lib.soname) && /cannot open|No such file|could not load/i.test(text)
  );
  if (missing) {
    return `${missing.what} is missing (${missing.soname}*): install the package ` +
      `${missing.debian} (Debian, Ubuntu) or ${missing.fedora} (Fedora)`;
  }
  if (!display) {
    return "no X11 display was found (a Wayland session without X11, or no desktop session)";
  }
  if (/open.*display|XOpenDisplay/i.test(text)) {
    return `the X11 display ${display} could not be opened`;
  }
  return text.split("\n")[0];
}
