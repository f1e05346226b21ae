import assert from "node:assert/strict";
import {
  AVAILABLE_PERMISSION_IDS,
  can,
  defaultPermissions,
  isAvailable,
  normalisePermissions,
  type Permission,
  PERMISSION_IDS,
  PERMISSIONS,
} from "./permissions.ts";

const UNAVAILABLE = PERMISSIONS.filter((p) => !p.available).map((p) => p.id);

Deno.test("PERMISSIONS marks the permissions whose feature is not built yet", () => {
  // LAN connect (SPEC C9) was the last: built through unattended access, off by default.
  assert.deepEqual(UNAVAILABLE, []);
  assert.ok(isAvailable("lanConnect"));
  assert.ok(!defaultPermissions().includes("lanConnect"));
  assert.equal(AVAILABLE_PERMISSION_IDS.length + UNAVAILABLE.length, PERMISSION_IDS.length);
});

Deno.test("can() refuses an unavailable permission even to a holder of every name", () => {
  const everything = { permissions: new Set<Permission>(PERMISSION_IDS) };
  for (const id of PERMISSION_IDS) assert.equal(can(everything, id), isAvailable(id), id);
  assert.equal(can(undefined, "hold"), false);
  assert.equal(can({ permissions: new Set() }, "hold"), false);
});

Deno.test("normalisePermissions() drops unknown and unavailable names, keeps list order", () => {
  assert.deepEqual(
    normalisePermissions(["hold", "lanConnect", "reboot", "nonsense", 7, "startPrivate", "hold"]),
    ["startPrivate", "hold", "reboot", "lanConnect"],
  );
});

Deno.test("defaultPermissions() holds only available permissions", () => {
  const defaults = defaultPermissions();
  assert.ok(defaults.length > 0);
  assert.ok(defaults.every(isAvailable));
  // Built (issue 20) and on by default for a new group, as SPEC's P-list has it.
  assert.ok(defaults.includes("inviteInternal"));
  // Built (SPEC R11, the technician's own screen) and off by default, as the P-list has it.
  assert.ok(isAvailable("shareScreen"));
  assert.ok(!defaults.includes("shareScreen"));
  // Built (SPEC M2, the browser's part: modules/device_info) and off by default, as the P-list.
  assert.ok(isAvailable("mobileTools"));
  assert.ok(!defaults.includes("mobileTools"));
  // Built (SPEC M1, modules/lens) and off by default, as the P-list has it.
  assert.ok(isAvailable("lens"));
  assert.ok(!defaults.includes("lens"));
});
