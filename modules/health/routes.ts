import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../http/mod.ts";

export const healthRoutes = new Hono<AppEnv>()
  .get("/healthz", async (c) => {
    const { db, dbKind, config, instance } = c.get("deps");
    let ok = true;
    try {
      await db.execute(sql`select 1`);
    } catch {
      ok = false;
    }
    return c.json(
      // `instance`: which of several instances answered (behind a load balancer).
      {
        status: ok ? "ok" : "degraded",
        database: dbKind,
        version: config.version,
        instance: instance.id,
      },
      ok ? 200 : 503,
    );
  });
