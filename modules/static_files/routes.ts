import { type Context, Hono } from "hono";
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
};

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  wav: "audio/wav",
};

export const staticRoutes = new Hono<AppEnv>()
  .get("/vendor/:file", async (c) => {
    const entry = VENDOR[c.req.param("file")];
    if (!entry) return c.notFound();
    return c.body(await Deno.readFile(entry.path), 200, {
      "content-type": `${entry.type}; charset=utf-8`,
      "cache-control": "public, max-age=86400",
    });
  })
  .get("/static/:file{[A-Za-z0-9_.-]+}", (c) => staticFile(c, c.req.param("file")))
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
  .get(
    "/static/sounds/:file{[A-Za-z0-9_-]+\\.wav}",
    (c) => staticFile(c, `sounds/${c.req.param("file")}`),
  )
  .get("/favicon.ico", (c) => c.body(null, 204));

async function staticFile(c: Context<AppEnv>, file: string) {
  const type = TYPES[file.split(".").pop() ?? ""];
  if (!type || file.startsWith(".")) return c.notFound();
  try {
    return c.body(await Deno.readFile(STATIC_DIR + file), 200, {
      "content-type": type,
      "cache-control": "public, max-age=300",
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return c.notFound();
    throw error;
  }
}
