import assert from "node:assert/strict";
import { nextCronRun, parseCrontab, readCronEntries } from "./cron.ts";

Deno.test("parseCrontab() reads system tables (user column) and users' tables", () => {
  const system = parseCrontab(
    "SHELL=/bin/sh\n# m h dom mon dow user command\n17 *\t* * *\troot  cd / && run-parts --report /etc/cron.hourly\n@reboot root /usr/local/bin/on-boot\n",
    "/etc/crontab",
    true,
  );
  assert.deepEqual(system, [
    {
      schedule: "17 * * * *",
      command: "cd / && run-parts --report /etc/cron.hourly",
      file: "/etc/crontab",
    },
    { schedule: "@reboot", command: "/usr/local/bin/on-boot", file: "/etc/crontab" },
  ]);
  const user = parseCrontab(
    "*/5 * * * * /home/ann/sync.sh\n",
    "/var/spool/cron/crontabs/ann",
    false,
  );
  assert.equal(user[0].command, "/home/ann/sync.sh");
});

Deno.test("nextCronRun() follows cron's rules", () => {
  const at = (s: string) => new Date(s); // local time, as cron
  const from = at("2026-12-04T17:18:30");
  assert.deepEqual(nextCronRun("17 * * * *", from), at("2026-12-04T18:17:00"));
  assert.deepEqual(nextCronRun("*/5 * * * *", from), at("2026-12-04T17:20:00"));
  assert.deepEqual(nextCronRun("@daily", from), at("2026-12-05T00:00:00"));
  assert.deepEqual(nextCronRun("30 6 * * mon-fri", from), at("2026-12-07T06:30:00")); // Fri → Mon
  assert.deepEqual(nextCronRun("0 0 1 jan *", from), at("2027-01-01T00:00:00"));
  // Both day fields restricted: either matches (the 13th, or a Friday).
  assert.deepEqual(nextCronRun("0 12 13 * 5", from), at("2026-12-11T12:00:00")); // a Friday
  assert.deepEqual(nextCronRun("0 12 5 * 1", from), at("2026-12-05T12:00:00")); // the 5th
  assert.deepEqual(nextCronRun("0 0 * * 7", from), at("2026-12-06T00:00:00")); // 7 is Sunday
  assert.equal(nextCronRun("@reboot", from), null);
  assert.equal(nextCronRun("61 * * * *", from), null);
  assert.equal(nextCronRun("0 0 30 2 *", from), null); // never
});

Deno.test("readCronEntries() reads a fixture tree, skipping names run-parts skips", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/etc/cron.d`, { recursive: true });
    await Deno.writeTextFile(`${root}/etc/crontab`, "0 3 * * * root /bin/nightly\n");
    await Deno.writeTextFile(`${root}/etc/cron.d/backup`, "@reboot root /bin/backup\n");
    await Deno.writeTextFile(`${root}/etc/cron.d/backup.dpkg-old`, "* * * * * root /bin/old\n");
    const { entries, sources } = await readCronEntries(root);
    assert.equal(sources, 2);
    assert.deepEqual(entries.map((e) => e.command), ["/bin/nightly", "/bin/backup"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
