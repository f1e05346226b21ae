// Over 400 lines on purpose: one reader per dashboard part, all from /proc, /sys and the OS's tools; each is small and they share the parsing helpers.
/**
 * System information on Linux, from the OS's own sources: /proc and /sys, /etc/os-release, the
 * DMI tables in /sys/class/dmi/id, utmp, statvfs(3), and the tools systemctl, journalctl,
 * dmesg, dpkg-query, rpm, flatpak and snap (argument arrays, never a shell).
 */
import type { Section, Snapshot, UserInfo } from "../../../protocol/system.ts";
import { PROCESSES_MAX } from "../../../protocol/system.ts";
import type { SystemOs } from "../os.ts";
import { readText } from "../run.ts";
import {
  cpuUsage,
  parseCapEff,
  parseCpuinfo,
  parseGroups,
  parseLoadavg,
  parseMeminfo,
  parseModules,
  parseMounts,
  parseOsRelease,
  parsePasswd,
  parseStat,
  parseStatusGroups,
} from "./proc.ts";
import { parseUtmp, statvfs } from "./native.ts";
import { listProcesses, readProcess } from "./processes.ts";
import { enabledUnits, listServices, listTimers, serviceAction } from "./systemd.ts";
import { nextCronRun, readCronEntries } from "./cron.ts";
import { listApplications } from "./packages.ts";
import { autostartDirs, readAutostart } from "./autostart.ts";
import { readEvents } from "./events.ts";

/** Where the sources are: the real root, or a fixture tree in tests. */
export interface LinuxPaths {
  proc: string;
  etc: string;
  dmi: string;
  utmp: string;
}

const REAL: LinuxPaths = {
  proc: "/proc",
  etc: "/etc",
  dmi: "/sys/class/dmi/id",
  utmp: "/var/run/utmp",
};

function _missing(path: string): Section<never> {
  return { available: false, why: "no_source", about: "unreadable", detail: path };
}

async function _section<T>(
  path: string,
  read: (text: string) => T | undefined,
): Promise<Section<T>> {
  const text = await readText(path);
  if (text === undefined) return _missing(path);
  const value = read(text);
  return value === undefined
    ? { available: false, why: "failed", about: "malformed", detail: path }
    : { available: true, value };
}

const ADMIN_GROUPS = ["sudo", "wheel", "admin"];

