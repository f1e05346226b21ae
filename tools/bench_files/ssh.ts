/**
 * `bench:files`' loopback floor: what an administrator would use to move the same files between
 * two folders of one machine over the network stack — `scp` for the large file and `rsync -a`
 * over ssh for the tree — against a private `sshd` started on a free loopback port with keys
 * made for this run (OpenSSH's default cipher and settings). Null when `sshd` is not installed
 * (Debian: `apt-get install openssh-server`); the bench then says the floor was not measured.
 */
import { join } from "node:path";
import { freePort, sleep } from "../bench_common.ts";

const SSHD = ["/usr/sbin/sshd", "/usr/bin/sshd"];

export interface LoopbackSsh {
  /** The pid of the sshd that serves this run (its children do the copying). */
  pid: number;
  /** `scp` of one file to `to`, both local paths, through loopback ssh. */
  scp(from: string, to: string): Promise<void>;
  /** `rsync -a` of folder `from` into folder `to` through loopback ssh. */
  rsync(from: string, to: string): Promise<void>;
  stop(): Promise<void>;
}

async function run(command: string, args: string[]) {
  const out = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function exists(path: string) {
  return await Deno.stat(path).then(() => true, () => false);
}

export async function startLoopbackSsh(dir: string): Promise<LoopbackSsh | null> {
  let sshd: string | undefined;
  for (const path of SSHD) if (await exists(path)) sshd = path;
  if (!sshd) return null;
  await Deno.mkdir(dir, { recursive: true });
  const hostKey = join(dir, "host_ed25519");
  const userKey = join(dir, "user_ed25519");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", userKey]);
  await Deno.copyFile(`${userKey}.pub`, join(dir, "authorized_keys"));
  // sshd's privilege separation needs its empty directory; a fresh container may lack it.
  await Deno.mkdir("/run/sshd", { recursive: true }).catch(() => {});
  const port = freePort();
  const config = join(dir, "sshd_config");
  await Deno.writeTextFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      `PidFile ${join(dir, "sshd.pid")}`,
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  const daemon = new Deno.Command(sshd, {
    args: ["-D", "-e", "-f", config],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errors: string[] = [];
  (async () => {
    for await (const text of daemon.stderr.pipeThrough(new TextDecoderStream())) errors.push(text);
  })();
  const sshOptions = [
    "-i",
    userKey,
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    `UserKnownHostsFile=${join(dir, "known_hosts")}`,
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
  ];
  const user = Deno.env.get("USER") ?? "root";
  // Wait until it answers a real login, not only the port.
  for (let i = 0;; i++) {
    const probe = await new Deno.Command("ssh", {
      args: ["-p", String(port), ...sshOptions, `${user}@127.0.0.1`, "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (probe.success) break;
    if (i > 100) {
      daemon.kill();
      throw new Error(`sshd on ${port} did not accept the key: ${errors.join("")}`);
    }
    await sleep(100);
  }
  return {
    pid: daemon.pid,
    scp: (from, to) =>
      run("scp", ["-q", "-P", String(port), ...sshOptions, from, `${user}@127.0.0.1:${to}`]),
    rsync: (from, to) =>
      run("rsync", [
        "-a",
        "-e",
        ["ssh", "-p", String(port), ...sshOptions].join(" "),
        `${from}/`,
        `${user}@127.0.0.1:${to}/`,
      ]),
    async stop() {
      try {
        daemon.kill();
      } catch {
        // gone already
      }
      await daemon.status;
    },
  };
}
