import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AuthedEnv, clientAddress, type PageContext } from "../http/mod.ts";
import type { ResendActor } from "./resend.ts";
import { OUTBOX_STATUSES, type OutboxScope, type OutboxStatus } from "./store.ts";

type Ctx = Context<AuthedEnv>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the signed-in admin may see: the master admin everything (messages of no
 * organisation too), an admin the messages about the groups it manages.
 */
export function outboxScope(c: Ctx): OutboxScope {
  const user = c.get("user");
  return {
    orgId: user.orgId,
    all: user.role === "master_admin",
    groupIds: [...(user.managedGroupIds ?? [])],
  };
}

/** The signed-in admin as a resend's audit entry names them. */
export function resendActor(c: Ctx): ResendActor {
  const user = c.get("user");
  return { id: user.id, email: user.email, ip: clientAddress(c) };
}

/** The `:id` parameter; anything but a UUID cannot name a message (and would upset SQL). */
export function outboxId(c: PageContext): string {
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) throw new Refusal(404, "errors.notFound");
  return id;
}

/** The list's `?status=&page=`: an unknown status filters nothing, a bad page is page 1. */
export function outboxListQuery(c: PageContext): { status?: OutboxStatus; page: number } {
  const q = c.req.query();
  const status = (OUTBOX_STATUSES as readonly string[]).includes(q.status ?? "")
    ? q.status as OutboxStatus
    : undefined;
  const page = Number.parseInt(q.page ?? "1", 10);
  return { status, page: Number.isFinite(page) ? page : 1 };
}
