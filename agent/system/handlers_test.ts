/**
 * The system handlers on this machine, through the real Linux layer: what the dashboard says
 * is checked against `uname`, /proc/meminfo and `df`; every answer fits its spec; ending a
 * process asks the customer first and ends only that process; bad input runs nothing.
 */
import assert from "node:assert/strict";
import type { z } from "zod";
import { SYSTEM_OPS } from "../../protocol/system.ts";
import type { OpContext, OpEnv } from "../ops/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import { systemHandlers } from "./handlers.ts";

const env: OpEnv = {
  os: "linux",
  serverUrl: "http://127.0.0.1",
  token: "t",
  dataDir: "/tmp",
  log() {},
};
type Spec = typeof SYSTEM_OPS[number];
type Kind = Spec["kind"];
type Result<K extends Kind> = z.infer<Extract<Spec, { kind: K }>["result"]>;
type Loose = (r: Record<string, unknown>, c: OpContext) => Promise<unknown>;
const handlers = systemHandlers(env, { language: "en" }) as unknown as Record<string, Loose>;

function context(answer: boolean) {
  const asked: string[] = [];
  const ctx: OpContext = {
    signal: new AbortController().signal,
    emit() {},
    confirm: (detail) => (asked.push(detail), Promise.resolve(answer)),
    log() {},
  };
  return { ctx, asked };
}

async function call<K extends Kind>(kind: K, params: Record<string, unknown> = {}, answer = true) {
  const spec = SYSTEM_OPS.find((s) => s.kind === kind)!;
  const request = spec.request.parse({ kind, ...params });
  const { ctx, asked } = context(answer);
  const raw = await handlers[kind](request, ctx);
  // What the agent sends must fit the spec.
  const result = spec.result.parse(raw) as Result<K>;
  return { result, asked };
}

