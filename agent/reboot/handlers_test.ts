import assert from "node:assert/strict";
import type { OpEvent, OpKind } from "../../protocol/mod.ts";
import { type OpContext, OpFailure } from "../ops/mod.ts";
import { parseExec, readDesktopEntry, unescapeValue } from "./desktop_entry.ts";
import { rebootHandlers } from "./handlers.ts";
import { AUTOSTART_FILE, linuxReboot, rebootOsFor, type RunCommand } from "./os.ts";
import { finishResume, readResume, relaunchCommand, RESUME_FILE } from "./resume.ts";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";

interface Rig {
  home: string;
  dataDir: string;
  ran: [string, string[]][];
  steps: string[];
  handlers: ReturnType<typeof rebootHandlers>;
  context<K extends OpKind>(answer: boolean): OpContext<K>;
  close(): Promise<void>;
}

/** The real Linux layer with `systemctl` replaced, on a temporary config and data folder. */
async function rig(options: { root?: boolean; refuse?: string } = {}): Promise<Rig> {
  const home = await Deno.makeTempDir({ prefix: "rescue-reboot-" });
  const dataDir = `${home}/agent-state`;
  const ran: [string, string[]][] = [];
  const steps: string[] = [];
  const run: RunCommand = (program, args) => {
    ran.push([program, args]);
    steps.push("restart");
    return Promise.resolve(
      options.refuse ? { code: 1, stderr: options.refuse } : { code: 0, stderr: "" },
    );
  };
  const handlers = rebootHandlers(
    { os: "linux", serverUrl: "https://help.example.com", token: TOKEN, dataDir, log: () => {} },
    {
      os: linuxReboot({ configHome: `${home}/config`, run, root: options.root ?? false }),
      launched: {
        execPath: "/usr/bin/deno",
        mainModule: "file:///opt/rescue/agent/main.ts",
        args: ["--pin", "123456", "--server", "https://help.example.com", "--display", ":7"],
        cwd: "/opt/rescue",
      },
      settleMs: 5,
      language: "en",
    },
  );
  return {
    home,
    dataDir,
    ran,
    steps,
    handlers,
    context: (answer) => ({
      signal: new AbortController().signal,
      emit: (event) => {
        const { stage, mode } = event as OpEvent<"reboot.start">;
        steps.push(`event:${stage}:${mode}`);
      },
      confirm: (detail: string) => {
        steps.push(`confirm:${detail.slice(0, 20)}`);
        return Promise.resolve(answer);
      },
      log: () => {},
    }),
    close: () => Deno.remove(home, { recursive: true }),
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("reboot.start asks the customer, writes the autostart entry and resume record, announces, then restarts", async () => {
  const r = await rig();
  try {
    const result = await r.handlers["reboot.start"]!(
      { kind: "reboot.start", mode: "normal" },
      r.context(true),
    );
    assert.deepEqual(r.steps, [
      "confirm:Restart this compute",
      "event:restarting:normal",
      "restart",
    ]);
    assert.deepEqual(r.ran, [["systemctl", ["reboot"]]]);
    const device = (await Deno.readTextFile(`${r.dataDir}/device-id`)).trim();
    assert.deepEqual(result, { mode: "normal", deviceId: device });

    const entryPath = `${r.home}/config/autostart/${AUTOSTART_FILE}`;
    assert.equal((await Deno.stat(entryPath)).mode! & 0o777, 0o600, "the link is the user's only");
    const entry = readDesktopEntry(await Deno.readTextFile(entryPath));
    assert.equal(entry.get("Type"), "Application");
    assert.equal(unescapeValue(entry.get("Path")!), "/opt/rescue");
    // The same agent, by link (not the used PIN), same data folder (device id) and display.
    assert.deepEqual(parseExec(entry.get("Exec")!), [
      "/usr/bin/deno",
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-ffi",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-sys",
      "--v8-flags=--max-semi-space-size=2",
      "/opt/rescue/agent/main.ts",
      "--link",
      `https://help.example.com/s/${TOKEN}`,
      "--state-dir",
      r.dataDir,
      "--display",
      ":7",
    ]);
    const record = await readResume(r.dataDir);
    assert.equal(record?.token, TOKEN);
    assert.equal(record?.autostart, entryPath);

    // Back and connected: the entry runs once, the record goes.
    assert.equal(await finishResume(r.dataDir, "another-session-token", linuxReboot()), false);
    assert.ok(await exists(entryPath), "another session's agent leaves it alone");
    assert.equal(
      await finishResume(r.dataDir, TOKEN, linuxReboot({ configHome: `${r.home}/config` })),
      true,
    );
    assert.equal(await exists(entryPath), false);
    assert.equal(await exists(`${r.dataDir}/${RESUME_FILE}`), false);
  } finally {
    await r.close();
  }
});

Deno.test("reboot.start forced ignores inhibitors as a user and skips the service stop as root", async () => {
  for (
    const [root, args] of [[false, ["reboot", "--ignore-inhibitors"]], [true, [
      "reboot",
      "--force",
    ]]] as const
  ) {
    const r = await rig({ root });
    try {
      await r.handlers["reboot.start"]!({ kind: "reboot.start", mode: "forced" }, r.context(true));
      assert.deepEqual(r.ran, [["systemctl", [...args]]]);
      assert.ok(r.steps[0].startsWith("confirm:Force this c"));
    } finally {
      await r.close();
    }
  }
});

async function refusal(promise: Promise<unknown>): Promise<OpFailure> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof OpFailure, `expected an OpFailure, got ${error}`);
  return error;
}

