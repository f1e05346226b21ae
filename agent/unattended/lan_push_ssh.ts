/**
 * LAN connect's push over SSH (lan_worker.ts `LanPusher`), with the system's OpenSSH client —
 * never a blind trust of the host: `hostKey` reads the host's keys (`ssh-keyscan`) and gives
 * the technician a fingerprint (`ssh-keygen -l`); `push` trusts only a key with the accepted
 * fingerprint (a known_hosts of its own, `StrictHostKeyChecking=yes`), answers the password
 * prompt through `SSH_ASKPASS` with `SSH_ASKPASS_REQUIRE=force` (the password only in that
 * child's environment; no sshpass, nothing on a command line or on disk), then: a private
 * folder on the host (`mktemp -d`: the first login — a refused password stops here with
 * nothing made), the portable support app for the host's system fetched from the server and
 * unpacked there over the same SSH (`tar xzf -`), and started detached with the session's PIN
 * and `--find-display` (the desktop of the SSH user, user_display.ts — the SSH session has none).
 * A copy or start that fails removes the folder again.
 */
import type { LanPusher, PushOutcome } from "./lan_worker.ts";

const SSH_TIMEOUT_S = 10;
const KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-rsa"];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function _run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: Uint8Array; timeoutMs?: number } = {},
): Promise<Run> {
  const child = new Deno.Command(cmd, {
    args,
    env: options.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
  }, options.timeoutMs ?? 60_000);
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin).catch(() => {});
    await writer.close().catch(() => {});
  }
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** `ssh-keyscan` lines → their fingerprints (`ssh-keygen -lf -`), best key type first. */
async function _scanKeys(
  address: string,
): Promise<{ line: string; fingerprint: string; type: string }[]> {
  const scan = await _run("ssh-keyscan", ["-T", "5", "-p", "22", address], { timeoutMs: 15_000 });
  const lines = scan.stdout.split("\n").filter((l) => l && !l.startsWith("#"));
  const keys = [];
  for (const line of lines) {
    const [, type] = line.split(" ");
    const print = await _run("ssh-keygen", ["-l", "-E", "sha256", "-f", "-"], {
      stdin: new TextEncoder().encode(line + "\n"),
    });
    const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(print.stdout)?.[0];
    if (fingerprint && type) keys.push({ line, fingerprint, type });
  }
  const rank = (type: string) => {
    const i = KEY_TYPES.indexOf(type);
    return i === -1 ? KEY_TYPES.length : i;
  };
  return keys.sort((a, b) => rank(a.type) - rank(b.type));
}

/** The package name of the host's system (`uname -sm`), or null when none is built for it. */
export function platformOf(uname: string): string | null {
  const [os, arch] = uname.trim().split(/\s+/);
  const cpu = arch === "x86_64" || arch === "amd64"
    ? "x64"
    : arch === "aarch64" || arch === "arm64"
    ? "arm64"
    : null;
  if (!cpu) return null;
  if (os === "Linux") return `linux-${cpu}`;
  if (os === "Darwin") return `darwin-${cpu}`;
  return null;
}

/** A single-quoted word for the remote shell. */
function _quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** What ssh's last words say went wrong. */
function _failure(run: Run, otherwise: PushOutcome & { ok: false }): PushOutcome {
  const last = run.stderr.trim().split("\n").filter(Boolean).at(-1)?.slice(0, 300) ?? "";
  if (/Permission denied|Authentication failed|Too many authentication/i.test(run.stderr)) {
    return { ok: false, error: "auth_failed", detail: last };
  }
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(run.stderr)) {
    return { ok: false, error: "host_key_changed", detail: last };
  }
  if (run.code === 255 && /Connection refused|timed out|No route|unreachable/i.test(run.stderr)) {
    return { ok: false, error: "unreachable", detail: last };
  }
  return { ...otherwise, detail: last || otherwise.detail };
}

export interface SshPusherOptions {
  /** The support server (its package download and where the pushed app connects). */
  server: string;
  log: (line: string) => void;
  /** Fetches the package (default: `fetch` from the server). */
  fetchPackage?: (url: string) => Promise<Uint8Array>;
}

