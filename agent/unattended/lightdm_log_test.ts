import assert from "node:assert/strict";
import { GREETER_PROFILES, lightdmKeys } from "./greeter.ts";
import {
  chooseListedUser,
  greeterAskFromLog,
  logDirectoryIn,
  readGreeterAsk,
} from "./lightdm_log.ts";
import { SecretText, typeIntoGreeter } from "./greeter_typing.ts";

// Lines as LightDM 1.26 writes them (agent/unattended/lightdm_test.ts runs the real one).
const STARTED = [
  "[+0.92s] DEBUG: Session pid=6072: Running command /usr/sbin/lightdm-gtk-greeter",
  "[+1.97s] DEBUG: Greeter connected version=1.26.0 api=1 resettable=false",
];
const REFUSED = [
  ...STARTED,
  "[+2.43s] DEBUG: Greeter start authentication",
  "[+2.50s] DEBUG: Prompt greeter with 1 message(s)",
  "[+15.83s] DEBUG: Greeter start authentication for anne",
  "[+19.62s] DEBUG: Continue authentication",
  "[+21.58s] DEBUG: Authenticate result for user anne: Authentication failure",
  "[+21.59s] DEBUG: Greeter start authentication for anne",
  "[+21.70s] DEBUG: Prompt greeter with 1 message(s)",
].join("\n");

Deno.test("greeterAskFromLog() reads what the greeter asks now: a name, or a chosen user's password", () => {
  assert.equal(greeterAskFromLog(STARTED.join("\n"), 6072), null, "nothing asked yet");
  assert.deepEqual(
    greeterAskFromLog(
      [...STARTED, "[+2.43s] DEBUG: Greeter start authentication"].join("\n"),
      6072,
    ),
    { asks: "name", listed: false, seen: 1, prompted: false },
  );
  assert.deepEqual(greeterAskFromLog(REFUSED, 6072), {
    asks: "password",
    user: "anne",
    listed: false,
    seen: 3,
    prompted: true,
    nameField: true,
  });
  const list = [...STARTED, "[+2.39s] DEBUG: Greeter start authentication for bob"].join("\n");
  assert.deepEqual(greeterAskFromLog(list, 6072), {
    asks: "password",
    user: "bob",
    listed: true,
    seen: 1,
    prompted: false,
    nameField: false,
  });
  // Its list's "Other…" shows the name field: a name typed there, refused, asked again.
  const other = [list, "Greeter start authentication", "Greeter start authentication for carl"];
  const again = [...other, "Greeter start authentication for carl"];
  const ask = (lines: string[]) => greeterAskFromLog(lines.join("\n"), 6072);
  assert.deepEqual(ask(again), {
    asks: "password",
    user: "carl",
    listed: true,
    seen: 4,
    prompted: false,
    nameField: true,
  });
  const listAgain = ask([...again, "Greeter start authentication for bob"]);
  assert.equal(listAgain?.asks === "password" && listAgain.nameField, false, "bob: from the list");
  assert.equal(greeterAskFromLog(REFUSED, 999), null, "another greeter's session");
});

Deno.test("greeterAskFromLog() reads only the lines of the greeter asked about", () => {
  const earlier = [
    "[+0.5s] DEBUG: Session pid=100: Running command /usr/sbin/lightdm-gtk-greeter",
    "[+0.9s] DEBUG: Greeter start authentication for carol",
  ];
  // An earlier greeter (before a session and a log-out) and a later one on the same log.
  assert.deepEqual(greeterAskFromLog([...earlier, REFUSED].join("\n"), 6072)?.asks, "password");
  const later = [
    REFUSED,
    "[+90s] DEBUG: Session pid=7000: Running command /usr/sbin/lightdm-gtk-greeter",
    "[+91s] DEBUG: Greeter start authentication",
  ].join("\n");
  assert.deepEqual(greeterAskFromLog(later, 6072), {
    asks: "password",
    user: "anne",
    listed: false,
    seen: 3,
    prompted: true,
    nameField: true,
  });
  assert.deepEqual(greeterAskFromLog(later, 7000), {
    asks: "name",
    listed: false,
    seen: 1,
    prompted: false,
  });
});