Deno.test("reboot.start refuses safe mode on Linux, and a declined restart writes and runs nothing", async () => {
  const r = await rig();
  try {
    const modes = await r.handlers["reboot.modes"]!({ kind: "reboot.modes" }, r.context(true));
    assert.deepEqual(modes.modes.map((m) => [m.mode, m.available, m.unavailable]), [
      ["normal", true, null],
      ["safe", false, "no_safe_mode"],
      ["forced", true, null],
    ]);
    const safe = await refusal(
      r.handlers["reboot.start"]!({ kind: "reboot.start", mode: "safe" }, r.context(true)),
    );
    assert.equal(safe.code, "mode_unavailable");
    assert.deepEqual(r.steps, [], "not even asked");

    const declined = await refusal(
      r.handlers["reboot.start"]!({ kind: "reboot.start", mode: "normal" }, r.context(false)),
    );
    assert.equal(declined.code, "declined");
    assert.deepEqual(r.ran, []);
    assert.equal(await exists(`${r.home}/config/autostart/${AUTOSTART_FILE}`), false);
    assert.equal(await readResume(r.dataDir), null);
  } finally {
    await r.close();
  }
});

Deno.test("reboot.start whose restart the OS refuses fails with the OS's reason and removes the entry", async () => {
  const r = await rig({ refuse: "Access denied" });
  try {
    const failed = await refusal(
      r.handlers["reboot.start"]!({ kind: "reboot.start", mode: "normal" }, r.context(true)),
    );
    assert.equal(failed.code, "reboot_failed");
    assert.equal(failed.message, "Access denied");
    assert.deepEqual(r.steps.slice(1), ["event:restarting:normal", "restart"]);
    assert.equal(await exists(`${r.home}/config/autostart/${AUTOSTART_FILE}`), false);
    assert.equal(await readResume(r.dataDir), null);
  } finally {
    await r.close();
  }
});

Deno.test("rebootOsFor() offers nothing on the systems whose layer is not built", async () => {
  // Windows has its layer (windows.ts, windows_reboot_test.ts).
  for (const os of ["darwin"] as const) {
    const layer = rebootOsFor(os);
    assert.ok(layer.modes.every((m) => !m.available && m.unavailable === "not_built"));
    await assert.rejects(layer.restart("normal"), /not built/);
  }
});

Deno.test("relaunchCommand() starts a built app as itself, with the link and its folder", () => {
  assert.deepEqual(
    relaunchCommand("https://h.example/s/abc", "/home/c/.config/rescue-agent", {
      execPath: "/home/c/Downloads/rescue-agent-abcdefgh",
      mainModule: "file:///tmp/deno-compile-rescue-agent/agent/main.ts",
      args: ["--no-open"],
      cwd: "/home/c",
    }),
    [
      "/home/c/Downloads/rescue-agent-abcdefgh",
      "--link",
      "https://h.example/s/abc",
      "--state-dir",
      "/home/c/.config/rescue-agent",
      "--no-open",
    ],
  );
});

Deno.test("rebootOsFor() with RESCUE_AGENT_RESTART=exit exits instead of restarting, nothing else", async () => {
  const exits: number[] = [];
  const layer = rebootOsFor("linux", { restart: "exit", exit: (code) => exits.push(code) });
  assert.deepEqual(layer.modes, linuxReboot().modes);
  await layer.restart("normal");
  assert.deepEqual(exits, [0]);
});
