// The service's display finder (display_finder.ts): X servers read from sockets, lock files and
// /proc command lines (a fake root), the choice and its plain reasons, and — with a real Xvfb
// started the way a display manager starts its login screen's X server (`-auth <file>`, a
// random cookie) — the service, with no XAUTHORITY of its own, finds the cookie file on the
// server's command line and captures the screen; without it the display refuses.
import assert from "node:assert/strict";
import { openDesktop } from "../platform/mod.ts";
import { displayTaken } from "../platform/xvfb_test_support.ts";
import {
  attachToDisplay,
  chooseDisplay,
  findXServers,
  parseXServerCommand,
  type XServer,
} from "./display_finder.ts";

Deno.test("parseXServerCommand(): the program, the display and the -auth file of display managers' X servers", () => {
  assert.deepEqual(
    parseXServerCommand([
      "/usr/lib/xorg/Xorg",
      ":0",
      "-seat",
      "seat0",
      "-auth",
      "/var/run/lightdm/root/:0",
      "-nolisten",
      "tcp",
      "vt7",
    ]),
    { program: "Xorg", display: ":0", authority: "/var/run/lightdm/root/:0" },
  );
  // SDDM: no display on the command line (-displayfd); its lock file names it.
  assert.deepEqual(
    parseXServerCommand(["/usr/bin/X", "-auth", "/var/run/sddm/{a1}", "-displayfd", "17"]),
    { program: "X", display: null, authority: "/var/run/sddm/{a1}" },
  );
  assert.deepEqual(
    parseXServerCommand(["/usr/bin/Xwayland", ":1024", "-rootless", "-auth", "/run/user/120/x"]),
    { program: "Xwayland", display: ":1024", authority: "/run/user/120/x" },
  );
  assert.equal(parseXServerCommand(["/bin/bash", ":0", "-auth", "/etc/passwd"]), null);
  assert.equal(parseXServerCommand([]), null);
});

