/**
 * What the organisation routes share (org_routes.ts, org_group_routes.ts): the admin guard,
 * and the response helpers.
 */
import { z } from "@hono/zod-openapi";
import { requireRole } from "../http/mod.ts";

export const Id = z.object({ id: z.uuid() });

export const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
});
export const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  ...json(schema),
});
/** Every route here is for admins: the guard runs per route and types the handler's user. */
export const admin = {
  tags: ["organisation"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin", "admin"),
};
export const NOT_ADMIN = "The token's user is not an admin";
export const NO_GROUP = "No such group, or not one you manage";
