import { Hono } from "hono";
import type { Context } from "hono";
import { type AppEnv, clientAddress, HttpError, requireRole } from "../http/mod.ts";
import { smsGatewayOf } from "./delivery.ts";
import { findSms, listSms, SMS_STATUSES, type SmsScope, type SmsStatus } from "./outbox.ts";
import { type ResendActor, resendSms } from "./resend.ts";
import { type ListProps, type Notice, SmsPage, SmsRowView, SmsTable } from "./views.tsx";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/admin/sms`: admins watch their organisation's text messages, copy and resend them. */
export const smsAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const q = c.req.query();
    const status = (SMS_STATUSES as readonly string[]).includes(q.status ?? "")
      ? q.status as SmsStatus
      : undefined;
    const page = Number.parseInt(q.page ?? "1", 10);
    const result = await listSms(c.get("deps").db, _scope(c), {
      status,
      page: Number.isFinite(page) ? page : 1,
    });
    return _list(c, { c, result, status });
  })
  .post("/resend-held", async (c) => {
    const deps = c.get("deps");
    const resent = await resendSms(deps, _scope(c), { actor: _actor(c) });
    const result = await listSms(deps.db, _scope(c));
    const notice = {
      kind: "info" as const,
      message: c.get("t")("sms.resentMany", { total: resent.length }),
    };
    return _list(c, { c, result, notice });
  })
  .post("/:id/resend", async (c) => {
    const deps = c.get("deps");
    const id = _id(c);
    const resent = await resendSms(deps, _scope(c), { actor: _actor(c), ids: [id] });
    const row = resent.length > 0 ? await findSms(deps.db, _scope(c), id) : undefined;
    if (!row) throw new HttpError(404, "errors.notFound");
    c.header("Vary", "HX-Request");
    if (c.req.header("hx-request") === "true") return c.html(<SmsRowView c={c} row={row} />);
    // Without htmx there is no row to swap: show the list with the outcome on top.
    const t = c.get("t");
    const notice: Notice = row.status === "sent"
      ? { kind: "info", message: t("sms.resentSent") }
      : { kind: "error", message: t("sms.resentFailed", { error: row.lastError }) };
    const result = await listSms(deps.db, _scope(c));
    return c.html(<SmsPage c={c} result={result} notice={notice} gatewayConfigured />);
  });

/** The page, or for htmx just the table it is built from. */
function _list(c: Context<AppEnv>, props: ListProps) {
  c.header("Vary", "HX-Request");
  if (c.req.header("hx-request") === "true") return c.html(<SmsTable {...props} />);
  const gatewayConfigured = Boolean(smsGatewayOf(c.get("deps")));
  return c.html(<SmsPage {...props} gatewayConfigured={gatewayConfigured} />);
}

/** A master admin also sees messages that belong to no organisation. */
function _scope(c: Context<AppEnv>): SmsScope {
  const user = c.get("user")!;
  return { orgId: user.orgId, includeUnowned: user.role === "master_admin" };
}

function _actor(c: Context<AppEnv>): ResendActor {
  const user = c.get("user")!;
  return { id: user.id, email: user.email, ip: clientAddress(c) };
}

/** The `:id` parameter; anything but a UUID cannot name a message (and would upset SQL). */
function _id(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) throw new HttpError(404, "errors.notFound");
  return id;
}
