import assert from "node:assert/strict";
import {
  listServices,
  parseCanStartStop,
  parseListUnits,
  parseTimers,
  parseUnitFiles,
  serviceAction,
  systemdRunning,
} from "./systemd.ts";

Deno.test("parseListUnits() reads systemctl's plain list, failed units' bullet included", () => {
  const rows = parseListUnits(
    "  cups.service      loaded active running CUPS Scheduler\n● nginx.service     loaded failed failed  A high performance web server\nbluetooth.service not-found inactive dead bluetooth.service\n",
  );
  assert.deepEqual(rows[0], {
    name: "cups.service",
    load: "loaded",
    active: "active",
    sub: "running",
    description: "CUPS Scheduler",
  });
  assert.equal(rows[1].name, "nginx.service");
  assert.equal(rows[1].active, "failed");
  assert.equal(rows[2].load, "not-found");
});

Deno.test("parseUnitFiles() and parseTimers()", () => {
  const files = parseUnitFiles("cups.service enabled enabled\ngetty@.service enabled enabled\n");
  assert.equal(files.get("cups.service"), "enabled");
  const timers = parseTimers(
    "Id=apt-daily.timer\nNextElapseUSecRealtime=@1733350000\nTimersCalendar={ OnCalendar=*-*-* 06,18:00:00 ; next_elapse=… }\nUnit=apt-daily.service\n\nId=fstrim.timer\nNextElapseUSecRealtime=\nUnit=fstrim.service\n",
  );
  assert.deepEqual(timers[0], {
    source: "timer",
    name: "apt-daily.timer",
    schedule: "*-*-* 06,18:00:00",
    next: new Date(1733350000_000).toISOString(),
    command: "apt-daily.service",
  });
  assert.equal(timers[1].next, null);
});

Deno.test("services on this machine: the list, or why there is none — never a crash", async () => {
  const running = await systemdRunning();
  const services = await listServices();
  assert.equal(services.available, running);
  if (!services.available) {
    assert.equal(services.why, "no_systemd");
    const action = await serviceAction("cron.service", "restart");
    assert.deepEqual(action.ok, false);
  }
});

Deno.test("parseCanStartStop() reads systemctl show's CanStart/CanStop, in any order", () => {
  const can = parseCanStartStop(
    "CanStart=yes\nCanStop=yes\nId=cron.service\n\nId=systemd-journald.service\nCanStart=yes\nCanStop=no\n\nCanStop=no\nCanStart=no\nId=masked.service\n\nId=half.service\nCanStart=yes\n",
  );
  assert.deepEqual(can.get("cron.service"), { canStart: true, canStop: true });
  assert.deepEqual(can.get("systemd-journald.service"), { canStart: true, canStop: false });
  assert.deepEqual(can.get("masked.service"), { canStart: false, canStop: false });
  assert.equal(can.has("half.service"), false, "a block without both says nothing");
});