Deno.test("logDirectoryIn() takes log-directory from the [LightDM] section only", () => {
  assert.equal(logDirectoryIn("[LightDM]\nlog-directory = /srv/log\n[Seat:*]\n"), "/srv/log");
  assert.equal(logDirectoryIn("[Seat:*]\nlog-directory=/nope\n"), null);
  assert.equal(logDirectoryIn("#log-directory=/var/log/lightdm\n"), null);
});

Deno.test("lightdmKeys(): the usual keys, only the password, or Shift+Tab back to the name; none for a list on another user", () => {
  const names = (keys: ReturnType<typeof lightdmKeys>) =>
    keys?.steps.map((s) => s.type === "key" ? s.name : s.type === "pause" ? "pause" : s.type);
  assert.deepEqual(lightdmKeys(null, "anne")?.steps, GREETER_PROFILES.lightdm_gtk.steps);
  assert.deepEqual(
    lightdmKeys({ asks: "name", listed: true, seen: 1, prompted: true }, "anne")
      ?.steps,
    GREETER_PROFILES.lightdm_gtk.steps,
  );
  assert.deepEqual(
    names(
      lightdmKeys(
        { asks: "password", user: "anne", listed: true, seen: 1, prompted: true, nameField: false },
        "anne",
      ),
    ),
    [
      "password",
      "Enter",
    ],
  );
  assert.deepEqual(
    names(
      lightdmKeys(
        { asks: "password", user: "bob", listed: false, seen: 1, prompted: true, nameField: true },
        "anne",
      ),
    ),
    [
      "Shift+Tab",
      "user",
      "Enter",
      "pause",
      "password",
      "Enter",
    ],
  );
  assert.equal(
    lightdmKeys({
      asks: "password",
      user: "bob",
      listed: true,
      seen: 1,
      prompted: true,
      nameField: false,
    }, "anne"),
    null,
  );
});

