/**
 * The Windows service's pieces that need no Windows: the SERVICE_STATUS it reports, its answer
 * to each control, the installer's command line, environment block and folder, the helper's
 * STARTUPINFOW, the log file's rotation, the helper's ticket and stop file (with a stand-in
 * launcher), and what `unattended.about` / `unattended.install` say when Windows refuses an
 * unelevated app. The real calls run under Wine in tests/e2e/windows_service_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  controlAction,
  SERVICE_CONTROL_INTERROGATE,
  SERVICE_CONTROL_SHUTDOWN,
  SERVICE_CONTROL_STOP,
  SERVICE_RUNNING,
  SERVICE_START_PENDING,
  SERVICE_STOPPED,
  serviceStatus,
} from "./windows_service.ts";
import { environmentBlock, serviceCommandLine, windowsServiceDir } from "./windows_installer.ts";
import { startSessionHelper, startupInfo, type UserSessionProcess } from "./windows_session.ts";
import { fileLog } from "./file_log.ts";
import { unattendedRequestHandlers } from "./request_handlers.ts";
import { unattendedPorts, WINDOWS_NO_CREDENTIALS } from "./ports.ts";
import { type OpEnv, OpFailure } from "../ops/mod.ts";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";

const dword = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer).getUint32(at, true);

Deno.test("SERVICE_STATUS: own process; RUNNING takes stop and shutdown, pending takes nothing", () => {
  const running = serviceStatus(SERVICE_RUNNING);
  assert.equal(running.byteLength, 28);
  assert.equal(dword(running, 0), 0x10); // SERVICE_WIN32_OWN_PROCESS
  assert.equal(dword(running, 4), SERVICE_RUNNING);
  assert.equal(dword(running, 8), 0x1 | 0x4); // ACCEPT_STOP | ACCEPT_SHUTDOWN
  const pending = serviceStatus(SERVICE_START_PENDING, { checkPoint: 3, waitHintMs: 10_000 });
  assert.equal(dword(pending, 8), 0);
  assert.equal(dword(pending, 20), 3);
  assert.equal(dword(pending, 24), 10_000);
  const failed = serviceStatus(SERVICE_STOPPED, { exitCode: 2 });
  assert.equal(dword(failed, 12), 1066); // ERROR_SERVICE_SPECIFIC_ERROR
  assert.equal(dword(failed, 16), 2);
  assert.equal(dword(serviceStatus(SERVICE_STOPPED), 12), 0);
});

Deno.test("the control handler: stop and shutdown stop, interrogate answers, others refused", () => {
  assert.deepEqual(controlAction(SERVICE_CONTROL_STOP), { stop: true, result: 0 });
  assert.deepEqual(controlAction(SERVICE_CONTROL_SHUTDOWN), { stop: true, result: 0 });
  assert.deepEqual(controlAction(SERVICE_CONTROL_INTERROGATE), { stop: false, result: 0 });
  assert.deepEqual(controlAction(2 /* PAUSE */), { stop: false, result: 120 });
});

Deno.test("the installer's binPath, Environment block and folder", () => {
  assert.equal(
    serviceCommandLine(
      ["C:\\Remote support\\deno.exe", "run", "-A", "C:\\Remote support\\agent.js"],
      "C:\\ProgramData\\RemoteSupport\\service.json",
    ),
    '"C:\\Remote support\\deno.exe" run -A "C:\\Remote support\\agent.js" --service --config ' +
      "C:\\ProgramData\\RemoteSupport\\service.json",
  );
  const block = environmentBlock({ A: "1", DENO_CERT: "C:\\x y\\ca.pem" });
  assert.equal(
    new TextDecoder("utf-16le").decode(block),
    "A=1\0DENO_CERT=C:\\x y\\ca.pem\0\0",
  );
  assert.equal(
    windowsServiceDir((name) => name === "ProgramData" ? "D:\\Data" : undefined),
    "D:\\Data\\RemoteSupport",
  );
  assert.equal(windowsServiceDir(() => undefined), "C:\\ProgramData\\RemoteSupport");
});

Deno.test("STARTUPINFOW names the desktop at offset 16, cb 104", () => {
  const desktop = new Uint8Array(8);
  const info = startupInfo(desktop);
  assert.equal(dword(info, 0), 104);
  assert.equal(
    new DataView(info.buffer).getBigUint64(16, true),
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(desktop))),
  );
});

