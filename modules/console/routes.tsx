import { Hono } from "hono";
import { type AppEnv, HttpError, requirePermission, requireUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";
import { ConsoleHome, NewSessionDialog } from "./views.tsx";

export const consoleRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", (c) => c.html(<ConsoleHome c={c} />))
  .get("/new-session", requirePermission("startPrivate"), (c) => {
    const method = c.req.query("method") ?? "pin";
    if (!Object.hasOwn(CONNECTION_METHODS, method)) {
      throw new HttpError(400, "console.unknownMethod");
    }
    const needed = CONNECTION_METHODS[method as ConnectionMethod];
    if (!can(c.get("user"), needed)) {
      throw new HttpError(403, "errors.permissionMissing", { permission: needed });
    }
    return c.html(<NewSessionDialog c={c} method={method as ConnectionMethod} />);
  });
