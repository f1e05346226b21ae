// linuxSystem() with its sources moved out of reach: each section says what it looked for as a
// code (`about`, worded by the console in the technician's language) and the path as it is —
// no English sentence in `detail`.
import assert from "node:assert/strict";
import { linuxSystem } from "./linux.ts";

const GONE = "/nonexistent-qa";

Deno.test("linuxSystem() names a missing kernel module list and an unreadable user list by code", async () => {
  const system = linuxSystem({ proc: `${GONE}/proc`, etc: `${GONE}/etc`, dmi: `${GONE}/dmi` });
  assert.deepEqual(await system.drivers(), {
    available: false,
    why: "no_source",
    about: "missing",
    detail: `${GONE}/proc/modules`,
  });
  assert.deepEqual(await system.user(), {
    available: false,
    why: "no_source",
    about: "unreadable",
    detail: `${GONE}/etc/passwd`,
  });
});
