// Runs before `deno test` (see `deno task test`): makes sure the real parts the suite
// drives are on the machine — Debian's Chromium and its headless shell for the browser tests
// (and its Firefox ESR for the customer's screen share from Firefox,
// tests/e2e/browser_firefox_share_test.ts), oathtool to
// cross-check TOTP, and for the agent an X server (Xvfb) with its tools, an xterm to type
// into, the libraries the agent opens over FFI (libX11/Xext/Xtst/Xfixes/Xdamage/Xi, libvpx,
// libyuv), and HAProxy for the cluster test's load balancer — installing them with apt-get
// when we are root on Debian, so that on a fresh machine the README's test command is the
// only set-up step.
const LIB = "/usr/lib/x86_64-linux-gnu";
const NEEDED = [
  { binary: "/usr/bin/chromium", pkg: "chromium" },
  // The browser most tests drive: the same Chromium without its window, at half the CPU
  // (tests/support/loopback.ts, CHROMIUM_HEADLESS).
  { binary: "/usr/bin/chromium-headless-shell", pkg: "chromium-headless-shell" },
  { binary: "/usr/bin/firefox-esr", pkg: "firefox-esr" },
  { binary: "/usr/bin/oathtool", pkg: "oathtool" },
  { binary: "/usr/bin/Xvfb", pkg: "xvfb" },
  { binary: "/usr/bin/xdpyinfo", pkg: "x11-utils" },
  { binary: "/usr/bin/xsetroot", pkg: "x11-xserver-utils" },
  { binary: "/usr/bin/xdotool", pkg: "xdotool" },
  { binary: "/usr/bin/xterm", pkg: "xterm" },
  { binary: "/usr/bin/xclip", pkg: "xclip" },
  { binary: "/usr/sbin/haproxy", pkg: "haproxy" },
  // A real parser and decoder for the recordings' Matroska files (modules/recording).
  { binary: "/usr/bin/ffprobe", pkg: "ffmpeg" },
  { binary: `${LIB}/libXtst.so.6`, pkg: "libxtst6" },
  { binary: `${LIB}/libXext.so.6`, pkg: "libxext6" },
  { binary: `${LIB}/libXfixes.so.3`, pkg: "libxfixes3" },
  { binary: `${LIB}/libXdamage.so.1`, pkg: "libxdamage1" },
  { binary: `${LIB}/libXi.so.6`, pkg: "libxi6" },
  { binary: `${LIB}/libvpx.so.7`, pkg: "libvpx7" },
  { binary: `${LIB}/libyuv.so.0`, pkg: "libyuv0" },
  { binary: `${LIB}/libXrandr.so.2`, pkg: "libxrandr2" },
  // Several monitors: Xorg on its dummy driver has real RandR outputs (Xvfb has one).
  { binary: "/usr/lib/xorg/Xorg", pkg: "xserver-xorg-core" },
  { binary: "/usr/lib/xorg/modules/drivers/dummy_drv.so", pkg: "xserver-xorg-video-dummy" },
  // A real login screen to sign in at (agent/unattended/lightdm_test.ts): LightDM, its GTK
  // greeter and the system bus it needs. Debian's install starts no display manager (it would
  // be the one started at the next boot of a machine with systemd; the test runs its own).
  { binary: "/usr/sbin/lightdm", pkg: "lightdm" },
  { binary: "/usr/sbin/lightdm-gtk-greeter", pkg: "lightdm-gtk-greeter" },
  { binary: "/usr/bin/dbus-daemon", pkg: "dbus" },
  // A window manager and a compositor over Xvfb: the whiteboard's overlay on a composited
  // desktop (tests/e2e/remote_whiteboard_preview_test.ts).
  { binary: "/usr/bin/openbox", pkg: "openbox" },
  { binary: "/usr/bin/picom", pkg: "picom" },
  { binary: "/usr/bin/xcompmgr", pkg: "xcompmgr" },
  // A real X lock screen: the whiteboard's drawings step back under it (x11_overlay_test.ts).
  { binary: "/usr/bin/i3lock", pkg: "i3lock" },
  // LAN connect's push over SSH (tests/e2e/lan_connect_test.ts): OpenSSH's server, started by
  // the test on 127.0.0.1:22 (agent/unattended/sshd_test_support.ts) with a throwaway account.
  { binary: "/usr/sbin/sshd", pkg: "openssh-server" },
  // Fonts for the screenshots in Japanese, Korean, Chinese and Thai (Debian's Chromium has no
  // glyphs of its own: without them those screens show boxes).
  { binary: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", pkg: "fonts-noto-cjk" },
  { binary: "/usr/share/fonts/truetype/tlwg/Garuda.ttf", pkg: "fonts-thai-tlwg" },
  // The support app's Windows parts under Wine (agent/platform/wine_test_support.ts): Wine, and
  // mingw-w64 for the small DLL Wine 8 lacks.
  { binary: "/usr/lib/wine/wine64", pkg: "wine64" },
  { binary: "/usr/bin/x86_64-w64-mingw32-gcc", pkg: "gcc-mingw-w64-x86-64-win32" },
  // The Windows codecs built from Debian's sources (tools/build_windows_codecs.ts): libyuv is
  // C++, libvpx's assembly needs yasm, apt-get source unpacks with dpkg-source.
  { binary: "/usr/bin/x86_64-w64-mingw32-g++", pkg: "g++-mingw-w64-x86-64-win32" },
  { binary: "/usr/bin/yasm", pkg: "yasm" },
  { binary: "/usr/bin/dpkg-source", pkg: "dpkg-dev" },
];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[]): Promise<boolean> {
  const { code } = await new Deno.Command(cmd, {
    args,
    stdout: "inherit",
    stderr: "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).output();
  return code === 0;
}

const missing: string[] = [];
for (const need of NEEDED) if (!await exists(need.binary)) missing.push(need.pkg);

if (missing.length > 0) {
  const isRoot = Deno.uid?.() === 0;
  const hasApt = await exists("/usr/bin/apt-get");
  if (!isRoot || !hasApt) {
    console.error(
      `The tests need these Debian packages: ${missing.join(" ")}. ` +
        `Install them (sudo apt-get install -y ${missing.join(" ")}) and run again.`,
    );
    Deno.exit(1);
  }
  console.log(`installing ${missing.join(" ")} with apt-get …`);
  if (!await run("apt-get", ["update", "-qq"])) Deno.exit(1);
  if (!await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing])) {
    Deno.exit(1);
  }
}
console.log(`test prerequisites ok: ${NEEDED.map((n) => n.pkg).join(", ")}`);

