// The customer's own command (local_command.ts): the Linux script run for real by sh with awkward
// words (spaces, quotes, a percent sign) and the trust variables; the Windows .cmd's lines as
// cmd.exe reads them (quoting, %% for a literal percent, CRLF). Under Wine the installed .cmd is
// run by tests/e2e/windows_service_test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  linuxCommandScript,
  revokeCommand,
  WINDOWS_COMMAND_FILE,
  windowsCommandScript,
} from "./local_command.ts";
import { SystemdInstaller } from "./installer.ts";

Deno.test("remote-support on Linux: the customer's words, then the service's config, with its trust", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rescue-local-command-" });
  try {
    // A stand-in for the agent that prints what it was given.
    const echo = join(dir, "it's an agent.sh");
    await Deno.writeTextFile(
      echo,
      '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\necho "cert:$DENO_CERT"\n',
      { mode: 0o755 },
    );
    const script = join(dir, "remote-support");
    await Deno.writeTextFile(
      script,
      linuxCommandScript(["/bin/sh", echo, "100% sure"], join(dir, "my state/service.json"), {
        DENO_CERT: join(dir, "ca $HOME.pem"),
      }),
      { mode: 0o755 },
    );
    const out = await new Deno.Command(script, { args: ["--unattended", "revoke"] }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(new TextDecoder().decode(out.stdout).trim().split("\n"), [
      "arg:100% sure",
      "arg:--unattended",
      "arg:revoke",
      "arg:--config",
      `arg:${dir}/my state/service.json`,
      `cert:${dir}/ca $HOME.pem`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Linux installer: the app copied to /opt, remote-support in /usr/local/bin, the unit enabled and started; uninstall undoes it", async () => {
  const root = await Deno.makeTempDir({ prefix: "rescue-local-root-" });
  const download = await Deno.makeTempDir({ prefix: "rescue-download-" });
  try {
    // The portable package as the customer unpacked it: the runtime, agent.js and the CA.
    await Deno.writeTextFile(`${download}/deno`, "the runtime", { mode: 0o755 });
    await Deno.writeTextFile(`${download}/agent.js`, "the agent");
    await Deno.writeTextFile(`${download}/ca.pem`, "the desk's CA");
    const calls: string[] = [];
    const installer = new SystemdInstaller(root, {
      systemctl: (args) => (calls.push(args.join(" ")), Promise.resolve()),
    });
    await installer.install({
      server: "http://127.0.0.1:1",
      stateDir: `${root}/var/lib/rescue-agent`,
      command: [`${download}/deno`, "run", "--allow-all", `${download}/agent.js`],
      trust: { DENO_CERT: `${download}/ca.pem`, DENO_TLS_CA_STORE: "mozilla,system" },
    });
    assert.deepEqual(calls, [
      "daemon-reload",
      "enable rescue-agent.service",
      "restart rescue-agent.service",
    ]);
    const [app] = [...Deno.readDirSync(`${root}/opt/rescue-agent`)].map((e) => e.name);
    assert.match(app, /^app-[0-9a-f]{12}$/);
    const dir = `${root}/opt/rescue-agent/${app}`;
    // The download may go: everything the service runs is in the copy.
    await Deno.remove(download, { recursive: true });
    assert.equal(await Deno.readTextFile(`${dir}/agent.js`), "the agent");
    assert.equal((await Deno.stat(`${dir}/deno`)).mode! & 0o111, 0o111);
    const unit = await Deno.readTextFile(installer.unitPath);
    assert.match(
      unit,
      new RegExp(`^ExecStart=${dir}/deno run --allow-all ${dir}/agent.js --service`, "m"),
    );
    assert.match(unit, new RegExp(`^Environment=DENO_CERT=${dir}/ca.pem$`, "m"));
    const path = `${root}/usr/local/bin/remote-support`;
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o755);
    assert.match(
      await Deno.readTextFile(path),
      new RegExp(
        `^exec ${dir}/deno run --allow-all ${dir}/agent.js "\\$@" --config ${root}/var/lib/rescue-agent/service\\.json$`,
        "m",
      ),
    );
    await installer.uninstall();
    assert.deepEqual(calls.slice(3), ["disable --now rescue-agent.service", "daemon-reload"]);
    for (const gone of [path, installer.unitPath, `${root}/opt/rescue-agent`]) {
      await assert.rejects(Deno.stat(gone), Deno.errors.NotFound);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(download, { recursive: true }).catch(() => {});
  }
});

Deno.test("remote-support.cmd: quoted paths, %% for a literal percent, the trust set locally, CRLF", () => {
  const text = windowsCommandScript(
    ["C:\\Remote support\\deno.exe", "run", "-A", "C:\\Remote support\\agent.js"],
    "C:\\ProgramData\\RemoteSupport\\service.json",
    { DENO_CERT: "C:\\Users\\Ann\\100%\\ca.pem" },
  );
  const lines = text.split("\r\n");
  assert.equal(lines.at(-1), "");
  assert.ok(!lines.some((line) => line.includes("\n")));
  assert.equal(lines[0], "@echo off");
  assert.ok(lines.includes("setlocal"));
  assert.ok(lines.includes('set "DENO_CERT=C:\\Users\\Ann\\100%%\\ca.pem"'));
  assert.equal(
    lines.at(-2),
    '"C:\\Remote support\\deno.exe" run -A "C:\\Remote support\\agent.js" %* --config C:\\ProgramData\\RemoteSupport\\service.json',
  );
  assert.equal(WINDOWS_COMMAND_FILE, "remote-support.cmd");
});

Deno.test("revokeCommand: what the consent question names on each system", () => {
  assert.equal(revokeCommand("linux"), "remote-support --unattended revoke");
  assert.equal(
    revokeCommand("windows", "C:\\ProgramData\\RemoteSupport"),
    '"C:\\ProgramData\\RemoteSupport\\remote-support.cmd" --unattended revoke',
  );
});