export function linuxSystem(paths: Partial<LinuxPaths> = {}): SystemOs {
  const at = { ...REAL, ...paths };
  const bootTimeMs = async () => {
    const stat = await readText(`${at.proc}/stat`);
    const boot = stat ? parseStat(stat).bootTime : undefined;
    return boot === undefined ? undefined : boot * 1000;
  };
  const userNames = async () => {
    const passwd = await readText(`${at.etc}/passwd`);
    return new Map(parsePasswd(passwd ?? "").map((p) => [p.uid, p.name]));
  };
  const processes = async (sampleMs = 300) =>
    listProcesses({
      root: at.proc,
      sampleMs,
      bootTimeMs: await bootTimeMs(),
      userNames: await userNames(),
    });

  const os: SystemOs = {
    async snapshot(signal) {
      const cpuBefore = parseStat(await readText(`${at.proc}/stat`) ?? "");
      const boot = await bootTimeMs();
      const [hostname, release, kernel, firmware, uptime, users, cpuinfo, loadavg, memory] =
        await Promise.all([
          _section(`${at.proc}/sys/kernel/hostname`, (t) => t.trim().slice(0, 255)),
          _section(`${at.etc}/os-release`, (t) => {
            const f = parseOsRelease(t);
            return {
              name: (f.PRETTY_NAME ?? f.NAME ?? "Linux").slice(0, 200),
              id: (f.ID ?? "").slice(0, 64),
              version: (f.VERSION ?? f.VERSION_ID ?? "").slice(0, 100),
            };
          }),
          this_kernel(at.proc),
          firmwareSection(at.dmi),
          _section(`${at.proc}/uptime`, (t) => {
            const seconds = Number(t.split(" ")[0]);
            return Number.isFinite(seconds) ? seconds : undefined;
          }),
          usersSection(at.utmp, at.etc),
          _section(`${at.proc}/cpuinfo`, parseCpuinfo),
          _section(`${at.proc}/loadavg`, parseLoadavg),
          _section(`${at.proc}/meminfo`, parseMeminfo),
        ]);
      // The process sample doubles as the CPU-usage interval.
      const [procs, disks, problems, tasks] = await Promise.all([
        processes(500).catch(() => undefined),
        disksSection(at.proc),
        readEvents({ maxPriority: 4, text: "", limit: 5 }, { bootTimeMs: boot, signal }),
        scheduledTasks(at.etc === REAL.etc ? "" : at.etc.replace(/\/etc$/, ""), signal),
      ]);
      const cpuAfter = parseStat(await readText(`${at.proc}/stat`) ?? "");
      const snapshot: Snapshot = {
        takenAt: new Date().toISOString(),
        hostname,
        os: release,
        kernel,
        firmware,
        boot: uptime.available
          ? {
            available: true,
            value: {
              bootTime: new Date(boot ?? Date.now() - uptime.value * 1000).toISOString(),
              uptimeSeconds: uptime.value,
            },
          }
          : uptime,
        users,
        cpu: cpuinfo.available
          ? {
            available: true,
            value: {
              model: cpuinfo.value.model.slice(0, 200),
              logical: cpuinfo.value.logical,
              load1: loadavg.available ? loadavg.value[0] : 0,
              load5: loadavg.available ? loadavg.value[1] : 0,
              load15: loadavg.available ? loadavg.value[2] : 0,
              usagePercent: cpuUsage(cpuBefore, cpuAfter),
            },
          }
          : cpuinfo,
        memory: memory.available
          ? {
            available: true,
            value: {
              totalBytes: memory.value.MemTotal ?? 0,
              availableBytes: memory.value.MemAvailable ?? memory.value.MemFree ?? 0,
              swapTotalBytes: memory.value.SwapTotal ?? 0,
              swapFreeBytes: memory.value.SwapFree ?? 0,
            },
          }
          : memory,
        disks,
        topProcesses: procs
          ? { available: true, value: procs.slice(0, 5) }
          : _missing(`${at.proc}/<pid>/stat`),
        problems: {
          available: true,
          value: { sources: problems.sources, entries: problems.entries },
        },
        tasks,
      };
      return snapshot;
    },
    async processes() {
      try {
        const rows = await processes();
        return {
          available: true,
          value: { rows: rows.slice(0, PROCESSES_MAX), truncated: rows.length > PROCESSES_MAX },
        };
      } catch (error) {
        return {
          available: false,
          why: "failed",
          about: "message",
          detail: String(error).slice(0, 500),
        };
      }
    },
    async process(pid) {
      const stat = await readProcess(pid, at.proc);
      return stat && { pid, name: stat.name, startTicks: stat.startTicks, state: stat.state };
    },
    signalProcess(pid, force) {
      Deno.kill(pid, force ? "SIGKILL" : "SIGTERM");
    },
    services: (signal) => listServices(signal),
    serviceAction: (unit, action, signal) => serviceAction(unit, action, signal),
    applications: (signal) => listApplications(signal),
    user: () => userSection(at),
    async drivers() {
      const text = await readText(`${at.proc}/modules`);
      if (text === undefined) {
        return {
          available: false,
          why: "no_source",
          about: "missing",
          detail: `${at.proc}/modules`,
        };
      }
      const rows = await Promise.all(
        parseModules(text).slice(0, 2000).map(async (m) => ({
          ...m,
          name: m.name.slice(0, 128),
          state: m.state.slice(0, 32),
          usedBy: m.usedBy.slice(0, 200).map((u) => u.slice(0, 128)),
          version: ((await readText(`/sys/module/${m.name}/version`)) ?? "").trim().slice(0, 128),
        })),
      );
      return { available: true, value: rows };
    },
    async startup(signal) {
      const { entries: cron, sources } = await readCronEntries(
        at.etc === REAL.etc ? "" : at.etc.replace(/\/etc$/, ""),
      );
      const dirs = autostartDirs({
        home: Deno.env.get("HOME"),
        xdgConfigHome: Deno.env.get("XDG_CONFIG_HOME"),
        xdgConfigDirs: Deno.env.get("XDG_CONFIG_DIRS"),
      });
      const autostart = await readAutostart(dirs);
      return {
        autostart: autostart.found > 0
          ? { available: true, value: autostart.entries.slice(0, 1000) }
          : { available: false, why: "no_source", about: "none_found", detail: dirs.join(", ") },
        units: await enabledUnits(signal),
        cron: sources > 0
          ? {
            available: true,
            value: cron.filter((e) => e.schedule === "@reboot").slice(0, 1000)
              .map(({ command, file }) => ({ command, file })),
          }
          : {
            available: false,
            why: "no_source",
            about: "none_found",
            detail: "/etc/crontab, /etc/cron.d",
          },
      };
    },
    async events(query, signal) {
      return await readEvents(query, { bootTimeMs: await bootTimeMs(), signal });
    },
  };
  return os;
}

function this_kernel(proc: string) {
  return Promise.all([
    readText(`${proc}/sys/kernel/osrelease`),
    readText(`${proc}/sys/kernel/version`),
  ]).then(([release, version]): Snapshot["kernel"] =>
    release === undefined ? _missing(`${proc}/sys/kernel/osrelease`) : {
      available: true,
      value: {
        release: release.trim().slice(0, 200),
        version: (version ?? "").trim().slice(0, 300),
        machine: Deno.build.arch,
      },
    }
  );
}

