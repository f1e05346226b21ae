/**
 * The technician console. For now its home: the New session toolbar, each connection
 * method shown and enabled by the group's permissions, and the technician's own status.
 * Queues, session tabs and the remote view come with the sessions and agent issues.
 */
export { consoleRoutes } from "./routes.tsx";
export { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";
