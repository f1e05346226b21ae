/**
 * The organisation (SPEC A4, A5, A8): technician groups (nested), their permissions and
 * settings, the people in them (invitations by e-mail, deactivation, moving, renaming,
 * two-step verification reset, sign-in unlock, password reset links — pages and API share
 * these), admins' scope,
 * and technician presence. `permissionsMiddleware` puts the caller's group permissions on
 * every request; `orgAdminRoutes(presenceOf)` serves /admin/groups and
 * /admin/technicians; `orgPublicRoutes` the set-password links and the status switch.
 */
export { orgAdminRoutes, orgPublicRoutes } from "./routes.tsx";
/**
 * Password reset links: `passwordResetRoutes(external)` serves "Forgot your password?"
 * (`/signin/forgot`) and the link's page (`/reset/:token`); `sendPasswordResetLink` is the
 * person page's and the API's "Send a password reset link" (the person page's rule, audited).
 */
export { passwordResetRoutes } from "./password_reset_routes.tsx";
export { sendPasswordResetLink } from "./password_reset.ts";
/**
 * "Forgot your password?" answers before it looks the address up; the link is made and mailed
 * after (after_answer.ts). A server that stops waits a moment for that work (main.ts).
 */
export { afterAnswerSettled } from "./after_answer.ts";
export { permissionsMiddleware } from "./middleware.ts";
export {
  type GroupDependent,
  type GroupDependents,
  groupDependentsFrom,
} from "./group_deletion.ts";
export { accessChanged, withCurrentPermissions } from "./rights.ts";
export {
  type ChangeContext,
  createGroup,
  deleteGroup,
  type GroupRow,
  listGroups,
  managedGroup,
  managedGroupIds,
  recordingFolderProblem,
  setGroupPermissions,
  setGroupSettings,
  updateGroup,
} from "./groups.ts";
export {
  inviteUser,
  listPeople,
  moveToGroup,
  renamePerson,
  resetTwoFactor,
  setActive,
  unlockSignIn,
} from "./technicians.ts";
export { effectivePresence, type Presence } from "./status.ts";
export {
  defaultGroupSettings,
  emailTextIn,
  type GroupSettings,
  GroupSettingsSchema,
  isSettingAvailable,
  renderTemplate,
  UNAVAILABLE_SETTINGS,
  unavailableSettingsIn,
  withUnavailableAtDefaults,
} from "./settings.ts";
export { groupAdmins, groupMembers, technicianGroups, technicianStatus } from "./schema.ts";
