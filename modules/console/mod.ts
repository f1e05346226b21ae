/**
 * The technician console. For now an empty home that later issues fill with queues,
 * session tabs and the remote view.
 */
export { consoleRoutes } from "./routes.tsx";
