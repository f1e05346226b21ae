import assert from "node:assert/strict";
import {
  findGreeters,
  type FoundGreeter,
  GREETER_PROFILES,
  greeterProfileFor,
  planSignIn,
} from "./greeter.ts";
import { keysymOf, SecretText, typeIntoGreeter } from "./greeter_typing.ts";

/** A fake /proc: pid → argv and (optionally) environment. */
async function fakeProc(processes: Record<number, { argv: string[]; env?: string[] }>) {
  const root = await Deno.makeTempDir({ prefix: "greeter_test_" });
  for (const [pid, { argv, env }] of Object.entries(processes)) {
    await Deno.mkdir(`${root}/proc/${pid}`, { recursive: true });
    await Deno.writeTextFile(`${root}/proc/${pid}/cmdline`, argv.join("\0") + "\0");
    if (env) await Deno.writeTextFile(`${root}/proc/${pid}/environ`, env.join("\0") + "\0");
  }
  return root;
}

Deno.test("greeterProfileFor() picks LightDM GTK, GDM on Xorg, SDDM, the generic one, or none", () => {
  const id = (argv: string[]) => greeterProfileFor(argv)?.id ?? null;
  assert.equal(id(["/usr/sbin/lightdm-gtk-greeter"]), "lightdm_gtk");
  assert.equal(id(["/usr/bin/gnome-shell", "--mode=gdm"]), "gdm_xorg");
  assert.equal(id(["/usr/bin/gnome-shell"]), null, "a user's GNOME Shell is no greeter");
  assert.equal(id(["/usr/bin/sddm-greeter", "--socket", "/tmp/sddm-x"]), "sddm");
  assert.equal(id(["/usr/bin/sddm-greeter-qt6", "--theme", "breeze"]), "sddm");
  assert.equal(id(["/usr/sbin/slick-greeter"]), "generic");
  assert.equal(id(["/bin/sh", "/opt/x/lightdm-gtk-greeter"]), "lightdm_gtk", "a script greeter");
  assert.equal(id(["/usr/bin/xterm", "-e", "lightdm-gtk-greeter"]), null);
  assert.equal(id(["/usr/lib/xorg/Xorg", ":0"]), null);
  assert.equal(id([]), null);
});

