import type { MiddlewareHandler } from "hono";
import { eq } from "drizzle-orm";
import { type AppEnv, setLanguage } from "../http/mod.ts";
import { users } from "./schema.ts";
import { readSession } from "./sessions.ts";
import { toCurrentUser } from "./service.ts";

/**
 * Loads the signed-in user from the session cookie (fully signed-in sessions only) and
 * re-negotiates the language with the user's own setting. A deactivated user's session
 * counts as signed out.
 */
export function sessionMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.req.path.startsWith("/api/") && !c.req.path.startsWith("/static/")) {
      const session = await readSession(c);
      if (session?.stage === "full") {
        const [user] = await c.get("deps").db.select().from(users).where(
          eq(users.id, session.userId),
        );
        if (user?.active) {
          c.set("user", toCurrentUser(user, session.id));
          setLanguage(c);
        }
      }
    }
    await next();
  };
}