export function sshPusher(options: SshPusherOptions): LanPusher {
  const fetchPackage = options.fetchPackage ?? (async (url: string) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  });
  const push = async (request: Parameters<LanPusher["push"]>[0]): Promise<PushOutcome> => {
    const work = await Deno.makeTempDir({ prefix: "rescue-lan-push-" });
    try {
      await Deno.chmod(work, 0o700);
      const keys = (await _scanKeys(request.address)).filter((k) =>
        k.fingerprint === request.fingerprint
      );
      if (keys.length === 0) return { ok: false, error: "host_key_changed" };
      await Deno.writeTextFile(`${work}/known_hosts`, keys.map((k) => k.line).join("\n") + "\n", {
        mode: 0o600,
      });
      const askpass = `${work}/askpass.sh`;
      await Deno.writeTextFile(askpass, `#!/bin/sh\nprintf '%s\\n' "$RESCUE_LAN_SECRET"\n`, {
        mode: 0o700,
      });
      const env = {
        SSH_ASKPASS: askpass,
        SSH_ASKPASS_REQUIRE: "force",
        RESCUE_LAN_SECRET: request.credentials.password,
        DISPLAY: Deno.env.get("DISPLAY") ?? ":0",
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      };
      const ssh = (command: string, stdin?: Uint8Array) =>
        _run("ssh", [
          "-o",
          `UserKnownHostsFile=${work}/known_hosts`,
          "-o",
          "GlobalKnownHostsFile=/dev/null",
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "PubkeyAuthentication=no",
          "-o",
          "PreferredAuthentications=password,keyboard-interactive",
          "-o",
          "NumberOfPasswordPrompts=1",
          "-o",
          `ConnectTimeout=${SSH_TIMEOUT_S}`,
          "-o",
          "LogLevel=ERROR",
          "-l",
          request.credentials.user,
          "-p",
          "22",
          request.address,
          command,
        ], { env, stdin, timeoutMs: 120_000 });
      const first = await ssh(
        `uname -sm && umask 077 && mktemp -d "\${TMPDIR:-/tmp}/rescue-support.XXXXXX"`,
      );
      if (first.code !== 0) return _failure(first, { ok: false, error: "failed" });
      const [uname, folder] = first.stdout.trim().split("\n");
      const platform = platformOf(uname ?? "");
      if (!platform || !folder?.startsWith("/")) {
        if (folder?.startsWith("/")) await ssh(`rm -rf ${_quote(folder)}`);
        return { ok: false, error: "unsupported", detail: (uname ?? "").slice(0, 100) };
      }
      const removeFolder = () => ssh(`rm -rf ${_quote(folder)}`);
      let bytes: Uint8Array;
      try {
        const url = new URL(request.packagePath, options.server);
        url.searchParams.set("download", "1");
        url.searchParams.set("platform", platform);
        bytes = await fetchPackage(url.href);
      } catch (error) {
        await removeFolder();
        return {
          ok: false,
          error: "copy_failed",
          detail: error instanceof Error ? error.message : String(error),
        };
      }
      const copy = await ssh(`tar xzf - -C ${_quote(folder)}`, bytes);
      if (copy.code !== 0) {
        await removeFolder();
        return _failure(copy, { ok: false, error: "copy_failed" });
      }
      const app = `${folder}/rescue-agent`;
      // Portable and for this one session: its folder goes when the app ends.
      // `--find-display`: an SSH session has no DISPLAY; the app looks for the desktop of
      // the user it runs as (user_display.ts), or says plainly that there is none.
      const run = `./rescue-agent.sh --pin ${_quote(request.pin)} --find-display ` +
        `--server ${_quote(options.server)} > ${_quote(`${folder}/support-app.log`)} 2>&1; ` +
        `rm -rf ${_quote(folder)}`;
      const start = await ssh(
        `cd ${_quote(app)} && (setsid nohup sh -c ${_quote(run)} < /dev/null > /dev/null 2>&1 &) ` +
          `&& echo started`,
      );
      if (start.code !== 0 || !start.stdout.includes("started")) {
        await removeFolder();
        return _failure(start, { ok: false, error: "start_failed" });
      }
      options.log(`LAN push: the support app was started on ${request.address} in ${folder}`);
      return { ok: true };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { ok: false, error: "no_ssh_client" };
      throw error;
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  };
  return {
    async hostKey(address) {
      try {
        const [best] = await _scanKeys(address);
        if (!best) return { error: "unreachable" };
        return { fingerprint: best.fingerprint, keyType: best.type };
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return { error: "no_ssh_client" };
        throw error;
      }
    },
    push,
  };
}
