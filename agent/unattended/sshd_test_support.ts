/**
 * Test support for LAN connect's SSH push (tests only; loopback only): an OpenSSH server on
 * 127.0.0.1:22 (Debian's openssh-server, installed by tools/test_setup.ts; started here with
 * its own options when nothing listens there yet — port 22, because a scan knocks on that
 * port) and a throwaway local account with a password, removed with its home afterwards.
 */
async function _run(cmd: string, args: string[], stdin?: string) {
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
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function _listening(): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: 22 });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** sshd on 127.0.0.1:22 (started if none runs); `stop` ends only one started here. */
export async function localSshd(): Promise<{ stop(): Promise<void> }> {
  if (await _listening()) return { stop: () => Promise.resolve() };
  await _run("ssh-keygen", ["-A"]);
  await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const child = new Deno.Command("/usr/sbin/sshd", {
    args: [
      "-D",
      "-e",
      "-o",
      "ListenAddress=127.0.0.1:22",
      "-o",
      "PasswordAuthentication=yes",
      "-o",
      "KbdInteractiveAuthentication=no",
      "-o",
      "PermitRootLogin=no",
      "-o",
      "UsePAM=yes",
      "-o",
      "MaxStartups=50",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  child.stderr.pipeTo(new WritableStream()).catch(() => {});
  for (let i = 0; i < 50 && !await _listening(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!await _listening()) throw new Error("sshd did not start on 127.0.0.1:22");
  return {
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/**
 * A local account with a password and a home folder; `remove` ends its processes and deletes
 * its home and what it left in /tmp.
 */
export async function throwawayUser(password: string) {
  const name = `rlan${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
  await _run("useradd", ["-m", "-s", "/bin/sh", name]);
  await _run("chpasswd", [], `${name}:${password}\n`);
  const home = (await _run("getent", ["passwd", name])).split(":")[5];
  return {
    name,
    home,
    async remove() {
      await _run("pkill", ["-KILL", "-u", name]).catch(() => {});
      // What it left in /tmp too: the next throwaway account may get the same uid.
      await _run("find", ["/tmp", "-maxdepth", "1", "-user", name, "-exec", "rm", "-rf", "{}", "+"])
        .catch(() => {});
      await _run("userdel", ["-r", "-f", name]).catch(() => {});
    },
  };
}

/**
 * An X display owned by the throwaway account, as a desktop session of theirs has one: Xvfb
 * started as that user (`runuser`) with `-auth` and a random MIT-MAGIC-COOKIE in a file only
 * they (and root) may read — no other account can open it. The first free display of
 * `displays`; `stop` ends it.
 */
export async function userXvfb(
  account: { name: string; home: string },
  options: { width: number; height: number; displays?: number[] },
): Promise<{ display: string; authority: string; stop(): Promise<void> }> {
  const { displayTaken } = await import("../platform/xvfb_test_support.ts");
  const numbers = options.displays ?? [80, 81, 82, 83, 84, 85, 86, 87, 88, 89];
  let n = -1;
  for (const candidate of numbers) {
    if (!await displayTaken(candidate)) {
      n = candidate;
      break;
    }
  }
  if (n < 0) throw new Error(`no free display among :${numbers.join(", :")}`);
  const display = `:${n}`;
  const authority = `${account.home}/.xauth-${n}`;
  const cookie = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  await _run("xauth", ["-f", authority, "add", display, ".", cookie]);
  await _run("chown", [`${account.name}:`, authority]);
  await Deno.chmod(authority, 0o600);
  const child = new Deno.Command("runuser", {
    args: [
      "-u",
      account.name,
      "--",
      "Xvfb",
      display,
      "-screen",
      "0",
      `${options.width}x${options.height}x24`,
      "+extension",
      "MIT-SHM",
      "-auth",
      authority,
      "-nolisten",
      "tcp",
      "-noreset",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const answers = async () =>
    (await new Deno.Command("xdpyinfo", {
      args: ["-display", display],
      env: { XAUTHORITY: authority },
      stdout: "null",
      stderr: "null",
    }).output()).success;
  for (let i = 0; i < 100 && !await answers(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!await answers()) {
    child.kill("SIGKILL");
    throw new Error(`the throwaway user's Xvfb on ${display} did not start`);
  }
  return {
    display,
    authority,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}
