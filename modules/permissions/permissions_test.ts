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
  assert.deepEqual(UNAVAILABLE, [
    "shareScreen",
    "lanConnect",
    "lens",
    "mobileTools",
  ]);
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
    normalisePermissions(["hold", "lens", "reboot", "nonsense", 7, "startPrivate", "hold"]),
    ["startPrivate", "hold", "reboot"],
  );
});

Deno.test("defaultPermissions() holds only available permissions", () => {
  const defaults = defaultPermissions();
  assert.ok(defaults.length > 0);
  assert.ok(defaults.every(isAvailable));
  // Built (issue 20) and on by default for a new group, as SPEC's P-list has it.
  assert.ok(defaults.includes("inviteInternal"));
});
