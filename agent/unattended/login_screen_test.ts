// The sign-in on a login screen: refusals with a fake /proc, and the real thing — an Xvfb
// display whose focused window is a stand-in greeter (an xterm running a script named like
// LightDM's greeter that asks for a user name and a password and writes what it read to a
// file), typed into through the X11 desktop remote control uses. Needs xvfb, xdotool, xterm.
import assert from "node:assert/strict";
import type { GreeterId, SignInCode } from "../../protocol/mod.ts";
import { openDesktop } from "../platform/mod.ts";
import { runX, startXvfb } from "../platform/xvfb_test_support.ts";
import { signInAtLoginScreen, type SignInOptions } from "./login_screen.ts";
import { greeterLock, STAND_IN_GREETER as STAND_IN } from "./greeter_test_support.ts";

const PASSWORD = "Correct horse-é€!9";

function harness(over: Partial<SignInOptions> = {}) {
  const lines: string[] = [];
  const reports: [SignInCode, GreeterId | undefined][] = [];
  const keys: number[] = [];
  const options: SignInOptions = {
    display: ":0",
    desktop: { key: (keysym, down) => down && keys.push(keysym) },
    credentials: { user: "anne", password: PASSWORD },
    controlAllowed: true,
    log: (line) => lines.push(line),
    report: (code, greeter) => reports.push([code, greeter]),
    sleep: () => Promise.resolve(),
    keyGapMs: 0,
    closeWaitMs: 300,
    ...over,
  };
  return { options, lines, reports, keys };
}

async function fakeProc(processes: Record<number, { argv: string[]; env?: string[] }>) {
  const root = await Deno.makeTempDir({ prefix: "login_screen_test_" });
  await Deno.mkdir(`${root}/proc`);
  for (const [pid, { argv, env }] of Object.entries(processes)) {
    await Deno.mkdir(`${root}/proc/${pid}`);
    await Deno.writeTextFile(`${root}/proc/${pid}/cmdline`, argv.join("\0") + "\0");
    if (env) await Deno.writeTextFile(`${root}/proc/${pid}/environ`, env.join("\0") + "\0");
  }
  return root;
}

Deno.test("signInAtLoginScreen() types nothing and says why: no greeter, Wayland, no display, no credentials, control unticked", async () => {
  const empty = await fakeProc({});
  const wayland = await fakeProc({
    7: { argv: ["/usr/bin/gnome-shell", "--mode=gdm"], env: ["XDG_SESSION_TYPE=wayland"] },
  });
  const lightdm = await fakeProc({
    8: { argv: ["/usr/sbin/lightdm-gtk-greeter"], env: ["DISPLAY=:0"] },
  });
  try {
    const none = harness({ root: empty });
    assert.equal(await signInAtLoginScreen(none.options), "no_greeter");
    assert.deepEqual(none.reports, [["no_greeter", undefined]]);
    assert.match(none.lines[0], /nothing typed — no login screen this service knows runs on :0/);

    const gdm = harness({ root: wayland, display: null, desktop: null });
    assert.equal(await signInAtLoginScreen(gdm.options), "wayland");
    assert.deepEqual(gdm.reports, [["wayland", undefined]]);
    assert.match(gdm.lines[0], /drawn by Wayland/);

    const headless = harness({ root: lightdm, desktop: null });
    assert.equal(await signInAtLoginScreen(headless.options), "no_display");

    const asked = harness({ root: lightdm, credentials: null });
    assert.equal(await signInAtLoginScreen(asked.options), "no_credentials");
    assert.deepEqual(asked.reports, [["no_credentials", "lightdm_gtk"]]);

    const quiet = harness({ root: empty, credentials: null });
    assert.equal(await signInAtLoginScreen(quiet.options), "no_greeter");
    assert.deepEqual(quiet.reports, [], "no credentials, no login screen: nothing to tell");

    const locked = harness({ root: lightdm, credentials: { unreadable: "another computer's" } });
    assert.equal(await signInAtLoginScreen(locked.options), "unreadable");
    const sealed = harness({
      root: lightdm,
      credentials: { unreadable: "sealed for another session", sealed: true },
    });
    assert.equal(await signInAtLoginScreen(sealed.options), "sealed_unreadable");
    assert.deepEqual(sealed.reports, [["sealed_unreadable", undefined]]);
    assert.match(sealed.lines[0], /the credentials typed at Connect: sealed for another session/);

    const unticked = harness({ root: lightdm, controlAllowed: false });
    assert.equal(await signInAtLoginScreen(unticked.options), "not_allowed");
    assert.deepEqual(unticked.reports, [["not_allowed", undefined]]);

    for (const run of [none, gdm, headless, asked, quiet, locked, sealed, unticked]) {
      assert.deepEqual(run.keys, [], "not one key");
    }
  } finally {
    for (const root of [empty, wayland, lightdm]) await Deno.remove(root, { recursive: true });
  }
});

