/**
 * The technician-group permissions of SPEC's P-list: one list, in the order and grouping
 * the admin page shows, with the default for a new group. Labels and help texts live in
 * `locales/*.json` under `permissions.<id>` and `permissions.<id>Help`.
 */
export const PERMISSIONS = [
  { id: "startPrivate", category: "connecting", default: true },
  { id: "methodPin", category: "connecting", default: true },
  { id: "methodLink", category: "connecting", default: true },
  { id: "methodEmail", category: "connecting", default: true },
  { id: "methodSms", category: "connecting", default: false },
  { id: "transfer", category: "sessions", default: true },
  { id: "hold", category: "sessions", default: true },
  { id: "chatToggle", category: "sessions", default: false },
  { id: "inlineEdit", category: "sessions", default: true },
  { id: "seeOtherTechnicians", category: "sessions", default: true },
  { id: "remoteControl", category: "remote", default: true },
  { id: "desktopView", category: "remote", default: true },
  { id: "screenshots", category: "remote", default: true },
  { id: "recordSessions", category: "remote", default: false },
  { id: "shareScreen", category: "remote", default: false },
  { id: "sendFiles", category: "files", default: true },
  { id: "fileManager", category: "files", default: true },
  { id: "pushUrls", category: "files", default: true },
  { id: "scriptsDeploy", category: "system", default: false },
  { id: "scriptsNested", category: "system", default: false },
  { id: "reboot", category: "system", default: true },
  { id: "systemInfo", category: "system", default: true },
  { id: "unattendedAccess", category: "system", default: false },
  { id: "lanConnect", category: "system", default: false },
  { id: "callingCard", category: "system", default: false },
  { id: "inviteInternal", category: "collaboration", default: true },
  { id: "inviteExternal", category: "collaboration", default: false },
  { id: "lens", category: "mobile", default: false },
  { id: "mobileTools", category: "mobile", default: false },
] as const;

export type Permission = typeof PERMISSIONS[number]["id"];
export type PermissionCategory = typeof PERMISSIONS[number]["category"];

export const PERMISSION_IDS: readonly Permission[] = PERMISSIONS.map((p) => p.id);
export const PERMISSION_CATEGORIES: readonly PermissionCategory[] = [
  ...new Set(PERMISSIONS.map((p) => p.category)),
];

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && (PERMISSION_IDS as readonly string[]).includes(value);
}

/** The permissions a new group starts with. */
export function defaultPermissions(): Permission[] {
  return PERMISSIONS.filter((p) => p.default).map((p) => p.id);
}

/** Keeps only known permission names, in canonical order, without duplicates. */
export function normalisePermissions(values: readonly unknown[]): Permission[] {
  const wanted = new Set(values.filter(isPermission));
  return PERMISSION_IDS.filter((id) => wanted.has(id));
}

/** Whether a holder of `granted` may do `permission`. The one check every route uses. */
export function can(
  granted: { permissions: ReadonlySet<Permission> } | undefined,
  permission: Permission,
): boolean {
  return granted?.permissions.has(permission) ?? false;
}
