import { Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { clientAddress, requireRole } from "../http/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { verifyAuditChain } from "./chain.ts";
import { exportAuditLines } from "./export.ts";
import { AUDIT_ACTIONS, auditScopeOf, listAudit, recordAudit } from "./service.ts";
import { AuditPage, AuditTable } from "./views.tsx";
import { IntegrityPage } from "./views_integrity.tsx";

/**
 * `/admin/audit`: admins page and filter through the audit log — the master admin the
 * organisation's, an admin its own actions and the entries about its groups. The master
 * admin also checks the chain (`/integrity`) and downloads the log as JSON lines
 * (`/export.jsonl`, the list's filters apply; audited as `audit.exported`).
 */
export const auditRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .use("/integrity", requireRole("master_admin"))
  .use("/export.jsonl", requireRole("master_admin"))
  .get("/", async (c) => {
    const filters = _filters(c.req.query());
    const q = c.req.query();
    const page = Number.parseInt(q.page ?? "1", 10);
    const user = c.get("user");
    const result = await listAudit(c.get("deps").db, {
      scope: auditScopeOf(user),
      ...filters,
      page, // clamped by listAudit, NaN and 1e20 included
    });
    c.header("Vary", "HX-Request");
    const props = { c, result, query: q };
    if (c.req.header("hx-request") === "true") return c.html(<AuditTable {...props} />);
    return c.html(<AuditPage {...props} />);
  })
  .get("/integrity", async (c) => {
    const user = c.get("user");
    const started = performance.now();
    const [report] = await verifyAuditChain(c.get("deps").db, { orgId: user.orgId });
    const ms = Math.round(performance.now() - started);
    return c.html(<IntegrityPage c={c} report={report} ms={ms} />);
  })
  .get("/export.jsonl", async (c) => {
    const filters = _filters(c.req.query());
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    const now = clock.now();
    await recordAudit(db, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "audit.exported",
      ip: clientAddress(c),
      details: {
        action: filters.action ?? null,
        actor: filters.actorEmail ?? null,
        from: filters.from?.toISOString() ?? null,
        to: filters.to?.toISOString() ?? null,
      },
      at: now,
    });
    const day = now.toISOString().slice(0, 10);
    return new Response(exportAuditLines(db, { orgId: user.orgId, ...filters }), {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="audit-${day}.jsonl"`,
        "cache-control": "no-store",
      },
    });
  });

/** The list's filters from the query: a known action, an actor, a day range (to inclusive). */
function _filters(q: Record<string, string>) {
  const to = parseDay(q.to, "to");
  return {
    action: (AUDIT_ACTIONS as readonly string[]).includes(q.action ?? "") ? q.action : undefined,
    actorEmail: q.actor?.trim() || undefined,
    from: parseDay(q.from, "from"),
    to: to ? new Date(to.getTime() + 86_400_000) : undefined,
  };
}

function parseDay(raw: string | undefined, field: string): Date | undefined {
  if (!raw) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw new Refusal(400, "audit.badDate", { params: { field } });
  }
  return new Date(`${raw}T00:00:00Z`);
}
