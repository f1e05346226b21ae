/**
 * The technician-group permissions of SPEC's P-list: one list, in the order and grouping
 * the admin page shows, with the default for a new group. Labels and help texts live in
 * `locales/*.json` under `permissions.<id>` and `permissions.<id>Help`.
 *
 * `available: false` marks a permission whose feature is not built yet, so nothing could
 * check it: it is never granted (`can` says no, saving drops it, the API refuses it) and
 * the admin page shows it switched off with the reason. The issue that builds the feature
 * adds its guard, flips the flag and puts the permission in tests/permission_table_test.ts.
 */
export const PERMISSIONS = [
  { id: "startPrivate", category: "connecting", default: true, available: true },
  { id: "methodPin", category: "connecting", default: true, available: true },
  { id: "methodLink", category: "connecting", default: true, available: true },
  { id: "methodEmail", category: "connecting", default: true, available: true },
  { id: "methodSms", category: "connecting", default: false, available: true },
  { id: "transfer", category: "sessions", default: true, available: true },
  { id: "hold", category: "sessions", default: true, available: true },
  { id: "chatToggle", category: "sessions", default: false, available: true },
  { id: "inlineEdit", category: "sessions", default: true, available: true },
  { id: "seeOtherTechnicians", category: "sessions", default: true, available: true },
  { id: "remoteControl", category: "remote", default: true, available: true },
  { id: "desktopView", category: "remote", default: true, available: true },
  { id: "screenshots", category: "remote", default: true, available: true },
  { id: "recordSessions", category: "remote", default: false, available: true },
  { id: "shareScreen", category: "remote", default: false, available: true },
  { id: "sendFiles", category: "files", default: true, available: true },
  { id: "fileManager", category: "files", default: true, available: true },
  { id: "pushUrls", category: "files", default: true, available: true },
  { id: "scriptsDeploy", category: "system", default: false, available: true },
  { id: "scriptsNested", category: "system", default: false, available: true },
  { id: "reboot", category: "system", default: true, available: true },
  { id: "systemInfo", category: "system", default: true, available: true },
  { id: "unattendedAccess", category: "system", default: false, available: true },
  { id: "lanConnect", category: "system", default: false, available: true },
  { id: "callingCard", category: "system", default: false, available: true },
  { id: "inviteInternal", category: "collaboration", default: true, available: true },
  { id: "inviteExternal", category: "collaboration", default: false, available: true },
  { id: "inviteExternalUnlisted", category: "collaboration", default: false, available: true },
  { id: "lens", category: "mobile", default: false, available: true },
  { id: "mobileTools", category: "mobile", default: false, available: true },
] as const;

export type Permission = typeof PERMISSIONS[number]["id"];
export type PermissionCategory = typeof PERMISSIONS[number]["category"];

export const PERMISSION_IDS: readonly Permission[] = PERMISSIONS.map((p) => p.id);
export const PERMISSION_CATEGORIES: readonly PermissionCategory[] = [
  ...new Set(PERMISSIONS.map((p) => p.category)),
];

/** The permissions whose feature exists and guards itself with them. */
export const AVAILABLE_PERMISSION_IDS: readonly Permission[] = PERMISSIONS
  .filter((p) => p.available).map((p) => p.id);

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && (PERMISSION_IDS as readonly string[]).includes(value);
}

/** Whether `permission` can be granted yet (its feature is built; see the list above). */
export function isAvailable(permission: Permission): boolean {
  return AVAILABLE_PERMISSION_IDS.includes(permission);
}

/** The permissions a new group starts with (available ones only). */
export function defaultPermissions(): Permission[] {
  return PERMISSIONS.filter((p) => p.default && p.available).map((p) => p.id);
}

/**
 * Keeps only known, available permission names, in canonical order, without duplicates:
 * what a group may hold. An unavailable one (say stored before it was marked) is dropped.
 */
export function normalisePermissions(values: readonly unknown[]): Permission[] {
  const wanted = new Set(values.filter(isPermission));
  return AVAILABLE_PERMISSION_IDS.filter((id) => wanted.has(id));
}

/**
 * Whether a holder of `granted` may do `permission`. The one check every route uses; an
 * unavailable permission is held by nobody, not even the master admin.
 */
export function can(
  granted: { permissions: ReadonlySet<Permission> } | undefined,
  permission: Permission,
): boolean {
  return isAvailable(permission) && (granted?.permissions.has(permission) ?? false);
}
