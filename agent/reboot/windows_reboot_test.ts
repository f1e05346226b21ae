// The Windows reboot layer by the commands it builds (no Windows restarts here; Wine has no
// restart): shutdown.exe per mode, the RunOnce value written with reg.exe and the command line
// in it read back by Windows' own rules, its removal, a refusal's words; relaunchCommand's
// script path for a Windows deno.exe. Under Wine, Windows' own reg.exe stores the RunOnce value
// as built (read back with `reg query`) and removes it.
import assert from "node:assert/strict";
import { rebootOsFor, type RunCommand } from "./os.ts";
import { commandLine, quoteArgument, RUN_ONCE, RUN_ONCE_VALUE, windowsReboot } from "./windows.ts";
import { relaunchCommand } from "./resume.ts";
import { rebootHandlers } from "./handlers.ts";
import { startXvfb } from "../platform/xvfb_test_support.ts";
import { startWine, wineMissing } from "../platform/wine_test_support.ts";

/** CommandLineToArgvW's reading of arguments after the program (the MS C runtime rules). */
function parseCommandLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === "\\") {
        let n = 0;
        while (line[i] === "\\") n++, i++;
        if (line[i] === '"') {
          arg += "\\".repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += "\\".repeat(n);
          i--;
        }
        continue;
      }
      if (c === '"') quoted = !quoted;
      else if ((c === " " || c === "\t") && !quoted) break;
      else arg += c;
    }
    out.push(arg);
  }
  return out;
}

function recorder(codes: Record<string, number> = {}) {
  const calls: [string, string[]][] = [];
  const run: RunCommand = (program, args) => {
    calls.push([program, args]);
    return Promise.resolve({
      code: codes[program] ?? 0,
      stderr: codes[program] ? "Access is denied." : "",
    });
  };
  return { calls, run };
}

Deno.test("Windows restarts: shutdown.exe per mode, every mode offered, a refusal in its words", async () => {
  const { calls, run } = recorder();
  const layer = windowsReboot({ run });
  assert.ok(layer.modes.every((m) => m.available && m.unavailable === null));
  for (const mode of ["normal", "forced", "safe"] as const) await layer.restart(mode);
  assert.deepEqual(calls, [
    ["shutdown.exe", ["/r", "/t", "0"]],
    ["shutdown.exe", ["/r", "/f", "/t", "0"]],
    ["shutdown.exe", ["/r", "/o", "/t", "0"]],
  ]);
  const refused = windowsReboot({ run: recorder({ "shutdown.exe": 5 }).run });
  await assert.rejects(refused.restart("normal"), /Access is denied\./);
  assert.ok(rebootOsFor("windows").modes.every((m) => m.available));
});

Deno.test("Windows resume: a RunOnce value (run in safe mode too) holds the command, then goes", async () => {
  const { calls, run } = recorder();
  const layer = windowsReboot({ run });
  const command = [
    "C:\\Users\\Carol Ann\\AppData\\Local\\Rescue\\deno.exe",
    "run",
    "--allow-net",
    "C:\\Program Files\\Rescue\\agent\\main.ts",
    "--link",
    'https://h.example/s/abc?x=1&y="2"',
    "--state-dir",
    "C:\\Users\\Carol Ann\\state\\",
    "",
  ];
  const path = await layer.installAutostart(command, "C:\\");
  assert.equal(path, `${RUN_ONCE}\\${RUN_ONCE_VALUE}`);
  assert.equal(RUN_ONCE_VALUE.startsWith("*"), true);
  const [program, args] = calls[0];
  assert.equal(program, "reg.exe");
  assert.deepEqual(args.slice(0, 6), ["add", RUN_ONCE, "/v", RUN_ONCE_VALUE, "/t", "REG_SZ"]);
  assert.equal(args[6], "/d");
  assert.deepEqual(parseCommandLine(args[7]), command, args[7]);
  assert.equal(args[8], "/f");
  await layer.removeAutostart(path);
  assert.deepEqual(calls[1], ["reg.exe", ["delete", RUN_ONCE, "/v", RUN_ONCE_VALUE, "/f"]]);
  // Already gone (Windows deletes a RunOnce value as it runs it): no error.
  await windowsReboot({ run: recorder({ "reg.exe": 1 }).run }).removeAutostart(path);
  await assert.rejects(
    windowsReboot({ run: recorder({ "reg.exe": 1 }).run }).installAutostart(command, "C:\\"),
    /Access is denied/,
  );
  assert.equal(quoteArgument("plain"), "plain");
  assert.equal(quoteArgument('a"b'), '"a\\"b"');
  assert.equal(quoteArgument("C:\\x y\\"), '"C:\\x y\\\\"');
  assert.equal(commandLine(["a b", ""]), '"a b" ""');
});

