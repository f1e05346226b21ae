/**
 * System information (SPEC R7, issue 17): the workspace's System tab — a dashboard of the
 * customer's computer and tabs for its processes, services, applications, user, drivers,
 * start-up items and system log, read by the agent (protocol/system.ts) behind the
 * technician's `systemInfo` permission and the customer's systemInfo consent; ending a
 * process and starting/stopping a service (confirmed again by the customer, logged and
 * audited); the whole snapshot exported as JSON or text into the session's files.
 */
export { systemRoutes } from "./routes.tsx";
