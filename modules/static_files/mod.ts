/**
 * Serves `static/` at /static, the browser islands bundled from `islands/` at
 * /static/islands/<name>.js (`buildIslands`: main.ts bundles them at start-up, so a broken
 * island stops the server starting), and htmx and the API reference's Swagger UI at /vendor,
 * straight from node_modules: no CDN, no copy to keep in sync.
 */
export { buildIslands } from "./islands.ts";
export { staticRoutes } from "./routes.ts";
