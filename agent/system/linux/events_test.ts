import assert from "node:assert/strict";
import { parseDmesg, parseJournal, parseSyslog, readEvents } from "./events.ts";

Deno.test("parseJournal() reads journalctl's JSON, binary messages included", () => {
  const rows = parseJournal([
    JSON.stringify({
      __REALTIME_TIMESTAMP: "1733300000123456",
      PRIORITY: "3",
      SYSLOG_IDENTIFIER: "NetworkManager",
      MESSAGE: "device (wlp2s0): link disconnected",
    }),
    JSON.stringify({
      __REALTIME_TIMESTAMP: "1733300001000000",
      _COMM: "kernel",
      MESSAGE: [104, 105],
    }),
    "not json",
  ].join("\n"));
  assert.deepEqual(rows, [
    {
      time: new Date(1733300000123).toISOString(),
      priority: 3,
      source: "NetworkManager",
      message: "device (wlp2s0): link disconnected",
    },
    {
      time: new Date(1733300001000).toISOString(),
      priority: null,
      source: "kernel",
      message: "hi",
    },
  ]);
});

Deno.test("parseDmesg() reads the priority and times after boot", () => {
  const rows = parseDmesg(
    "<4>[    1.500000] ACPI Warning: x\n<14>[   2.000000] user line\nrubbish\n",
    1_000_000,
  );
  assert.deepEqual(rows, [
    {
      time: new Date(1_001_500).toISOString(),
      priority: 4,
      source: "kernel",
      message: "ACPI Warning: x",
    },
    {
      time: new Date(1_002_000).toISOString(),
      priority: 6,
      source: "kernel",
      message: "user line",
    },
  ]);
});

Deno.test("parseSyslog() reads both rsyslog formats", () => {
  const rows = parseSyslog(
    "2026-12-04T17:00:00.123456+01:00 pc cron[812]: (root) CMD (true)\nDec  4 09:05:01 pc kernel: usb 1-1: new device\n",
    new Date("2026-12-10T00:00:00"),
  );
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], {
    time: "2026-12-04T16:00:00.123Z",
    priority: null,
    source: "cron",
    message: "(root) CMD (true)",
  });
  assert.equal(rows[1].source, "kernel");
  assert.equal(rows[1].time, new Date(2026, 11, 4, 9, 5, 1).toISOString());
});

Deno.test("readEvents() on this machine: every source answers, entries obey the filter", async () => {
  const events = await readEvents({ maxPriority: 6, text: "", limit: 50 }, {});
  assert.ok(events.sources.length >= 1);
  // journald counts only with journal files (journalctl alone prints nothing useful without).
  const journal = await new Deno.Command("sh", {
    args: ["-c", "ls /var/log/journal/*/*.journal /run/log/journal/*/*.journal 2>/dev/null"],
  }).output();
  assert.equal(events.sources[0].status.available, journal.stdout.length > 0);
  for (const source of events.sources) {
    if (!source.status.available) assert.ok(source.status.detail.length > 0, source.name);
  }
  assert.ok(events.entries.length <= 50);
  for (const e of events.entries) assert.ok(e.priority !== null && e.priority <= 6);
  const times = events.entries.map((e) => e.time ?? "");
  assert.deepEqual(times, [...times].sort().reverse(), "newest first");
  if (events.entries.length > 0) {
    const word = events.entries[0].message.split(/\s+/).find((w) => w.length > 3) ?? "";
    const filtered = await readEvents({ maxPriority: 6, text: word.toUpperCase(), limit: 50 }, {});
    assert.ok(filtered.entries.length > 0);
    for (const e of filtered.entries) {
      assert.ok(`${e.source} ${e.message}`.toLowerCase().includes(word.toLowerCase()));
    }
  }
});
