/**
 * Monitoring (SPEC K4): an admin watches a technician of its groups (the master admin: anyone)
 * live — queue rows, open sessions and their chats as they happen, and the technician's remote
 * view as an extra viewer that never controls — and can join any of its sessions as a
 * collaborator. The group's `monitoringNotice` tells the technician it is watched;
 * `monitoringAuthorisation` makes monitoring wait for the technician's Allow. Routes under
 * `/monitoring` (routes.tsx); the table `monitorings` (schema.ts); decisions in DECISIONS.md.
 */
export { monitoringRoutes } from "./routes.tsx";