// A second libvpx for agent/media/vpx_deb_test.ts: Debian 13's libvpx9 (libvpx.so.9) unpacked
// into /tmp/libvpx9 from Debian's own registry with a private source list — downloaded, never
// installed. Optional: without it that one test says it is skipped, everything else runs.
const LIBVPX9 = "/tmp/libvpx9/usr/lib/x86_64-linux-gnu/libvpx.so.9";
if (!await exists(LIBVPX9) && Deno.uid?.() === 0 && await exists("/usr/bin/apt-get")) {
  const dir = await Deno.makeTempDir({ prefix: "trixie-apt-" });
  await Deno.writeTextFile(`${dir}/sources.list`, "deb http://deb.debian.org/debian trixie main\n");
  await Deno.mkdir(`${dir}/lists/partial`, { recursive: true });
  await Deno.mkdir(`${dir}/cache/archives/partial`, { recursive: true });
  const opts = [
    "-qq",
    "-o",
    `Dir::Etc::SourceList=${dir}/sources.list`,
    "-o",
    "Dir::Etc::SourceParts=-",
    "-o",
    `Dir::State::Lists=${dir}/lists`,
    "-o",
    `Dir::Cache=${dir}/cache`,
  ];
  const quiet = async (cmd: string, args: string[], cwd?: string) =>
    (await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "null" }).output()).success;
  const ok = await quiet("apt-get", [...opts, "update"]) &&
    await quiet("apt-get", [...opts, "download", "libvpx9"], dir);
  const deb = ok
    ? [...Deno.readDirSync(dir)].find((e) => /^libvpx9_.*\.deb$/.test(e.name))?.name
    : undefined;
  if (deb && await quiet("dpkg", ["-x", `${dir}/${deb}`, "/tmp/libvpx9"])) {
    console.log(`unpacked ${deb} into /tmp/libvpx9 (for agent/media/vpx_deb_test.ts)`);
  } else {
    console.log("could not fetch Debian 13's libvpx9: agent/media/vpx_deb_test.ts will be skipped");
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

// The Windows tests' one-time preparation, made here before any test runs instead of inside the
// first Windows test (where it counted against that test's time and, on a fresh machine, held the
// other Windows tests waiting on its lock): the Wine prefix with the patched Windows Deno (≈ 30 s;
// agent/platform/wine_test_support.ts) and the Windows codecs built from Debian's sources
// (≈ 1–2 min; agent/media/windows_codecs_test_support.ts), side by side. Both are kept in the
// system's temp folder, so later runs find them ready in milliseconds. A failure is reported and
// left to the Windows tests, which try again and fail with it in their own words.
{
  const { prepareWine, wineMissing } = await import("../agent/platform/wine_test_support.ts");
  const { windowsCodecs, windowsCodecsMissing } = await import(
    "../agent/media/windows_codecs_test_support.ts"
  );
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const prepare = async (what: string, missing: string | null, make: () => Promise<unknown>) => {
    if (missing) return console.log(`${what}: not prepared (${missing}); the tests say so`);
    try {
      await make();
      console.log(`${what}: ready (${seconds()})`);
    } catch (error) {
      console.error(`${what}: preparing failed, the Windows tests will try again: ${error}`);
    }
  };
  await Promise.all([
    prepare("Wine prefix for the Windows tests", await wineMissing(), prepareWine),
    prepare("Windows codecs (vpx.dll, yuv.dll)", await windowsCodecsMissing(), windowsCodecs),
  ]);
}
