import assert from "node:assert/strict";
import {
  cpuUsage,
  parseCmdline,
  parseCpuinfo,
  parseGroups,
  parseLoadavg,
  parseMeminfo,
  parseModules,
  parseMounts,
  parseOsRelease,
  parsePasswd,
  parseProcStat,
  parseProcStatus,
  parseStat,
  parseStatusGroups,
} from "./proc.ts";
import { parseUtmp } from "./native.ts";

Deno.test("parseOsRelease() reads quoted and bare values and shell escapes", () => {
  const f = parseOsRelease(
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME=Ubuntu\nVERSION_ID="24.04"\n# comment\nX="a \\"b\\""\n',
  );
  assert.equal(f.PRETTY_NAME, "Ubuntu 24.04.1 LTS");
  assert.equal(f.NAME, "Ubuntu");
  assert.equal(f.VERSION_ID, "24.04");
  assert.equal(f.X, 'a "b"');
});

Deno.test("parseMeminfo() gives bytes", () => {
  const m = parseMeminfo(
    "MemTotal:       16318480 kB\nMemAvailable:    8123456 kB\nHugePages_Total:       0\n",
  );
  assert.equal(m.MemTotal, 16318480 * 1024);
  assert.equal(m.MemAvailable, 8123456 * 1024);
  assert.equal(m.HugePages_Total, 0);
});

Deno.test("parseLoadavg() and parseCpuinfo()", () => {
  assert.deepEqual(parseLoadavg("0.52 0.58 0.59 1/467 12345\n"), [0.52, 0.58, 0.59]);
  assert.equal(parseLoadavg("garbage"), undefined);
  const cpu = parseCpuinfo(
    "processor\t: 0\nmodel name\t: Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz\n\nprocessor\t: 1\nmodel name\t: Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz\n",
  );
  assert.deepEqual(cpu, { model: "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz", logical: 2 });
});

Deno.test("parseStat() and cpuUsage()", () => {
  const a = parseStat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\nbtime 1733300000\n");
  assert.deepEqual(a, { bootTime: 1733300000, total: 1000, idle: 800 });
  const b = parseStat("cpu  200 0 200 800 100 0 0 0 0 0\n");
  assert.equal(cpuUsage(a, b), 66.7);
  assert.equal(cpuUsage(a, a), null);
});

Deno.test("parseProcStat() keeps a name with spaces and parentheses", () => {
  const stat = parseProcStat(
    "4242 (Web Content (x)) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 31 0 123456 1000 50 18446744073709551615",
  );
  assert.ok(stat);
  assert.equal(stat.pid, 4242);
  assert.equal(stat.name, "Web Content (x)");
  assert.equal(stat.state, "S");
  assert.equal(stat.ppid, 4000);
  assert.equal(stat.ticks, 300);
  assert.equal(stat.threads, 31);
  assert.equal(stat.startTicks, 123456);
  assert.equal(parseProcStat("nonsense"), undefined);
});

Deno.test("parseProcStatus(), parseCmdline(), parseStatusGroups()", () => {
  const status =
    "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nVmRSS:\t    5120 kB\nGroups:\t4 27 1000 \n";
  assert.deepEqual(parseProcStatus(status), { uid: 1000, rssBytes: 5120 * 1024 });
  assert.deepEqual(parseProcStatus("Uid:\t0\t0\t0\t0\n"), { uid: 0, rssBytes: 0 });
  assert.equal(parseCmdline("/usr/bin/sleep\x00600\x00"), "/usr/bin/sleep 600");
  assert.deepEqual(parseStatusGroups(status), [4, 27, 1000]);
});

Deno.test("parsePasswd() and parseGroups()", () => {
  const [ann] = parsePasswd("ann:x:1000:1000:Ann Example,,,:/home/ann:/bin/bash\n");
  assert.deepEqual(ann, {
    name: "ann",
    uid: 1000,
    gid: 1000,
    gecos: "Ann Example",
    home: "/home/ann",
    shell: "/bin/bash",
  });
  assert.deepEqual(parseGroups("sudo:x:27:ann,bob\nann:x:1000:\n"), [
    { name: "sudo", gid: 27, members: ["ann", "bob"] },
    { name: "ann", gid: 1000, members: [] },
  ]);
});

Deno.test("parseModules() reads /proc/modules", () => {
  const rows = parseModules(
    "snd_hda_intel 57344 3 - Live 0x0000000000000000\nsnd 135168 17 snd_hda_intel,snd_pcm, Live 0x0\n",
  );
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1], {
    name: "snd",
    sizeBytes: 135168,
    useCount: 17,
    usedBy: ["snd_hda_intel", "snd_pcm"],
    state: "Live",
  });
});

Deno.test("parseMounts() keeps real file systems once and decodes escapes", () => {
  const rows = parseMounts(
    [
      "/dev/nvme0n1p2 / ext4 rw,relatime 0 0",
      "proc /proc proc rw 0 0",
      "tmpfs /run tmpfs rw 0 0",
      "/dev/sdb1 /media/ann/My\\040Disk vfat rw 0 0",
      "/dev/nvme0n1p2 / ext4 rw 0 0",
    ].join("\n"),
  );
  assert.deepEqual(rows, [
    { device: "/dev/nvme0n1p2", mount: "/", fsType: "ext4" },
    { device: "/dev/sdb1", mount: "/media/ann/My Disk", fsType: "vfat" },
  ]);
});

Deno.test("parseUtmp() reads user sessions only", () => {
  const record = (type: number, user: string, line: string, seconds: number) => {
    const bytes = new Uint8Array(384);
    const view = new DataView(bytes.buffer);
    view.setInt16(0, type, true);
    bytes.set(new TextEncoder().encode(line), 8);
    bytes.set(new TextEncoder().encode(user), 44);
    view.setInt32(340, seconds, true);
    return bytes;
  };
  const all = new Uint8Array(384 * 2);
  all.set(record(2, "reboot", "~", 1), 0); // BOOT_TIME
  all.set(record(7, "ann", "tty2", 1733300000), 384);
  assert.deepEqual(parseUtmp(all), [
    { user: "ann", line: "tty2", host: "", since: new Date(1733300000_000).toISOString() },
  ]);
});
