import { runX } from "../platform/xvfb_test_support.ts";

/**
 * A stand-in login screen for the sign-in tests (agent/unattended/login_screen_test.ts,
 * tests/e2e/unattended_computers_test.ts, tests/e2e/unattended_cluster_sign_in_test.ts): a shell script, run in an xterm on Xvfb under a
 * greeter's name, that asks a user name and a password and writes what it read to the file
 * named by its first argument.
 */
export const STAND_IN_GREETER = `#!/bin/sh
printf 'login: '
IFS= read -r user
printf 'Password: '
stty -echo
IFS= read -r pass
stty echo
printf '%s\\n%s\\n' "$user" "$pass" > "$1"
`;

/**
 * Starts the stand-in greeter in an xterm on `display`, focused as a display manager's greeter
 * is; `read` is the file it writes what it read to.
 */
export async function standInGreeter(
  display: string,
  dir: string,
): Promise<{ child: Deno.ChildProcess; read: string }> {
  const script = `${dir}/lightdm-gtk-greeter`;
  await Deno.writeTextFile(script, STAND_IN_GREETER, { mode: 0o755 });
  const child = new Deno.Command("xterm", {
    args: ["-u8", "-name", "standin", "-geometry", "80x10+0+0", "-e", script, `${dir}/read.txt`],
    env: { DISPLAY: display, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let tries = 0;; tries++) {
    const id = await runX(display, "xdotool", ["search", "--onlyvisible", "--classname", "standin"])
      .then((out) => out.trim().split("\n")[0]).catch(() => "");
    if (id) {
      await runX(display, "xdotool", ["windowfocus", "--sync", id]);
      return { child, read: `${dir}/read.txt` };
    }
    if (tries > 100) throw new Error("the stand-in greeter did not show");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Keeps the machine's login-screen tests apart: a real LightDM (lightdm_test.ts) puts its
 * greeter on an X display, and a service under test elsewhere on the same machine (another
 * test file, or the other CI pass) finds it in /proc and types into it — or finds it instead of
 * its own stand-in. Every test that starts a greeter, or a service that looks for one, holds
 * this lock for its whole run: `using _greeters = await greeterLock();` (an flock, given back
 * at the end of the test's scope or when its process dies).
 */
export async function greeterLock(): Promise<Disposable> {
  const file = await Deno.open("/tmp/rescue-greeter-tests.lock", { create: true, write: true });
  await file.lock(true);
  return {
    [Symbol.dispose]() {
      file.close(); // closing the file gives the lock back
    },
  };
}