Deno.test("findGreeters() reads each greeter's display and whether it is a Wayland one", async () => {
  const root = await fakeProc({
    10: { argv: ["/usr/lib/xorg/Xorg", ":0", "-auth", "/var/run/lightdm/root/:0"] },
    11: { argv: ["/usr/sbin/lightdm-gtk-greeter"], env: ["HOME=/var/lib/lightdm", "DISPLAY=:0.0"] },
    20: { argv: ["/usr/bin/gnome-shell", "--mode=gdm"], env: ["WAYLAND_DISPLAY=wayland-0"] },
    30: { argv: ["/usr/bin/sddm-greeter"] },
  });
  try {
    const found = await findGreeters({ root });
    assert.deepEqual(
      found.map((g) => [g.pid, g.profile.id, g.display, g.wayland]),
      [[11, "lightdm_gtk", ":0", false], [20, "gdm_xorg", null, true], [30, "sddm", null, false]],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findGreeters(): GDM's greeter without a readable environment is Wayland under gdm-wayland-session", async () => {
  const root = await fakeProc({
    5: { argv: ["/usr/libexec/gdm-wayland-session", "gnome-session"] },
    6: { argv: ["/usr/bin/gnome-shell", "--mode=gdm"] },
  });
  try {
    assert.deepEqual((await findGreeters({ root })).map((g) => g.wayland), [true]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const greeter = (over: Partial<FoundGreeter>): FoundGreeter => ({
  pid: 1,
  profile: GREETER_PROFILES.lightdm_gtk,
  display: ":0",
  wayland: false,
  ...over,
});

Deno.test("planSignIn() types only into an X11 greeter on the shared display, with credentials", () => {
  const lightdm = greeter({});
  assert.deepEqual(planSignIn({ display: ":0", greeters: [lightdm], hasCredentials: true }), {
    ok: true,
    greeter: lightdm,
  });
  assert.deepEqual(
    planSignIn({ display: ":0.0", greeters: [greeter({ display: null })], hasCredentials: true })
      .ok,
    true,
    "one greeter whose display cannot be read is the one",
  );
});

Deno.test("planSignIn() refuses: no display, Wayland, no greeter, another display's, no credentials", () => {
  const code = (input: Parameters<typeof planSignIn>[0]) => {
    const plan = planSignIn(input);
    return plan.ok ? "ok" : plan.code;
  };
  assert.equal(code({ display: null, greeters: [], hasCredentials: true }), "no_display");
  const gdmWayland = greeter({ profile: GREETER_PROFILES.gdm_xorg, display: null, wayland: true });
  assert.equal(code({ display: null, greeters: [gdmWayland], hasCredentials: true }), "wayland");
  assert.equal(code({ display: ":0", greeters: [gdmWayland], hasCredentials: true }), "wayland");
  assert.equal(code({ display: ":0", greeters: [], hasCredentials: true }), "no_greeter");
  assert.equal(
    code({ display: ":1", greeters: [greeter({ display: ":0" })], hasCredentials: true }),
    "no_greeter",
  );
  assert.equal(
    code({
      display: ":0",
      greeters: [greeter({ display: null }), greeter({ pid: 2, display: null })],
      hasCredentials: true,
    }),
    "no_greeter",
    "two greeters that cannot be told apart: neither",
  );
  const plan = planSignIn({ display: ":0", greeters: [greeter({})], hasCredentials: false });
  assert.deepEqual(plan.ok ? null : [plan.code, plan.greeter?.profile.id], [
    "no_credentials",
    "lightdm_gtk",
  ]);
});

/** Records key presses as text: characters as they are, other keys by name. */
function recorder() {
  const typed: string[] = [];
  return {
    typed,
    desktop: {
      key(keysym: number, down: boolean) {
        if (!down) return;
        if (keysym === 0xff0d) typed.push("<Enter>");
        else if (keysym === 0xff09) typed.push("<Tab>");
        else typed.push(String.fromCodePoint(keysym >= 0x1000000 ? keysym - 0x1000000 : keysym));
      },
    },
  };
}

Deno.test("typeIntoGreeter() follows the profile's steps (SDDM: Tab between the fields) and wipes its copies", async () => {
  const { typed, desktop } = recorder();
  const user = SecretText.from("anne");
  const password = SecretText.from("p€ss wörd");
  const pauses: number[] = [];
  const pause = (ms: number) => {
    pauses.push(ms);
    return Promise.resolve();
  };
  const result = await typeIntoGreeter(desktop, GREETER_PROFILES.sddm.steps, { user, password }, {
    sleep: pause,
    keyGapMs: 0,
  });
  assert.deepEqual(result, { ok: true });
  assert.equal(typed.join(""), "anne<Tab>p€ss wörd<Enter>");
  assert.deepEqual(pauses, []);
  // Wiped to NULs, which no key types: nothing of them is left to type, or to read.
  assert.equal(password.keysyms(), null);
  assert.equal(user.keysyms(), null);
  assert.equal(password.length, "p€ss wörd".length);

  const lightdm = recorder();
  await typeIntoGreeter(
    lightdm.desktop,
    GREETER_PROFILES.lightdm_gtk.steps,
    { user: SecretText.from("anne"), password: SecretText.from("pw") },
    { sleep: pause, keyGapMs: 0 },
  );
  assert.equal(lightdm.typed.join(""), "anne<Enter>pw<Enter>");
  assert.deepEqual(pauses, [1000]);
});

Deno.test("typeIntoGreeter() types nothing when a character cannot be typed", async () => {
  const { typed, desktop } = recorder();
  const result = await typeIntoGreeter(desktop, GREETER_PROFILES.generic.steps, {
    user: SecretText.from("anne"),
    password: SecretText.from("line\nbreak"),
  }, { keyGapMs: 0, sleep: () => Promise.resolve() });
  assert.deepEqual(result, {
    ok: false,
    code: "untypeable",
    why: "the password holds a character no key types",
  });
  assert.deepEqual(typed, []);
  assert.equal(keysymOf(0x41), 0x41);
  assert.equal(keysymOf(0x20ac), 0x10020ac);
  assert.equal(keysymOf(0x7f), null);
});
