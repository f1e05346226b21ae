import {
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { APPROVAL_TOOLS, type ApprovalTool } from "../../protocol/unattended_request.ts";
import { organisations, users } from "../auth/schema.ts";
import { instances } from "../cluster/schema.ts";
import { supportSessions } from "../support/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A computer whose agent runs as a service (unattended access, SPEC C8). `deviceId` is the
 * agent's own identity id (its hello); `publicKey` the Ed25519 public key (SPKI, base64url)
 * made on the device — the server never sees the private key. `sealingKey` is the X25519
 * public key (raw, base64url) its last proven hello announced, that credentials typed at
 * Connect are sealed to (protocol/sealed_credentials.ts); null for an agent from before it
 * (issue 19), which gets them only from the instance holding its socket. `onlineInstance` is the
 * instance holding its device socket now (null: offline). A removed device stays (audit and
 * history point at it) and is refused when it reconnects.
 */
export const devices = pgTable("devices", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  deviceId: text("device_id").notNull(),
  name: text("name").notNull(),
  os: text("os").notNull(),
  publicKey: text("public_key").notNull(),
  sealingKey: text("sealing_key"),
  createdAt: at("created_at").notNull(),
  lastSeenAt: at("last_seen_at"),
  onlineInstance: uuid("online_instance").references(() => instances.id, {
    onDelete: "set null",
  }),
  onlineSince: at("online_since"),
  /** The last unattended session started on it. */
  lastSessionId: uuid("last_session_id").references(() => supportSessions.id, {
    onDelete: "set null",
  }),
  removedAt: at("removed_at"),
  removedBy: uuid("removed_by").references(() => users.id),
}, (t) => [uniqueIndex("devices_org_device_idx").on(t.orgId, t.deviceId)]);

export type AuthMode = "ask_each_time" | "customer_credentials";
export type WindowKind = "days" | "range" | "unlimited" | "daily";

/**
 * When a grant may be used (evaluated in the grant's IANA `timeZone`, window.ts): `days` and
 * `range` are [fromAt, untilAt) instants; `daily` is every listed weekday (0 = Sunday) from
 * `startMinute` to `endMinute` local time (end before start: past midnight), optionally
 * bounded by fromAt/untilAt; `unlimited` has no end.
 */
export interface AccessWindow {
  kind: WindowKind;
  fromAt?: string;
  untilAt?: string;
  startMinute?: number;
  endMinute?: number;
  weekdays?: number[];
}

/**
 * The customer's permission for technicians to reach a device with nobody present. Owned by
 * the technician who asked; shared with groups or users. Revoked by a technician ("remove
 * access for everyone") or by the customer at the device. `approvalNonce` is unique: a
 * replayed approval cannot make a second grant.
 */
export const unattendedGrants = pgTable("unattended_grants", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  deviceRef: uuid("device_ref").notNull().references(() => devices.id),
  ownerUserId: uuid("owner_user_id").notNull().references(() => users.id),
  sharedGroupIds: jsonb("shared_group_ids").$type<string[]>().notNull().default([]),
  sharedUserIds: jsonb("shared_user_ids").$type<string[]>().notNull().default([]),
  authMode: text("auth_mode").$type<AuthMode>().notNull(),
  window: jsonb("window").$type<AccessWindow>().notNull(),
  timeZone: text("time_zone").notNull(),
  requestedInSession: uuid("requested_in_session").references(() => supportSessions.id, {
    onDelete: "set null",
  }),
  approvedAt: at("approved_at").notNull(),
  approvalSignature: text("approval_signature").notNull(),
  approvalNonce: text("approval_nonce").notNull(),
  /**
   * The tools the customer left ticked at approval (signed by the device with the approval);
   * the server asks the device for nothing else on this grant's sessions.
   */
  tools: jsonb("tools").$type<ApprovalTool[]>().notNull().default([...APPROVAL_TOOLS]),
  createdAt: at("created_at").notNull(),
  revokedAt: at("revoked_at"),
  revokedBy: uuid("revoked_by").references(() => users.id),
  /** "technician" | "customer" | "device_removed" */
  revokedReason: text("revoked_reason"),
}, (t) => [
  uniqueIndex("unattended_grants_nonce_idx").on(t.approvalNonce),
  index("unattended_grants_device_idx").on(t.deviceRef),
]);

/** "Remove access just for me": the grant stays for the others it is shared with. */
export const unattendedRemovals = pgTable("unattended_removals", {
  grantId: uuid("grant_id").notNull().references(() => unattendedGrants.id, {
    onDelete: "cascade",
  }),
  userId: uuid("user_id").notNull().references(() => users.id),
  removedAt: at("removed_at").notNull(),
}, (t) => [primaryKey({ columns: [t.grantId, t.userId] })]);

