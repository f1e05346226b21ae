import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { AppEnv } from "../http/mod.ts";
import { buildIslands } from "./islands.ts";

const STATIC_DIR = fileURLToPath(new URL("../../static/", import.meta.url));
const require = createRequire(import.meta.url);

/** Public name → package file. Resolved once at start-up so a missing package fails early. */
const VENDOR: Record<string, { path: string; type: string }> = {
  "htmx.min.js": { path: require.resolve("htmx.org/dist/htmx.min.js"), type: "text/javascript" },
  // The API reference page (/api/v1/docs).
  "swagger-ui-bundle.js": {
    path: require.resolve("swagger-ui-dist/swagger-ui-bundle.js"),
    type: "text/javascript",
  },
  "swagger-ui.css": { path: require.resolve("swagger-ui-dist/swagger-ui.css"), type: "text/css" },
  // The report charts (/admin/reports, modules/reports; drawn by static/reports.js).
  "uPlot.iife.min.js": {
    path: require.resolve("uplot/dist/uPlot.iife.min.js"),
    type: "text/javascript",
  },
  "uPlot.min.css": { path: require.resolve("uplot/dist/uPlot.min.css"), type: "text/css" },
};

/** The only kinds of file served from static/ (the routes' patterns name these endings). */
const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  wav: "audio/wav",
};

/**
 * hono's serveStatic over static/ (streamed from disk, `..` and encoded separators refused);
 * the routes below decide which names reach it, a file that is not there is our 404 page.
 */
const staticFile = serveStatic({
  root: STATIC_DIR,
  rewriteRequestPath: (path) => path.slice("/static".length),
  mimes: TYPES,
  onFound: (_path, c) => {
    c.header("Cache-Control", "public, max-age=300");
  },
});

export const staticRoutes = new Hono<AppEnv>()
  .get("/static/:file{[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.(?:css|js|svg|png|ico)}", staticFile)
  // The browser islands, bundled from islands/ in memory (islands.ts).
  .get("/static/islands/:file{[a-z_]+\\.js}", async (c) => {
    const island = (await buildIslands()).get(c.req.param("file").slice(0, -".js".length));
    if (!island) return c.notFound();
    const etag = `"${island.hash}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
    return c.body(island.code, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=300",
      etag,
    });
  })
  // The console's alert sounds (static/sounds/<id>.wav): the one sub-folder, named here so
  // no path with a slash in it ever reaches the file system.
  .get("/static/sounds/:file{[A-Za-z0-9_-]+\\.wav}", staticFile)
  .get("/favicon.ico", (c) => c.body(null, 204));

// One route per package file, served by hono's serveStatic (streamed, cached for a day).
for (const [name, file] of Object.entries(VENDOR)) {
  staticRoutes.get(
    `/vendor/${name}`,
    serveStatic({
      root: "/",
      path: file.path,
      mimes: { [file.path.split(".").pop()!]: `${file.type}; charset=utf-8` },
      onFound: (_path, c) => {
        c.header("Cache-Control", "public, max-age=86400");
      },
    }),
  );
}
