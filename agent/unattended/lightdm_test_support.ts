/**
 * Test support: a real LightDM (Debian's `lightdm` and `lightdm-gtk-greeter`) showing its login
 * screen on a virtual X server, for agent/unattended/lightdm_test.ts. LightDM runs as on a
 * computer — as root, its X server started with `-auth <run dir>/root/:N`, its greeter
 * as the `lightdm` user, the session through PAM as the user who signed in — but from a private
 * configuration: its run, log and cache folders, the X server command and the sessions folder
 * are all under one temporary folder, and it talks to a private system bus (no logind: LightDM
 * then runs its one seat itself). Nothing is installed or started for the machine: the package's
 * service is never started (it runs nowhere unless a test starts it, as here, and stops it).
 *
 * The X server is Xvfb behind a wrapper: LightDM starts `<xserver-command> :N -seat seat0
 * -auth … -nolisten tcp vtN -novtswitch`, and Xvfb refuses the virtual-terminal arguments only
 * a console X server understands. The wrapper `exec`s Xvfb, so /proc shows Xvfb with LightDM's
 * arguments, as it shows Xorg on a computer.
 *
 * Like any LightDM on a machine with a console, it takes a virtual terminal (VT 7) and makes
 * it the active one: on CI's virtual machine nobody looks at that console; on a desktop, run
 * as root, the screen would switch to it until the test ends.
 *
 * The session the test user signs into is a `.desktop` entry whose program writes a marker file
 * (who it runs as, on which display) and stays: proof that a session started, not just that the
 * greeter went away.
 */

export const LIGHTDM = "/usr/sbin/lightdm";
export const GTK_GREETER = "/usr/sbin/lightdm-gtk-greeter";

/** Why the real LightDM cannot run here, or null when it can. */
export function lightdmMissing(): string | null {
  if (Deno.build.os !== "linux") return "not Linux";
  for (const path of [LIGHTDM, GTK_GREETER, "/usr/bin/dbus-daemon", "/usr/bin/Xvfb"]) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is absent (apt-get install lightdm lightdm-gtk-greeter dbus xvfb)`;
    }
  }
  if (Deno.uid() !== 0) return "not root (a display manager runs as root)";
  return null;
}

async function _run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${cmd} ${args[0] ?? ""} failed (${out.code}): ${err}`);
  }
  return text;
}

/** A local account with a known password; `remove()` deletes it (and ends what it runs). */
export interface TestUser {
  name: string;
  password: string;
  uid: number;
  home: string;
  remove(): Promise<void>;
}

/** Creates a local user for signing in, its home under `dir`. */
export async function createTestUser(dir: string): Promise<TestUser> {
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const name = `rsqlogin${suffix}`.slice(0, 24);
  // Characters a keyboard types with Shift and AltGr levels, and one no US key has.
  const password = `Lg-${suffix}!é€ 7`;
  const home = `${dir}/${name}`;
  await _run("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/bin/sh", name]);
  const remove = async () => {
    await _endProcessesOf(uid);
    await _run("userdel", [name]).catch(() => {});
  };
  let uid = -1;
  try {
    uid = Number((await _run("id", ["-u", name])).trim());
    await Deno.mkdir(home, { mode: 0o700 });
    await Deno.chown(home, uid, uid);
    await _run("chpasswd", [], `${name}:${password}\n`);
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, password, uid, home, remove };
}

