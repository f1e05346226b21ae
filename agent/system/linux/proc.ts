/**
 * Parsers of the Linux kernel's own text files (/proc, /etc/os-release, /etc/passwd…): pure
 * functions of the text, so each is tested against fixture text as well as this machine.
 */

/** /etc/os-release: KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([\\$"`])/g, "$1");
    }
    out[match[1]] = value;
  }
  return out;
}

/** /proc/meminfo in bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^([\w()]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (match) out[match[1]] = Number(match[2]) * (line.includes("kB") ? 1024 : 1);
  }
  return out;
}

export function parseLoadavg(text: string): [number, number, number] | undefined {
  const parts = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return parts.length === 3 && parts.every(Number.isFinite)
    ? parts as [number, number, number]
    : undefined;
}

/** /proc/cpuinfo: the first model name and the number of logical processors. */
export function parseCpuinfo(text: string): { model: string; logical: number } {
  let model = "";
  let logical = 0;
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.split(":");
    const name = key.trim();
    if (name === "processor") logical++;
    if (!model && (name === "model name" || name === "Model" || name === "cpu model")) {
      model = rest.join(":").trim();
    }
  }
  return { model, logical };
}

/** /proc/stat: boot time (seconds since the epoch) and the all-CPU tick counters. */
export function parseStat(text: string): { bootTime?: number; total: number; idle: number } {
  let bootTime: number | undefined;
  let total = 0;
  let idle = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("btime ")) bootTime = Number(line.slice(6));
    if (line.startsWith("cpu ")) {
      const ticks = line.slice(4).trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest times are inside user/nice)
      total = ticks.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
      idle = (ticks[3] || 0) + (ticks[4] || 0);
    }
  }
  return { bootTime, total, idle };
}

/** Busy share (0–100) between two /proc/stat readings; null when no time passed. */
export function cpuUsage(
  before: { total: number; idle: number },
  after: { total: number; idle: number },
): number | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  const busy = total - (after.idle - before.idle);
  return Math.min(100, Math.max(0, Math.round((busy / total) * 1000) / 10));
}

export interface ProcStat {
  pid: number;
  name: string;
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  threads: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
}

/**
 * /proc/<pid>/stat. The name is between the first "(" and the last ")" — it may itself hold
 * spaces and parentheses.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state); utime is field 14, stime 15, threads 20, starttime 22.
  const field = (n: number) => Number(rest[n - 3]);
  if (!Number.isInteger(pid) || rest.length < 20) return undefined;
  return {
    pid,
    name: text.slice(open + 1, close),
    state: rest[0],
    ppid: field(4),
    ticks: field(14) + field(15),
    threads: field(20),
    startTicks: field(22),
  };
}

/** /proc/<pid>/status: the real uid and the resident memory (bytes). */
export function parseProcStatus(text: string): { uid?: number; rssBytes: number } {
  const uid = /^Uid:\s+(\d+)/m.exec(text);
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return {
    uid: uid ? Number(uid[1]) : undefined,
    rssBytes: rss ? Number(rss[1]) * 1024 : 0,
  };
}

/** /proc/<pid>/cmdline: NUL-separated arguments. */
export function parseCmdline(text: string): string {
  return text.replace(/\0+$/, "").split("\0").join(" ");
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || line.startsWith("#")) continue;
    out.push({
      name: f[0],
      uid: Number(f[2]),
      gid: Number(f[3]),
      gecos: f[4].split(",")[0],
      home: f[5],
      shell: f[6],
    });
  }
  return out;
}

export function parseGroups(text: string): { name: string; gid: number; members: string[] }[] {
  const out: { name: string; gid: number; members: string[] }[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || line.startsWith("#")) continue;
    out.push({ name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(",") : [] });
  }
  return out;
}

/** /proc/modules: name size refcount used-by state address. */
export function parseModules(text: string) {
  const out: {
    name: string;
    sizeBytes: number;
    useCount: number;
    usedBy: string[];
    state: string;
  }[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    out.push({
      name: f[0],
      sizeBytes: Number(f[1]) || 0,
      useCount: Number(f[2]) || 0,
      usedBy: f[3] === "-" ? [] : f[3].split(",").filter(Boolean),
      state: f[4],
    });
  }
  return out;
}

/** Octal escapes in /proc/self/mounts (space \040, tab \011, newline \012, backslash \134). */
function _unescapeMount(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}

/** File systems that hold no files of the customer's (kernel views, memory, containers' layers). */
const VIRTUAL_FS = new Set([
  "proc",
  "sysfs",
  "devtmpfs",
  "devpts",
  "tmpfs",
  "cgroup",
  "cgroup2",
  "securityfs",
  "pstore",
  "debugfs",
  "tracefs",
  "configfs",
  "fusectl",
  "mqueue",
  "hugetlbfs",
  "bpf",
  "autofs",
  "binfmt_misc",
  "rpc_pipefs",
  "nsfs",
  "efivarfs",
  "ramfs",
  "squashfs",
  "overlay",
  "selinuxfs",
  "fuse.gvfsd-fuse",
  "fuse.portal",
  "nfsd",
  "devfs",
]);

/** /proc/self/mounts: the real file systems, each mount point once. */
export function parseMounts(text: string): { device: string; mount: string; fsType: string }[] {
  const seen = new Set<string>();
  const out: { device: string; mount: string; fsType: string }[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f.length < 3 || VIRTUAL_FS.has(f[2])) continue;
    const mount = _unescapeMount(f[1]);
    if (seen.has(mount)) continue;
    seen.add(mount);
    out.push({ device: _unescapeMount(f[0]), mount, fsType: f[2] });
  }
  return out;
}

/** /proc/self/status CapEff (hex). */
export function parseCapEff(text: string): string {
  return /^CapEff:\s+([0-9a-f]+)/m.exec(text)?.[1] ?? "";
}

/** /proc/self/status Groups: the supplementary group ids. */
export function parseStatusGroups(text: string): number[] {
  const line = /^Groups:[ \t]*(.*)$/m.exec(text)?.[1] ?? "";
  return line.trim() ? line.trim().split(/\s+/).map(Number) : [];
}
