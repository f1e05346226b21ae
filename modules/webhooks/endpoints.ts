/**
 * Registering receivers (master admin; webhooks carry every group's sessions, so a limited
 * admin has none): add with a server-made secret shown once, switch on or off, change the
 * event types, delete; resend a delivery. Every change is audited in its transaction.
 */
import { and, desc, eq, max } from "drizzle-orm";
import { auditLog, type ChangeContext, recordChange } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { type OutboxScope, resendOutbox } from "../outbox/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { isWebhookEventType, type WebhookEventType } from "./events.ts";
import { deliverWebhooks, type DeliveryRow, deliveryStore } from "./delivery.ts";
import { webhookAuditCursors, webhookDeliveries, webhookEndpoints } from "./schema.ts";
import { newWebhookSecret, sealWebhookSecret } from "./secret.ts";
import { type AllowPrivate, refusedLiteral } from "./destination.ts";

export type Endpoint = typeof webhookEndpoints.$inferSelect;

export interface EndpointInput {
  url: string;
  description: string;
  eventTypes: string[];
}

const URL_MAX = 2000;
const DESCRIPTION_MAX = 200;

/**
 * The checked input: an http(s) URL with a host and no credentials — not at a loopback,
 * private or link-local address unless `allow` (the operator's WEBHOOK_ALLOW_PRIVATE) lets
 * it; a name is checked at each delivery — and known event types.
 */
export function checkEndpointInput(input: EndpointInput, allow: AllowPrivate = "none") {
  const raw = input.url.trim();
  if (!raw) throw new Refusal(422, "webhooks.urlMissing");
  if (raw.length > URL_MAX) {
    throw new Refusal(422, "webhooks.urlTooLong", { params: { max: URL_MAX } });
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Refusal(422, "webhooks.urlInvalid");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Refusal(422, "webhooks.urlScheme");
  }
  if (!url.hostname) throw new Refusal(422, "webhooks.urlInvalid");
  if (url.username || url.password) throw new Refusal(422, "webhooks.urlCredentials");
  if (url.hash) throw new Refusal(422, "webhooks.urlFragment");
  if (refusedLiteral(url, allow)) throw new Refusal(422, "webhooks.urlPrivate");
  const description = input.description.trim();
  if (description.length > DESCRIPTION_MAX) {
    throw new Refusal(422, "webhooks.descriptionTooLong", { params: { max: DESCRIPTION_MAX } });
  }
  const unknown = input.eventTypes.find((t) => !isWebhookEventType(t));
  if (unknown !== undefined) throw new Refusal(422, "webhooks.unknownEvent");
  const eventTypes = [...new Set(input.eventTypes)] as WebhookEventType[];
  if (eventTypes.length === 0) throw new Refusal(422, "webhooks.noEvents");
  return { url: url.href, description, eventTypes };
}

/** The organisation's endpoints, newest first. */
export async function listEndpoints(deps: AppDeps, orgId: string): Promise<Endpoint[]> {
  return await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, orgId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

/** The endpoint `id` of the organisation, or a 404. */
export async function findEndpoint(deps: AppDeps, orgId: string, id: string): Promise<Endpoint> {
  const [row] = await deps.db.select().from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.orgId, orgId)));
  if (!row) throw new Refusal(404, "errors.notFound");
  return row;
}

/** Adds an endpoint; returns it with its secret in clear — the one time anyone sees it. */
export async function createEndpoint(
  deps: AppDeps,
  ctx: ChangeContext,
  input: EndpointInput,
): Promise<{ endpoint: Endpoint; secret: string }> {
  const checked = checkEndpointInput(input, deps.config.webhookAllowPrivate);
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const secretSealed = await sealWebhookSecret(deps.config, id, secret);
  const endpoint = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(webhookEndpoints).values({
      id,
      orgId: ctx.actor.orgId,
      ...checked,
      secretSealed,
      createdBy: ctx.actor.id,
      createdAt: ctx.now,
    }).returning();
    if (checked.eventTypes.includes("audit.recorded")) await _followAudit(tx, ctx.actor.orgId);
    await recordChange(tx, ctx, "webhook.endpoint_created", id, {
      url: checked.url,
      eventTypes: checked.eventTypes,
    });
    return row;
  });
  return { endpoint, secret };
}

