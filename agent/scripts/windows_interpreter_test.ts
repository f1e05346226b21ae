import assert from "node:assert/strict";
import { OpFailure } from "../ops/mod.ts";
import { type InterpreterProbe, windowsInterpreter } from "./windows_interpreter.ts";

const env = (name: string) =>
  ({
    SystemRoot: "C:\\Windows",
    ProgramFiles: "C:\\Program Files",
    ComSpec: "C:\\Windows\\system32\\cmd.exe",
  })[name];
const PS = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
const PWSH = "C:\\Program Files\\PowerShell\\7\\pwsh.exe";

function probe(files: Record<string, string | null>): InterpreterProbe & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    exists: (path) => path in files,
    run: (path) => {
      ran.push(path);
      return Promise.resolve(files[path]);
    },
  };
}

Deno.test("windowsInterpreter(): cmd.exe by %ComSpec%, other programs as they are", async () => {
  assert.deepEqual(
    await windowsInterpreter(["cmd.exe", "/d", "/c", "C:\\t\\a b.cmd"], { env, probe: probe({}) }),
    [
      "C:\\Windows\\system32\\cmd.exe",
      "/d",
      "/c",
      "C:\\t\\a b.cmd",
    ],
  );
  assert.deepEqual(await windowsInterpreter(["cscript.exe", "x.vbs"], { env, probe: probe({}) }), [
    "cscript.exe",
    "x.vbs",
  ]);
});

Deno.test("windowsInterpreter(): a PowerShell that says its version, by its full path", async () => {
  const seen = probe({ [PS]: "5.1.19041.4522\r\n", [PWSH]: "7.4.6\n" });
  assert.deepEqual(
    await windowsInterpreter(["powershell.exe", "-File", "x.ps1"], { env, probe: seen }),
    [
      PS,
      "-File",
      "x.ps1",
    ],
  );
  // Windows PowerShell there but silent (Wine's stand-in): PowerShell 7 is taken.
  assert.deepEqual(
    await windowsInterpreter(["powershell.exe", "-File", "x.ps1"], {
      env,
      probe: probe({ [PS]: "", [PWSH]: "7.4.6\n" }),
    }),
    [PWSH, "-File", "x.ps1"],
  );
});

Deno.test("windowsInterpreter(): no PowerShell, or one that does nothing, is said in words", async () => {
  await assert.rejects(
    windowsInterpreter(["powershell.exe", "-File", "x.ps1"], { env, probe: probe({}) }),
    (error: OpFailure) => {
      assert.equal(error.code, "no_interpreter");
      assert.equal(
        error.message,
        `PowerShell is not installed on this computer (neither ${PS} nor ${PWSH}), so a .ps1 script cannot run here`,
      );
      return true;
    },
  );
  await assert.rejects(
    windowsInterpreter(["powershell.exe", "-File", "x.ps1"], { env, probe: probe({ [PS]: "" }) }),
    (error: OpFailure) => {
      assert.equal(error.code, "no_interpreter");
      assert.match(
        error.message,
        /^PowerShell does not work on this computer: .*powershell\.exe did not say its version/,
      );
      return true;
    },
  );
  await assert.rejects(
    windowsInterpreter(["powershell.exe", "-File", "x.ps1"], { env, probe: probe({ [PS]: null }) }),
    /PowerShell does not work on this computer/,
  );
});
