/**
 * Session history and search (SPEC T5): every past session's record, the earlier sessions
 * of a device (the support app's id) or customer (e-mail or phone, name, custom fields) in
 * the History tab of a session's workspace, and full-text search over past chats and notes
 * with filters — all under one visibility rule (`visibleSessions`: what the person took
 * part in; with `seeOtherTechnicians` its group's; an admin's managed groups; the master
 * admin everything). `historyRoutes` serves `/console/history`.
 */
export { historyRoutes } from "./routes.tsx";
