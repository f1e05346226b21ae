/**
 * Serves `static/` at /static and the browser libraries we take from npm (htmx, Preact)
 * at /vendor, straight from node_modules: no CDN, no copy to keep in sync.
 */
export { staticRoutes } from "./routes.ts";
