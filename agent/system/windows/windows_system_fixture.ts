// Test fixture for windows_system_test.ts, run by the Windows Deno under Wine (no config, no
// packages: windows.ts imports only protocol/system_limits.ts at run time). Prints one JSON line:
//   all        → every SystemOs answer: snapshot, processes, services, applications, user,
//                drivers, startup, events, and this process's own PID
//   end <pid> [force] → { before, error, after } around signalProcess(pid, force): process(pid)
//                each time
//   message <dll> <id> [strings…] → { loaded, text }: message `id` of the DLL, strings put in
//   pids <name.exe> → { pids }: the processes of that (lower-case) name
//   service <start|stop|restart> <name> → { done, row }: serviceAction's answer, then the row
import { formatFrom, MessageFiles } from "./event_messages.ts";
import { windowsSystem } from "./windows.ts";

const system = windowsSystem();
const signal = new AbortController().signal;
const [command, arg] = Deno.args;
if (command === "all") {
  console.log(JSON.stringify({
    pid: Deno.pid,
    snapshot: await system.snapshot(signal),
    processes: await system.processes(signal),
    services: await system.services(signal),
    applications: await system.applications(signal),
    user: await system.user(),
    drivers: await system.drivers(),
    startup: await system.startup(signal),
    events: await system.events({ maxPriority: 7, text: "", limit: 50 }, signal),
  }));
} else if (command === "end") {
  const pid = Number(arg);
  const before = await system.process(pid);
  let error = null;
  try {
    system.signalProcess(pid, Deno.args[2] === "force");
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  let after = await system.process(pid);
  for (let i = 0; i < 30 && after && after.state !== "Z"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await system.process(pid);
  }
  console.log(JSON.stringify({ before, error, after: after ?? null }));
} else if (command === "message") {
  // message <dll> <id> [strings…]: formatFrom over the DLL loaded as data
  const files = new MessageFiles();
  const module = files.load(arg);
  const text = module === null
    ? null
    : formatFrom(module, Number(Deno.args[2]), Deno.args.slice(3)) ?? null;
  console.log(JSON.stringify({ loaded: module !== null, text }));
} else if (command === "pids") {
  const rows = await system.processes(signal);
  const pids = rows.available
    ? rows.value.rows.filter((r) => r.name.toLowerCase() === arg).map((r) => r.pid)
    : [];
  console.log(JSON.stringify({ pids }));
} else if (command === "service") {
  const [action, name] = [arg, Deno.args[2]] as ["start" | "stop" | "restart", string];
  const done = await system.serviceAction(name, action, signal);
  const services = await system.services(signal);
  const row = services.available ? services.value.find((s) => s.name === name) : undefined;
  console.log(JSON.stringify({ done, row: row ?? null }));
} else {
  console.log(JSON.stringify({ error: `unknown command ${command}` }));
}
