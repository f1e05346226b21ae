import { Hono } from "hono";
import { type AppEnv, requireUser } from "../http/mod.ts";
import { ConsoleHome } from "./views.tsx";

export const consoleRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", (c) => c.html(<ConsoleHome c={c} />));
