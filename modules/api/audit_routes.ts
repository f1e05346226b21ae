/**
 * The audit log for integrations (SPEC A10): the Admin Center's list, chain check and JSON
 * lines export (`/admin/audit`) under the same rules — admins page through the entries in
 * their scope (the master admin the organisation's; an admin its own actions and those
 * about the groups it manages); only the master admin checks the chain and exports, audited
 * as `audit.exported` like the download. A SIEM pulls new entries with `afterSeq`.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  AUDIT_ACTIONS,
  auditScopeOf,
  exportAuditLines,
  listAudit,
  recordAudit,
  verifyAuditChain,
} from "../audit/mod.ts";
import { type AppEnv, clientAddress, requireRole } from "../http/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";

const instant = z.iso.datetime({ offset: true });

const Filters = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: z.email().max(254).optional().openapi({ description: "The actor's e-mail address" }),
  from: instant.optional().openapi({ description: "Entries at or after this instant" }),
  to: instant.optional().openapi({ description: "Entries before this instant" }),
});

const page = z.coerce.number().int().min(1).max(1_000_000);
const ListQuery = Filters.extend({
  page: page.default(1).openapi({ description: "Clamped to the last page" }),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const ExportQuery = Filters.extend({
  afterSeq: z.coerce.number().int().min(0).optional().openapi({
    description: "Only entries after this place in the chain (what a SIEM saw last)",
  }),
});

const Entry = z.object({
  id: z.number().int(),
  seq: z.number().int().nullable().openapi({ description: "Place in the hash chain" }),
  at: z.string(),
  action: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  actorName: z.string().nullable(),
  target: z.string().nullable(),
  targetName: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
}).openapi("AuditEntry");

const AuditPage = z.object({
  entries: z.array(Entry),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
}).openapi("AuditPage");

const Integrity = z.object({
  intact: z.boolean(),
  entries: z.number().int().openapi({ description: "Entries that hold, up to the break" }),
  checkedMs: z.number().int(),
  break: z.object({
    id: z.number().int().nullable(),
    seq: z.number().int(),
    at: z.string().nullable(),
    reason: z.enum(["altered", "relinked", "missing", "unlinked", "truncated"]),
  }).nullable(),
}).openapi("AuditIntegrity");

const ADMINS = {
  tags: ["audit"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin", "admin"),
};
const MASTER = { ...ADMINS, middleware: requireRole("master_admin") };
const NOT_ADMIN = "The token's user is not an admin";
const NOT_MASTER = "The token's user is not the master admin";

/** The filters as `listAudit` and `exportAuditLines` take them. */
function _filters(q: z.infer<typeof Filters>) {
  return {
    action: q.action,
    actorEmail: q.actor,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

export const auditApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

auditApi.openapi(
  createRoute({
    ...ADMINS,
    method: "get",
    path: "/audit",
    operationId: "listAudit",
    summary: "One page of the audit log, newest first",
    description: "The master admin reads the organisation's whole log; an admin its own " +
      "actions, those of the people of the groups it manages and those about its groups, " +
      "their people, sessions and channels — as on /admin/audit.",
    request: { query: ListQuery },
    responses: {
      200: { description: "The page", content: { "application/json": { schema: AuditPage } } },
      ...tokenProblems(NOT_ADMIN, { 422: INVALID }),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const user = c.get("user");
    const result = await listAudit(c.get("deps").db, {
      scope: auditScopeOf(user),
      ..._filters(q),
      page: q.page,
      pageSize: q.pageSize,
    });
    return c.json({
      entries: result.rows.map((row) => ({
        id: row.id,
        seq: row.seq,
        at: row.createdAt.toISOString(),
        action: row.action,
        actorId: row.actorId,
        actorEmail: row.actorEmail,
        actorName: row.actorName,
        target: row.target,
        targetName: row.targetName,
        ip: row.ip,
        details: row.details,
        prevHash: row.prevHash,
        hash: row.hash,
      })),
      total: result.total,
      page: result.page,
      pageSize: result.pageSize,
    }, 200);
  },
);

auditApi.openapi(
  createRoute({
    ...MASTER,
    method: "get",
    path: "/audit/export",
    operationId: "exportAudit",
    summary: "The organisation's audit log as JSON lines, oldest first (for a SIEM)",
    description: "One entry per line with its place in the chain and both hashes, so the " +
      "receiver can check the chain itself; each export is audited as `audit.exported`.",
    request: { query: ExportQuery },
    responses: {
      200: {
        description: "application/x-ndjson: one AuditEntry-like object per line",
        content: { "application/x-ndjson": { schema: z.string() } },
      },
      ...tokenProblems(NOT_MASTER, { 422: INVALID }),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    const filters = _filters(q);
    await recordAudit(db, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "audit.exported",
      ip: clientAddress(c),
      details: {
        via: "api",
        action: q.action ?? null,
        actor: q.actor ?? null,
        from: q.from ?? null,
        to: q.to ?? null,
        afterSeq: q.afterSeq ?? null,
      },
      at: clock.now(),
    });
    const lines = exportAuditLines(db, { orgId: user.orgId, ...filters, afterSeq: q.afterSeq });
    // Streamed page by page, never held whole; the route's types know only string bodies.
    return new Response(lines, {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
      },
    }) as never;
  },
);

auditApi.openapi(
  createRoute({
    ...MASTER,
    method: "get",
    path: "/audit/integrity",
    operationId: "getAuditIntegrity",
    summary: "Whether the organisation's audit chain is intact, and where it first breaks",
    responses: {
      200: {
        description: "The check",
        content: { "application/json": { schema: Integrity } },
      },
      ...tokenProblems(NOT_MASTER, {}),
    },
  }),
  async (c) => {
    const started = performance.now();
    const [report] = await verifyAuditChain(c.get("deps").db, { orgId: c.get("user").orgId });
    const broken = report.breaks;
    return c.json({
      intact: report.intact,
      entries: report.entries,
      checkedMs: Math.round(performance.now() - started),
      break: broken
        ? {
          id: broken.id,
          seq: broken.seq,
          at: broken.at?.toISOString() ?? null,
          reason: broken.reason,
        }
        : null,
    }, 200);
  },
);
