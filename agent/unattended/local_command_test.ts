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

Deno.test("the Linux installer puts remote-support in /usr/local/bin under its root; uninstall removes it", async () => {
  const root = await Deno.makeTempDir({ prefix: "rescue-local-root-" });
  try {
    const installer = new SystemdInstaller(root);
    await installer.install({
      server: "http://127.0.0.1:1",
      stateDir: `${root}/var/lib/rescue-agent`,
      command: ["/opt/rescue/agent"],
    });
    const path = `${root}/usr/local/bin/remote-support`;
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o755);
    assert.match(
      await Deno.readTextFile(path),
      new RegExp(
        `^exec /opt/rescue/agent "\\$@" --config ${root}/var/lib/rescue-agent/service\\.json$`,
        "m",
      ),
    );
    await installer.uninstall();
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
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