/** A fake /proc (greeter → session child → lightdm) and LightDM's files under one folder. */
async function fakeLightdm(daemonArgv: string[], files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "lightdm_log_test_" });
  const proc = (pid: number, ppid: number, argv: string[]) => ({
    [`proc/${pid}/stat`]: `${pid} (${argv[0].split("/").pop()}) S ${ppid} 1 1 0 -1`,
    [`proc/${pid}/cmdline`]: argv.join("\0") + "\0",
  });
  const all = {
    ...proc(6083, 6072, ["/usr/sbin/lightdm-gtk-greeter"]),
    ...proc(6072, 6042, ["lightdm", "--session-child", "19", "22"]),
    ...proc(6042, 1, daemonArgv),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    await Deno.mkdir(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return root;
}

Deno.test("readGreeterAsk() finds the log of the LightDM that started the greeter: --log-dir, its --config, the system's, or /var/log/lightdm", async () => {
  const roots = [
    await fakeLightdm(["/usr/sbin/lightdm", "--log-dir=/a"], { "a/lightdm.log": REFUSED }),
    await fakeLightdm(["/usr/sbin/lightdm", "--config", "/t/l.conf"], {
      "t/l.conf": "[LightDM]\nlog-directory=/b\n",
      "b/lightdm.log": REFUSED,
    }),
    await fakeLightdm(["/usr/sbin/lightdm"], {
      "usr/share/lightdm/lightdm.conf.d/01_debian.conf": "[LightDM]\nlog-directory=/x\n",
      "etc/lightdm/lightdm.conf": "[LightDM]\nlog-directory=/c\n",
      "c/lightdm.log": REFUSED,
    }),
    await fakeLightdm(["/usr/sbin/lightdm"], { "var/log/lightdm/lightdm.log": REFUSED }),
  ];
  const unreadable = await fakeLightdm(["/usr/sbin/lightdm"], {});
  const notLightdm = await fakeLightdm(["/usr/bin/xterm"], {
    "var/log/lightdm/lightdm.log": REFUSED,
  });
  try {
    for (const root of roots) {
      assert.deepEqual(await readGreeterAsk(6083, { root }), {
        asks: "password",
        user: "anne",
        listed: false,
        seen: 3,
        prompted: true,
        nameField: true,
      }, root);
    }
    assert.equal(await readGreeterAsk(6083, { root: unreadable }), null);
    assert.equal(await readGreeterAsk(6083, { root: notLightdm }), null, "a stand-in's parent");
    assert.equal(await readGreeterAsk(4242, { root: notLightdm }), null, "no such process");
  } finally {
    for (const root of [...roots, unreadable, notLightdm]) {
      await Deno.remove(root, { recursive: true });
    }
  }
});

Deno.test("typeIntoGreeter() holds Shift by its own key for Shift+Tab (ISO_Left_Tab alone reaches GTK as Tab)", async () => {
  const events: string[] = [];
  const desktop = {
    key: (keysym: number, down: boolean) =>
      events.push(`${down ? "+" : "-"}${keysym.toString(16)}`),
  };
  const keys = lightdmKeys({
    asks: "password",
    user: "bob",
    listed: false,
    seen: 1,
    prompted: true,
    nameField: true,
  }, "a")!;
  await typeIntoGreeter(desktop, keys.steps, {
    user: SecretText.from("a"),
    password: SecretText.from("b"),
  }, { sleep: () => Promise.resolve(), keyGapMs: 0 });
  assert.deepEqual(events.slice(0, 4), ["+ffe1", "+ff09", "-ff09", "-ffe1"]);
  assert.deepEqual(events.slice(4).filter((e) => e.startsWith("+")), [
    "+61",
    "+ff0d",
    "+62",
    "+ff0d",
  ]);
});

Deno.test("chooseListedUser() walks the list up, then down, to the user (LightDM's log after each key), and stops at its ends", async () => {
  // A list carol, anne, bob, dave opened on bob; each arrow key moves the greeter's choice
  // and LightDM logs whom it asks — as lightdm-gtk-greeter and LightDM do.
  const list = ["carol", "anne", "bob", "dave"];
  const root = await fakeLightdm(["/usr/sbin/lightdm"], {});
  const log = `${root}/var/log/lightdm/lightdm.log`;
  await Deno.mkdir(`${root}/var/log/lightdm`, { recursive: true });
  let at = 2;
  const lines = [...STARTED, "Greeter start authentication for bob"];
  await Deno.writeTextFile(log, lines.join("\n"));
  const keys: string[] = [];
  const desktop = {
    key(keysym: number, down: boolean) {
      if (!down) return;
      keys.push(keysym === 0xff52 ? "Up" : "Down");
      const next = at + (keysym === 0xff52 ? -1 : 1);
      if (next < 0 || next >= list.length) return; // the end of the list: nothing happens
      at = next;
      lines.push(`Greeter start authentication for ${list[at]}`);
      Deno.writeTextFileSync(log, lines.join("\n"));
    },
  };
  try {
    const found = await chooseListedUser(desktop, 6083, "dave", { root, waitMs: 100 });
    assert.deepEqual(found, {
      asks: "password",
      user: "dave",
      listed: true,
      seen: 6,
      prompted: false,
      nameField: false,
    });
    assert.deepEqual(keys, ["Up", "Up", "Up", "Down", "Down", "Down"]);
    keys.length = 0;
    const missing = await chooseListedUser(desktop, 6083, "erin", { root, waitMs: 100 });
    assert.equal(missing?.asks === "password" && missing.user, "dave", "not in the list");
    assert.deepEqual(keys, ["Up", "Up", "Up", "Up", "Down", "Down", "Down", "Down"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
