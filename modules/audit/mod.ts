/**
 * The audit log (SPEC A10): `recordAudit` appends who did what, when and from where —
 * pass the transaction so the entry commits with the change it describes — and
 * `auditRoutes` lets admins page and filter it at /admin/audit.
 */
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditScope,
  listAudit,
  recordAudit,
} from "./service.ts";
export { auditRoutes } from "./routes.tsx";
export { type ChangeContext, changedValues, recordChange } from "./change.ts";
export { auditLog } from "./schema.ts";