async function sh(command: string, ...args: string[]) {
  const out = await new Deno.Command(command, { args }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("system.snapshot shows this machine as uname, /proc/meminfo and df see it", async () => {
  const { result } = await call("system.snapshot");
  assert.ok(result.kernel.available);
  assert.equal(result.kernel.value.release, (await sh("uname", "-r")).trim());
  assert.equal(result.kernel.value.machine, (await sh("uname", "-m")).trim());
  assert.ok(result.hostname.available);
  assert.equal(result.hostname.value, (await sh("uname", "-n")).trim());
  const memTotal = /^MemTotal:\s+(\d+) kB/m.exec(await Deno.readTextFile("/proc/meminfo"))![1];
  assert.ok(result.memory.available);
  assert.equal(result.memory.value.totalBytes, Number(memTotal) * 1024);
  assert.ok(result.disks.available);
  const df = (await sh("df", "-B1", "--output=size,avail,target", "/")).trim().split("\n")[1]
    .trim().split(/\s+/);
  const root = result.disks.value.find((d: { mount: string }) => d.mount === "/");
  assert.ok(root, "the root file system is listed");
  assert.equal(root.totalBytes, Number(df[0]));
  assert.ok(Math.abs(root.availableBytes - Number(df[1])) < 64 * 1024 * 1024, "free space as df");
  assert.ok(result.os.available);
  const release = await Deno.readTextFile("/etc/os-release");
  assert.equal(result.os.value.name, /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)![1]);
  assert.ok(result.cpu.available && result.cpu.value.logical === navigator.hardwareConcurrency);
  assert.ok(result.boot.available);
  const uptime = Number((await Deno.readTextFile("/proc/uptime")).split(" ")[0]);
  assert.ok(Math.abs(result.boot.value.uptimeSeconds - uptime) < 5);
  assert.ok(result.topProcesses.available && result.topProcesses.value.length === 5);
  // No DMI tables on this virtual machine: said so, with where it looked.
  const dmi = await Deno.stat("/sys/class/dmi/id").then(() => true, () => false);
  assert.equal(result.firmware.available, dmi);
  if (!result.firmware.available) assert.match(result.firmware.detail, /\/sys\/class\/dmi\/id/);
});

Deno.test("system.processes lists a process the test started, with its command", async () => {
  const child = new Deno.Command("sleep", { args: ["601"] }).spawn();
  try {
    const { result } = await call("system.processes");
    assert.ok(result.available);
    const row = result.value.rows.find((r: { pid: number }) => r.pid === child.pid);
    assert.ok(row);
    assert.equal(row.name, "sleep");
    assert.match(row.command, /^(\/usr)?(\/bin\/)?sleep 601$/);
    assert.equal(row.ppid, Deno.pid);
  } finally {
    child.kill();
    await child.status;
  }
});

Deno.test("system.endProcess asks the customer, then ends that process; a no leaves it", async () => {
  const child = new Deno.Command("sleep", { args: ["602"] }).spawn();
  try {
    await assert.rejects(
      call("system.endProcess", { pid: child.pid, force: false }, false),
      (e) => e instanceof OpFailure && e.code === "declined",
    );
    assert.ok(await Deno.stat(`/proc/${child.pid}`), "still running after a no");
    const { result, asked } = await call("system.endProcess", { pid: child.pid, force: false });
    assert.deepEqual(asked, [`End the program “sleep” (process ${child.pid}).`]);
    assert.deepEqual(result, { pid: child.pid, name: "sleep", ended: true });
    const status = await child.status;
    assert.equal(status.signal, "SIGTERM");
  } finally {
    try {
      child.kill();
    } catch { /* ended */ }
  }
});

Deno.test("bad input runs nothing: an unknown PID, the agent itself, a service name with metacharacters", async () => {
  const unknown = 4_194_000;
  assert.equal(await Deno.stat(`/proc/${unknown}`).catch(() => null), null);
  const { ctx, asked } = context(true);
  await assert.rejects(
    handlers["system.endProcess"]({ kind: "system.endProcess", pid: unknown, force: false }, ctx),
    (e) => e instanceof OpFailure && e.code === "no_such_process",
  );
  await assert.rejects(
    handlers["system.endProcess"]({ kind: "system.endProcess", pid: Deno.pid, force: true }, ctx),
    (e) => e instanceof OpFailure && e.code === "refused",
  );
  const spec = SYSTEM_OPS.find((s) => s.kind === "system.serviceAction")!;
  // The wire takes a Windows service's name too (no shell there either: OpenServiceW takes it
  // as it is), so the Linux agent's own check is what refuses these; the first two are no
  // service name anywhere.
  for (
    const unit of [
      "-x.service",
      "../x.service",
      "cron.service; rm -rf ~",
      "$(reboot).service",
      "a b.service",
      "cron",
    ]
  ) {
    assert.equal(
      spec.request.safeParse({ kind: spec.kind, unit, action: "stop" }).success,
      !unit.startsWith("-") && !unit.includes("/"),
      unit,
    );
    await assert.rejects(
      handlers["system.serviceAction"]({ kind: spec.kind, unit, action: "stop" }, ctx),
      (e) => e instanceof OpFailure && e.code === "invalid",
    );
  }
  assert.deepEqual(asked, [], "the customer was asked nothing");
  assert.equal(
    spec.request.safeParse({ kind: spec.kind, unit: "getty@tty1.service", action: "restart" })
      .success,
    true,
  );
});

Deno.test("each tab answers within its spec on this machine", async () => {
  for (
    const kind of [
      "system.services",
      "system.applications",
      "system.user",
      "system.drivers",
      "system.startup",
    ] as const
  ) {
    await call(kind);
  }
  const { result: user } = await call("system.user");
  assert.ok(user.available);
  assert.equal(user.value.name, (await sh("id", "-un")).trim());
  const ids = (await sh("id", "-G")).trim().split(/\s+/).map(Number).sort();
  assert.deepEqual(user.value.groups.map((g: { gid: number }) => g.gid).sort(), ids);
  const { result: events } = await call("system.events", { maxPriority: 4, text: "", limit: 20 });
  assert.ok(events.entries.every((e) => e.priority !== null && e.priority <= 4));
});