/** Kills, by id, what still runs as `uid` (the test user's session, if LightDM left it). */
async function _endProcessesOf(uid: number) {
  if (uid < 0) return;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const status = await Deno.readTextFile(`/proc/${entry.name}/status`).catch(() => "");
    if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status)) {
      try {
        Deno.kill(Number(entry.name), "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }
}

/** A running LightDM and what the test reads from it. */
export interface RealLightdm {
  /** The display LightDM's X server serves (":0"), from its X server's log file name. */
  display: string;
  /** LightDM's run folder: it keeps the X server's cookie at `<runDir>/root/:N`. */
  runDir: string;
  /** The file the session writes when it starts ("<user> <DISPLAY>"). */
  marker: string;
  /** LightDM's own log so far (lightdm.log in its log folder). */
  log(): Promise<string>;
  /** Stops LightDM (its X server, greeter and session with it) and the private bus. */
  stop(): Promise<void>;
}

const XSERVER = `#!/bin/sh
# LightDM's X server command: Xvfb, without the virtual-terminal arguments it refuses.
for arg do
  shift
  case $arg in vt[0-9]*|-novtswitch|-keeptty|-sharevts) continue ;; esac
  set -- "$@" "$arg"
done
exec Xvfb "$@" -screen 0 1366x768x24
`;

/**
 * Starts a private system bus and LightDM on it, in `dir` (which it makes readable to the
 * greeter and the session). Resolves once LightDM's X server has a log file (its display
 * known); the greeter comes a moment later.
 */
export async function startLightdm(
  dir: string,
  options: { hideUsers?: boolean; lastUser?: string } = {},
): Promise<RealLightdm> {
  await Deno.chmod(dir, 0o755);
  const runDir = `${dir}/run`;
  const logDir = `${dir}/log`;
  const sessions = `${dir}/xsessions`;
  const markers = `${dir}/markers`;
  for (const folder of [runDir, logDir, `${dir}/cache`, sessions]) await Deno.mkdir(folder);
  await Deno.mkdir(markers, { mode: 0o1777 });
  await Deno.chmod(markers, 0o1777);
  const marker = `${markers}/session-started`;
  await Deno.writeTextFile(`${dir}/xserver`, XSERVER, { mode: 0o755 });
  await Deno.writeTextFile(
    `${dir}/session`,
    `#!/bin/sh\nprintf '%s %s\\n' "$(id -un)" "$DISPLAY" > '${marker}'\nexec sleep 600\n`,
    { mode: 0o755 },
  );
  await Deno.writeTextFile(
    `${sessions}/lightdm-xsession.desktop`,
    `[Desktop Entry]\nName=Sign-in marker\nExec=${dir}/session\nType=Application\n`,
  );
  await Deno.writeTextFile(
    `${dir}/lightdm.conf`,
    [
      "[LightDM]",
      `run-directory=${runDir}`,
      `log-directory=${logDir}`,
      `cache-directory=${dir}/cache`,
      `sessions-directory=${sessions}`,
      // The user's X cookie in the run folder, not in the home (the greeter's goes to its own).
      "user-authority-in-system-dir=true",
      "[Seat:*]",
      `xserver-command=${dir}/xserver`,
      "greeter-session=lightdm-gtk-greeter",
      // Debian's choice (01_debian.conf): a user-name entry, no list of users.
      `greeter-hide-users=${options.hideUsers ?? true}`,
      // The greeter lists the sessions of the system's configuration (it does not read this
      // file): Debian's lightdm-xsession, which this LightDM finds in its own sessions folder.
      "user-session=lightdm-xsession",
      // Debian's (01_debian.conf): the session's program runs through Xsession.
      "session-wrapper=/etc/X11/Xsession",
      "",
    ].join("\n"),
  );

  const greeterHome = await _keepGreeterHome();
  if (options.lastUser) {
    // The greeter starts on the user signed in last (its state file): with the list shown,
    // that one is chosen when it opens.
    const cache = "/var/lib/lightdm/.cache";
    for (const folder of [cache, `${cache}/lightdm-gtk-greeter`]) {
      await _run("install", ["-d", "-o", "lightdm", "-g", "lightdm", folder]);
    }
    await Deno.writeTextFile(
      `${cache}/lightdm-gtk-greeter/state`,
      `[greeter]\nlast-user=${options.lastUser}\n`,
    );
    await _run("chown", ["lightdm:lightdm", `${cache}/lightdm-gtk-greeter/state`]);
  }
  const bus = new Deno.Command("dbus-daemon", {
    args: [
      "--config-file=/usr/share/dbus-1/system.conf",
      `--address=unix:path=${dir}/system_bus_socket`,
      "--nofork",
      "--nopidfile",
      "--print-address",
    ],
    stdin: "null",
    stdout: "piped",
    // It says it cannot raise its file limit, and that logind cannot be started: both true.
    stderr: "null",
  }).spawn();
  const address = await _firstLine(bus.stdout);
  const lightdm = new Deno.Command(LIGHTDM, {
    args: ["--config", `${dir}/lightdm.conf`, "--debug"],
    clearEnv: true,
    env: {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      DBUS_SYSTEM_BUS_ADDRESS: address,
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const child of [lightdm, bus]) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Gone already.
      }
      await child.status;
    }
    await greeterHome.restore();
  };
  const log = () => Deno.readTextFile(`${logDir}/lightdm.log`).catch(() => "");
  try {
    const display = await waitUntil(
      "LightDM's X server",
      async () => {
        for await (const entry of Deno.readDir(logDir)) {
          const match = /^x-(\d+)\.log$/.exec(entry.name);
          if (match) return `:${match[1]}`;
        }
      },
      20_000,
      () => lightdm.status,
    );
    return { display, runDir, marker, log, stop };
  } catch (error) {
    const said = await log();
    await stop();
    throw new Error(`${(error as Error).message}; LightDM's log:\n${said.slice(-3000)}`);
  }
}

/**
 * What the greeter writes in its home (the lightdm user's, /var/lib/lightdm): its X cookie and
 * its state (the last user, who is deleted after the test). Put back as they were.
 */
async function _keepGreeterHome() {
  const files = [
    "/var/lib/lightdm/.Xauthority",
    "/var/lib/lightdm/.cache/lightdm-gtk-greeter/state",
  ];
  // And the folders a first run makes: the greeter's caches, LightDM's shared data folder.
  const folders = ["/var/lib/lightdm/.cache", "/var/lib/lightdm-data"];
  const before = await Promise.all(files.map((file) => Deno.readFile(file).catch(() => null)));
  const had = await Promise.all(folders.map((f) => Deno.stat(f).then(() => true, () => false)));
  return {
    async restore() {
      for (const [i, file] of files.entries()) {
        const bytes = before[i];
        if (bytes) await Deno.writeFile(file, bytes).catch(() => {});
        else await Deno.remove(file).catch(() => {});
      }
      for (const [i, folder] of folders.entries()) {
        if (!had[i]) await Deno.remove(folder, { recursive: true }).catch(() => {});
      }
    },
  };
}

async function _firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  const line = text.split("\n")[0].trim();
  if (!line) throw new Error("the private system bus did not say its address");
  return line;
}

