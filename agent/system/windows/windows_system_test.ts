// Over 400 lines on purpose: every Windows system-information check shares one Wine start (a second
// prefix and wineserver would cost ≈ 15–30 s of CI); the parsers' unit tests sit below it.
// System information on Windows. Under Wine (wine_test_support.ts: the official Windows Deno on a
// private Xvfb) windows_system_fixture.ts calls windowsSystem() and what it prints is checked
// against what Wine really has and against the protocol's schemas: the OS from Wine's registry
// (read with `wine reg query`), memory against /proc/meminfo, drive C:, the fixture's own
// deno.exe in the process list, services, an application and a Run entry added with
// `wine reg add`, a notepad ended, a service stopped and started. Without Wine: the parsers and
// formatters, and the handlers' choice of the Windows layer and its service names.
import assert from "node:assert/strict";
import type { z } from "zod";
import { isUnitName, isWindowsServiceName, SYSTEM_OPS } from "../../../protocol/system.ts";
import type { OpContext, OpEnv } from "../../ops/mod.ts";
import { systemHandlers } from "../handlers.ts";
import type { SystemOs } from "../os.ts";
import { startXvfb } from "../../platform/xvfb_test_support.ts";
import { startWine, tails, type Wine, wineMissing } from "../../platform/wine_test_support.ts";
import { sidString } from "./accounts.ts";
import { eventEntry, eventPriority, matches, parseEventRecords } from "./events.ts";
import { argumentArray } from "./event_messages.ts";
import { addressOf, fileTimeMs, readWide, readWideList, wide } from "./ffi.ts";
import { cpuUsage, osName, osVersion, within } from "./machine.ts";
import { parseProcessEntry } from "./processes.ts";
import { decodeValue } from "./registry.ts";
import { activeWord, driverFile, serviceError } from "./services.ts";
import { approvedOn, appRow, installDate } from "./software.ts";

const FIXTURE = new URL("./windows_system_fixture.ts", import.meta.url).pathname;
const WINE = "/usr/lib/wine/wine64";
const missing = await wineMissing();
if (missing) console.warn(`windows_system_test: ${missing} — the Wine test is ignored`);

function result<K extends string>(kind: K) {
  return SYSTEM_OPS.find((s) => s.kind === kind)!.result as unknown as z.ZodType;
}

