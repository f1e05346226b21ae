// Runs before `deno test` (see `deno task test`): makes sure the real parts the suite
// drives are on the machine — Debian's Chromium for the browser tests, oathtool to
// cross-check TOTP, and for the agent an X server (Xvfb) with its tools, an xterm to type
// into, the libraries the agent opens over FFI (libX11/Xext/Xtst/Xfixes/Xdamage, libvpx,
// libyuv), and HAProxy for the cluster test's load balancer — installing them with apt-get
// when we are root on Debian, so that on a fresh machine the README's test command is the
// only set-up step.
const LIB = "/usr/lib/x86_64-linux-gnu";
const NEEDED = [
  { binary: "/usr/bin/chromium", pkg: "chromium" },
  { binary: "/usr/bin/oathtool", pkg: "oathtool" },
  { binary: "/usr/bin/Xvfb", pkg: "xvfb" },
  { binary: "/usr/bin/xdpyinfo", pkg: "x11-utils" },
  { binary: "/usr/bin/xsetroot", pkg: "x11-xserver-utils" },
  { binary: "/usr/bin/xdotool", pkg: "xdotool" },
  { binary: "/usr/bin/xterm", pkg: "xterm" },
  { binary: "/usr/bin/xclip", pkg: "xclip" },
  { binary: "/usr/sbin/haproxy", pkg: "haproxy" },
  { binary: `${LIB}/libXtst.so.6`, pkg: "libxtst6" },
  { binary: `${LIB}/libXext.so.6`, pkg: "libxext6" },
  { binary: `${LIB}/libXfixes.so.3`, pkg: "libxfixes3" },
  { binary: `${LIB}/libXdamage.so.1`, pkg: "libxdamage1" },
  { binary: `${LIB}/libvpx.so.7`, pkg: "libvpx7" },
  { binary: `${LIB}/libyuv.so.0`, pkg: "libyuv0" },
  { binary: `${LIB}/libXrandr.so.2`, pkg: "libxrandr2" },
  // Several monitors: Xorg on its dummy driver has real RandR outputs (Xvfb has one).
  { binary: "/usr/lib/xorg/Xorg", pkg: "xserver-xorg-core" },
  { binary: "/usr/lib/xorg/modules/drivers/dummy_drv.so", pkg: "xserver-xorg-video-dummy" },
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
