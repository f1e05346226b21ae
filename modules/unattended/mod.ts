/**
 * Unattended access (SPEC C8, docs/unattended.md): devices whose agent runs as a service,
 * the customer's grants on them, and technicians connecting with nobody present.
 *
 * - Devices: `registerDevice` (the public key made on the device; the server never sees a
 *   private key), `verifyDeviceHello` (a challenge signed with the device key), the device
 *   socket and the customer's local command (`deviceRoutes`: `/agent/device…`).
 * - Grants: `createGrant` (the request flow writes the customer's approved grant through it;
 *   a replayed approval nonce is refused), `accessWindowAllows(grant, now)` (pure, the clock
 *   injected, DST-correct in the grant's IANA time zone), `zonedInstant` (a local date and
 *   time in a zone → an instant).
 * - Computers: `computersFor(deps, user, filter)`, `connectUnattended(deps, user, deviceRef,
 *   now)` (a new session, Active at once, logged as unattended; refused outside the window
 *   with the reason; OS credentials typed at Connect go sealed to the device's X25519 key,
 *   whichever instance holds its socket), `removeAccess(…, "everyone" | "me")`, the
 *   approval workflow (`requestApproval`, `decideApproval`), and the console pages
 *   (`computerRoutes`).
 */
export { type AccessWindow, type AuthMode, type WindowKind } from "./schema.ts";
export {
  createGrant,
  CUSTOMER_CREDENTIALS_MAX_MS,
  type Device,
  type Grant,
  type NewDevice,
  type NewGrant,
  registerDevice,
  removeAccess,
  type RemoveScope,
  revokeFromDevice,
} from "./devices.ts";
export { type DeviceVerdict, verifyDeviceHello } from "./device_proof.ts";
export {
  accessWindowAllows,
  isTimeZone,
  type WindowRefusal,
  type WindowVerdict,
  zonedInstant,
} from "./window.ts";
export { type ComputerRow, computersFor } from "./computers.ts";
export { type ConnectRefusal, connectUnattended } from "./connect.ts";
/**
 * The tools an unattended session may use (its grant's, as the customer approved them): the
 * app hands it to remote's `approvedToolsFrom`.
 */
export { approvedToolsOf } from "./session_tools.ts";
export { decideApproval, pendingApprovalsFor, requestApproval } from "./approvals.ts";
export { deviceRoutes } from "./device_gateway.ts";
export { computerRoutes } from "./routes.tsx";
/** Tables, for tests and the boundary-checked schema references. */
export { devices, unattendedConnections, unattendedGrants } from "./schema.ts";
/**
 * The request during a session (request owner): the technician's dialog and the customer's
 * page (`requestRoutes`), `requestUnattended` and `customerDecision` (the customer page's
 * nonce and digest, then the agent's signed word before the grant is stored).
 */
export { requestRoutes } from "./request_routes.tsx";
export { customerDecision, requestUnattended } from "./request_service.ts";
/** Service mode (SPEC R9): the agent restarts as a system service in the same session. */
export { serviceModeRoutes } from "./service_mode_routes.tsx";
