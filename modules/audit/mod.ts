/**
 * The audit log (SPEC A10): `recordAudit` appends who did what, when and from where —
 * pass the transaction so the entry commits with the change it describes — and
 * `auditRoutes` lets admins page and filter it at /admin/audit. The log is a hash chain per
 * organisation (chain.ts): the master admin checks it at /admin/audit/integrity and
 * downloads it as JSON lines at /admin/audit/export.jsonl.
 */
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditScope,
  auditScopeOf,
  listAudit,
  recordAudit,
} from "./service.ts";
export { auditRoutes } from "./routes.tsx";
/** The log as JSON lines for a SIEM (the download and the API's export): a stream. */
export { exportAuditLines, type ExportFilter } from "./export.ts";
export { type ChangeContext, changedValues, recordChange } from "./change.ts";
export { auditChainHeads, auditLog } from "./schema.ts";

/**
 * `verifyAuditChain(db, { orgId? })` walks each chain and reports per chain the entries that
 * hold and the first break (entry, seq, reason: altered, relinked, missing, unlinked,
 * truncated); `deno task audit:verify` prints it. `chainUnlinkedEntries(db)` links entries
 * written before the chain existed (run at start-up).
 */
export {
  type ChainBreak,
  type ChainReport,
  chainUnlinkedEntries,
  verifyAuditChain,
} from "./chain.ts";
