import assert from "node:assert/strict";
import { decodeTaskFile, parseTask, readTasks, tasksUnavailable } from "./tasks.ts";

/** A task as Windows's Task Scheduler writes it: UTF-16 LE with a BOM. */
function utf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set([0xFF, 0xFE]);
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xFF;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}

const WINDOWS_TASK = `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Author>QA &amp; Co</Author><URI>\\Rescue QA\\Tray Helper</URI></RegistrationInfo>
  <Triggers>
    <LogonTrigger><Enabled>true</Enabled><UserId>PC\\ann</UserId></LogonTrigger>
    <BootTrigger><Enabled>false</Enabled></BootTrigger>
    <CalendarTrigger><StartBoundary>2026-01-01T09:00:00</StartBoundary><ScheduleByWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek></CalendarTrigger>
  </Triggers>
  <Settings>
    <IdleSettings><StopOnIdleEnd>true</StopOnIdleEnd></IdleSettings>
    <Enabled>false</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec><Command>C:\\Program Files\\QA\\tray.exe</Command><Arguments>--minimized --name "a &lt;b&gt;"</Arguments></Exec>
    <Exec><Command>"C:\\QA\\second.exe"</Command></Exec>
    <ComHandler><ClassId>{00000000-0000-0000-0000-000000000001}</ClassId></ComHandler>
  </Actions>
</Task>`;

/** What Wine 8's Task Scheduler writes for a task made by `schtasks /create /xml`. */
const WINE_TASK = `\uFEFF<!-- Task definition created by Wine -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Author>QA</Author></RegistrationInfo>
  <Triggers/>
  <Principals/>
  <Settings><Enabled>true</Enabled><Hidden>false</Hidden></Settings>
  <Actions>
    <Exec/>
  </Actions>
</Task>`;

Deno.test("decodeTaskFile(): Windows's UTF-16 LE, Wine's UTF-8, with or without a BOM", () => {
  assert.equal(decodeTaskFile(utf16("<Task/>")), "<Task/>");
  assert.equal(decodeTaskFile(utf16("<Task/>").slice(2)), "<Task/>");
  assert.equal(decodeTaskFile(new TextEncoder().encode("\uFEFF<Task/>")), "<Task/>");
  assert.equal(decodeTaskFile(new TextEncoder().encode("<Task/>")), "<Task/>");
});

Deno.test("parseTask(): command lines, enabled triggers by kind, the task's own Enabled", () => {
  assert.deepEqual(parseTask("\\Rescue QA\\Tray Helper", WINDOWS_TASK), {
    name: "\\Rescue QA\\Tray Helper",
    command: '"C:\\Program Files\\QA\\tray.exe" --minimized --name "a <b>" & "C:\\QA\\second.exe"',
    triggers: ["logon", "weekly"],
    enabled: false,
  });
  assert.deepEqual(parseTask("\\RescueQAUpdater", WINE_TASK), {
    name: "\\RescueQAUpdater",
    command: "",
    triggers: [],
    enabled: true,
  });
  const daily = WINDOWS_TASK.replace("ScheduleByWeek", "ScheduleByDay")
    .replace("ScheduleByWeek", "ScheduleByDay").replace(
      "<Enabled>false</Enabled>\n  </Settings>",
      "</Settings>",
    );
  const parsed = parseTask("\\x", daily);
  assert.deepEqual([parsed.triggers, parsed.enabled], [["logon", "daily"], true]);
});

// The walk itself (the Library's folders, start-up tasks first) runs under Wine:
// windows_system_test.
Deno.test("readTasks(): a folder it may not list or that is missing is said so", () => {
  assert.deepEqual(
    tasksUnavailable(
      new Deno.errors.PermissionDenied("Access is denied."),
      "C:\\Windows\\System32\\Tasks",
    ),
    {
      available: false,
      why: "denied",
      about: "admin_only",
      detail: "C:\\Windows\\System32\\Tasks",
    },
  );
  assert.deepEqual(readTasks("/no/such/folder/qa"), {
    available: false,
    why: "no_source",
    about: "missing",
    detail: "/no/such/folder/qa",
  });
});
