import { Hono } from "hono";
import type { Context } from "hono";
import { type AppEnv, clientAddress, HttpError, requireRole } from "../http/mod.ts";
import {
  findOutboxRow,
  listOutbox,
  MAIL_STATUSES,
  type MailStatus,
  type OutboxScope,
} from "./outbox.ts";
import { type ResendActor, resendMail } from "./resend.ts";
import { MessagePage, OutboxPage, OutboxRowView, OutboxTable } from "./views.tsx";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/admin/outbox`: admins watch, inspect and resend their organisation's outgoing mail. */
export const mailAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const q = c.req.query();
    const status = (MAIL_STATUSES as readonly string[]).includes(q.status ?? "")
      ? q.status as MailStatus
      : undefined;
    const page = Number.parseInt(q.page ?? "1", 10);
    const result = await listOutbox(c.get("deps").db, _scope(c), {
      status,
      page: Number.isFinite(page) ? page : 1,
    });
    c.header("Vary", "HX-Request");
    const props = { c, result, status };
    if (c.req.header("hx-request") === "true") return c.html(<OutboxTable {...props} />);
    return c.html(<OutboxPage {...props} smtpConfigured={_smtpConfigured(c)} />);
  })
  .post("/resend-held", async (c) => {
    const deps = c.get("deps");
    const resent = await resendMail(deps, _scope(c), { actor: _actor(c) });
    const result = await listOutbox(deps.db, _scope(c));
    const notice = {
      kind: "info" as const,
      message: c.get("t")("mail.resentMany", { total: resent.length }),
    };
    c.header("Vary", "HX-Request");
    const props = { c, result, notice };
    if (c.req.header("hx-request") === "true") return c.html(<OutboxTable {...props} />);
    return c.html(<OutboxPage {...props} smtpConfigured={_smtpConfigured(c)} />);
  })
  .get("/:id", async (c) => {
    const row = await findOutboxRow(c.get("deps").db, _scope(c), _id(c));
    if (!row) throw new HttpError(404, "errors.notFound");
    return c.html(<MessagePage c={c} row={row} />);
  })
  .post("/:id/resend", async (c) => {
    const deps = c.get("deps");
    const id = _id(c);
    const resent = await resendMail(deps, _scope(c), { actor: _actor(c), ids: [id] });
    const row = resent.length > 0 ? await findOutboxRow(deps.db, _scope(c), id) : undefined;
    if (!row) throw new HttpError(404, "errors.notFound");
    c.header("Vary", "HX-Request");
    if (c.req.header("hx-request") === "true") return c.html(<OutboxRowView c={c} row={row} />);
    const t = c.get("t");
    const notice = row.status === "sent"
      ? { kind: "info" as const, message: t("mail.resentSent") }
      : { kind: "error" as const, message: t("mail.resentFailed", { error: row.lastError }) };
    return c.html(<MessagePage c={c} row={row} notice={notice} />);
  });

/** A master admin also sees system mail that belongs to no organisation. */
function _scope(c: Context<AppEnv>): OutboxScope {
  const user = c.get("user")!;
  return { orgId: user.orgId, includeUnowned: user.role === "master_admin" };
}

function _actor(c: Context<AppEnv>): ResendActor {
  const user = c.get("user")!;
  return { id: user.id, email: user.email, ip: clientAddress(c) };
}

function _smtpConfigured(c: Context<AppEnv>): boolean {
  return Boolean(c.get("deps").config.smtpUrl);
}

/** The `:id` parameter; anything but a UUID cannot name a message (and would upset SQL). */
function _id(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) throw new HttpError(404, "errors.notFound");
  return id;
}
