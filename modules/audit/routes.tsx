import { Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { requireRole } from "../http/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { AUDIT_ACTIONS, listAudit } from "./service.ts";
import { AuditPage, AuditTable } from "./views.tsx";

/**
 * `/admin/audit`: admins page and filter through the audit log — the master admin the
 * organisation's, an admin its own actions and the entries about its groups.
 */
export const auditRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const q = c.req.query();
    const filters = {
      action: (AUDIT_ACTIONS as readonly string[]).includes(q.action ?? "") ? q.action : undefined,
      actorEmail: q.actor?.trim() || undefined,
      from: parseDay(q.from, "from"),
      to: parseDay(q.to, "to"),
    };
    const page = Number.parseInt(q.page ?? "1", 10);
    const user = c.get("user");
    const result = await listAudit(c.get("deps").db, {
      scope: {
        orgId: user.orgId,
        userId: user.id,
        all: user.role === "master_admin",
        groupIds: [...(user.managedGroupIds ?? [])],
      },
      ...filters,
      to: filters.to ? new Date(filters.to.getTime() + 86_400_000) : undefined,
      page, // clamped by listAudit, NaN and 1e20 included
    });
    c.header("Vary", "HX-Request");
    const props = { c, result, query: q };
    if (c.req.header("hx-request") === "true") return c.html(<AuditTable {...props} />);
    return c.html(<AuditPage {...props} />);
  });

function parseDay(raw: string | undefined, field: string): Date | undefined {
  if (!raw) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw new Refusal(400, "audit.badDate", { params: { field } });
  }
  return new Date(`${raw}T00:00:00Z`);
}