Deno.test("the service log keeps one older generation past its limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "service.log");
    const log = fileLog(path, 200);
    for (let i = 0; i < 6; i++) log(`line ${i} ${"x".repeat(40)}`);
    const now = await Deno.readTextFile(path);
    const before = await Deno.readTextFile(`${path}.1`);
    assert.ok(now.length <= 200 && before.length <= 200);
    assert.match(now, /line 5/);
    assert.match(before, /line \d/);
    assert.match(now, /^\d{4}-\d\d-\d\dT\S+ \[\d+\] line/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the session helper: a ticket for it alone, a stop file to end it, both removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let launched: readonly string[] = [];
    let exit!: (code: number) => void;
    let terminated = false;
    const fake = (command: readonly string[]): UserSessionProcess => {
      launched = command;
      return {
        pid: 42,
        session: 1,
        exited: new Promise((resolve) => exit = resolve),
        terminate: () => terminated = true,
      };
    };
    const lines: string[] = [];
    const helper = await startSessionHelper({
      config: { server: "http://127.0.0.1:1", stateDir: dir, command: ["deno.exe", "run", "a.js"] },
      configPath: join(dir, "service.json"),
      request: { sessionId: "s-1", token: "t-secret", technician: "Ann" },
      log: (line) => lines.push(line),
      launch: fake,
    });
    const at = launched.indexOf("--service-session");
    assert.deepEqual(launched.slice(0, 3), ["deno.exe", "run", "a.js"]);
    const ticket = launched[at + 1];
    assert.deepEqual(launched.slice(at + 2), ["--config", join(dir, "service.json")]);
    // The token is in the ticket file, never on the command line.
    assert.ok(!launched.join(" ").includes("t-secret"));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(ticket)), {
      sessionId: "s-1",
      token: "t-secret",
      technician: "Ann",
    });
    helper.end("the service was stopped");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await Deno.readTextFile(`${ticket}.stop`), "the service was stopped");
    exit(0);
    assert.equal(await helper.done, "the service was stopped");
    assert.equal(terminated, false);
    await assert.rejects(Deno.stat(ticket));
    await assert.rejects(Deno.stat(`${ticket}.stop`));
    assert.match(lines.join("\n"), /session helper 42 ended \(exit code 0\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Windows without an administrator: about says not_elevated, install is refused in words", async () => {
  const env = { os: "windows", dataDir: "/nowhere", serverUrl: "http://x" } as unknown as OpEnv;
  let installed = false;
  const handlers = unattendedRequestHandlers(env, {
    ports: {
      stateDir: "/nowhere/service",
      unavailable: () => "not_elevated",
      deviceKey: () => Promise.reject(new Error("not reached")),
      installService: () => {
        installed = true;
        return Promise.resolve("x");
      },
      hostname: () => "pc",
    },
  });
  const about = await handlers["unattended.about"]!({} as never, {} as never) as {
    canInstall: boolean;
    unavailable: string | null;
  };
  assert.equal(about.canInstall, false);
  assert.equal(about.unavailable, "not_elevated");
  await assert.rejects(
    handlers["unattended.install"]!({} as never, {} as never),
    /needs an administrator: start Remote support as administrator/,
  );
  assert.equal(installed, false);
});

Deno.test("Windows: the service keeps no credentials — a request with them is refused before anything is asked or installed", async () => {
  const env = { os: "windows", dataDir: "/nowhere", serverUrl: "http://x" } as unknown as OpEnv;
  const windows = unattendedPorts(env, {
    askCredentials: () => Promise.reject(new Error("the customer was asked")),
  });
  assert.equal(windows.noCredentials, WINDOWS_NO_CREDENTIALS);
  let asked = false;
  let installed = false;
  const handlers = unattendedRequestHandlers(env, {
    ports: {
      ...windows,
      // Past the SCM's check (an administrator), which needs a real Windows.
      unavailable: () => null,
      askCredentials: () => {
        asked = true;
        return Promise.resolve({ user: "carol", password: "x", verified: false, note: null });
      },
      installService: () => {
        installed = true;
        return Promise.resolve("x");
      },
    },
  });
  const request = {
    kind: "unattended.install" as const,
    requestId: "3f0c1d7e-aaaa-bbbb-cccc-000000000002",
    nonce: "n".repeat(43),
    digest: "d".repeat(43),
    technician: "Ann",
    tools: ["control"] as ApprovalTool[],
    terms: {
      authMode: "customer_credentials" as const,
      kind: "days" as const,
      fromAt: "2026-12-07T00:00:00Z",
      untilAt: "2026-12-10T00:00:00Z",
      dailyStart: null,
      dailyEnd: null,
      weekdays: [],
      timeZone: "Europe/Amsterdam",
      zoneOf: "customer" as const,
    },
  };
  await assert.rejects(
    handlers["unattended.install"]!(request, {
      signal: new AbortController().signal,
      log: () => {},
      confirm: () => Promise.resolve(true),
    } as never),
    (e) =>
      e instanceof OpFailure && e.code === "no_credentials" &&
      /The Windows service does not sign in/.test(e.message),
  );
  assert.equal(asked, false, "the customer is not asked for what is never used");
  assert.equal(installed, false);
});
