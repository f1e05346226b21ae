/**
 * Internal collaboration (SPEC K1, K3): several technicians in one support session — a lead
 * and collaborators, each with a queue row of its own (`role: "collaborator"`, statuses
 * Invitation → Collaborating), a per-session permission set, hand-over of the lead, and the
 * technicians' private chat. The design shared with external technicians and monitoring is
 * docs/collaboration.md.
 */

/**
 * The lead's and collaborators' actions. Each checks the caller, runs in one transaction
 * (rows moved by the session machine, a log line, an audit entry) and announces the change:
 * `inviteTechnician` (refuses oneself, someone Away or signed out, someone already in, past
 * the group's `maxTechniciansPerSession`, a session the caller does not lead Active),
 * `withdrawInvitation`, `removeCollaborator`, `leaveSession`, `setCollaboratorPermissions`,
 * `handOverLead` / `cancelHandOver` / `acceptLead` (Start on the offered row), and
 * `joinAsCollaborator` (an admin monitoring the lead joins straight into Collaborating).
 * `collaboratorsOf` lists who is in the session, lead first.
 */
export {
  acceptLead,
  cancelHandOver,
  handOverLead,
  type Invitation,
  inviteTechnician,
  joinAsCollaborator,
  leaveSession,
  removeCollaborator,
  setCollaboratorPermissions,
  withdrawInvitation,
} from "./service.ts";
export { collaboratorsOf, type Participant } from "./participants.ts";

/**
 * `sessionPermissions(deps, user, entry)`: what `user` may do in the session of its row
 * `entry` — its group's permissions narrowed to the row's session set. Every tool check for
 * a session goes through it (modules/support `sessionForTechnician` returns it as
 * `granted`); pass the result to `can()`.
 */
export { sessionPermissions } from "./permissions.ts";

/**
 * `collaborationRoutes`, mounted at `/console/sessions`: the Invite technician dialog, who is
 * in the session, and the lead's and collaborators' buttons (modules/app).
 */
export { collaborationRoutes } from "./routes.tsx";