Deno.test("findXServers() and chooseDisplay(): sockets, lock files and command lines; the choice, or why there is none", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(`${root}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    };
    await write("tmp/.X11-unix/X0", "");
    await write("tmp/.X11-unix/X5", "");
    await write("tmp/.X5-lock", "      4321\n");
    await write("proc/100/cmdline", "/usr/lib/xorg/Xorg\0:0\0-auth\0/var/run/lightdm/root/:0\0");
    await write("proc/4321/cmdline", "/usr/bin/X\0-auth\0/var/run/sddm/abc\0-displayfd\x0017\0");
    await write("proc/200/cmdline", "bash\0-c\0Xorg :3\0");
    await write("proc/self/cmdline", "deno\0");
    const servers = await findXServers({ root });
    assert.deepEqual(servers, [
      { display: ":0", pid: 100, program: "Xorg", authority: "/var/run/lightdm/root/:0" },
      { display: ":5", pid: 4321, program: "X", authority: "/var/run/sddm/abc" },
    ]);
    // The same from a process list given (what the pushed app reads through grep); a server
    // with no socket counts for the service, not with `socketsOnly`.
    const given = [
      { pid: 4321, argv: ["/usr/bin/X", "-auth", "/var/run/sddm/abc", "-displayfd", "17"] },
      { pid: 77, argv: ["Xvfb", ":9", "-auth", "/tmp/nine"] },
    ];
    assert.deepEqual(await findXServers({ root, processes: given }), [
      { display: ":0", pid: 0, program: "", authority: null },
      { display: ":5", pid: 4321, program: "X", authority: "/var/run/sddm/abc" },
      { display: ":9", pid: 77, program: "Xvfb", authority: "/tmp/nine" },
    ]);
    assert.deepEqual(
      (await findXServers({ root, processes: given, socketsOnly: true })).map((s) => s.display),
      [":0", ":5"],
    );
    // The configured display when it runs; else the login screen's server; as configured
    // when the scan sees nothing.
    assert.equal((chooseDisplay(servers, ":5") as { display: string }).display, ":5");
    assert.deepEqual(chooseDisplay(servers, ":7"), {
      ok: true,
      display: ":0",
      authority: "/var/run/lightdm/root/:0",
      server: servers[0],
    });
    assert.deepEqual(chooseDisplay([], ":7"), {
      ok: true,
      display: ":7",
      authority: null,
      server: null,
    });
    const wayland: XServer[] = [
      { display: ":1024", pid: 9, program: "Xwayland", authority: null },
    ];
    const onlyWayland = chooseDisplay(wayland);
    assert.ok(
      !onlyWayland.ok && onlyWayland.reason === "waylandScreen" &&
        /only Xwayland runs here \(:1024\).*Wayland login screen/.test(
          onlyWayland.why,
        ),
    );
    const none = chooseDisplay([]);
    assert.ok(!none.ok && /no X server runs on this computer/.test(none.why));
    const lines: string[] = [];
    assert.deepEqual(
      await attachToDisplay(undefined, (l) => lines.push(l), { root: "/nonexistent" }),
      {
        display: null,
        reason: "noDisplay",
        why: (none as { why: string }).why,
      },
    );
    assert.match(lines[0], /^no display to share: no X server runs/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Xvfb as a display manager starts its X server: `-auth <file>` holding a random cookie. */
async function startGuardedXvfb(authFile: string) {
  for (let n = 170; n < 180; n++) {
    if (await displayTaken(n)) continue;
    const display = `:${n}`;
    const cookie = Array.from(crypto.getRandomValues(new Uint8Array(16)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const xauth = await new Deno.Command("xauth", {
      args: ["-f", authFile, "add", display, ".", cookie],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!xauth.success) throw new Error(new TextDecoder().decode(xauth.stderr));
    const child = new Deno.Command("Xvfb", {
      args: [display, "-auth", authFile, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const stop = async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Gone already.
      }
      await child.status;
    };
    for (let i = 0; i < 100; i++) {
      const probe = await new Deno.Command("xdpyinfo", {
        args: ["-display", display],
        env: { XAUTHORITY: authFile },
        stdout: "null",
        stderr: "null",
      }).output();
      if (probe.success) return { display, pid: child.pid, stop };
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop();
  }
  throw new Error("no free display among :170–:179 for Xvfb");
}

Deno.test({
  name:
    "attachToDisplay(): with no XAUTHORITY, the service takes the X server's -auth file from its command line and captures the screen",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    const saved = { xauthority: Deno.env.get("XAUTHORITY"), home: Deno.env.get("HOME") };
    const authFile = `${dir}/greeter-auth`;
    const xvfb = await startGuardedXvfb(authFile);
    try {
      // As a service at boot: no XAUTHORITY, and no ~/.Xauthority to fall back on.
      Deno.env.delete("XAUTHORITY");
      Deno.env.set("HOME", dir);
      assert.throws(() => openDesktop({ display: xvfb.display }), /Cannot open X display/);

      const found = (await findXServers()).find((s) => s.display === xvfb.display);
      assert.deepEqual(found, {
        display: xvfb.display,
        pid: xvfb.pid,
        program: "Xvfb",
        authority: authFile,
      });
      const lines: string[] = [];
      const attached = await attachToDisplay(xvfb.display, (line) => lines.push(line));
      assert.deepEqual(attached, { display: xvfb.display, why: null });
      assert.equal(Deno.env.get("XAUTHORITY"), authFile);
      assert.match(lines[0], new RegExp(`X authority from its command line: ${authFile}`));
      const desktop = openDesktop({ display: xvfb.display });
      try {
        const frame = desktop.grab();
        assert.deepEqual([frame.width, frame.height], [640, 480]);
        assert.ok(frame.data.length >= 640 * 480 * 4);
      } finally {
        desktop.close();
      }
    } finally {
      if (saved.xauthority === undefined) Deno.env.delete("XAUTHORITY");
      else Deno.env.set("XAUTHORITY", saved.xauthority);
      if (saved.home === undefined) Deno.env.delete("HOME");
      else Deno.env.set("HOME", saved.home);
      await xvfb.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