/** Polls `probe` until it gives a value, `ms` pass, or `exited` resolves (LightDM quit). */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms: number,
  exited?: () => Promise<Deno.CommandStatus>,
): Promise<T> {
  const ended: { status: Deno.CommandStatus | null } = { status: null };
  exited?.().then((status) => ended.status = status);
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (ended.status) {
      throw new Error(`LightDM exited (code ${ended.status.code}) before ${what} came`);
    }
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A captured frame (B,G,R,X rows) as a PNG file's bytes: the screenshot of the login screen. */
export async function framePng(
  frame: { width: number; height: number; stride: number; data: Uint8Array },
): Promise<Uint8Array> {
  const { width, height, stride, data } = frame;
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0; // no filter
    for (let x = 0, i = y * stride; x < width; x++, i += 4) {
      raw[o++] = data[i + 2];
      raw[o++] = data[i + 1];
      raw[o++] = data[i];
    }
  }
  const zlib = new Uint8Array(
    await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate")))
      .arrayBuffer(),
  );
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    _chunk("IHDR", header),
    _chunk("IDAT", zlib),
    _chunk("IEND", new Uint8Array()),
  ];
  const png = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    png.set(part, at);
    at += part.length;
  }
  return png;
}

function _chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, _crc32(out.subarray(4, 8 + body.length)));
  return out;
}

function _crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