export type ApprovalState = "pending" | "approved" | "declined" | "used";

/**
 * The approval workflow (a group setting): a technician asks before an unattended
 * connection; another technician of the group or an admin approves; the next connection by
 * the requester to that device uses it up (once, within its lifetime).
 */
export const unattendedApprovals = pgTable("unattended_approvals", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  deviceRef: uuid("device_ref").notNull().references(() => devices.id),
  requesterId: uuid("requester_id").notNull().references(() => users.id),
  reason: text("reason").notNull().default(""),
  state: text("state").$type<ApprovalState>().notNull(),
  requestedAt: at("requested_at").notNull(),
  deciderId: uuid("decider_id").references(() => users.id),
  decidedAt: at("decided_at"),
  usedAt: at("used_at"),
  sessionId: uuid("session_id").references(() => supportSessions.id, { onDelete: "set null" }),
}, (t) => [index("unattended_approvals_device_idx").on(t.orgId, t.deviceRef, t.state)]);

/**
 * One-time challenges a device signs to prove it holds its key (HTTP commands of the local
 * `--unattended` command; the socket keeps its own in memory). Used once, short-lived.
 */
export const deviceChallenges = pgTable("device_challenges", {
  nonce: text("nonce").primaryKey(),
  deviceId: text("device_id").notNull(),
  expiresAt: at("expires_at").notNull(),
  usedAt: at("used_at"),
});

export type ConnectionOutcome = "connected" | "refused";

/** Every unattended connection attempt, connected or refused with its reason. */
export const unattendedConnections = pgTable("unattended_connections", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  deviceRef: uuid("device_ref").notNull().references(() => devices.id),
  grantId: uuid("grant_id").references(() => unattendedGrants.id),
  userId: uuid("user_id").references(() => users.id),
  sessionId: uuid("session_id").references(() => supportSessions.id, { onDelete: "set null" }),
  outcome: text("outcome").$type<ConnectionOutcome>().notNull(),
  reason: text("reason").notNull().default(""),
  ticket: text("ticket"),
  at: at("at").notNull(),
}, (t) => [index("unattended_connections_device_idx").on(t.deviceRef, t.at)]);

export type RequestState = "pending" | "approved" | "declined" | "granted" | "failed";

/**
 * An unattended-access request made during a session (owner: request; request_service.ts):
 * the terms as resolved when asked (`terms`, what the customer is shown), their digest and a
 * single-use nonce the customer page sends back. The state moves once from `pending`
 * (a conditional update), so a replayed decision changes nothing; `approved` becomes
 * `granted` only when the agent's signed word checks against its device key.
 */
export const unattendedRequests = pgTable("unattended_requests", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  requestedBy: uuid("requested_by").notNull().references(() => users.id),
  terms: jsonb("terms").$type<Record<string, unknown>>().notNull(),
  digest: text("digest").notNull(),
  nonce: text("nonce").notNull(),
  state: text("state").$type<RequestState>().notNull(),
  requestedAt: at("requested_at").notNull(),
  decidedAt: at("decided_at"),
  /** The tools the customer left ticked when approving (null until approved). */
  tools: jsonb("tools").$type<ApprovalTool[]>(),
  /** Why it failed (the agent's code and reason), for the log and the technician. */
  reason: text("reason"),
  grantId: uuid("grant_id").references(() => unattendedGrants.id),
}, (t) => [index("unattended_requests_session_idx").on(t.sessionId, t.requestedAt)]);

/**
 * LAN connect's remembered host keys (lan_keys.ts): the SSH key a technician accepted for a
 * host (`address`) seen from one computer, so the next Connect says it is the same key (and
 * who accepted it, when) or warns that it changed. One per computer and address; replaced only
 * by a new explicit acceptance; forgotten by a technician with `lanConnect` or an admin.
 */
export const lanHostKeys = pgTable("lan_host_keys", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  deviceRef: uuid("device_ref").notNull().references(() => devices.id, { onDelete: "cascade" }),
  address: text("address").notNull(),
  keyType: text("key_type").notNull(),
  fingerprint: text("fingerprint").notNull(),
  acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
  /** Their name then (the account may be renamed or removed later). */
  acceptedByName: text("accepted_by_name").notNull(),
  acceptedAt: at("accepted_at").notNull(),
}, (t) => [uniqueIndex("lan_host_keys_device_address_idx").on(t.deviceRef, t.address)]);
