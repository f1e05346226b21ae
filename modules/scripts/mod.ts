/**
 * Scripts (SPEC R10): a technician's script library at `/console/scripts` (name, script file,
 * optional resource file, target OS, time limit, run at session start, order, up to five
 * favourites; `scripts.xml` export and all-or-nothing import through the replies module's
 * hardened XML reading) and the organisation's nested scripts at `/admin/scripts` (admins),
 * which technicians with `scriptsNested` run. `scriptSessionRoutes` is the workspace's
 * Scripts tab: a run is recorded (audit entry with the script's SHA-256) and sent to the
 * agent as data (`scripts.run`, protocol/scripts.ts), the customer allows it by name in the
 * agent's window, its output streams live to the technician, Stop kills it, and the exit code,
 * the output's end and a download of the whole output end up in the session log.
 */
export { libraryRoutes } from "./library_routes.tsx";
export { scriptSessionRoutes } from "./session_routes.tsx";
export { scriptRuns, scripts } from "./schema.ts";