Deno.test("signInAtLoginScreen(): a greeter still there after the keys is said so", async () => {
  const root = await fakeProc({ 9: { argv: ["/usr/bin/sddm-greeter"], env: ["DISPLAY=:0"] } });
  try {
    const run = harness({ root });
    assert.equal(await signInAtLoginScreen(run.options), "greeter_stayed");
    assert.deepEqual(run.reports, [["signing_in", "sddm"], ["greeter_stayed", "sddm"]]);
    assert.equal(run.keys.length, "anne".length + 1 + [...PASSWORD].length + 1);
    assert.ok(!run.lines.join("\n").includes(PASSWORD), "the password is not logged");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Polls `probe` until it gives a value or `ms` pass. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test({
  name: "signInAtLoginScreen() types the user name and password into a stand-in greeter on Xvfb",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // The stand-in is a "lightdm-gtk-greeter" process on an X display: a service under test
    // elsewhere on the machine (tests/unattended_credentials_test.ts) found it and typed its own
    // user name into it (CI, session 17) — so this test holds the machine's greeter lock too.
    using _greeters = await greeterLock();
    const dir = await Deno.makeTempDir({ prefix: "greeter_stand_in_" });
    const script = `${dir}/lightdm-gtk-greeter`;
    const out = `${dir}/read.txt`;
    await Deno.writeTextFile(script, STAND_IN, { mode: 0o755 });
    const xvfb = await startXvfb({ width: 1024, height: 768 });
    const xterm = new Deno.Command("xterm", {
      args: ["-u8", "-name", "standin", "-geometry", "80x10+0+0", "-e", script, out],
      env: { DISPLAY: xvfb.display, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const desktop = openDesktop({ display: xvfb.display });
    try {
      const id = await waitFor("the stand-in's window", async () => {
        const found = await runX(xvfb.display, "xdotool", [
          "search",
          "--onlyvisible",
          "--classname",
          "standin",
        ]);
        return found.trim().split("\n")[0] || undefined;
      });
      // A display manager gives its greeter the keyboard; here the test does.
      await runX(xvfb.display, "xdotool", ["windowfocus", "--sync", id]);
      const run = harness({
        display: xvfb.display,
        desktop,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        keyGapMs: 8,
        closeWaitMs: 10_000,
      });
      const credentials = run.options.credentials as { user: string; password: string };
      assert.equal(await signInAtLoginScreen(run.options), "greeter_closed");
      assert.equal(credentials.password, "", "the caller's copy is dropped");
      assert.deepEqual(run.reports, [["signing_in", "lightdm_gtk"], [
        "greeter_closed",
        "lightdm_gtk",
      ]]);
      const read = await Deno.readTextFile(out);
      assert.equal(read, `anne\n${PASSWORD}\n`, `the stand-in read ${JSON.stringify(read)}`);
      const logged = run.lines.join("\n");
      assert.match(logged, /LightDM GTK greeter \(process \d+\) on :\d+: typing the user name/);
      assert.ok(!logged.includes(PASSWORD), "the password appears nowhere in the log");
      assert.ok(!JSON.stringify(run.reports).includes(PASSWORD));
    } finally {
      desktop.close();
      try {
        xterm.kill("SIGKILL");
      } catch {
        // Already gone: the stand-in closed after reading.
      }
      await xterm.status;
      await xvfb.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