/** Changes an endpoint's URL, description, event types and whether it is on. */
export async function updateEndpoint(
  deps: AppDeps,
  ctx: ChangeContext,
  id: string,
  input: EndpointInput & { enabled: boolean },
): Promise<Endpoint> {
  const checked = checkEndpointInput(input, deps.config.webhookAllowPrivate);
  return await deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.orgId, ctx.actor.orgId)))
      .for("update");
    if (!before) throw new Refusal(404, "errors.notFound");
    const [row] = await tx.update(webhookEndpoints).set({ ...checked, enabled: input.enabled })
      .where(eq(webhookEndpoints.id, id)).returning();
    if (checked.eventTypes.includes("audit.recorded")) await _followAudit(tx, ctx.actor.orgId);
    await recordChange(tx, ctx, "webhook.endpoint_updated", id, {
      before: { url: before.url, eventTypes: before.eventTypes, enabled: before.enabled },
      after: { url: row.url, eventTypes: row.eventTypes, enabled: row.enabled },
    });
    return row;
  });
}

/** Deletes an endpoint and its deliveries. */
export async function deleteEndpoint(deps: AppDeps, ctx: ChangeContext, id: string) {
  await deps.db.transaction(async (tx) => {
    const [gone] = await tx.delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.orgId, ctx.actor.orgId)))
      .returning();
    if (!gone) throw new Refusal(404, "errors.notFound");
    await recordChange(tx, ctx, "webhook.endpoint_deleted", id, { url: gone.url });
  });
}

/**
 * Starts following the organisation's audit chain from its current end (an endpoint for
 * audit events hears what happens from now on, not the whole past).
 */
async function _followAudit(tx: AppDeps["db"], orgId: string) {
  const [{ last }] = await tx.select({ last: max(auditLog.seq) }).from(auditLog)
    .where(eq(auditLog.orgId, orgId));
  await tx.insert(webhookAuditCursors).values({ orgId, seq: Number(last ?? 0) })
    .onConflictDoNothing();
}

/** The master admin's view of the deliveries: the organisation's. */
export function deliveryScope(orgId: string): OutboxScope {
  return { orgId, all: true, groupIds: [] };
}

/** One page of an endpoint's deliveries (or all of the organisation's), newest first. */
export async function listDeliveries(
  deps: AppDeps,
  orgId: string,
  options: { endpointId?: string; page?: number },
) {
  const where = and(
    eq(webhookDeliveries.orgId, orgId),
    options.endpointId ? eq(webhookDeliveries.endpointId, options.endpointId) : undefined,
  );
  const pageSize = 50;
  const page = Math.max(1, Math.min(options.page ?? 1, 10_000));
  const rows = await deps.db.select().from(webhookDeliveries).where(where)
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(pageSize + 1).offset((page - 1) * pageSize);
  return { rows: rows.slice(0, pageSize), more: rows.length > pageSize, page };
}

/**
 * Sends a delivery again, now, with the same `webhook-id` (receivers that already have it
 * drop it); audited as `webhook.resent`. Returns the row after the attempt.
 */
export async function resendDelivery(
  deps: AppDeps,
  ctx: ChangeContext & { actor: { orgId: string } },
  id: string,
): Promise<DeliveryRow> {
  const scope = deliveryScope(ctx.actor.orgId);
  const before = await resendOutbox(deps, {
    store: deliveryStore,
    scope,
    actor: { id: ctx.actor.id, email: ctx.actor.email, ip: ctx.ip },
    ids: [id],
    action: "webhook.resent",
    details: (row) => ({ endpointId: row.endpointId, type: row.eventType, attempts: row.attempts }),
    deliver: (ids) => deliverWebhooks(deps, ids),
  });
  if (before.length === 0) throw new Refusal(404, "errors.notFound");
  return (await deliveryStore.find(deps.db, scope, id))!;
}