async function wineTool(wine: Wine, args: string[]): Promise<string> {
  const out = await new Deno.Command(WINE, { args, env: wine.env, stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `wine ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

/** A task definition as `schtasks /create /xml` takes it and Windows stores it. */
const TASK_XML = `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>QA</Author>
    <Description>Keeps Rescue QA up to date</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger><Enabled>true</Enabled></LogonTrigger>
    <BootTrigger><Enabled>true</Enabled></BootTrigger>
  </Triggers>
  <Settings>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>C:\\Program Files\\QA\\updater.exe</Command>
      <Arguments>--check</Arguments>
    </Exec>
  </Actions>
</Task>
`;

/** The first VS_FIXEDFILEINFO (signature 0xFEEF04BD) in a PE file's bytes, as a version. */
function fixedVersionIn(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 16 <= bytes.length; at += 4) {
    if (view.getUint32(at, true) !== 0xFEEF04BD) continue;
    const [ms, ls] = [view.getUint32(at + 8, true), view.getUint32(at + 12, true)];
    return [ms >>> 16, ms & 0xFFFF, ls >>> 16, ls & 0xFFFF].join(".");
  }
  return "";
}

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set([0xFF, 0xFE]);
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xFF;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}

/** The fixture's commands that only read: run again when Wine killed the run (KILLED). */
const READS = new Set(["all", "pids", "message"]);

Deno.test({
  name: "windowsSystem() under Wine: what Wine has, in the protocol's shapes; end a process",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const wine = await startWine(xvfb.display);
    // deno-lint-ignore no-explicit-any
    const fixture = async (...args: string[]): Promise<any> => {
      const out = await wine.runDeno(
        [
          "run",
          "--no-config",
          "--allow-ffi",
          "--allow-env",
          "--allow-read",
          wine.winPath(FIXTURE),
          ...args,
        ],
        {},
        { again: READS.has(args[0]) || undefined },
      );
      assert.equal(out.code, 0, tails(out, 2000));
      return JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    };
    let notepad: Deno.ChildProcess | undefined;
    try {
      const uninstall = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\RescueQA";
      for (
        const [name, type, data] of [
          ["DisplayName", "REG_SZ", "Rescue QA Tool"],
          ["DisplayVersion", "REG_SZ", "4.2.1"],
          ["Publisher", "REG_SZ", "QA Publisher"],
          ["InstallDate", "REG_SZ", "20240131"],
          ["EstimatedSize", "REG_DWORD", "2048"],
        ]
      ) await wineTool(wine, ["reg", "add", uninstall, "/v", name, "/t", type, "/d", data, "/f"]);
      const run = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
      const runCommand = "C:\\QA\\tray.exe --quiet";
      await wineTool(wine, ["reg", "add", run, "/v", "RescueQATray", "/d", runCommand, "/f"]);
      const current = await wineTool(wine, [
        "reg",
        "query",
        "HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion",
      ]);
      const regValue = (name: string) =>
        new RegExp(`^\\s*${name}\\s+REG_\\w+\\s+(.*?)\\s*$`, "m").exec(current)?.[1];
      // Scheduled tasks: one made by Wine's own schtasks from an XML definition (Wine 8 keeps
      // neither its triggers nor its command: the file says what Wine stored), one written as
      // Windows's Task Scheduler writes its files (UTF-16 with a BOM, in a Library folder).
      const definition = await Deno.makeTempFile({ suffix: ".xml" });
      await Deno.writeTextFile(definition, TASK_XML);
      await wineTool(wine, [
        "schtasks",
        "/create",
        "/tn",
        "RescueQAUpdater",
        "/xml",
        wine.winPath(definition),
      ]);
      await Deno.remove(definition);
      const library = `${wine.prefix}/drive_c/windows/system32/tasks/Rescue QA`;
      await Deno.mkdir(library, { recursive: true });
      await Deno.writeFile(
        `${library}/Tray Helper`,
        utf16le(
          TASK_XML.replace(
            "<Enabled>true</Enabled>\n  </Settings>",
            "<Enabled>false</Enabled>\n  </Settings>",
          ),
        ),
      );
      await wineTool(wine, [
        "sc",
        "create",
        "RescueQADriver",
        "type=",
        "kernel",
        "start=",
        "demand",
        "binPath=",
        "C:\\windows\\system32\\drivers\\ksecdd.sys",
      ]);
      notepad = wine.spawn("notepad", []);
      await new Promise((r) => setTimeout(r, 1500));

      const all = await fixture("all");
      for (
        const [kind, value] of [
          ["system.snapshot", all.snapshot],
          ["system.processes", all.processes],
          ["system.services", all.services],
          ["system.applications", all.applications],
          ["system.user", all.user],
          ["system.drivers", all.drivers],
          ["system.startup", all.startup],
          ["system.events", all.events],
        ]
      ) {
        const checked = result(kind).safeParse(value);
        assert.ok(checked.success, `${kind}: ${JSON.stringify(checked.error?.issues)}`);
      }
      const s = all.snapshot;
      assert.equal(s.os.value.name, regValue("ProductName"), JSON.stringify(s.os));
      assert.match(s.os.value.version, new RegExp(`build ${regValue("CurrentBuild")}`));
      assert.equal(s.kernel.value.release.split(".")[2], regValue("CurrentBuild"), current);
      assert.equal(s.kernel.value.machine, "x86_64", JSON.stringify(s.kernel));
      const meminfo = await Deno.readTextFile("/proc/meminfo");
      const linuxTotal = Number(/MemTotal:\s+(\d+) kB/.exec(meminfo)![1]) * 1024;
      assert.ok(s.memory.value.totalBytes > 0 && s.memory.value.totalBytes <= linuxTotal);
      assert.ok(s.memory.value.availableBytes <= s.memory.value.totalBytes);
      const c = s.disks.value.find((d: { mount: string }) => d.mount === "C:\\");
      assert.ok(c, JSON.stringify(s.disks));
      assert.ok(c.totalBytes > 0 && c.freeBytes <= c.totalBytes && c.availableBytes > 0);
      assert.ok(s.boot.value.uptimeSeconds > 0);
      assert.ok(s.cpu.value.logical >= 1 && s.cpu.value.load1 === null);
      assert.ok(s.users.value.current.length > 0);
      assert.equal(s.tasks.why, "not_built", JSON.stringify(s.tasks));
      assert.deepEqual(
        s.problems.value.sources.map((x: { status: { value: { where: string } } }) =>
          x.status.value.where
        ),
        ["System", "Application"],
      );

      const rows = all.processes.value.rows;
      const self = rows.find((r: { pid: number }) => r.pid === all.pid);
      assert.ok(
        self,
        `the fixture's own PID ${all.pid} in ${
          JSON.stringify(rows.map((r: { pid: number }) => r.pid))
        }`,
      );
      assert.match(self.name, /^deno.*\.exe$/i);
      assert.ok(self.memoryBytes > 10_000_000 && self.cpuSeconds > 0 && self.threads > 0);
      assert.match(self.command, /deno.*\.exe$/i);
      const pad = rows.find((r: { name: string }) => r.name.toLowerCase() === "notepad.exe");
      assert.ok(pad, "notepad in the process list");

      assert.ok(all.services.value.length > 0);
      const plugplay = all.services.value.find((x: { name: string }) => x.name === "PlugPlay");
      assert.deepEqual([plugplay?.active, plugplay?.sub, plugplay?.enabled], [
        "active",
        "running",
        "auto",
      ]);
      // dwControlsAccepted: Wine's PlugPlay accepts a stop request, its Eventlog does not (as
      // Windows's own Event Log service); a Disabled service cannot be started.
      const service = (name: string) =>
        all.services.value.find((x: { name: string }) => x.name === name);
      assert.deepEqual(
        [plugplay?.canStart, plugplay?.canStop, service("Eventlog")?.sub],
        [true, true, "running"],
      );
      assert.equal(service("Eventlog")?.canStop, false, JSON.stringify(service("Eventlog")));
      assert.deepEqual(
        [service("LanmanServer")?.enabled, service("LanmanServer")?.canStart],
        ["disabled", false],
      );
      assert.deepEqual(
        all.applications.apps.find((a: { name: string }) => a.name === "Rescue QA Tool"),
        {
          source: "registry",
          name: "Rescue QA Tool",
          version: "4.2.1",
          summary: "QA Publisher · installed 2024-01-31",
          sizeBytes: 2048 * 1024,
        },
      );
      assert.deepEqual(
        all.startup.autostart.value.find((a: { name: string }) => a.name === "RescueQATray"),
        {
          name: "RescueQATray",
          command: runCommand,
          file: "HKEY_CURRENT_USER\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
          enabled: true,
        },
      );
      assert.ok(all.startup.tasks.available, JSON.stringify(all.startup.tasks));
      assert.deepEqual(all.startup.tasks.value, [
        {
          name: "\\Rescue QA\\Tray Helper",
          command: '"C:\\Program Files\\QA\\updater.exe" --check',
          triggers: ["logon", "boot"],
          enabled: false,
        },
        { name: "\\RescueQAUpdater", command: "", triggers: [], enabled: true },
      ]);
      assert.equal(all.user.value.name, s.users.value.current, JSON.stringify(all.user));
      assert.ok(all.user.value.groups.some((g: { name: string }) => g.name === "Everyone"));
      // A driver's file version from its image's version resource (version.dll), against the
      // VS_FIXEDFILEINFO found in the file's bytes here on Linux: Wine's ksecdd.sys has one
      // (registered as a driver service above), its mountmgr.sys none (the version stays empty).
      const drivers = (name: string) =>
        all.drivers.value.find((d: { name: string }) => d.name === name);
      const image = (file: string) =>
        Deno.readFile(`${wine.prefix}/drive_c/windows/system32/drivers/${file}`);
      const ksecdd = drivers("RescueQADriver");
      assert.match(ksecdd?.version ?? "", /^\d+\.\d+\.\d+\.\d+$/, JSON.stringify(ksecdd));
      assert.equal(ksecdd.version, fixedVersionIn(await image("ksecdd.sys")));
      assert.equal(fixedVersionIn(await image("mountmgr.sys")), "");
      assert.equal(drivers("MountMgr")?.version, "", JSON.stringify(drivers("MountMgr")));

      // End the notepad: asked to close (WM_CLOSE: it exits with 0 by itself), gone from the
      // list; a second one forced (TerminateProcess's exit code 1).
      const exited = (child: Deno.ChildProcess) =>
        Promise.race([
          child.status.then((s) => s.code),
          new Promise((r) => setTimeout(() => r("still running"), 5000)),
        ]);
      const ended = await fixture("end", String(pad.pid));
      assert.equal(ended.before?.name, "notepad.exe", JSON.stringify(ended));
      assert.equal(ended.error, null, JSON.stringify(ended));
      assert.ok(ended.after === null || ended.after.state === "Z", JSON.stringify(ended));
      assert.equal(await exited(notepad), 0, "closed by WM_CLOSE");
      notepad = wine.spawn("notepad", []);
      await new Promise((r) => setTimeout(r, 1500));
      const { pids } = await fixture("pids", "notepad.exe");
      assert.equal(pids.length, 1, JSON.stringify(pids));
      const forced = await fixture("end", String(pids[0]), "force");
      assert.equal(forced.error, null, JSON.stringify(forced));
      assert.equal(await exited(notepad), 1, "ended by TerminateProcess");
      notepad = undefined;
      assert.match((await fixture("end", "99996")).error, /^NotFound/);

      // An event's sentence from a message table (Wine's event log is empty: kernelbase's own
      // table stands in), the record's strings put in; one string short, the gap stays empty.
      assert.deepEqual(await fixture("message", "kernelbase.dll", "317", "1234", "netmsg.dll"), {
        loaded: true,
        text: "Message 0x1234 not found in file netmsg.dll.",
      });
      assert.deepEqual(await fixture("message", "kernelbase.dll", "317", "1234"), {
        loaded: true,
        text: "Message 0x1234 not found in file .",
      });

      // A service stopped and started again through the Service Control Manager.
      const stopped = await fixture("service", "stop", "PlugPlay");
      assert.deepEqual(stopped.done, { ok: true, active: "inactive" });
      assert.equal(stopped.row.sub, "stopped", JSON.stringify(stopped));
      const started = await fixture("service", "start", "PlugPlay");
      assert.deepEqual(started.done, { ok: true, active: "active" });
      assert.equal(started.row.sub, "running", JSON.stringify(started));
      const refused = await fixture("service", "stop", "NoSuchServiceQA");
      assert.equal(refused.done.ok, false, JSON.stringify(refused));
      assert.match(refused.done.reason, /error 1060: there is no such service/);
    } finally {
      notepad?.kill();
      await wine.stop();
      await xvfb.stop();
    }
  },
});

Deno.test("Windows parsers: UTF-16, FILETIME, registry values, SIDs", () => {
  assert.deepEqual([...wide("Aé")], [0x41, 0, 0xE9, 0, 0, 0]);
  assert.equal(readWide(wide("C:\\Windows")), "C:\\Windows");
  assert.deepEqual(readWideList(new Uint8Array([...wide("C:\\"), ...wide("Z:\\"), 0, 0])), [
    "C:\\",
    "Z:\\",
  ]);
  assert.equal(fileTimeMs(116_444_736_000_000_000n), 0);
  assert.equal(
    new Date(fileTimeMs(133_485_408_000_000_000n)).toISOString(),
    "2024-01-01T00:00:00.000Z",
  );
  assert.equal(decodeValue(1, wide("Windows 10 Pro")), "Windows 10 Pro");
  assert.equal(decodeValue(4, new Uint8Array([0x4B, 0x4A, 0, 0])), 19019);
  assert.equal(decodeValue(11, new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0])), 2 ** 32 + 1);
  assert.deepEqual(decodeValue(7, new Uint8Array([...wide("a"), ...wide("b"), 0, 0])), ["a", "b"]);
  assert.ok(decodeValue(3, new Uint8Array([2, 0])) instanceof Uint8Array);
  // S-1-5-32-544 (BUILTIN\Administrators)
  assert.equal(
    sidString(new Uint8Array([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0])),
    "S-1-5-32-544",
  );
});

Deno.test("Windows parsers: a PROCESSENTRY32W, event log records, their priorities and filter", () => {
  const entry = new Uint8Array(568);
  const view = new DataView(entry.buffer);
  view.setUint32(8, 4242, true);
  view.setUint32(28, 7, true);
  view.setUint32(32, 600, true);
  entry.set(wide("notepad.exe"), 44);
  assert.deepEqual(parseProcessEntry(entry), {
    pid: 4242,
    threads: 7,
    ppid: 600,
    name: "notepad.exe",
  });

  const record = (type: number, id: number, seconds: number, source: string, strings: string[]) => {
    const head = new Uint8Array(56);
    const tail = [...wide(source), ...wide("PC")];
    const texts = strings.flatMap((s) => [...wide(s)]);
    const out = new Uint8Array(56 + tail.length + texts.length);
    const v = new DataView(out.buffer);
    out.set(head);
    v.setUint32(0, out.length, true);
    v.setUint32(12, seconds, true);
    v.setUint32(20, 0x8000_0000 | id, true);
    v.setUint16(24, type, true);
    v.setUint16(26, strings.length, true);
    v.setUint32(36, 56 + tail.length, true);
    out.set(tail, 56);
    out.set(texts, 56 + tail.length);
    return out;
  };
  const bytes = new Uint8Array([
    ...record(1, 7000, 1_700_000_000, "Service Control Manager", ["Spooler", "1053"]),
    ...record(2, 51, 1_699_999_000, "disk", []),
  ]);
  const records = parseEventRecords(bytes);
  assert.equal(records.length, 2);
  assert.deepEqual(eventEntry(records[0]), {
    time: "2023-11-14T22:13:20.000Z",
    priority: 3,
    source: "Service Control Manager",
    message: "Event 7000: Spooler | 1053",
  });
  assert.equal(eventEntry(records[1]).message, "Event 51");
  assert.deepEqual([1, 2, 4, 8, 16].map(eventPriority), [3, 4, 6, 6, 4]);
  assert.equal(matches(eventEntry(records[1]), { maxPriority: 3, text: "" }), false);
  assert.equal(matches(eventEntry(records[0]), { maxPriority: 4, text: "spooler" }), true);
  assert.equal(matches(eventEntry(records[0]), { maxPriority: 4, text: "printer" }), false);
  assert.equal(parseEventRecords(bytes.subarray(0, 40)).length, 0); // cut short: nothing read
});

Deno.test("Windows event messages: every insert %1…%99 points into the strings' buffer", () => {
  const { text, args } = argumentArray(["a", "bc"]);
  const base = addressOf(text);
  const pointers = new BigUint64Array(args.buffer);
  assert.equal(pointers.length, 99);
  assert.equal(readWide(text, Number(pointers[0] - base)), "a");
  assert.equal(readWide(text, Number(pointers[1] - base)), "bc");
  assert.ok(pointers.slice(2).every((p) => readWide(text, Number(p - base)) === ""));
  assert.equal(
    eventEntry(
      { timeMs: 0, fullId: 7036, eventId: 7036, priority: 6, source: "SCM", strings: ["x"] },
      "The Print Spooler service entered the running state.\r\n",
    ).message,
    "The Print Spooler service entered the running state.",
  );
});

Deno.test("a drive that does not answer in time is left out, one that does is read", async () => {
  assert.equal(await within(new Promise(() => {}), 20), undefined);
  assert.equal(await within(Promise.resolve(1), 1000), 1);
});

Deno.test("Windows formatting: OS name and version, apps, start-up state, drivers, services", () => {
  assert.equal(osName("Windows 10 Pro", 22631), "Windows 11 Pro");
  assert.equal(osName("Windows 10 Pro", 19045), "Windows 10 Pro");
  assert.equal(osVersion("22H2", "19045", 3570), "22H2 (build 19045.3570)");
  assert.equal(osVersion("", "7601", undefined), "build 7601");
  assert.equal(installDate("20240131"), "2024-01-31");
  const values = (o: Record<string, string | number>) => new Map(Object.entries(o));
  assert.equal(appRow(values({ DisplayName: "KB123", SystemComponent: 1 })), undefined);
  assert.equal(appRow(values({ Publisher: "no name" })), undefined);
  assert.deepEqual(appRow(values({ DisplayName: " 7-Zip ", DisplayVersion: "23.01" })), {
    source: "registry",
    name: "7-Zip",
    version: "23.01",
    summary: "",
    sizeBytes: null,
  });
  assert.equal(approvedOn(undefined), true);
  assert.equal(approvedOn(new Uint8Array([2, 0, 0])), true);
  assert.equal(approvedOn(new Uint8Array([3, 0, 0])), false);
  assert.equal(
    driverFile("\\SystemRoot\\System32\\drivers\\disk.sys", "C:\\Windows"),
    "C:\\Windows\\System32\\drivers\\disk.sys",
  );
  assert.equal(
    driverFile("System32\\drivers\\x.sys", "C:\\Windows"),
    "C:\\Windows\\System32\\drivers\\x.sys",
  );
  assert.equal(driverFile("\\??\\D:\\x.sys", "C:\\Windows"), "D:\\x.sys");
  assert.deepEqual([1, 2, 3, 4, 7].map(activeWord), [
    "inactive",
    "activating",
    "deactivating",
    "active",
    "active",
  ]);
  assert.match(serviceError("Spooler", "StartServiceW", 1058), /error 1058: it is disabled/);
  assert.equal(cpuUsage({ idle: 0n, total: 0n }, { idle: 250n, total: 1000n }), 75);
  assert.equal(cpuUsage(undefined, { idle: 0n, total: 1n }), null);
});

const env: OpEnv = {
  os: "windows",
  serverUrl: "http://127.0.0.1",
  token: "t",
  dataDir: "/tmp",
  log() {},
};

Deno.test("the handlers take the Windows layer on Windows, and its service names", async () => {
  assert.ok("system.snapshot" in systemHandlers(env));
  assert.deepEqual(systemHandlers({ ...env, os: "darwin" }), {});
  assert.ok(isWindowsServiceName("MSSQL$SQLEXPRESS") && isWindowsServiceName("Wine Mono"));
  for (const bad of ["a\\b", "a/b", "-x", " x", "a\nb", "", "x".repeat(257)]) {
    assert.equal(isWindowsServiceName(bad), false, bad);
  }
  const asked: string[] = [];
  const fake = {
    serviceAction: (name: string) => Promise.resolve({ ok: true as const, active: `done ${name}` }),
  } as unknown as SystemOs;
  const ctx: OpContext = {
    signal: new AbortController().signal,
    emit() {},
    confirm: (d) => (asked.push(d), Promise.resolve(true)),
    log() {},
  };
  type Loose = (r: Record<string, unknown>, c: OpContext) => Promise<{ active: string }>;
  const on = (os: string) =>
    (systemHandlers({ ...env, os } as OpEnv, { os: fake, language: "en" }) as unknown as Record<
      string,
      Loose
    >)["system.serviceAction"];
  assert.equal(
    (await on("windows")({ unit: "Spooler", action: "stop" }, ctx)).active,
    "done Spooler",
  );
  assert.equal(asked.length, 1);
  assert.equal(isUnitName("Spooler"), false);
  await assert.rejects(on("linux")({ unit: "Spooler", action: "stop" }, ctx), /Not a service name/);
  assert.equal(asked.length, 1); // nothing asked, nothing run
});