Deno.test("relaunchCommand() gives a script's path as a file path, spaces decoded", () => {
  const command = relaunchCommand("https://h.example/s/abc", "/data", {
    execPath: "/opt/deno",
    mainModule: "file:///opt/rescue%20agent/agent/main.ts",
    args: [],
    cwd: "/",
  });
  assert.ok(command.includes("/opt/rescue agent/agent/main.ts"), command.join(" "));
});

Deno.test("a Windows safe-mode restart asks with the Advanced startup steps, then RunOnce and shutdown /r /o", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-reboot-win-" });
  try {
    const { calls, run } = recorder();
    const handlers = rebootHandlers(
      {
        os: "windows",
        serverUrl: "https://help.example.com",
        token: "tok-abc",
        dataDir,
        log: () => {},
      },
      {
        os: windowsReboot({ run }),
        launched: {
          execPath: "C:\\Rescue\\rescue-agent.exe",
          mainModule: "file:///C:/Rescue/agent/main.ts",
          args: [],
          cwd: "C:\\Rescue",
        },
        settleMs: 1,
        language: "en",
      },
    );
    const asked: string[] = [];
    const context = {
      signal: new AbortController().signal,
      emit: () => {},
      confirm: (detail: string) => (asked.push(detail), Promise.resolve(true)),
      log: () => {},
    };
    await handlers["reboot.start"]!({ kind: "reboot.start", mode: "safe" } as never, context);
    assert.match(asked[0], /Advanced startup menu.*press 5 for Safe Mode with Networking/);
    assert.equal(calls[0][0], "reg.exe");
    assert.deepEqual(parseCommandLine(calls[0][1][7]), [
      "C:\\Rescue\\rescue-agent.exe",
      "--link",
      "https://help.example.com/s/tok-abc",
      "--state-dir",
      dataDir,
    ]);
    assert.deepEqual(calls.at(-1), ["shutdown.exe", ["/r", "/o", "/t", "0"]]);
    await handlers["reboot.start"]!({ kind: "reboot.start", mode: "normal" } as never, context);
    assert.match(asked[1], /^Restart this computer now\. Programs close as usual/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

const missing = await wineMissing();
if (missing) console.warn(`windows_reboot_test: ${missing} — the reg.exe part is ignored`);

Deno.test({
  name: "under Wine, reg.exe stores the RunOnce command line as built and removes it",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 640, height: 480 });
    const wine = await startWine(xvfb.display);
    try {
      const exec = async (program: string, args: string[]) => {
        const out = await new Deno.Command("/usr/lib/wine/wine64", {
          args: [program, ...args],
          env: wine.env,
          stdin: "null",
        }).output();
        const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
        return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
      };
      const run: RunCommand = async (program, args) => {
        const { code, stderr } = await exec(program, args);
        return { code, stderr };
      };
      const layer = windowsReboot({ run });
      const command = [
        "C:\\Users\\Carol Ann\\Rescue\\rescue-agent.exe",
        "--link",
        'https://h.example/s/abc?x=1&y="2"',
        "--state-dir",
        "C:\\Users\\Carol Ann\\state\\",
      ];
      const path = await layer.installAutostart(command, "C:\\");
      const query = await exec("reg", ["query", RUN_ONCE, "/v", RUN_ONCE_VALUE]);
      assert.equal(query.code, 0, query.stderr);
      const stored = /REG_SZ\s+(.*)$/m.exec(query.stdout)?.[1];
      assert.equal(stored, commandLine(command), query.stdout);
      assert.deepEqual(parseCommandLine(stored!), command);
      await layer.removeAutostart(path);
      assert.notEqual((await exec("reg", ["query", RUN_ONCE, "/v", RUN_ONCE_VALUE])).code, 0);
      await layer.removeAutostart(path); // gone already: no error
    } finally {
      await wine.stop();
      await xvfb.stop();
    }
  },
});