async function firmwareSection(dmi: string): Promise<Snapshot["firmware"]> {
  const read = async (name: string) =>
    ((await readText(`${dmi}/${name}`)) ?? "").trim().slice(0, 200);
  try {
    await Deno.stat(dmi);
  } catch {
    return {
      available: false,
      why: "no_source",
      about: "missing",
      detail: dmi,
    };
  }
  const [biosVendor, biosVersion, biosDate, systemVendor, productName, boardName] = await Promise
    .all(
      ["bios_vendor", "bios_version", "bios_date", "sys_vendor", "product_name", "board_name"].map(
        read,
      ),
    );
  return {
    available: true,
    value: {
      biosVendor,
      biosVersion,
      biosDate: biosDate.slice(0, 64),
      systemVendor,
      productName,
      boardName,
    },
  };
}

async function usersSection(utmp: string, etc: string): Promise<Snapshot["users"]> {
  const uid = Deno.uid();
  const passwd = parsePasswd(await readText(`${etc}/passwd`) ?? "");
  const current = passwd.find((p) => p.uid === uid)?.name ?? _currentUser();
  let sessions: ReturnType<typeof parseUtmp> = [];
  try {
    sessions = parseUtmp(await Deno.readFile(utmp)).slice(0, 200);
  } catch { /* no utmp: only the app's own user is known */ }
  return {
    available: true,
    value: {
      current: current.slice(0, 64),
      sessions: sessions.map((s) => ({
        user: s.user.slice(0, 64),
        line: s.line.slice(0, 64),
        host: s.host.slice(0, 256),
        since: s.since,
      })),
    },
  };
}

function _currentUser(): string {
  return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? String(Deno.uid() ?? "");
}

async function disksSection(proc: string): Promise<Snapshot["disks"]> {
  const mounts = await readText(`${proc}/self/mounts`);
  if (mounts === undefined) return _missing(`${proc}/self/mounts`);
  const rows = [];
  for (const m of parseMounts(mounts).slice(0, 200)) {
    let size;
    try {
      size = statvfs(m.mount);
    } catch {
      return {
        available: false,
        why: "failed",
        about: "call_failed",
        detail: "statvfs(3), libc.so.6",
      };
    }
    if (!size || size.totalBytes === 0) continue;
    rows.push({
      device: m.device.slice(0, 300),
      mount: m.mount.slice(0, 1000),
      fsType: m.fsType.slice(0, 64),
      ...size,
    });
  }
  return { available: true, value: rows };
}

async function scheduledTasks(root: string, signal: AbortSignal): Promise<Snapshot["tasks"]> {
  const now = new Date();
  const [timers, cron] = await Promise.all([listTimers(signal), readCronEntries(root)]);
  const tasks = [
    ...(timers.available ? timers.value : []),
    ...cron.entries.map((e) => ({
      source: "cron" as const,
      name: e.file.slice(0, 300),
      schedule: e.schedule.slice(0, 300),
      next: nextCronRun(e.schedule, now)?.toISOString() ?? null,
      command: e.command,
    })),
  ].filter((t) => t.next !== null).sort((a, b) => a.next!.localeCompare(b.next!));
  if (!timers.available && cron.sources === 0) {
    // Neither systemd's timers (why: theirs) nor a cron table.
    return {
      available: false,
      why: timers.why,
      about: "none_found",
      detail: "systemctl list-timers, /etc/crontab, /etc/cron.d",
    };
  }
  return { available: true, value: tasks.slice(0, 5) };
}

async function userSection(at: LinuxPaths): Promise<Section<UserInfo>> {
  const [passwd, group, status] = await Promise.all([
    readText(`${at.etc}/passwd`),
    readText(`${at.etc}/group`),
    readText(`${at.proc}/self/status`),
  ]);
  if (passwd === undefined) return _missing(`${at.etc}/passwd`);
  const uid = Deno.uid() ?? -1;
  const me = parsePasswd(passwd).find((p) => p.uid === uid);
  if (!me) {
    return { available: false, why: "failed", about: "unknown_user", detail: String(uid) };
  }
  const groups = parseGroups(group ?? "");
  const ids = new Set([me.gid, ...parseStatusGroups(status ?? "")]);
  const mine = [...ids].map((gid) => ({
    name: (groups.find((g) => g.gid === gid)?.name ?? String(gid)).slice(0, 64),
    gid,
  }));
  const adminGroup = mine.find((g) => ADMIN_GROUPS.includes(g.name))?.name ?? null;
  return {
    available: true,
    value: {
      name: me.name.slice(0, 64),
      uid: me.uid,
      gid: me.gid,
      fullName: me.gecos.slice(0, 300),
      home: me.home.slice(0, 1000),
      shell: me.shell.slice(0, 1000),
      groups: mine.slice(0, 1000),
      admin: uid === 0 || adminGroup !== null,
      adminVia: uid === 0 ? "root" : adminGroup,
      capabilities: parseCapEff(status ?? "").slice(0, 32),
    },
  };
}
