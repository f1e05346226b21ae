// The pushed support app's search for its user's desktop (user_display.ts) on fixture /proc and
// /tmp/.X11-unix trees: a desktop program's environment, an X server of the user's with its
// -auth file, what another user's or an unreadable cookie leaves out, root's choice by the seat,
// Wayland, and nothing at all — each with the words the session's log gets.
import assert from "node:assert/strict";
import {
  findUserDisplay,
  localDisplay,
  parseEnviron,
  parseLoginctlSession,
  parseWho,
  uidOfStatus,
} from "./user_display.ts";

type Tree = Record<string, string | { text: string; mode: number }>;

async function fixture(files: Tree): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "user-display-" });
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
    const { text, mode } = typeof content === "string" ? { text: content, mode: 0o644 } : content;
    await Deno.writeTextFile(`${root}/${path}`, text, { mode });
    await Deno.chmod(`${root}/${path}`, mode);
  }
  return root;
}

const status = (uid: number) => `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
const environ = (vars: Record<string, string>) =>
  Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\0") + "\0";

Deno.test("uidOfStatus(), parseEnviron(), localDisplay(): the parts of /proc it reads", () => {
  assert.equal(uidOfStatus(status(1000)), 1000);
  assert.equal(uidOfStatus("Name:\tx\n"), null);
  assert.deepEqual(
    [...parseEnviron("DISPLAY=:0\0XAUTHORITY=/run/user/1000/gdm/Xauthority\0BAD\0A=b=c\0")],
    [["DISPLAY", ":0"], ["XAUTHORITY", "/run/user/1000/gdm/Xauthority"], ["A", "b=c"]],
  );
  assert.equal(localDisplay(":0"), ":0");
  assert.equal(localDisplay(":1.0"), ":1");
  assert.equal(localDisplay("unix:2"), ":2");
  // An SSH session's forwarded display is not the desktop.
  assert.equal(localDisplay("localhost:10.0"), null);
  assert.equal(localDisplay(undefined), null);
});

Deno.test("parseLoginctlSession() and parseWho(): the seat's graphical displays", () => {
  assert.equal(parseLoginctlSession("Active=yes\nType=x11\nDisplay=:0\n"), ":0");
  assert.equal(parseLoginctlSession("Active=no\nType=x11\nDisplay=:0\n"), null);
  assert.equal(parseLoginctlSession("Active=yes\nType=tty\nDisplay=\n"), null);
  assert.deepEqual(
    parseWho(
      "alice    :0           2026-12-06 10:00 (:0)\n" +
        "bob      tty7         2026-12-06 10:01 (:1)\n" +
        "carol    pts/0        2026-12-06 10:02 (192.0.2.5)\n",
    ),
    [":0", ":1"],
  );
});

Deno.test("findUserDisplay(): a desktop program's DISPLAY and XAUTHORITY, only the user's own", async () => {
  const root = await fixture({
    "tmp/.X11-unix/X0": "",
    "tmp/.X11-unix/X1": "",
    "proc/10/cmdline": "/usr/lib/xorg/Xorg\0:0\0-auth\0/var/run/lightdm/root/:0\0",
    "proc/10/status": status(0),
    "proc/11/cmdline": "/usr/lib/xorg/Xorg\0:1\0-auth\0/var/run/lightdm/root/:1\0",
    "proc/11/status": status(0),
    // alice's panel on :0 (her cookie in /run/user), bob's on :1.
    "proc/20/cmdline": "xfce4-panel\0",
    "proc/20/status": status(1000),
    "proc/20/environ": environ({ DISPLAY: ":0.0", XAUTHORITY: "/run/user/1000/Xauthority" }),
    "proc/30/cmdline": "xfce4-panel\0",
    "proc/30/status": status(1001),
    "proc/30/environ": environ({ DISPLAY: ":1", HOME: "/home/bob" }),
    "run/user/1000/Xauthority": "cookie",
    "home/bob/.Xauthority": "cookie",
    "var/run/lightdm/root/:0": { text: "cookie", mode: 0o644 },
  });
  try {
    assert.deepEqual(await findUserDisplay({ uid: 1000, root }), {
      ok: true,
      display: ":0",
      authority: "/run/user/1000/Xauthority",
      how: "the desktop session of uid 1000 on :0 (Xorg)",
    });
    // No XAUTHORITY in the environment: the home folder's .Xauthority.
    const bob = await findUserDisplay({ uid: 1001, root });
    assert.equal(bob.ok && bob.display, ":1");
    assert.equal(bob.ok && bob.authority, "/home/bob/.Xauthority");
    // Someone with no session of their own finds nothing — not alice's, not the greeter's.
    const carol = await findUserDisplay({ uid: 1002, root });
    assert.equal(carol.ok, false);
    assert.equal(!carol.ok && carol.reason, "noUserDisplay");
    assert.equal(
      !carol.ok && carol.why,
      "no X11 desktop of uid 1002 runs here (:0 Xorg: another user's (uid 0); " +
        ":1 Xorg: another user's (uid 0))",
    );
    // Root takes the seat's active session first, else a person's desktop before the greeter.
    const seat = await findUserDisplay({ uid: 0, root, seat: [":1"] });
    assert.equal(seat.ok && seat.display, ":1");
    const person = await findUserDisplay({ uid: 0, root });
    assert.equal(person.ok && person.display, ":0");
    assert.equal(person.ok && person.authority, "/run/user/1000/Xauthority");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findUserDisplay(): the user's own X server by its -auth file; a stale DISPLAY or an unreadable cookie is no desktop", async () => {
  const root = await fixture({
    "tmp/.X11-unix/X5": "",
    "proc/40/cmdline": "Xvfb\0:5\0-screen\x000\x001024x768x24\0-auth\0/home/dave/.xauth-5\0",
    "proc/40/status": status(1003),
    "home/dave/.xauth-5": "cookie",
    // A shell left with DISPLAY=:7, whose server is gone: not a desktop.
    "proc/41/cmdline": "bash\0",
    "proc/41/status": status(1003),
    "proc/41/environ": environ({ DISPLAY: ":7" }),
  });
  try {
    assert.deepEqual(await findUserDisplay({ uid: 1003, root }), {
      ok: true,
      display: ":5",
      authority: "/home/dave/.xauth-5",
      how: "Xvfb of uid 1003 on :5, its -auth file",
    });
    await Deno.remove(`${root}/home/dave/.xauth-5`);
    const gone = await findUserDisplay({ uid: 1003, root });
    assert.equal(!gone.ok && gone.reason, "noUserDisplay");
    assert.match(
      !gone.ok ? gone.why : "",
      /:5 Xvfb: its X authority \/home\/dave\/\.xauth-5 cannot be read/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findUserDisplay(): a Wayland desktop (Xwayland only) is said, not shared", async () => {
  const root = await fixture({
    "tmp/.X11-unix/X0": "",
    "proc/50/cmdline":
      "/usr/bin/Xwayland\0:0\0-rootless\0-auth\0/run/user/1000/.mutter-Xwaylandauth\0",
    "proc/50/status": status(1000),
    "proc/51/cmdline": "gnome-shell\0",
    "proc/51/status": status(1000),
    "proc/51/environ": environ({
      DISPLAY: ":0",
      XAUTHORITY: "/run/user/1000/.mutter-Xwaylandauth",
    }),
    "run/user/1000/.mutter-Xwaylandauth": "cookie",
  });
  try {
    const found = await findUserDisplay({ uid: 1000, root });
    assert.equal(found.ok, false);
    assert.equal(!found.ok && found.reason, "waylandOnly");
    assert.match(!found.ok ? found.why : "", /Wayland session \(only Xwayland on :0\)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
