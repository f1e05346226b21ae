/**
 * The one source of truth for what a technician group may do (SPEC P-list): the names,
 * their grouping and defaults, and `can(user, permission)`. Routes guard themselves with
 * `requirePermission` from the http module, which calls `can`. A permission whose feature is
 * not built yet is marked unavailable there and is granted to nobody.
 */
export {
  AVAILABLE_PERMISSION_IDS,
  can,
  defaultPermissions,
  isAvailable,
  isPermission,
  normalisePermissions,
  type Permission,
  PERMISSION_CATEGORIES,
  PERMISSION_IDS,
  type PermissionCategory,
  PERMISSIONS,
} from "./permissions.ts";
