/**
 * External technicians (SPEC K2, L3): people from outside the organisation invited into one
 * session. Admins keep the approved list (`externalAdminRoutes`, at `/admin/external`); the
 * lead of an Active session invites by link, e-mail or PIN as its group allows, with a
 * permission set and an expiry, sees them and removes them (`externalConsoleRoutes`); the
 * guest gets a limited console of that session only (`externalGuestRoutes`, under `/x`),
 * which ends with the session, removal or expiry. Tokens, PINs and cookies are stored as
 * SHA-256 fingerprints; every step is audited.
 */
export { externalAdminRoutes } from "./admin_routes.tsx";
export { externalConsoleRoutes } from "./console_routes.tsx";
export { externalGuestRoutes } from "./guest_routes.tsx";
/**
 * For the session tool routes the app mounts again under `/x` (file manager, system
 * information, tool consent): sets the request's `guest` from the access cookie, checked now,
 * or refuses (removed, expired, the session ended, no access) with the reason, audited.
 */
export { guestSessionCaller } from "./guest_routes.tsx";
/** The tables (for tests and readers of past sessions). */
export { externalGuests, externalTechnicians } from "./schema.ts";
